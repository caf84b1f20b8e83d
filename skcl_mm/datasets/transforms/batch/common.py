"""Argument checks and small helpers shared by the batch transforms."""
import functools
from typing import Sequence, Tuple, Union

import torch
from torch import Tensor


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


def constant(values: tuple, dtype: torch.dtype, device: torch.device) -> Tensor:
    """A small constant tensor from (nested) tuples, on ``device``.

    Eager: made once per values, dtype and device and cached, since built
    from Python data each call it would be a host-to-device copy, which
    synchronises the GPU. Shared: never modify it in place.

    Under ``torch.compile`` (traced by dynamo): built on the device from one
    ``torch.full`` per value, so that the compiled graph holds no CPU tensor
    (``torch.tensor(data, device='cuda')`` traces as a CPU constant and a
    copy, and a CPU tensor in the graph rules out CUDA-graph capture).
    """
    if torch.compiler.is_compiling():
        return _traced_constant(values, dtype, device)
    return _cached_constant(values, dtype, device)


@functools.lru_cache(maxsize=128)
def _cached_constant(values: tuple, dtype: torch.dtype, device: torch.device) -> Tensor:
    """Made outside inference mode, so that a first call under
    ``torch.inference_mode()`` does not cache an inference tensor."""
    with torch.inference_mode(False):
        return torch.tensor(values, dtype=dtype, device=device)


def _traced_constant(values: tuple, dtype: torch.dtype, device: torch.device) -> Tensor:
    """``torch.tensor(values)`` built from device-side ``torch.full`` scalars."""
    shape, first = [], values
    while isinstance(first, (tuple, list)):
        shape.append(len(first))
        first = first[0]
    return torch.stack([torch.full((), v, dtype=dtype, device=device)
                        for v in _flatten(values)]).reshape(shape)


def _flatten(values) -> list:
    """Nested tuples -> flat list of numbers, in row-major order."""
    if not isinstance(values, (tuple, list)):
        return [values]
    return [v for item in values for v in _flatten(item)]


def fill(images: Tensor, values: Tuple[float, ...]) -> Tensor:
    """(1, 3, 1, 1) tensor of per-channel fill values on the images' device."""
    return constant(tuple(values), images.dtype, images.device).view(1, 3, 1, 1)


def uniform(B: int, low: float, high: float, device: torch.device) -> Tensor:
    """(B,) float32 uniform in [low, high)."""
    return low + (high - low) * torch.rand(B, device=device)
