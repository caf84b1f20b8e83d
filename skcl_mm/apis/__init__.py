"""Inference: mmpretrain's image classification inferencer with checks.

Imported on demand (``from skcl_mm.apis import LongTailInferencer``): mmpretrain's
``apis`` package is heavier than the training components.
"""
from .long_tail_inferencer import LongTailInferencer

__all__ = ['LongTailInferencer']
