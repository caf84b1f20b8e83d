"""Run one AutoAugment / RandAugment op kind on a whole batch by its mmpretrain name.

Shared by :class:`~.auto_augment.BatchCifarAutoAugment` and
:class:`~.rand_augment.BatchRandAugment`; the ops themselves are in
:mod:`.auto_augment_ops`.
"""
from typing import Sequence

from torch import Tensor

from . import auto_augment_ops as ops

PLAIN = {'AutoContrast': ops.auto_contrast, 'Equalize': ops.equalize,
         'Invert': ops.invert}
VALUE = {'Posterize': ops.posterize, 'Solarize': ops.solarize}
FACTOR = {'ColorTransform': ops.color, 'Contrast': ops.contrast,
          'Brightness': ops.brightness, 'Sharpness': ops.sharpness}
GEOMETRIC = {'Rotate', 'Shear', 'Translate'}


def apply_op(images: Tensor, name: str, value: Tensor, vertical: Tensor,
             geometry: Sequence = ()) -> Tensor:
    """``name`` on every sample of ``images`` with per-sample values.

    Args:
        images (Tensor): (B, 3, H, W) float, integral values in [0, 255].
        name (str): An op type of :data:`PLAIN`, :data:`VALUE`,
            :data:`FACTOR` or :data:`GEOMETRIC`.
        value (Tensor): (B,) magnitudes (a factor op gets ``1 + value``).
        vertical (Tensor): (B,) bool, direction of Shear / Translate.
        geometry (Sequence): ``(interpolation, fill)`` of a geometric op.

    Returns:
        Tensor: (B, 3, H, W), a new tensor.
    """
    if name in PLAIN:
        return PLAIN[name](images)
    if name in VALUE:
        return VALUE[name](images, value)
    if name in FACTOR:
        return FACTOR[name](images, 1. + value)
    interpolation, fill = geometry
    if name == 'Rotate':
        return ops.rotate(images, value, fill, interpolation)
    geo_op = ops.translate if name == 'Translate' else ops.shear
    return geo_op(images, value, vertical, fill, interpolation)
