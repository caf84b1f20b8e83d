"""On-disk cache of text embeddings and semantic graphs, keyed by content hashes.

Two kinds of ``.npz`` entries, each written atomically and read back with
``allow_pickle=False`` (a cache file holds arrays only, never code):

* ``embeddings/<key>.npz``: the node embeddings, keyed by the texts and the
  encoder identity, so another mode or K re-uses them without the encoder;
* ``semantic_graphs/<key>.npz``: embeddings, similarity, neighbours, node names
  and levels, keyed by texts, names, levels, encoder, mode and K.
"""
import hashlib
import json
import os
import os.path as osp
import tempfile
import warnings
from typing import Dict, Optional, Sequence, Union

import numpy as np

CACHE_ENV = 'SKCL_MM_CACHE'
GRAPH_ARRAYS = ('embeddings', 'similarity', 'neighbours', 'node_names',
                'node_levels')
EMBEDDING_ARRAYS = ('embeddings', )
_KINDS = {'semantic_graphs': GRAPH_ARRAYS, 'embeddings': EMBEDDING_ARRAYS}


def default_cache_dir() -> str:
    """``$SKCL_MM_CACHE`` if set, else ``~/.cache/skcl_mm``."""
    return os.environ.get(CACHE_ENV) or osp.join(
        osp.expanduser('~'), '.cache', 'skcl_mm')


def check_cache_dir(cache_dir: Union[None, bool, str, os.PathLike]):
    """Validate a ``cache_dir`` setting; returns it (a path as a str).

    ``None`` (the default directory, checked too), ``False`` (no cache) or a
    directory path that is, or can be created, writable.

    Raises:
        TypeError: ``True`` or another non-path value.
        ValueError: The path is a file, or cannot be written.
    """
    if cache_dir is False:
        return False
    if cache_dir is not None and not isinstance(cache_dir, (str, os.PathLike)):
        raise TypeError(
            f'cache_dir must be None (the default: ${CACHE_ENV} or '
            '~/.cache/skcl_mm), a directory path or False (no cache), got '
            f'{cache_dir!r} ({type(cache_dir).__name__}).')
    path = default_cache_dir() if cache_dir is None else os.fspath(cache_dir)
    setting = (f'the default cache directory (${CACHE_ENV} or ~/.cache/skcl_mm)'
               if cache_dir is None else 'cache_dir')
    if osp.exists(path) and not osp.isdir(path):
        raise ValueError(f'{setting} {path!r} is a file, not a directory; give '
                         'a directory path, or cache_dir=False for no cache.')
    existing = path
    while existing and not osp.exists(existing):
        existing = osp.dirname(existing.rstrip(os.sep)) or '.'
    if not osp.isdir(existing) or not os.access(existing, os.W_OK):
        raise ValueError(f'{setting} {path!r} is not writable ({existing!r} '
                         'refuses writes); give a writable directory, or '
                         'cache_dir=False for no cache.')
    return None if cache_dir is None else path


def _digest(content: dict) -> str:
    text = json.dumps(dict(content, version=1), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def embedding_cache_key(texts: Sequence[str], encoder: str) -> str:
    """SHA-256 of the texts (in order) and the encoder identity."""
    return _digest(dict(texts=list(texts), encoder=encoder))


def graph_cache_key(texts: Sequence[str], names: Sequence[str],
                    levels: Sequence[int], encoder: str, mode: str,
                    num_neighbours: int) -> str:
    """SHA-256 of the node texts, names, levels, encoder identity, mode and K."""
    return _digest(dict(texts=list(texts), names=list(names),
                        levels=[int(v) for v in levels], encoder=encoder,
                        mode=mode, k=int(num_neighbours)))


def cache_path(cache_dir: str, kind: str, key: str) -> str:
    """Where the entry ``key`` of ``kind`` (``'semantic_graphs'`` or
    ``'embeddings'``) lives inside ``cache_dir``."""
    if kind not in _KINDS:
        raise ValueError(f'cache kind must be one of {tuple(_KINDS)}, got {kind!r}.')
    return osp.join(cache_dir, kind, f'{key[:32]}.npz')


def load_cached(cache_dir: str, kind: str,
                key: str) -> Optional[Dict[str, np.ndarray]]:
    """The cached arrays for ``key``, or None on a miss or an unreadable file."""
    path = cache_path(cache_dir, kind, key)
    if not osp.isfile(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in _KINDS[kind] + ('key', )}
    except (OSError, ValueError, KeyError) as err:
        warnings.warn(f'Ignoring the unreadable graph cache file {path} ({err}); '
                      'it is recomputed and replaced.')
        return None
    if str(arrays.pop('key')) != key:
        return None
    return arrays


def save_cached(cache_dir: str, kind: str, key: str,
                arrays: Dict[str, np.ndarray]) -> str:
    """Write ``arrays`` (the fields of ``kind``) for ``key``; returns the path."""
    fields = _KINDS[kind] if kind in _KINDS else ()
    path = cache_path(cache_dir, kind, key)
    missing = [name for name in fields if name not in arrays]
    if missing:
        raise KeyError(f'Cache entry lacks {missing}; expected {fields}.')
    os.makedirs(osp.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix='.npz', dir=osp.dirname(path))
    try:
        with os.fdopen(fd, 'wb') as f:
            np.savez(f, key=np.array(key),
                     **{name: np.asarray(arrays[name]) for name in fields})
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    return path
