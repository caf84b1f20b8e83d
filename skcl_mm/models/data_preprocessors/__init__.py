"""Data preprocessors: multi-view batches for contrastive training."""
from .multi_view import MultiViewClsDataPreprocessor

__all__ = ['MultiViewClsDataPreprocessor']
