"""Argument checks and small helpers shared by the batch transforms."""
import functools
from typing import Sequence, Tuple, Union

import torch
from torch import Tensor

KORNIA_INSTALL = ('pip install kornia (0.9.0 measured; `pip install kornia --no-deps '
                  'kornia-rs` keeps the installed torch)')


def kornia_augmentation(owner: str):
    """``kornia.augmentation``, imported when a transform that runs it is built.

    Args:
        owner (str): What needs kornia, for the error message.
    """
    try:
        import kornia.augmentation as K
    except ImportError as error:
        raise ModuleNotFoundError(f'{owner} runs kornia, which is not installed '
                                  f'({error}); {KORNIA_INSTALL}.') from None
    return K


def check_images(images: Tensor) -> None:
    """Raise if ``images`` is not a (B, 3, H, W) floating tensor."""
    if images.dim() != 4 or images.shape[1] != 3 or not images.is_floating_point():
        raise ValueError('Expected images as a (B, 3, H, W) float tensor, got '
                         f'{tuple(images.shape)} {images.dtype}.')


def check_prob(prob: float, name: str) -> None:
    if not 0. <= prob <= 1.:
        raise ValueError(f'{name} must be in [0, 1], got {prob}.')


def pad_value(pad_val: Union[float, Sequence[float]], name: str) -> Tuple[float, ...]:
    """A per-channel fill value: 3 numbers in [0, 255]."""
    values = tuple(pad_val) if isinstance(pad_val, Sequence) else (pad_val, ) * 3
    if len(values) != 3 or not all(0 <= v <= 255 for v in values):
        raise ValueError(f'{name} must be a number or 3 numbers in [0, 255], '
                         f'got {pad_val!r}.')
    return tuple(float(v) for v in values)


@functools.lru_cache(maxsize=128)
def constant(values: tuple, dtype: torch.dtype, device: torch.device) -> Tensor:
    """A small constant tensor from (nested) tuples, made once per dtype and
    device: built from Python data each call, it would be a host-to-device
    copy, which synchronises the GPU. Shared: never modify it in place.
    Made outside inference mode, so that a first call under
    ``torch.inference_mode()`` does not cache an inference tensor.
    """
    with torch.inference_mode(False):
        return torch.tensor(values, dtype=dtype, device=device)


def fill(images: Tensor, values: Tuple[float, ...]) -> Tensor:
    """(1, 3, 1, 1) tensor of per-channel fill values on the images' device."""
    return constant(tuple(values), images.dtype, images.device).view(1, 3, 1, 1)


def uniform(B: int, low: float, high: float, device: torch.device) -> Tensor:
    """(B,) float32 uniform in [low, high)."""
    return low + (high - low) * torch.rand(B, device=device)
