"""Transforms: the CIFAR AutoAugment policy, a numpy-2-safe ColorJitter, and
(``batch``) the batched views that GPUAugmentDataPreprocessor runs on the device."""
from . import batch  # noqa: F401  (registers the batch transforms)
from .cifar_auto_augment import CIFAR10_POLICY, CifarAutoAugment
from .hue_safe_color_jitter import HueSafeColorJitter, shift_hue
from .load_image_bytes import LoadImageBytes

__all__ = ['CIFAR10_POLICY', 'CifarAutoAugment', 'HueSafeColorJitter',
           'LoadImageBytes', 'shift_hue']
