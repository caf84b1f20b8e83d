"""BatchRandomResizedCrop: a box of random area and aspect ratio per sample, resized.

Mirrors mmpretrain ``RandomResizedCrop(scale, crop_ratio_range,
aspect_ratio_range, max_attempts)`` with cv2 bilinear resize on (B, 3, H, W)
float tensors with values in [0, 255]: same box distribution; resampling within
1 grey level of cv2. Own code, not kornia's ``RandomResizedCrop``: kornia's
passed the same checks but took 2.5-3.1x its time on a CPU (docs/pipelines.md,
"Batch transforms: own code vs kornia").
"""
import math
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmpretrain.registry import MODELS
from .common import check_images


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
