"""Geometric batch transforms: crop with padding, flip, random resized crop, cutout.

Each class mirrors one CPU transform of the CIFAR views
(configs/_base_/datasets/pipelines/cifar_views.py) on (B, 3, H, W) float
tensors with values in [0, 255], every sample drawing its own parameters:

- :class:`BatchRandomCrop` -- mmpretrain ``RandomCrop(crop_size, padding,
  pad_val)``: constant padding, then a uniformly placed window. Exact.
- :class:`BatchRandomFlip` -- mmcv ``RandomFlip(prob, direction='horizontal')``.
  Exact.
- :class:`BatchRandomResizedCrop` -- mmpretrain ``RandomResizedCrop(scale,
  crop_ratio_range, aspect_ratio_range, max_attempts)`` with cv2 bilinear
  resize. Same box distribution; resampling within 1 grey level of cv2.
- :class:`BatchCutout` -- mmpretrain ``Cutout(shape, pad_val, prob)`` through
  ``mmcv.cutout``: the top-left corner is ``max(0, centre - shape / 2)``
  floored, the hole is clipped at the bottom/right border only (so a hole
  whose centre is near the top/left edge keeps its full size). Exact.
"""
import math
from typing import Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from mmpretrain.registry import MODELS
from .common import check_images, check_prob, fill, pad_value


def crop_windows(images: Tensor, top: Tensor, left: Tensor, height: int,
                 width: int) -> Tensor:
    """Per-sample windows of a fixed size.

    Args:
        images (Tensor): (B, C, H, W).
        top (Tensor): (B,) long, first row of each window.
        left (Tensor): (B,) long, first column of each window.
        height (int): Window height.
        width (int): Window width.

    Returns:
        Tensor: (B, C, height, width).
    """
    B = images.shape[0]
    rows = top[:, None] + torch.arange(height, device=images.device)  # (B, h)
    cols = left[:, None] + torch.arange(width, device=images.device)  # (B, w)
    batch = torch.arange(B, device=images.device)[:, None, None]
    # advanced indexing over (b, :, row, col) puts the channel axis last
    windows = images.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]]
    return windows.permute(0, 3, 1, 2).contiguous()


@MODELS.register_module()
class BatchRandomCrop:
    """Pad every side with a constant, then crop a random ``size`` window.

    Mirrors mmpretrain ``RandomCrop(crop_size=size, padding=padding,
    pad_val=pad_val)``: offsets uniform over the integers
    ``[0, H + 2 * padding - size]`` (rows and columns drawn independently).

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

    def __call__(self, images: Tensor) -> Tensor:
        """Crop (B, 3, H, W) -> (B, 3, size, size)."""
        check_images(images)
        B, C, H, W = images.shape
        p = self.padding
        if H + 2 * p < self.size or W + 2 * p < self.size:
            raise ValueError(f'Padded images ({H + 2 * p}x{W + 2 * p}) are smaller '
                             f'than size={self.size}; raise padding or lower size.')
        canvas = fill(images, self._fill_values).expand(B, C, H + 2 * p, W + 2 * p).clone()
        canvas[:, :, p:p + H, p:p + W] = images
        top = torch.randint(0, H + 2 * p - self.size + 1, (B, ), device=images.device)
        left = torch.randint(0, W + 2 * p - self.size + 1, (B, ), device=images.device)
        return crop_windows(canvas, top, left, self.size, self.size)

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


def resize_boxes(images: Tensor, boxes: Tensor, size: int) -> Tensor:
    """Bilinear resize of per-sample integer boxes to ``size`` x ``size``.

    The source coordinate of output pixel ``x`` is ``(x + 0.5) * w / size -
    0.5`` inside the box (half-pixel centres, as cv2 ``INTER_LINEAR`` and
    ``F.interpolate(align_corners=False)``), clamped to the box so that the
    border replicates the box's own edge pixels as cv2 does on the cropped
    image. No antialiasing when shrinking, like cv2's bilinear resize.

    Args:
        images (Tensor): (B, C, H, W).
        boxes (Tensor): (B, 4) float ``(top, left, height, width)`` in pixels.
        size (int): Output height and width.

    Returns:
        Tensor: (B, C, size, size), not rounded.
    """
    B, C, H, W = images.shape
    top, left, height, width = boxes.unbind(1)
    steps = torch.arange(size, device=images.device, dtype=images.dtype) + 0.5
    ys = (steps[None] * (height[:, None] / size) - 0.5).clamp(min=0.)
    xs = (steps[None] * (width[:, None] / size) - 0.5).clamp(min=0.)
    ys = torch.minimum(ys, height[:, None] - 1) + top[:, None]  # (B, size)
    xs = torch.minimum(xs, width[:, None] - 1) + left[:, None]
    # pixel centre c maps to (2c + 1) / n - 1 under align_corners=False
    gy = (2 * ys + 1) / H - 1
    gx = (2 * xs + 1) / W - 1
    grid = torch.stack(torch.broadcast_tensors(gx[:, None, :], gy[:, :, None]), dim=-1)
    return F.grid_sample(images, grid, mode='bilinear', padding_mode='border',
                         align_corners=False)


@MODELS.register_module()
class BatchRandomResizedCrop:
    """Crop a box of random area and aspect ratio, resize it to ``size``.

    Mirrors mmpretrain ``RandomResizedCrop(scale=size, crop_ratio_range=scale,
    aspect_ratio_range=ratio, max_attempts=max_attempts)`` with the default
    cv2 bilinear resize. Each attempt draws an area fraction uniform in
    ``scale`` and a log aspect ratio uniform in ``log(ratio)``; the box is
    ``round(sqrt(area * r))`` wide and ``round(sqrt(area / r))`` high (half to
    even, as Python's ``round``). All ``max_attempts`` attempts are drawn at
    once; a sample takes its first box that fits, else mmpretrain's fallback
    (the centred box of the image's aspect ratio clipped to ``ratio``). The
    box position is uniform over the integer offsets that keep it inside.

    Resampling (:func:`resize_boxes`) is bilinear with ``F.grid_sample``
    (align_corners=False) on float pixels, rounded to integers at the end.
    cv2 uses the same sample positions and border rule but 11-bit fixed-point
    weights on uint8, so values differ by at most 1 grey level.

    Args:
        size (int): Output height and width. Defaults to 32.
        scale (tuple[float, float]): Range of the box area over the image
            area. Defaults to (0.2, 1.0).
        ratio (tuple[float, float]): Range of the aspect ratio (w / h).
            Defaults to (3/4, 4/3).
        max_attempts (int): Attempts before the fallback box. Defaults to 10.
    """

    def __init__(self, size: int = 32, scale: Tuple[float, float] = (0.2, 1.0),
                 ratio: Tuple[float, float] = (3. / 4., 4. / 3.), max_attempts: int = 10):
        if not isinstance(size, int) or size <= 0:
            raise ValueError(f'size must be a positive int, got {size!r}.')
        if len(scale) != 2 or not 0 < scale[0] <= scale[1]:
            raise ValueError(f'scale must be (min, max) with 0 < min <= max, got {scale!r}.')
        if len(ratio) != 2 or not 0 < ratio[0] <= ratio[1]:
            raise ValueError(f'ratio must be (min, max) with 0 < min <= max, got {ratio!r}.')
        if not isinstance(max_attempts, int) or max_attempts < 1:
            raise ValueError(f'max_attempts must be an int >= 1, got {max_attempts!r}.')
        self.size = size
        self.scale = tuple(scale)
        self.ratio = tuple(ratio)
        self.max_attempts = max_attempts

    def _fallback(self, H: int, W: int) -> Tuple[int, int]:
        """mmpretrain's fallback box size (height, width)."""
        in_ratio = W / H
        if in_ratio < min(self.ratio):
            return int(round(W / min(self.ratio))), W
        if in_ratio > max(self.ratio):
            return H, int(round(H * max(self.ratio)))
        return H, W

    def sample_boxes(self, B: int, H: int, W: int, device: torch.device) -> Tensor:
        """Draw one box per sample.

        Returns:
            Tensor: (B, 4) float ``(top, left, height, width)``, integer-valued.
        """
        shape = (B, self.max_attempts)
        area = H * W * (self.scale[0] + (self.scale[1] - self.scale[0]) *
                        torch.rand(shape, device=device, dtype=torch.float64))
        lo, hi = math.log(self.ratio[0]), math.log(self.ratio[1])
        aspect = torch.exp(lo + (hi - lo) * torch.rand(shape, device=device, dtype=torch.float64))
        width = torch.round(torch.sqrt(area * aspect))
        height = torch.round(torch.sqrt(area / aspect))
        valid = (width > 0) & (width <= W) & (height > 0) & (height <= H)
        first = valid.to(torch.uint8).argmax(dim=1, keepdim=True)  # first valid attempt
        found = valid.any(dim=1)
        fb_h, fb_w = self._fallback(H, W)
        height = torch.where(found, height.gather(1, first)[:, 0], float(fb_h))
        width = torch.where(found, width.gather(1, first)[:, 0], float(fb_w))
        top_rand = torch.floor(torch.rand(B, device=device, dtype=torch.float64) * (H - height + 1))
        left_rand = torch.floor(torch.rand(B, device=device, dtype=torch.float64) * (W - width + 1))
        top = torch.where(found, top_rand, float((H - fb_h) // 2))
        left = torch.where(found, left_rand, float((W - fb_w) // 2))
        return torch.stack([top, left, height, width], dim=1)

    def __call__(self, images: Tensor) -> Tensor:
        """Crop and resize (B, 3, H, W) -> (B, 3, size, size)."""
        check_images(images)
        B, _, H, W = images.shape
        boxes = self.sample_boxes(B, H, W, images.device).to(images.dtype)
        out = resize_boxes(images, boxes, self.size)
        return torch.round(out).clamp(0., 255.)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(size={self.size}, scale={self.scale}, '
                f'ratio={self.ratio}, max_attempts={self.max_attempts})')


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
