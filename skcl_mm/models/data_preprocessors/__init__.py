"""Data preprocessors: multi-view batches for contrastive training, and the
views built on the device (GPU-side augmentation)."""
from . import batch_transforms  # noqa: F401  (registers the batch transforms)
from .gpu_augment import GPUAugmentDataPreprocessor
from .multi_view import MultiViewClsDataPreprocessor

__all__ = ['GPUAugmentDataPreprocessor', 'MultiViewClsDataPreprocessor']
