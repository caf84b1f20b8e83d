"""Per-class accuracy reports: a JSON/CSV table and a head-to-tail PNG."""
import csv
import json
import math
import os
from typing import Dict, List, Optional, Sequence

from torch import Tensor

REPORT_COLUMNS = ('index', 'class', 'group', 'train_count', 'test_count',
                  'accuracy')


def resolve_output_path(path: str, out_dir: Optional[str]) -> str:
    """``path`` inside ``out_dir`` unless absolute or no ``out_dir`` is known."""
    if out_dir is None or os.path.isabs(path):
        return path
    return os.path.join(out_dir, path)


def per_class_rows(acc: Tensor, test_counts: Tensor, class_names: Sequence[str],
                   class_counts: Optional[Sequence[int]] = None,
                   split: Optional[Dict[str, List[int]]] = None) -> List[dict]:
    """One report row per class, with the keys of ``REPORT_COLUMNS``.

    Args:
        acc (Tensor): (C,) per-class accuracy in percent, NaN where absent.
        test_counts (Tensor): (C,) test samples per class.
        class_names (Sequence[str]): (C,) class names.
        class_counts (Sequence[int], optional): (C,) training counts.
        split (dict[str, list[int]], optional): group -> class indices.

    Returns:
        list[dict]: C rows; ``train_count`` / ``group`` None without counts,
        ``accuracy`` None for a class without a test sample.
    """
    group_of = {c: group for group, members in (split or {}).items()
                for c in members}
    return [dict(index=c, **{'class': class_names[c]}, group=group_of.get(c),
                 train_count=None if class_counts is None else class_counts[c],
                 test_count=int(test_counts[c]),
                 accuracy=None if test_counts[c] == 0 else float(acc[c]))
            for c in range(len(acc))]


def write_per_class_file(rows: List[dict], path: str) -> str:
    """Write one row per class to ``path`` (``.json`` or ``.csv``).

    Args:
        rows (list[dict]): Dicts with the keys of ``REPORT_COLUMNS``;
            ``accuracy`` (percent) and ``train_count``/``group`` may be None
            (class absent from the test set / no training counts).
        path (str): Output file; its extension picks the format. JSON holds
            ``{"columns": [...], "classes": [row, ...]}``; CSV has a header
            row and empty cells for None.

    Returns:
        str: The path written.
    """
    _make_parent(path)
    if path.endswith('.json'):
        with open(path, 'w') as f:
            json.dump(dict(columns=list(REPORT_COLUMNS), classes=rows), f,
                      indent=1)
    elif path.endswith('.csv'):
        with open(path, 'w', newline='') as f:
            writer = csv.DictWriter(f, fieldnames=REPORT_COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: '' if row[k] is None else row[k]
                                 for k in REPORT_COLUMNS})
    else:
        raise ValueError(f'per-class file {path!r}: expected a .json or .csv '
                         'extension.')
    return path


def plot_per_class(rows: List[dict], path: str, title: str = '') -> str:
    """Save a PNG of per-class accuracy, classes sorted head to tail.

    Bars are the accuracy of each class (classes absent from the test set
    have none); with training counts, classes are ordered by decreasing
    count and the count is drawn as a line on a log-scale second axis.
    matplotlib is imported here and drawn through the Agg canvas, without
    touching pyplot's global backend.

    Args:
        rows (list[dict]): As in :func:`write_per_class_file`.
        path (str): Output ``.png`` file.
        title (str): Figure title.

    Returns:
        str: The path written.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    has_counts = all(row['train_count'] is not None for row in rows)
    if has_counts:  # stable sort: ties keep class-index order
        rows = sorted(rows, key=lambda row: -row['train_count'])
    xs = list(range(len(rows)))
    accs = [math.nan if row['accuracy'] is None else row['accuracy']
            for row in rows]
    fig = Figure(figsize=(max(6.0, min(0.08 * len(rows), 24.0)), 4.0))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.bar(xs, accs, width=1.0, color='tab:blue', label='accuracy')
    ax.set_ylim(0, 100)
    ax.set_ylabel('test accuracy (%)')
    ax.set_xlabel('class, most to fewest training images' if has_counts
                  else 'class index')
    if has_counts:
        ax_counts = ax.twinx()
        ax_counts.plot(xs, [max(row['train_count'], 1) for row in rows],
                       color='tab:red', label='training images')
        ax_counts.set_yscale('log')
        ax_counts.set_ylabel('training images', color='tab:red')
    ax.set_title(title)
    fig.tight_layout()
    _make_parent(path)
    fig.savefig(path, format='png', dpi=100)
    return path


def _make_parent(path: str):
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
