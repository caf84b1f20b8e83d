"""Data samplers registered in mmpretrain's DATA_SAMPLERS."""
from .class_aware_sampler import (ClassAwareSampler, class_aware_stream,
                                  dataset_labels)

__all__ = ['ClassAwareSampler', 'class_aware_stream', 'dataset_labels']
