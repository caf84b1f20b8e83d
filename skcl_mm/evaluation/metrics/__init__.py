"""Long-tail metrics: LongTailAccuracy and its building blocks."""
from .long_tail_accuracy import LongTailAccuracy
from .long_tail_groups import group_accuracies
from .long_tail_stats import (group_means, infer_fine_to_level,
                              level_accuracies, per_class_accuracy,
                              top_confusions, topk_accuracy)
from .per_class_plot import (per_class_figure, plot_per_class,
                             plot_per_class_runs)
from .per_class_report import (per_class_rows, plot_per_class_files,
                               read_per_class_file, write_per_class_file)
from .train_counts_source import counts_from_argument

__all__ = [
    'LongTailAccuracy', 'topk_accuracy', 'per_class_accuracy', 'group_means',
    'top_confusions', 'group_accuracies', 'infer_fine_to_level', 'level_accuracies',
    'per_class_rows', 'write_per_class_file', 'read_per_class_file',
    'plot_per_class', 'plot_per_class_runs', 'plot_per_class_files',
    'per_class_figure', 'counts_from_argument'
]
