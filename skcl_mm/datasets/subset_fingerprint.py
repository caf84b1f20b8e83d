"""The fingerprint of a training subset: which images, and the settings that chose them.

A run records it (checkpoint meta, ``train_counts.json``); a run that resumes or
loads that checkpoint compares it with its own and stops, naming the settings
that differ, when they do not match. Everything in it is independent of the
machine (no absolute paths), so two machines with the same data agree.

A fingerprint is a plain dict (JSON- and weights_only-safe)::

    {'version': 1,
     'dataset': 'CIFAR100',             # type of the wrapped dataset
     'split': 'train',                  # test_mode / split / annotation file
     'imbalance_factor': 100.0,         # None: the data as given
     'seed': 0,
     'hierarchy': 'cifar100',           # the hierarchy= setting
     'level_classes_sha256': '...',     # class names per level, in order
     'num_images': 10847,
     'image_ids_sha256': '...'}         # the selected images and their labels
"""
import hashlib
import json
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np

FINGERPRINT_VERSION = 1
# Settings in the order a difference is reported; the ids come last: when only
# they differ, the data on disk changed under the same settings.
SETTING_KEYS = ('dataset', 'split', 'imbalance_factor', 'seed', 'hierarchy',
                'level_classes_sha256', 'num_images')
_WHAT = {
    'dataset': 'wrapped dataset',
    'split': 'split',
    'imbalance_factor': 'imbalance_factor',
    'seed': 'seed (of the long-tailed selection)',
    'hierarchy': 'hierarchy',
    'level_classes_sha256': 'class names per level (names or their order)',
    'num_images': 'number of training images',
}


def _sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def level_classes_sha256(level_classes: Sequence[Sequence[str]]) -> str:
    """A hash of the class names of every level, in order."""
    names = [[str(name) for name in level] for level in level_classes]
    return _sha256(json.dumps(names, ensure_ascii=False).encode('utf-8'))


def describe_split(dataset) -> str:
    """What part of its data a wrapped dataset reads, without absolute paths.

    ``split`` when the dataset has one (ImageNetLT, SklearnDigits), the
    annotation file's name relative to ``data_root``, the data prefix, and
    ``test`` / ``train`` from ``test_mode``.
    """
    parts = []
    split = getattr(dataset, 'split', None)
    if isinstance(split, str):
        parts.append(split)
    else:
        parts.append('test' if getattr(dataset, 'test_mode', False) else 'train')
    root = getattr(dataset, 'data_root', None) or ''
    ann_file = getattr(dataset, 'ann_file', None)
    if ann_file:
        parts.append(f'ann_file={_relative(ann_file, root)}')
    prefix = getattr(dataset, 'data_prefix', None)
    if isinstance(prefix, dict):
        for key in sorted(prefix):
            if prefix[key]:
                parts.append(f'{key}={_relative(prefix[key], root)}')
    return ', '.join(parts)


def _relative(path: str, root: str) -> str:
    """``path`` relative to ``root`` when under it ('.' for the root itself);
    another absolute path by its base name, so no machine path is kept."""
    path = str(path)
    root = str(root or '')
    if root:
        root_dir = osp.join(root, '')  # with a trailing separator
        if path.startswith(root_dir):
            return path[len(root_dir):] or '.'
        if path.rstrip('/') == root.rstrip('/'):
            return '.'
    return osp.basename(path.rstrip('/')) if osp.isabs(path) else path


def _img_path(dataset, index: int):
    """``img_path`` of one sample: from the data list, or, once mmengine has
    serialised the list (``serialize_data=True`` empties it), from
    ``get_data_info``."""
    data_list = getattr(dataset, 'data_list', None)
    if data_list:
        return data_list[index].get('img_path')
    return dataset.get_data_info(index).get('img_path')


def image_ids_sha256(dataset, indices: np.ndarray, labels: np.ndarray) -> str:
    """A hash of the selected images: their paths relative to ``data_root``
    where the samples have ``img_path``, else their indices; with labels.

    About 0.3-0.4 s for ImageNet-LT's 115,846 paths (measured once on the
    project's 2-core CPU machine; no benchmark tracks it).

    Args:
        dataset: The wrapped dataset (full, before the subset is taken).
        indices (ndarray): ``(N,)`` selected sample indices, ascending.
        labels (ndarray): ``(N,)`` their finest-level labels.
    """
    root = getattr(dataset, 'data_root', None) or ''
    digest = hashlib.sha256()
    has_paths = (indices.size and callable(getattr(dataset, 'get_data_info', None))
                 and _img_path(dataset, int(indices[0])) is not None)
    if has_paths:
        lines = []
        for i, label in zip(indices.tolist(), labels.tolist()):
            path = _img_path(dataset, i)
            rel = _relative(path, root) if path is not None else f'#{i}'
            lines.append(f'{rel}\t{label}\n')
        digest.update(''.join(lines).encode('utf-8'))
    else:
        digest.update(np.ascontiguousarray(indices, dtype='<i8').tobytes())
        digest.update(np.ascontiguousarray(labels, dtype='<i8').tobytes())
    return digest.hexdigest()


def subset_fingerprint(dataset, indices: np.ndarray, labels: np.ndarray,
                       imbalance_factor: Optional[float], seed: int,
                       hierarchy, level_classes: Sequence[Sequence[str]]) -> dict:
    """The fingerprint of a subset of ``dataset`` (see the module docstring).

    Args:
        dataset: The wrapped dataset, full (before the subset is taken).
        indices (ndarray): ``(N,)`` selected indices into ``dataset``.
        labels (ndarray): ``(N,)`` finest-level labels of those samples.
        imbalance_factor (float | None): The profile's ``n_max / n_min``.
        seed (int): Seed of the per-class selection.
        hierarchy: The ``hierarchy=`` setting (None, a name or a path).
        level_classes (list[list[str]]): Class names per level, coarsest first.
    """
    indices = np.asarray(indices, dtype=np.int64).reshape(-1)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    return dict(
        version=FINGERPRINT_VERSION,
        dataset=type(dataset).__name__,
        split=describe_split(dataset),
        imbalance_factor=None if imbalance_factor is None else float(imbalance_factor),
        seed=int(seed),
        hierarchy=None if hierarchy is None else _hierarchy_setting(hierarchy),
        level_classes_sha256=level_classes_sha256(level_classes),
        num_images=int(indices.size),
        image_ids_sha256=image_ids_sha256(dataset, indices, labels))


def _hierarchy_setting(hierarchy) -> str:
    """A shipped name as is, a file by its name (not its machine's path)."""
    text = str(hierarchy)
    return osp.basename(text) if osp.sep in text else text


def subset_differences(recorded: dict, current: dict) -> List[str]:
    """What differs between two fingerprints, one line per setting.

    Returns:
        list[str]: Empty when they describe the same subset; otherwise lines
        like ``"seed (of the long-tailed selection): checkpoint 0, this run 1"``.
        When every setting agrees but the images differ, one line says so.
    """
    lines = []
    for key in SETTING_KEYS:
        if recorded.get(key) != current.get(key):
            lines.append(f'{_WHAT[key]}: recorded {recorded.get(key)!r}, '
                         f'this run {current.get(key)!r}')
    if not lines and recorded.get('image_ids_sha256') != current.get('image_ids_sha256'):
        lines.append('the selected images differ under the same settings (the '
                     'data on disk changed, or the wrapped dataset lists its '
                     'images in another order)')
    return lines
