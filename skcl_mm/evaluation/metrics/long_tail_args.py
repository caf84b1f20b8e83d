"""Checks of LongTailAccuracy's arguments (types, ranges, file names)."""
import os
from typing import Optional

from skcl_mm.structures.train_counts import (DEFAULT_FEW_THR, DEFAULT_MANY_THR,
                                             check_thresholds)
from skcl_mm.utils.checks import (check_choice, check_int, check_int_list,
                                  check_optional_path, is_int)

DEFAULT_PLOT_FILE = 'per_class_accuracy.png'


def _own_threshold(name: str, value) -> Optional[int]:
    if value is None:
        return None
    return check_int(f'LongTailAccuracy {name}', value, minimum=0,
                     fix='A number of training images per class (many_thr='
                     f'{DEFAULT_MANY_THR}, few_thr={DEFAULT_FEW_THR} in the '
                     'long-tail protocol); None follows the training dataset.')


def _plot_file(plot) -> Optional[str]:
    if isinstance(plot, os.PathLike):
        plot = os.fspath(plot)
    if not isinstance(plot, (bool, str)) or (
            isinstance(plot, str) and not plot.endswith('.png')):
        raise ValueError(f'plot must be a bool or a .png file name, got {plot!r} '
                         f'({type(plot).__name__}).')
    if isinstance(plot, str):
        return plot
    return DEFAULT_PLOT_FILE if plot else None


def check_metric_args(topk, many_thr, few_thr, per_class_file, plot, out_dir,
                      collect_device) -> dict:
    """Validated LongTailAccuracy arguments.

    Returns:
        dict: ``topk`` (tuple of ints >= 1), ``own_thresholds`` (the given
        ``(many_thr, few_thr)``, None where unset; checked with the defaults
        filled in), ``per_class_file``, ``plot_file`` and ``out_dir`` (str or
        None).
    """
    check_choice('LongTailAccuracy collect_device', collect_device,
                 ('cpu', 'gpu'))
    single = is_int(topk) or isinstance(topk, bool)
    topk = tuple(check_int_list('LongTailAccuracy topk',
                                (topk, ) if single else topk, minimum=1,
                                min_length=1,
                                fix='Positive ints, e.g. topk=(1, 5).'))
    own = (_own_threshold('many_thr', many_thr), _own_threshold('few_thr', few_thr))
    check_thresholds(DEFAULT_MANY_THR if own[0] is None else own[0],
                     DEFAULT_FEW_THR if own[1] is None else own[1])
    per_class_file = check_optional_path('LongTailAccuracy per_class_file',
                                         per_class_file)
    if per_class_file is not None and not per_class_file.endswith(('.json', '.csv')):
        raise ValueError(f'per_class_file must end with .json or .csv, got '
                         f'{per_class_file!r}.')
    return dict(topk=topk, own_thresholds=own,
                per_class_file=per_class_file, plot_file=_plot_file(plot),
                out_dir=check_optional_path('LongTailAccuracy out_dir', out_dir))
