"""Records that pass between components: the training counts of a run, the
labels of a device-resident batch."""
from .batch_labels import BatchLabels
from .train_counts import (DEFAULT_FEW_THR, DEFAULT_MANY_THR, TrainCounts,
                           split_many_medium_few)

__all__ = ['BatchLabels', 'TrainCounts', 'split_many_medium_few',
           'DEFAULT_MANY_THR', 'DEFAULT_FEW_THR']
