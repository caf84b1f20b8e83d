"""Transforms: the CIFAR AutoAugment policy and a numpy-2-safe ColorJitter."""
from .cifar_auto_augment import CIFAR10_POLICY, CifarAutoAugment
from .hue_safe_color_jitter import HueSafeColorJitter, shift_hue

__all__ = ['CIFAR10_POLICY', 'CifarAutoAugment', 'HueSafeColorJitter',
           'shift_hue']
