"""Data preprocessors: multi-view batches for contrastive training, and the
views built on the device (GPU-side augmentation)."""
from .gpu_augment import GPUAugmentDataPreprocessor
from .multi_view import MultiViewClsDataPreprocessor

__all__ = ['GPUAugmentDataPreprocessor', 'MultiViewClsDataPreprocessor']
