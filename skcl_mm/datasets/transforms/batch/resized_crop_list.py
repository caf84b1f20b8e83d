"""Crops of variable-size images into one batch: the first step of a decoded batch.

After decoding on the device (GPUDecodeDataPreprocessor), a batch is a list of
B (3, H_b, W_b) uint8 images of different sizes. These transforms turn it into
one (B, 3, S, S) float batch with values in [0, 255], rounded to integers (the
contract of the other batch transforms):

- :class:`BatchListRandomResizedCrop` -- training: mmpretrain
  ``RandomResizedCrop(S, backend='pillow', interpolation='bilinear')``;
- :class:`BatchListResizeCenterCrop` -- evaluation: ``ResizeEdge(edge,
  'short', backend='pillow', interpolation='bilinear')`` + ``CenterCrop(S)``.

Resampling is ``F.interpolate(mode='bilinear', antialias=True)`` per image,
torch's port of PIL's filter (PIL's support widens with the shrink factor);
PIL computes in 8-bit fixed point on uint8, so values differ from PIL by a
grey level or two (measured in the tests).
"""
import math
from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmpretrain.registry import MODELS


def sample_boxes(heights: Tensor, widths: Tensor, scale: Tuple[float, float],
                 ratio: Tuple[float, float], max_attempts: int) -> Tensor:
    """Draw one random-resized-crop box per image, each image its own size.

    The rule of :meth:`.resized_crop.BatchRandomResizedCrop.sample_boxes`
    (torchvision's and mmpretrain's) with per-image sizes: ``max_attempts``
    area fractions uniform in ``scale`` and log aspect ratios uniform in
    ``log(ratio)``; the first box that fits wins, else the centred box of the
    image's aspect ratio clipped to ``ratio``; a uniform integer position.
    Random numbers come from torch's CPU generator in the same order and
    shapes as that method, so equal sizes give it the same boxes.

    Args:
        heights (Tensor): (B,) image heights, on the CPU.
        widths (Tensor): (B,) image widths, on the CPU.
        scale (tuple[float, float]): Range of box area / image area.
        ratio (tuple[float, float]): Range of box width / height.
        max_attempts (int): Attempts before the fallback box.

    Returns:
        Tensor: (B, 4) float64 ``(top, left, height, width)``, integer-valued.
    """
    H, W = heights.double(), widths.double()
    B = H.shape[0]
    shape = (B, max_attempts)
    area = (H * W)[:, None] * (scale[0] + (scale[1] - scale[0]) *
                               torch.rand(shape, dtype=torch.float64))
    lo, hi = math.log(ratio[0]), math.log(ratio[1])
    aspect = torch.exp(lo + (hi - lo) * torch.rand(shape, dtype=torch.float64))
    width = torch.round(torch.sqrt(area * aspect))
    height = torch.round(torch.sqrt(area / aspect))
    valid = (width > 0) & (width <= W[:, None]) & (height > 0) & (height <= H[:, None])
    first = valid.to(torch.uint8).argmax(dim=1, keepdim=True)  # first valid attempt
    found = valid.any(dim=1)
    # Fallback: the whole image, its aspect ratio clipped to `ratio`.
    in_ratio = W / H
    fb_h = torch.where(in_ratio < min(ratio), torch.round(W / min(ratio)), H)
    fb_w = torch.where(in_ratio > max(ratio), torch.round(H * max(ratio)), W)
    height = torch.where(found, height.gather(1, first)[:, 0], fb_h)
    width = torch.where(found, width.gather(1, first)[:, 0], fb_w)
    top_rand = torch.floor(torch.rand(B, dtype=torch.float64) * (H - height + 1))
    left_rand = torch.floor(torch.rand(B, dtype=torch.float64) * (W - width + 1))
    top = torch.where(found, top_rand, torch.div(H - fb_h, 2, rounding_mode='floor'))
    left = torch.where(found, left_rand, torch.div(W - fb_w, 2, rounding_mode='floor'))
    return torch.stack([top, left, height, width], dim=1)


def resize_box(image: Tensor, box: Sequence[int], size: Tuple[int, int]) -> Tensor:
    """Crop ``box`` out of one image and resize it, PIL-style bilinear.

    Args:
        image (Tensor): (3, H, W) uint8 or float.
        box (Sequence[int]): ``(top, left, height, width)`` in pixels.
        size (tuple[int, int]): Output ``(height, width)``.

    Returns:
        Tensor: (1, 3, height, width) float32, rounded to integers in [0, 255].
    """
    top, left, height, width = box
    crop = image[None, :, top:top + height, left:left + width].float()
    out = F.interpolate(crop, size=size, mode='bilinear', align_corners=False,
                        antialias=True)
    return torch.round(out).clamp_(0., 255.)


def _check_images(images: Sequence[Tensor]) -> None:
    if not isinstance(images, (list, tuple)) or not images:
        raise ValueError('Expected a non-empty list of (3, H, W) images (one per '
                         f'sample, any size), got {type(images).__name__}.')
    for index, image in enumerate(images):
        if image.dim() != 3 or image.shape[0] != 3:
            raise ValueError(f'Image {index} must be (3, H, W) RGB, got '
                             f'{tuple(image.shape)}.')


def _check_range(name: str, value, minimum: float) -> Tuple[float, float]:
    if len(value) != 2 or not minimum < value[0] <= value[1]:
        raise ValueError(f'{name} must be (min, max) with {minimum} < min <= max, '
                         f'got {value!r}.')
    return tuple(float(v) for v in value)


def _check_size(name: str, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f'{name} must be a positive int, got {value!r}.')
    return value


@MODELS.register_module()
class BatchListRandomResizedCrop:
    """A random box per image (:func:`sample_boxes`), resized to ``size``.

    Mirrors mmpretrain ``RandomResizedCrop(scale=size, crop_ratio_range=scale,
    aspect_ratio_range=ratio, max_attempts=max_attempts, backend='pillow',
    interpolation='bilinear')`` on a list of variable-size images. Boxes are
    drawn on the CPU (the sizes are known there; their pixel offsets slice
    the images without a device synchronisation).

    Args:
        size (int): Output height and width. Defaults to 224.
        scale (tuple[float, float]): Range of box area / image area.
            Defaults to (0.08, 1.0).
        ratio (tuple[float, float]): Range of aspect ratio (w / h).
            Defaults to (3/4, 4/3).
        max_attempts (int): Attempts before the fallback box. Defaults to 10.
    """

    def __init__(self, size: int = 224, scale: Tuple[float, float] = (0.08, 1.0),
                 ratio: Tuple[float, float] = (3. / 4., 4. / 3.),
                 max_attempts: int = 10):
        self.size = _check_size('size', size)
        self.scale = _check_range('scale', scale, 0.)
        self.ratio = _check_range('ratio', ratio, 0.)
        self.max_attempts = _check_size('max_attempts', max_attempts)

    def __call__(self, images: List[Tensor]) -> Tensor:
        """B (3, H_b, W_b) images -> (B, 3, size, size) float32 in [0, 255]."""
        _check_images(images)
        heights = torch.tensor([img.shape[1] for img in images])
        widths = torch.tensor([img.shape[2] for img in images])
        boxes = sample_boxes(heights, widths, self.scale, self.ratio,
                             self.max_attempts).long().tolist()
        size = (self.size, self.size)
        return torch.cat([resize_box(img, box, size) for img, box in zip(images, boxes)])

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(size={self.size}, scale={self.scale}, '
                f'ratio={self.ratio}, max_attempts={self.max_attempts})')


def center_box(height: int, width: int, edge: int, size: int) -> Tuple[int, ...]:
    """mmpretrain ``ResizeEdge(edge, 'short')`` then mmcv ``CenterCrop(size)``.

    Returns:
        tuple[int, ...]: The resized ``(height, width)`` and the crop's
        ``(top, left, crop height, crop width)`` in the resized image.
    """
    if width < height:
        new_w, new_h = edge, int(edge * height / width)
    else:
        new_w, new_h = int(edge * width / height), edge
    crop_h, crop_w = min(size, new_h), min(size, new_w)
    top = max(0, int(round((new_h - crop_h) / 2.)))
    left = max(0, int(round((new_w - crop_w) / 2.)))
    return new_h, new_w, top, left, crop_h, crop_w


@MODELS.register_module()
class BatchListResizeCenterCrop:
    """Resize the short edge to ``edge`` (bilinear), crop the centre ``size``.

    The evaluation view of the ImageNet recipes (``ResizeEdge(256,
    edge='short', backend='pillow', interpolation='bilinear')``,
    ``CenterCrop(224)``), with mmpretrain's sizes (truncated) and mmcv's
    offsets (rounded half to even).

    Args:
        edge (int): Short edge after resizing. Defaults to 256.
        size (int): Crop height and width, <= ``edge``. Defaults to 224.
    """

    def __init__(self, edge: int = 256, size: int = 224):
        self.edge = _check_size('edge', edge)
        self.size = _check_size('size', size)
        if size > edge:
            raise ValueError(f'size ({size}) must be <= edge ({edge}): the crop '
                             'is taken from the resized image.')

    def __call__(self, images: List[Tensor]) -> Tensor:
        """B (3, H_b, W_b) images -> (B, 3, size, size) float32 in [0, 255]."""
        _check_images(images)
        out = []
        for img in images:
            new_h, new_w, top, left, crop_h, crop_w = center_box(
                img.shape[1], img.shape[2], self.edge, self.size)
            resized = resize_box(img, (0, 0, img.shape[1], img.shape[2]), (new_h, new_w))
            out.append(resized[..., top:top + crop_h, left:left + crop_w])
        return torch.cat(out)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(edge={self.edge}, size={self.size})'


# The crops GPUDecodeDataPreprocessor takes for its views and evaluation.
LIST_CROPS = (BatchListRandomResizedCrop, BatchListResizeCenterCrop)
