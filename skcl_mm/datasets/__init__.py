"""Datasets: the long-tailed hierarchy wrapper, hierarchies and transforms."""
from . import samplers, transforms  # noqa: F401
from .hierarchies import (Hierarchy, builtin_hierarchy, builtin_level_classes,
                          load_hierarchy)
from .imagenet_lt import IMAGENET_LT_CLASSES, ImageNetLT
from .inat2018 import INat2018  # noqa: F401 (registers the dataset)
from .long_tail_hierarchy import (LongTailHierarchyDataset, long_tail_counts,
                                  split_many_medium_few)
from .places_lt import PlacesLT  # noqa: F401 (registers the dataset)
from .sklearn_digits import SklearnDigits
from .subset_fingerprint import subset_differences, subset_fingerprint

__all__ = [
    'LongTailHierarchyDataset', 'SklearnDigits', 'ImageNetLT', 'IMAGENET_LT_CLASSES',
    'Hierarchy', 'builtin_hierarchy',
    'builtin_level_classes', 'load_hierarchy', 'long_tail_counts',
    'split_many_medium_few', 'subset_fingerprint', 'subset_differences'
]
