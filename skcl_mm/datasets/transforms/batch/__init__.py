"""Batched augmentations on (B, 3, H, W) float [0, 255] RGB tensors, every
sample drawing its own parameters on the device: the GPU-side views of
CIFAR-size images (GPUAugmentDataPreprocessor, docs/pipelines.md) and of
decoded ImageNet-size images, whose ``BatchList*`` crops take a list of
variable-size images (GPUDecodeDataPreprocessor, docs/gpu_decoding.md)."""
from .auto_augment import BatchCifarAutoAugment
from .blur import BatchGaussianBlur
from .color import BatchColorJitter, BatchRandomGrayscale
from .geometric import BatchCutout, BatchRandomCrop, BatchRandomFlip
from .rand_augment import BatchRandAugment
from .random_apply import BatchRandomApply
from .resized_crop import BatchRandomResizedCrop
from .resized_crop_list import (BatchListRandomResizedCrop,
                                BatchListResizeCenterCrop)

__all__ = ['BatchCifarAutoAugment', 'BatchColorJitter', 'BatchCutout',
           'BatchGaussianBlur', 'BatchListRandomResizedCrop',
           'BatchListResizeCenterCrop', 'BatchRandAugment', 'BatchRandomApply',
           'BatchRandomCrop', 'BatchRandomFlip', 'BatchRandomGrayscale',
           'BatchRandomResizedCrop']
