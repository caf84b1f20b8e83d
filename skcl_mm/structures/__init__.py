"""Records that pass between components: the training counts of a run."""
from .train_counts import (DEFAULT_FEW_THR, DEFAULT_MANY_THR, TrainCounts,
                           split_many_medium_few)

__all__ = ['TrainCounts', 'split_many_medium_few', 'DEFAULT_MANY_THR',
           'DEFAULT_FEW_THR']
