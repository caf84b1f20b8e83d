"""Geometric batch transforms of the regular view: crop with padding, flip, cutout.

Each class mirrors one CPU transform of the CIFAR views
(configs/_base_/datasets/pipelines/cifar_views.py) on (B, 3, H, W) float
tensors with values in [0, 255], every sample drawing its own parameters:

- :class:`BatchRandomCrop` -- mmpretrain ``RandomCrop(crop_size, padding,
  pad_val)``: constant padding, then a uniformly placed window. Exact. Own
  code, with the offsets drawn on the images' device, so that the step can be
  captured in a CUDA graph (kornia's ``RandomCrop``, which this used before,
  draws them with torch's CPU generator and slices sample by sample).
- :class:`BatchRandomFlip` -- mmcv ``RandomFlip(prob, direction='horizontal')``.
  Exact. Own code: kornia's flip took 1.33x its time (median of 3 runs).
- :class:`BatchCutout` -- mmpretrain ``Cutout(shape, pad_val, prob)`` through
  ``mmcv.cutout``: the top-left corner is ``max(0, centre - shape / 2)``
  floored, the hole is clipped at the bottom/right border only (so a hole
  whose centre is near the top/left edge keeps its full size). Exact.

The resized crop of the sim views is :mod:`.resized_crop`.
"""
from typing import Sequence, Tuple, Union

import torch
from torch import Tensor

from mmpretrain.registry import MODELS
from .common import check_images, check_prob, fill, pad_value


@MODELS.register_module()
class BatchRandomCrop:
    """Pad every side with a constant, then crop a random ``size`` window.

    Mirrors mmpretrain ``RandomCrop(crop_size=size, padding=padding,
    pad_val=pad_val)``: offsets uniform over the integers
    ``[0, H + 2 * padding - size]`` (rows and columns drawn independently,
    with ``torch.randint`` on the images' device), windows copied exactly.

    Args:
        size (int): Output height and width. Defaults to 32.
        padding (int): Pixels of constant padding on each side. Defaults to 4.
        pad_val (float | Sequence[float]): Fill value, one or per channel
            (RGB). Defaults to 0.
    """

    def __init__(self, size: int = 32, padding: int = 4,
                 pad_val: Union[float, Sequence[float]] = 0):
        if not isinstance(size, int) or size <= 0:
            raise ValueError(f'size must be a positive int, got {size!r}.')
        if not isinstance(padding, int) or padding < 0:
            raise ValueError(f'padding must be an int >= 0, got {padding!r}.')
        self.size = size
        self.padding = padding
        self.pad_val = pad_val
        self._fill_values = pad_value(pad_val, 'pad_val')

    def crop(self, images: Tensor, top: Tensor, left: Tensor) -> Tensor:
        """Pad, then copy the windows of given offsets.

        Args:
            images (Tensor): (B, 3, H, W).
            top (Tensor): (B,) long, first row of each window in the padded
                image, in ``[0, H + 2 * padding - size]``.
            left (Tensor): (B,) long, first column, likewise.

        Returns:
            Tensor: (B, 3, size, size), contiguous.
        """
        B, C, H, W = images.shape
        p = self.padding
        canvas = fill(images, self._fill_values).expand(B, C, H + 2 * p, W + 2 * p).clone()
        canvas[:, :, p:p + H, p:p + W] = images
        # (B, C, rows, cols, size, size): every window, a view (no copy)
        windows = canvas.unfold(2, self.size, 1).unfold(3, self.size, 1)
        samples = torch.arange(B, device=images.device)
        return windows[samples, :, top, left]  # one gather of B windows

    def __call__(self, images: Tensor) -> Tensor:
        """Crop (B, 3, H, W) -> (B, 3, size, size)."""
        check_images(images)
        B, _, H, W = images.shape
        p = self.padding
        if H + 2 * p < self.size or W + 2 * p < self.size:
            raise ValueError(f'Padded images ({H + 2 * p}x{W + 2 * p}) are smaller '
                             f'than size={self.size}; raise padding or lower size.')
        top = torch.randint(H + 2 * p - self.size + 1, (B, ), device=images.device)
        left = torch.randint(W + 2 * p - self.size + 1, (B, ), device=images.device)
        return self.crop(images, top, left)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(size={self.size}, padding={self.padding}, '
                f'pad_val={self.pad_val!r})')


@MODELS.register_module()
class BatchRandomFlip:
    """Flip each sample horizontally with probability ``prob``.

    Mirrors mmcv ``RandomFlip(prob=prob, direction='horizontal')``.

    Args:
        prob (float): Flip probability in [0, 1]. Defaults to 0.5.
    """

    def __init__(self, prob: float = 0.5):
        check_prob(prob, 'prob')
        self.prob = prob

    def __call__(self, images: Tensor) -> Tensor:
        """Flip (B, 3, H, W) -> (B, 3, H, W)."""
        check_images(images)
        flip = torch.rand(images.shape[0], device=images.device) < self.prob
        return torch.where(flip[:, None, None, None], images.flip(-1), images)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(prob={self.prob})'


@MODELS.register_module()
class BatchCutout:
    """Fill one rectangular hole per sample with a constant.

    Mirrors mmpretrain ``Cutout(shape, pad_val, prob)`` (``mmcv.cutout``):
    centre ``(y0, x0)`` uniform over ``[0, H) x [0, W)``, top-left corner
    ``floor(max(0, y0 - h / 2))``, ``floor(max(0, x0 - w / 2))``, the hole
    ``h x w`` from there, clipped at the bottom and right borders.

    Args:
        shape (int | tuple[int, int]): Hole (h, w). Defaults to 16.
        pad_val (float | Sequence[float]): Fill value, one or per channel
            (RGB). Defaults to (125, 123, 114), the CIFAR mean pixel.
        prob (float): Probability of cutting a hole. Defaults to 1.0.
    """

    def __init__(self, shape: Union[int, Tuple[int, int]] = 16,
                 pad_val: Union[float, Sequence[float]] = (125, 123, 114),
                 prob: float = 1.0):
        hole = (shape, shape) if isinstance(shape, int) else tuple(shape)
        if len(hole) != 2 or not all(isinstance(s, int) and s > 0 for s in hole):
            raise ValueError(f'shape must be a positive int or (h, w), got {shape!r}.')
        check_prob(prob, 'prob')
        self.shape = shape
        self.hole = hole
        self.pad_val = pad_val
        self._fill_values = pad_value(pad_val, 'pad_val')
        self.prob = prob

    def sample_params(self, B: int, H: int, W: int,
                      device: torch.device) -> Tuple[Tensor, Tensor, Tensor]:
        """Returns (apply (B,) bool, y0 (B,) and x0 (B,) float64 hole centres)."""
        apply = torch.rand(B, device=device) <= self.prob  # mmpretrain: off when rand > prob
        y0 = torch.rand(B, device=device, dtype=torch.float64) * H
        x0 = torch.rand(B, device=device, dtype=torch.float64) * W
        return apply, y0, x0

    def cut(self, images: Tensor, apply: Tensor, y0: Tensor, x0: Tensor) -> Tensor:
        """Fill the holes of given centres.

        Args:
            images (Tensor): (B, 3, H, W).
            apply (Tensor): (B,) bool, which samples get a hole.
            y0 (Tensor): (B,) hole centre rows (float pixels).
            x0 (Tensor): (B,) hole centre columns.

        Returns:
            Tensor: (B, 3, H, W).
        """
        B, _, H, W = images.shape
        y1 = torch.floor((y0 - self.hole[0] / 2).clamp(min=0))  # (B,) top row
        x1 = torch.floor((x0 - self.hole[1] / 2).clamp(min=0))
        rows = torch.arange(H, device=images.device)[None]  # (1, H)
        cols = torch.arange(W, device=images.device)[None]
        in_rows = (rows >= y1[:, None]) & (rows < y1[:, None] + self.hole[0])  # (B, H)
        in_cols = (cols >= x1[:, None]) & (cols < x1[:, None] + self.hole[1])
        hole = in_rows[:, :, None] & in_cols[:, None, :] & apply[:, None, None]
        return torch.where(hole[:, None], fill(images, self._fill_values), images)

    def __call__(self, images: Tensor) -> Tensor:
        """Cut holes into (B, 3, H, W) -> (B, 3, H, W)."""
        check_images(images)
        B, _, H, W = images.shape
        return self.cut(images, *self.sample_params(B, H, W, images.device))

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(shape={self.shape}, '
                f'pad_val={self.pad_val!r}, prob={self.prob})')
