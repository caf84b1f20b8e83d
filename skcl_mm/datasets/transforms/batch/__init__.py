"""Batched augmentations on (B, 3, H, W) float [0, 255] RGB tensors, every
sample drawing its own parameters on the device: the GPU-side views of
CIFAR-size images (GPUAugmentDataPreprocessor, docs/pipelines.md)."""
from .auto_augment import BatchCifarAutoAugment
from .blur import BatchGaussianBlur
from .color import BatchColorJitter, BatchRandomGrayscale
from .geometric import BatchCutout, BatchRandomCrop, BatchRandomFlip
from .random_apply import BatchRandomApply
from .resized_crop import BatchRandomResizedCrop

__all__ = ['BatchCifarAutoAugment', 'BatchColorJitter', 'BatchCutout',
           'BatchGaussianBlur', 'BatchRandomApply', 'BatchRandomCrop',
           'BatchRandomFlip', 'BatchRandomGrayscale', 'BatchRandomResizedCrop']
