"""Data preprocessors: multi-view batches for contrastive training, and the
views built on the device (GPU-side augmentation; JPEG decoding too)."""
from .gpu_augment import GPUAugmentDataPreprocessor
from .gpu_decode import GPUDecodeDataPreprocessor
from .multi_view import MultiViewClsDataPreprocessor

__all__ = ['GPUAugmentDataPreprocessor', 'GPUDecodeDataPreprocessor',
           'MultiViewClsDataPreprocessor']
