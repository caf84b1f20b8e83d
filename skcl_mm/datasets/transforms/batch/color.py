"""Colour batch transforms: colour jitter and random grayscale.

Each class mirrors one CPU transform of the CIFAR sim view
(configs/_base_/datasets/pipelines/cifar_views.py) on (B, 3, H, W) float RGB
tensors with values in [0, 255], every sample drawing its own parameters:

- :class:`BatchColorJitter` -- ``HueSafeColorJitter`` (skcl_mm; mmpretrain
  ``ColorJitter`` sampling, PIL ``ImageEnhance`` and PIL 8-bit HSV hue).
  Every step reproduces PIL's integer arithmetic: blends truncate to integers
  (``Image.blend`` casts to uint8), grey is PIL's fixed-point ITU-R 601-2
  luma, hue goes through PIL's 8-bit HSV. Exact on uint8 inputs.
- :class:`BatchRandomGrayscale` -- mmcv ``RandomGrayscale(keep_channels=True)``:
  weighted sum with normalised weights in float64, truncated
  (``astype('uint8')``). Exact on uint8 inputs. Own code, with the samples to
  grey drawn on the images' device, so that the step can be captured in a
  CUDA graph (kornia's ``RandomGrayscale``, which this used before, draws them
  with torch's CPU generator, and its float32 sums put 35 of 2^20 random
  colours one grey level below mmcv's).
"""
import math
from typing import List, Sequence, Tuple

import torch
from torch import Tensor

from mmpretrain.registry import MODELS
from .common import check_images, check_prob, constant, uniform

# PIL hsv2rgb: per hue sector, the (r, g, b) planes as indices into (v, t, p, q).
_SECTOR_PLANES = ((0, 1, 2), (3, 0, 2), (2, 0, 1), (2, 3, 0), (1, 2, 0), (0, 2, 3))


def pil_grey(images: Tensor) -> Tensor:
    """PIL's RGB -> L: ``(19595 R + 38470 G + 7471 B + 2^15) >> 16``.

    Exact in float32 (all intermediate integers are below 2^24).

    Args:
        images (Tensor): (B, 3, H, W) integer-valued RGB in [0, 255].

    Returns:
        Tensor: (B, 1, H, W) integer-valued grey.
    """
    r, g, b = images.unbind(1)
    grey = torch.floor((r * 19595 + g * 38470 + b * 7471 + 32768) / 65536)
    return grey[:, None]


def pil_blend(degenerate: Tensor, images: Tensor, factor: Tensor) -> Tensor:
    """PIL ``Image.blend(degenerate, images, factor)`` cast to uint8.

    Args:
        degenerate (Tensor): Broadcastable to ``images``.
        images (Tensor): (B, 3, H, W).
        factor (Tensor): (B,) blend factors (1 gives ``images``).

    Returns:
        Tensor: (B, 3, H, W), ``deg + f * (img - deg)`` clipped and truncated.
    """
    out = degenerate + factor.view(-1, 1, 1, 1) * (images - degenerate)
    return torch.floor(out.clamp(0., 255.))


def adjust_brightness(images: Tensor, factor: Tensor) -> Tensor:
    """PIL ``ImageEnhance.Brightness``: blend with black. Shapes as :func:`pil_blend`."""
    return pil_blend(torch.zeros_like(images), images, factor)


def adjust_contrast(images: Tensor, factor: Tensor) -> Tensor:
    """PIL ``ImageEnhance.Contrast``: blend with the rounded mean grey."""
    mean = pil_grey(images).double().mean(dim=(1, 2, 3), keepdim=True)  # (B, 1, 1, 1)
    return pil_blend(torch.floor(mean + 0.5).to(images.dtype), images, factor)


def adjust_saturation(images: Tensor, factor: Tensor) -> Tensor:
    """PIL ``ImageEnhance.Color``: blend with the grey image."""
    return pil_blend(pil_grey(images), images, factor)


def adjust_hue(images: Tensor, factor: Tensor) -> Tensor:
    """Rotate hue in PIL's 8-bit HSV (``shift_hue`` of HueSafeColorJitter).

    RGB -> HSV -> add ``trunc(factor * 255)`` to hue modulo 256 -> RGB, with
    PIL's integer quantisation of H, S, V and its float32/float64 mix of
    precisions (exact on all 2^24 colours).

    Args:
        images (Tensor): (B, 3, H, W) integer-valued RGB in [0, 255].
        factor (Tensor): (B,) hue shift in [-0.5, 0.5].

    Returns:
        Tensor: (B, 3, H, W) integer-valued RGB, dtype of ``images``.
    """
    # PIL's rgb2hsv_row: `float` variables, `double` literals (6.0, 255.0)
    r, g, b = images.to(torch.float32).unbind(1)
    maxc = torch.maximum(r, torch.maximum(g, b))
    minc = torch.minimum(r, torch.minimum(g, b))
    chroma = (maxc - minc).clamp(min=1.)
    rc, gc, bc = (((maxc - c) / chroma).double() for c in (r, g, b))  # float32 quotients
    h = torch.where(r == maxc, bc - gc, torch.where(g == maxc, 2. + rc - bc, 4. + gc - rc))
    h = torch.remainder(h.float().double() / 6. + 1., 1.).float().double()
    sat = ((maxc - minc) / maxc.clamp(min=1.)).double()
    grey = maxc == minc
    hue = torch.where(grey, 0., torch.floor(h * 255.))
    sat = torch.where(grey, 0., torch.floor(sat * 255.))
    maxc = maxc.double()
    shift = torch.trunc(factor.to(torch.float64) * 255.).view(-1, 1, 1)
    hue = torch.remainder(hue + shift, 256.)
    return _pil_hsv_to_rgb(hue, sat, maxc).to(images.dtype)


def _pil_hsv_to_rgb(hue: Tensor, sat: Tensor, val: Tensor) -> Tensor:
    """PIL's 8-bit HSV -> RGB on (B, H, W) float64 integer-valued planes."""
    sector_f = hue * 6. / 255.
    sector = torch.floor(sector_f)
    frac = (sector_f - sector).float()  # float32 in PIL's hsv2rgb
    fs = (frac * sat.float()).double()
    # C's round(): half away from zero (values are >= 0)
    p = torch.floor(val * (1. - sat / 255.) + 0.5)
    q = torch.floor(val * (1. - fs / 255.) + 0.5)
    t = torch.floor(val * (1. - (sat - fs) / 255.) + 0.5)
    sector = torch.remainder(sector, 6.).long()
    table = constant(_SECTOR_PLANES, torch.long, hue.device)
    planes = torch.stack([val, t, p, q], dim=1)  # (B, 4, H, W)
    index = table[sector].permute(0, 3, 1, 2)  # (B, 3, H, W)
    rgb = planes.gather(1, index)
    return torch.where((sat == 0)[:, None], val[:, None].expand_as(rgb), rgb)


@MODELS.register_module()
class BatchColorJitter:
    """Random brightness, contrast, saturation and hue in a random order.

    Mirrors ``HueSafeColorJitter`` (torchvision ``ColorJitter`` semantics):
    per sample, factors uniform in ``[max(0, 1 - b), 1 + b]`` for brightness,
    contrast and saturation, hue in ``[-hue, hue]``, and the four steps in a
    random permutation. Each step is computed on the whole batch and selected
    per sample with ``torch.where``. Every step truncates to integers as PIL's
    uint8 images do, so uint8-valued inputs give PIL's result exactly.

    Args:
        brightness (float): Non-negative strength. Defaults to 0.4.
        contrast (float): Non-negative strength. Defaults to 0.4.
        saturation (float): Non-negative strength. Defaults to 0.4.
        hue (float): Strength in [0, 0.5]. Defaults to 0.1.
    """

    STEPS = (adjust_brightness, adjust_contrast, adjust_saturation, adjust_hue)

    def __init__(self, brightness: float = 0.4, contrast: float = 0.4,
                 saturation: float = 0.4, hue: float = 0.1):
        for name, value in (('brightness', brightness), ('contrast', contrast),
                            ('saturation', saturation)):
            if value < 0:
                raise ValueError(f'{name} must be >= 0, got {value}.')
        if not 0 <= hue <= 0.5:
            raise ValueError(f'hue must be in [0, 0.5], got {hue}.')
        self.brightness, self.contrast = brightness, contrast
        self.saturation, self.hue = saturation, hue

    def ranges(self) -> List[Tuple[float, float]]:
        """Factor ranges of the four steps (a zero strength gives identity)."""
        strengths = (self.brightness, self.contrast, self.saturation)
        return [(max(0., 1. - v), 1. + v) for v in strengths] + [(-self.hue, self.hue)]

    def sample_params(self, B: int, device: torch.device) -> Tuple[Tensor, Tensor]:
        """Returns (order (B, 4) long permutations, factors (B, 4) float32)."""
        order = torch.rand(B, 4, device=device).argsort(dim=1)
        factors = torch.stack([uniform(B, lo, hi, device) for lo, hi in self.ranges()], 1)
        return order, factors

    def apply(self, images: Tensor, order: Tensor, factors: Tensor) -> Tensor:
        """Jitter with given parameters.

        Args:
            images (Tensor): (B, 3, H, W) in [0, 255].
            order (Tensor): (B, 4) long; ``order[:, k]`` is the step applied
                k-th (0 brightness, 1 contrast, 2 saturation, 3 hue).
            factors (Tensor): (B, 4) float32 factors of the four steps.

        Returns:
            Tensor: (B, 3, H, W) integer-valued in [0, 255].
        """
        out = images
        identity = [v == 0 for v in (self.brightness, self.contrast,
                                     self.saturation, self.hue)]
        for k in range(4):
            for step, fn in enumerate(self.STEPS):
                if identity[step]:  # mmpretrain skips disabled steps
                    continue
                chosen = (order[:, k] == step)[:, None, None, None]
                out = torch.where(chosen, fn(out, factors[:, step]), out)
        return out

    def __call__(self, images: Tensor) -> Tensor:
        """Jitter (B, 3, H, W) -> (B, 3, H, W)."""
        check_images(images)
        order, factors = self.sample_params(images.shape[0], images.device)
        return self.apply(images, order, factors)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(brightness={self.brightness}, '
                f'contrast={self.contrast}, saturation={self.saturation}, hue={self.hue})')


def split_weight(weight: float) -> Tuple[float, float]:
    """``weight = high + low`` with ``high`` of 45 significant bits, ``low``
    of at most 8: times an integer in [0, 255] both products are exact in
    float64, so ``x * high + x * low`` is ``x * weight`` rounded once, also
    where a compiler fuses it into a fused multiply-add (Triton does).

    Args:
        weight (float): A non-negative float64 weight.

    Returns:
        tuple[float, float]: ``(high, low)``.
    """
    mantissa, exponent = math.frexp(weight)
    high = math.ldexp(math.floor(mantissa * 2. ** 45) / 2. ** 45, exponent)
    return high, weight - high


def mmcv_grey(images: Tensor, weights: Sequence[Tuple[float, float]]) -> Tensor:
    """mmcv ``RandomGrayscale``'s grey: ``(w / w.sum() * img).sum(axis=2)``
    in float64, truncated by ``astype('uint8')``.

    numpy adds the three products in channel order; each product is rounded
    to float64 as numpy rounds it (:func:`split_weight`), so the result is
    numpy's bit for bit on integer-valued inputs.

    Args:
        images (Tensor): (B, 3, H, W) integer-valued RGB in [0, 255].
        weights (Sequence[tuple[float, float]]): The three normalised channel
            weights, each split by :func:`split_weight`.

    Returns:
        Tensor: (B, 1, H, W) integer-valued grey, dtype of ``images``.
    """
    x = images.to(torch.float64)
    grey = None
    for c, (high, low) in enumerate(weights):  # in place: half the time on a CPU
        product = x[:, c] * high
        product += x[:, c] * low  # x_c * w_c, rounded once
        grey = product if grey is None else grey.add_(product)  # ((p0 + p1) + p2)
    return grey.floor_()[:, None].to(images.dtype)


@MODELS.register_module()
class BatchRandomGrayscale:
    """Replace a sample by its grey image (kept as 3 channels) with ``prob``.

    Mirrors mmcv ``RandomGrayscale(prob, keep_channels=True, channel_weights)``:
    a sample turns grey where ``torch.rand < prob`` (mmcv: ``random.random() <
    prob``), drawn on the images' device; the grey is :func:`mmcv_grey`,
    ``floor(sum_c w_c / sum(w) * x_c)`` as mmcv computes it.

    Args:
        prob (float): Probability in [0, 1]. Defaults to 0.2.
        channel_weights (Sequence[float]): RGB weights, 3 non-negative numbers
            with a positive sum. Defaults to (0.299, 0.587, 0.114).
    """

    def __init__(self, prob: float = 0.2,
                 channel_weights: Sequence[float] = (0.299, 0.587, 0.114)):
        check_prob(prob, 'prob')
        weights = tuple(float(w) for w in channel_weights)
        if len(weights) != 3 or min(weights) < 0 or sum(weights) <= 0:
            raise ValueError('channel_weights must be 3 non-negative numbers with a '
                             f'positive sum, got {channel_weights!r}.')
        self.prob = prob
        self.channel_weights = weights
        # mmcv: np.array(channel_weights) / sum(channel_weights), float64
        self._weights = [split_weight(w / sum(weights)) for w in weights]

    def __call__(self, images: Tensor) -> Tensor:
        """Grey (B, 3, H, W) -> (B, 3, H, W)."""
        check_images(images)
        grey = torch.rand(images.shape[0], device=images.device) < self.prob
        return torch.where(grey[:, None, None, None], mmcv_grey(images, self._weights),
                           images)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(prob={self.prob}, '
                f'channel_weights={self.channel_weights})')
