"""Long-tail metrics: LongTailAccuracy and its building blocks."""
from .long_tail_accuracy import LongTailAccuracy
from .long_tail_stats import (group_means, infer_fine_to_level, level_accuracies,
                              per_class_accuracy, topk_accuracy)
from .per_class_report import plot_per_class, write_per_class_file
from .train_counts import load_train_counts

__all__ = [
    'LongTailAccuracy', 'topk_accuracy', 'per_class_accuracy', 'group_means',
    'infer_fine_to_level', 'level_accuracies', 'write_per_class_file',
    'plot_per_class', 'load_train_counts'
]
