"""Batched AutoAugment ops: one function per mmpretrain op of the CIFAR policy.

Every function takes ``images`` (B, 3, H, W) float with integral values in
[0, 255] and per-sample parameters of shape (B,), and returns the transformed
WHOLE batch (B, 3, H, W) float32; the caller selects per sample with
``torch.where``. Each mirrors the mmcv function that the mmpretrain op calls
(mmcv-lite 2.2.0, cv2 backend), on the same array the CPU pipeline holds:
mmpretrain's CIFAR images are RGB, while mmcv's ``bgr2gray`` reads channel 0
as blue, so the grey image of Contrast / ColorTransform weights channels
(0, 1, 2) by (0.114, 0.587, 0.299) -- kept on purpose to match the CPU views.

Quantisation (where mmcv / cv2 produce uint8):
- ``contrast``, ``brightness``, ``sharpness``: cv2.addWeighted on float32
  (opencv 5's fma arithmetic, emulated in float64), clipped, truncated
  (numpy ``astype(uint8)``): floor. ``auto_contrast``: numpy float64 LUT,
  truncated.
- ``color``, the grey image, the sharpness blur, bilinear / bicubic warps:
  rounded (cv2 ``saturate_cast``).
Measured against mmcv-lite 2.2.0 + opencv 5.0.0 on random 32x32 images:
exact for every op except bilinear / bicubic warps (Shear's default is
bicubic): <= 1 grey level on < 0.1 % of values (cv2 weights differ).
Nearest warps are exact for Rotate / Translate; a nearest Shear can pick the
other neighbour at exact .5 ties (< 1 % of pixels).
Geometry follows ``cv2.warpAffine`` (opencv 5): the inverse matrix as cv2
computes it, float32 source coordinates (nearest: rounded half to even),
constant border ``pad_val`` (zero padding of ``img - pad_val``). mmcv's
``imrotate`` fills (pad_val, 0, 0) for a number ``pad_val``; see ``rotate``.
"""
import math
from typing import Sequence, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from .common import constant

# cv2 COLOR_BGR2GRAY (0.114, 0.587, 0.299) in opencv 5's 15-bit fixed point,
# indexed by channel 0, 1, 2 (matches cv2.cvtColor exactly on uint8).
_GRAY_COEFS = (3735., 19235., 9798.)
# PIL.ImageFilter.SMOOTH (sum 13), as mmcv.adjust_sharpness uses it.
_SMOOTH = ((1., 1., 1.), (1., 5., 1.), (1., 1., 1.))
_WARP_MODES = ('nearest', 'bilinear', 'bicubic')


def _per_sample(values: Tensor) -> Tensor:
    """(B,) -> (B, 1, 1, 1) for broadcasting over images."""
    return values.reshape(-1, 1, 1, 1)


def _gray(images: Tensor) -> Tensor:
    """cv2 ``bgr2gray`` on uint8 values: (B, 3, H, W) -> (B, 1, H, W)."""
    c0, c1, c2 = images.unbind(1)
    total = c0 * _GRAY_COEFS[0] + c1 * _GRAY_COEFS[1] + c2 * _GRAY_COEFS[2]
    return torch.floor((total + 16384.) / 32768.).unsqueeze(1)


def _add_weighted(images: Tensor, other: Tensor, alpha: Tensor) -> Tensor:
    """``cv2.addWeighted(img, a, other, 1 - a, 0)`` as opencv 5 computes it:
    float32 weights, ``fma(img, a, fma(other, 1 - a, 0))`` in float32. The
    fmas are emulated in float64, where float32 products are exact.

    images, other (B, 3 or 1, H, W); alpha (B,) -> (B, 3, H, W) float32."""
    a = _per_sample(alpha).double()
    beta = (1. - a).float().double()
    inner = (other.double() * beta).float().double()
    return (images.double() * a.float().double() + inner).float()


def _blend_floor(images: Tensor, other: Tensor, factor: Tensor) -> Tensor:
    """``floor(clip(addWeighted(img, f, other, 1 - f)))``: float32 images
    through cv2, ``np.clip`` and ``astype(uint8)``, as mmcv's enhance ops."""
    return torch.floor(_add_weighted(images, other, factor).clamp(0., 255.))


def invert(images: Tensor) -> Tensor:
    """mmcv ``iminvert``: ``255 - img``. Exact."""
    return 255. - images


def solarize(images: Tensor, thr: Tensor) -> Tensor:
    """mmcv ``solarize``: ``img if img < thr else 255 - img``; thr (B,). Exact."""
    return torch.where(images < _per_sample(thr), images, 255. - images)


def posterize(images: Tensor, bits: Tensor) -> Tensor:
    """mmcv ``posterize`` after mmpretrain's ``ceil(bits)``; bits (B,). Exact."""
    step = torch.pow(2., 8. - torch.ceil(bits)).to(images.dtype)
    step = _per_sample(step)
    return torch.floor(images / step) * step


def brightness(images: Tensor, factor: Tensor) -> Tensor:
    """mmcv ``adjust_brightness`` (cv2): blend with black; factor (B,)."""
    return _blend_floor(images, torch.zeros_like(images), factor)


def contrast(images: Tensor, factor: Tensor) -> Tensor:
    """mmcv ``adjust_contrast`` (cv2): blend with the rounded mean of the grey
    image; factor (B,)."""
    H, W = images.shape[-2:]
    total = _gray(images).double().sum(dim=(1, 2, 3), keepdim=True)
    mean = torch.round(total / (H * W)).float()
    return _blend_floor(images, mean.expand_as(images), factor)


def color(images: Tensor, alpha: Tensor) -> Tensor:
    """mmcv ``adjust_color`` (cv2): ``img * a + gray * (1 - a)`` rounded and
    saturated (uint8 cv2.addWeighted, same float32 arithmetic); alpha (B,)."""
    return torch.round(_add_weighted(images, _gray(images), alpha)).clamp(0., 255.)


def sharpness(images: Tensor, factor: Tensor) -> Tensor:
    """mmcv ``adjust_sharpness``: blend with ``cv2.filter2D(img, SMOOTH)``
    (reflect-101 border, rounded to uint8); factor (B,)."""
    H, W = images.shape[-2:]
    padded = F.pad(images, (1, 1, 1, 1), mode='reflect')
    # Integer weighted sum of the 9 shifts (no conv: no TF32 on CUDA), / 13.
    total = sum(weight * padded[..., i:i + H, j:j + W]
                for i, row in enumerate(_SMOOTH) for j, weight in enumerate(row))
    blurred = torch.round(total / 13.).clamp(0., 255.)
    return _blend_floor(images, blurred, factor)


def auto_contrast(images: Tensor) -> Tensor:
    """mmcv ``auto_contrast`` (cutoff 0): per image and channel, map
    [min, max] onto [0, 255] (float64 like numpy, then truncated); channels
    with min == max stay unchanged. Exact."""
    x = images.double()
    low = x.amin(dim=(2, 3), keepdim=True)
    high = x.amax(dim=(2, 3), keepdim=True)
    # A true division (``255. / t`` is 255 * reciprocal(t), off by an ulp).
    scale = torch.full_like(high, 255.) / (high - low).clamp(min=1.)
    offset = -low * scale
    mapped = torch.floor((x * scale + offset).clamp(0., 255.))
    return torch.where(high > low, mapped, x).to(images.dtype)


def equalize(images: Tensor) -> Tensor:
    """mmcv ``imequalize``: per image and channel, a histogram LUT with
    ``step = (N - count(max value)) // 255``; step 0 leaves the channel
    unchanged. Histograms of all B * 3 channels in one ``scatter_add_``. Exact.
    """
    B, C, H, W = images.shape
    values = images.round().clamp(0., 255.).long().reshape(B * C, H * W)
    offsets = torch.arange(B * C, device=images.device).unsqueeze(1) * 256
    hist = torch.zeros(B * C * 256, dtype=torch.long, device=images.device)
    hist.scatter_add_(0, (values + offsets).reshape(-1),
                      torch.ones_like(values).reshape(-1))
    hist = hist.reshape(B * C, 256)
    top = hist.gather(1, values.amax(dim=1, keepdim=True))
    step = (H * W - top) // 255
    lut = (hist.cumsum(1) + step // 2) // step.clamp(min=1)
    lut = torch.cat([torch.zeros_like(lut[:, :1]), lut[:, :-1]], 1).clamp(max=255)
    mapped = torch.where(step > 0, lut.gather(1, values), values)
    return mapped.reshape(B, C, H, W).to(images.dtype)


def _invert_affine(matrix: Tensor) -> Tensor:
    """cv2 ``invertAffineTransform`` (float64): (B, 2, 3) -> (B, 2, 3)."""
    m00, m01, m02 = matrix[:, 0].unbind(1)
    m10, m11, m12 = matrix[:, 1].unbind(1)
    d = 1. / (m00 * m11 - m01 * m10)
    a00, a01, a10, a11 = m11 * d, -m01 * d, -m10 * d, m00 * d
    b0 = -a00 * m02 - a01 * m12
    b1 = -a10 * m02 - a11 * m12
    return torch.stack([torch.stack([a00, a01, b0], 1),
                        torch.stack([a10, a11, b1], 1)], 1)


def _source_coords(inverse: Tensor, H: int, W: int) -> Tensor:
    """Source pixel coordinates (x, y) of every output pixel, in float32 like
    opencv 5's warpAffine (no fixed-point quantisation).

    inverse (B, 2, 3) float64 -> (B, H, W, 2) float32."""
    inv = inverse.float()
    xs = torch.arange(W, dtype=torch.float32, device=inv.device).view(1, 1, W)
    ys = torch.arange(H, dtype=torch.float32, device=inv.device).view(1, H, 1)
    coords = [inv[:, row, 0].view(-1, 1, 1) * xs
              + inv[:, row, 1].view(-1, 1, 1) * ys
              + inv[:, row, 2].view(-1, 1, 1) for row in (0, 1)]
    return torch.stack(coords, -1)


def warp_affine(images: Tensor, matrix: Tensor, interpolation: str = 'nearest',
                pad_val: Union[float, Sequence[float]] = 128.) -> Tensor:
    """``cv2.warpAffine`` with constant border, batched: one ``grid_sample``.

    Args:
        images (Tensor): (B, 3, H, W) float in [0, 255].
        matrix (Tensor): (B, 2, 3) forward affine maps (output = M @ source),
            in pixel coordinates, as passed to ``cv2.warpAffine``.
        interpolation (str): 'nearest' (exact), 'bilinear' or 'bicubic'
            (rounded; within 1 grey level of cv2 on ~0.1-1% of pixels).
        pad_val (float | Sequence[float]): Fill of the uncovered area.

    Returns:
        Tensor: (B, 3, H, W) float32.
    """
    if interpolation not in _WARP_MODES:
        raise ValueError(f'interpolation must be one of {_WARP_MODES}, got '
                         f'{interpolation!r}.')
    B, C, H, W = images.shape
    src = _source_coords(_invert_affine(matrix.double()), H, W)
    if interpolation == 'nearest':  # cvRound: half to even, like torch.round
        src = torch.round(src)
    # align_corners=True: pixel centres at -1 and 1.
    size = constant((float(max(W - 1, 1)), float(max(H - 1, 1))), src.dtype,
                    src.device)
    grid = (src.double() * 2. / size - 1.).to(images.dtype)
    values = tuple(pad_val) if isinstance(pad_val, Sequence) else (pad_val, )
    fill = constant(tuple(float(v) for v in values), images.dtype,
                    images.device).reshape(1, -1, 1, 1)
    # Zero padding of (img - fill) is a constant border of `fill`.
    out = F.grid_sample(images - fill, grid, mode=interpolation,
                        padding_mode='zeros', align_corners=True) + fill
    if interpolation != 'nearest':
        out = torch.round(out).clamp(0., 255.)
    return out


def rotate(images: Tensor, angle: Tensor, pad_val=128.,
           interpolation: str = 'nearest') -> Tensor:
    """mmcv ``imrotate`` about the centre ((W-1)/2, (H-1)/2), scale 1;
    angle (B,) in degrees, positive = clockwise (``getRotationMatrix2D(c,
    -angle, 1)``).

    Unlike imshear / imtranslate, mmcv's imrotate hands an int ``pad_val``
    to cv2 as the scalar ``(pad_val, 0, 0, 0)``: only channel 0 gets
    ``pad_val``, channels 1 and 2 get 0. Mirrored here (a number ``pad_val``
    fills (pad_val, 0, 0)); pass a 3-sequence for a uniform fill.
    """
    if isinstance(pad_val, (int, float)):
        pad_val = (float(pad_val), 0., 0.)
    H, W = images.shape[-2:]
    cx, cy = (W - 1) * 0.5, (H - 1) * 0.5
    rad = -angle.double() * (math.pi / 180.)
    alpha, beta = torch.cos(rad), torch.sin(rad)
    matrix = torch.stack([
        torch.stack([alpha, beta, (1 - alpha) * cx - beta * cy], 1),
        torch.stack([-beta, alpha, beta * cx + (1 - alpha) * cy], 1)], 1)
    return warp_affine(images, matrix, interpolation, pad_val)


def _axis_matrix(value: Tensor, vertical: Tensor, translate: bool) -> Tensor:
    """mmcv's float32 translate / shear matrices, per sample: (B, 2, 3)."""
    v = value.float().double()  # mmcv builds the matrix as np.float32
    zero, one = torch.zeros_like(v), torch.ones_like(v)
    h, vt = torch.where(vertical, zero, v), torch.where(vertical, v, zero)
    if translate:
        rows = [[one, zero, h], [zero, one, vt]]
    else:
        rows = [[one, h, zero], [vt, one, zero]]
    return torch.stack([torch.stack(r, 1) for r in rows], 1)


def translate(images: Tensor, magnitude: Tensor, vertical: Tensor,
              pad_val=128., interpolation: str = 'nearest') -> Tensor:
    """mmpretrain ``Translate``: mmcv ``imtranslate`` by ``magnitude * W``
    (horizontal) or ``magnitude * H`` (vertical) pixels.

    Args:
        magnitude (Tensor): (B,) signed fraction of the side.
        vertical (Tensor): (B,) bool, True for direction 'vertical'.
    """
    H, W = images.shape[-2:]
    offset = magnitude.double() * torch.where(vertical, float(H), float(W))
    return warp_affine(images, _axis_matrix(offset, vertical, True),
                       interpolation, pad_val)


def shear(images: Tensor, magnitude: Tensor, vertical: Tensor, pad_val=128.,
          interpolation: str = 'bicubic') -> Tensor:
    """mmcv ``imshear``: matrix [[1, m, 0], [0, 1, 0]] (horizontal) or
    [[1, 0, 0], [m, 1, 0]] (vertical); mmpretrain's default is bicubic.

    Args:
        magnitude (Tensor): (B,) signed shear.
        vertical (Tensor): (B,) bool, True for direction 'vertical'.
    """
    return warp_affine(images, _axis_matrix(magnitude, vertical, False),
                       interpolation, pad_val)
