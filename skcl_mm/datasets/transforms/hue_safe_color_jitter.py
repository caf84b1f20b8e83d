"""HueSafeColorJitter: mmpretrain's ColorJitter with a hue step that works under numpy 2.

mmcv-lite 2.2.0 shifts hue with ``np.uint8(hue_factor * 255)``, which raises
``OverflowError`` under numpy >= 2 whenever the sampled factor is negative
(half the draws). Here the shift is the same integer torchvision's PIL path
adds (``int(hue_factor * 255)``, truncated toward zero) taken modulo 256,
so hue rotates identically without any out-of-range cast.
"""
import functools

import numpy as np
from PIL import Image, ImageEnhance

from mmpretrain.datasets.transforms.processing import ColorJitter
from mmpretrain.registry import TRANSFORMS

CHANNEL_ORDERS = ('bgr', 'rgb')

# Brightness, contrast, saturation: PIL's enhancers (mmcv's pillow backend and
# torchvision's PIL path call the same ones).
ENHANCERS = (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color)


def shift_hue(img: np.ndarray, hue_factor: float) -> np.ndarray:
    """Rotate the hue of an RGB uint8 image in PIL's 8-bit HSV space.

    Args:
        img (np.ndarray): (H, W, 3) uint8 RGB image, or (H, W) gray (returned
            unchanged: gray has no hue).
        hue_factor (float): Shift in [-0.5, 0.5] of the full hue circle;
            +-0.5 gives the complementary colours, 0 the image itself.

    Returns:
        np.ndarray: (H, W, 3) uint8 image with rotated hue.
    """
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f'hue_factor must be in [-0.5, 0.5], got {hue_factor}.')
    if img.ndim == 2 or img.shape[-1] == 1:
        return img
    rotated = _shift_hue_pil(Image.fromarray(np.ascontiguousarray(img)), hue_factor)
    return np.array(rotated, dtype=np.uint8)  # a writable copy (torch warns on read-only)


def _shift_hue_pil(image: Image.Image, hue_factor: float) -> Image.Image:
    """:func:`shift_hue` on an RGB PIL image."""
    h, s, v = image.convert('HSV').split()
    # torchvision adds int32(f * 255) cast to uint8, i.e. that integer mod 256.
    hue = h.point(_hue_table(int(hue_factor * 255) % 256))
    return Image.merge('HSV', (hue, s, v)).convert('RGB')


@functools.lru_cache(maxsize=256)
def _hue_table(shift: int) -> list:
    """PIL lookup table adding ``shift`` to 8-bit hue, modulo 256."""
    return [(value + shift) % 256 for value in range(256)]


@TRANSFORMS.register_module()
class HueSafeColorJitter(ColorJitter):
    """Random brightness, contrast, saturation and hue, in a random order.

    Same sampling as mmpretrain's ``ColorJitter`` (and torchvision's): each
    factor uniform in its range, the four steps in a random permutation.
    Brightness, contrast and saturation use PIL's ``ImageEnhance`` (what mmcv's
    pillow backend calls); hue uses :func:`shift_hue`. The image is converted
    to PIL once and back once, not once per step.

    Args:
        brightness (float | Sequence[float]): See ``ColorJitter``.
        contrast (float | Sequence[float]): See ``ColorJitter``.
        saturation (float | Sequence[float]): See ``ColorJitter``.
        hue (float | Sequence[float]): Factor drawn from [-hue, hue]
            (0 <= hue <= 0.5) or the given [min, max]. Defaults to 0.
        channel_order (str): Channel order of ``results['img']``: ``'bgr'``
            (images loaded by mmcv) or ``'rgb'`` (mmpretrain's CIFAR
            datasets). Only changes which channel gets which grey weight.
            Defaults to ``'bgr'``.
    """

    def __init__(self, brightness=0., contrast=0., saturation=0., hue=0.,
                 channel_order: str = 'bgr'):
        if channel_order not in CHANNEL_ORDERS:
            raise ValueError(f'channel_order must be one of {CHANNEL_ORDERS}, '
                             f'got {channel_order!r}.')
        super().__init__(brightness, contrast, saturation, hue,
                         backend='pillow')
        self.channel_order = channel_order

    def transform(self, results: dict) -> dict:
        """Jitter ``results['img']`` ((H, W, 3) uint8) in place of the dict."""
        img = results['img']
        rgb = img if self.channel_order == 'rgb' else img[..., ::-1]
        image = Image.fromarray(np.ascontiguousarray(rgb))
        order, brightness, contrast, saturation, hue = self._rand_params()
        factors = (brightness, contrast, saturation)
        for index in order:
            if index < 3 and factors[index] is not None:
                image = ENHANCERS[index](image).enhance(factors[index])
            elif index == 3 and hue is not None:
                image = _shift_hue_pil(image, hue)
        out = np.array(image, dtype=np.uint8)  # writable, as torch wants
        if self.channel_order == 'bgr':
            out = out[..., ::-1]
        results['img'] = np.ascontiguousarray(out)
        return results

    def __repr__(self):
        return (f'{super().__repr__()[:-1]}, '
                f'channel_order={self.channel_order!r})')
