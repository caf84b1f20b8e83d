"""Per-class accuracy tables: rows, written to and read back from JSON / CSV.

Columns: ``REPORT_COLUMNS``, then ``top_confusions`` (the classes a class was
most often mistaken for, ``[[name, count], ...]``; in a CSV cell the same list
as JSON text). Files written before that column existed read back without it.

The head-to-tail picture of these rows is drawn in :mod:`.per_class_plot`.
"""
import csv
import json
import os
from typing import Dict, List, Optional, Sequence, Tuple, Union

from torch import Tensor

from .long_tail_groups import GROUPS
from .per_class_plot import plot_per_class_runs
from .per_class_runs import PerClassFileError, check_same_classes

REPORT_COLUMNS = ('index', 'class', 'group', 'train_count', 'test_count',
                  'accuracy')
CONFUSIONS = 'top_confusions'  # optional: files of earlier versions lack it
TOP_CONFUSIONS = 5  # confusions kept per class


def resolve_output_path(path: str, out_dir: Optional[str]) -> str:
    """``path`` inside ``out_dir`` unless absolute or no ``out_dir`` is known."""
    if out_dir is None or os.path.isabs(path):
        return path
    return os.path.join(out_dir, path)


def per_class_rows(acc: Tensor, test_counts: Tensor, class_names: Sequence[str],
                   class_counts: Optional[Sequence[int]] = None,
                   split: Optional[Dict[str, List[int]]] = None,
                   confusions: Optional[Sequence[Sequence[Tuple[int, int]]]] = None
                   ) -> List[dict]:
    """One report row per class, with the keys of ``REPORT_COLUMNS`` (and
    ``top_confusions`` when ``confusions`` are given).

    Args:
        acc (Tensor): (C,) per-class accuracy in percent, NaN where absent.
        test_counts (Tensor): (C,) test samples per class.
        class_names (Sequence[str]): (C,) class names.
        class_counts (Sequence[int], optional): (C,) training counts.
        split (dict[str, list[int]], optional): group -> class indices.
        confusions (Sequence, optional): (C,) lists of ``(predicted class,
            count)``, most frequent first (``long_tail_stats.top_confusions``).

    Returns:
        list[dict]: C rows; ``train_count`` / ``group`` None without counts,
        ``accuracy`` None for a class without a test sample,
        ``top_confusions`` ``[[class name, count], ...]``.
    """
    group_of = {c: group for group, members in (split or {}).items()
                for c in members}
    rows = [dict(index=c, **{'class': class_names[c]}, group=group_of.get(c),
                 train_count=None if class_counts is None else class_counts[c],
                 test_count=int(test_counts[c]),
                 accuracy=None if test_counts[c] == 0 else float(acc[c]))
            for c in range(len(acc))]
    for row, pairs in zip(rows, confusions or []):
        row[CONFUSIONS] = [[class_names[j], int(n)] for j, n in pairs]
    return rows


def write_per_class_file(rows: List[dict], path: str) -> str:
    """Write one row per class to ``path`` (``.json`` or ``.csv``).

    Args:
        rows (list[dict]): Dicts with the keys of ``REPORT_COLUMNS``;
            ``accuracy`` (percent) and ``train_count``/``group`` may be None
            (class absent from the test set / no training counts); with
            ``top_confusions`` in the first row, every row has it.
        path (str): Output file; its extension picks the format. JSON holds
            ``{"columns": [...], "classes": [row, ...]}``; CSV has a header
            row, empty cells for None and ``top_confusions`` as JSON text.

    Returns:
        str: The path written.
    """
    _make_parent(path)
    columns = REPORT_COLUMNS + ((CONFUSIONS, ) if rows and CONFUSIONS in rows[0] else ())
    if path.endswith('.json'):
        with open(path, 'w') as f:
            json.dump(dict(columns=list(columns), classes=rows), f, indent=1)
    elif path.endswith('.csv'):
        with open(path, 'w', newline='') as f:
            writer = csv.DictWriter(f, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                cells = {k: '' if row[k] is None else row[k] for k in columns}
                if CONFUSIONS in cells:
                    cells[CONFUSIONS] = json.dumps(row[CONFUSIONS])
                writer.writerow(cells)
    else:
        raise ValueError(f'per-class file {path!r}: expected a .json or .csv '
                         'extension.')
    return path


_WRITE_ONE = ("write one with LongTailAccuracy(per_class_file='per_class.json') "
              "(or '.csv'), e.g. tools/test.py CONFIG CHECKPOINT --cfg-options "
              'test_evaluator.per_class_file=per_class.json')


def read_per_class_file(path: Union[str, os.PathLike]) -> List[dict]:
    """Read back a file of :func:`write_per_class_file`, values typed.

    Args:
        path (str | PathLike): A ``.json`` or ``.csv`` per-class file.

    Returns:
        list[dict]: C rows with the keys of ``REPORT_COLUMNS``, in class-index
        order: ``index``/``test_count`` int, ``class`` str, ``group`` str or
        None, ``train_count`` int or None, ``accuracy`` float or None; and
        ``top_confusions`` (``[[class name, count], ...]``) where the file
        has that column (files of earlier versions do not).

    Raises:
        PerClassFileError: Missing file, other format, missing columns, a
            value of the wrong type, rows out of class-index order.
    """
    path = os.fspath(path)
    if not path.endswith(('.json', '.csv')):
        raise PerClassFileError(f'{path}: expected a .json or .csv per-class file, '
                                f'got {os.path.splitext(path)[1] or "no extension"}; '
                                f'{_WRITE_ONE}.')
    if not os.path.isfile(path):
        raise PerClassFileError(f'{path}: no such file; {_WRITE_ONE}.')
    raw = _json_rows(path) if path.endswith('.json') else _csv_rows(path)
    if not raw:
        raise PerClassFileError(f'{path}: no class rows; {_WRITE_ONE}.')
    rows = [_typed_row(path, position, row) for position, row in enumerate(raw)]
    if all(isinstance(row, dict) and CONFUSIONS in row for row in raw):
        classes = {row['class'] for row in rows}
        for position, (row, value) in enumerate(zip(rows, raw)):
            row[CONFUSIONS] = _confusions(f'{path}: class row {position}',
                                          value[CONFUSIONS], classes)
    return rows


def plot_per_class_files(files: Sequence[Union[str, os.PathLike]], out: str,
                         labels: Optional[Sequence[str]] = None,
                         title: str = '') -> str:
    """Overlay the per-class accuracy of per-class files in one PNG.

    What ``tools/plot_per_class.py`` does: read each file
    (:func:`read_per_class_file`), check that all describe the same classes
    in the same order, draw them head to tail
    (:func:`~.per_class_plot.per_class_figure`), the first file on top.

    Args:
        files (Sequence[str | PathLike]): R ``.json`` / ``.csv`` files that
            ``LongTailAccuracy(per_class_file=...)`` wrote: the result first,
            then baselines.
        out (str): Output ``.png`` file.
        labels (Sequence[str], optional): R legend names; default the file
            names.
        title (str): Figure title; empty for the default one.

    Returns:
        str: The path written.

    Raises:
        PerClassFileError: A file that cannot be read as a per-class file,
            or files whose classes differ (the first differing one named).
        ValueError: ``out`` not a ``.png`` file, labels not one per file.
    """
    files = [os.fspath(f) for f in files]
    if not str(out).endswith('.png'):
        raise ValueError(f'per-class plot output must be a .png file, got {out!r}.')
    if labels is not None and len(labels) != len(files):
        raise ValueError(f'labels: expected {len(files)} (one per file), got '
                         f'{len(labels)}: {list(labels)}.')
    runs = [read_per_class_file(f) for f in files]
    check_same_classes(runs, files)
    names = list(labels) if labels is not None else _file_labels(files)
    return plot_per_class_runs(runs, str(out), names, title)


def _file_labels(files: List[str]) -> List[str]:
    """Legend names: the file names, with their folder where names repeat."""
    base = [os.path.basename(f) for f in files]
    if len(set(base)) == len(base):
        return base
    return [os.path.join(os.path.basename(os.path.dirname(f)), b)
            for f, b in zip(files, base)]


def _json_rows(path: str) -> list:
    try:
        with open(path) as f:
            data = json.load(f)
    except json.JSONDecodeError as err:
        raise PerClassFileError(f'{path}: not valid JSON ({err}); {_WRITE_ONE}.') from None
    if not isinstance(data, dict) or not isinstance(data.get('classes'), list):
        raise PerClassFileError(f'{path}: expected {{"columns": [...], "classes": '
                                f'[row, ...]}}, got {type(data).__name__} without a '
                                f'"classes" list; {_WRITE_ONE}.')
    return data['classes']


def _csv_rows(path: str) -> list:
    with open(path, newline='') as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    missing = [c for c in REPORT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise PerClassFileError(f'{path}: the header lacks the columns {missing} '
                                f'(expected {list(REPORT_COLUMNS)}, got '
                                f'{reader.fieldnames}); {_WRITE_ONE}.')
    return [{k: None if v == '' else v for k, v in row.items()} for row in rows]


def _typed_row(path: str, position: int, row) -> dict:
    where = f'{path}: class row {position}'
    if not isinstance(row, dict) or any(c not in row for c in REPORT_COLUMNS):
        raise PerClassFileError(f'{where}: expected the keys {list(REPORT_COLUMNS)}, '
                                f'got {row!r}; {_WRITE_ONE}.')
    typed = {'class': str(row['class']), 'group': row['group']}
    for key, kind, optional in (('index', int, False), ('train_count', int, True),
                                ('test_count', int, False), ('accuracy', float, True)):
        typed[key] = _value(where, key, row[key], kind, optional)
    if typed['index'] != position:
        raise PerClassFileError(f'{where}: index {typed["index"]}, expected '
                                f'{position} (rows in class-index order, as written).')
    if typed['group'] not in (None, ) + GROUPS:
        raise PerClassFileError(f'{where}: group must be one of {GROUPS} or '
                                f'empty, got {typed["group"]!r}.')
    return {key: typed[key] for key in REPORT_COLUMNS}


def _value(where: str, key: str, value, kind, optional: bool):
    if value is None and optional:
        return None
    try:
        if isinstance(value, bool) or value is None:
            raise ValueError
        number = kind(value)
        if kind is int and isinstance(value, float) and number != value:
            raise ValueError
    except (TypeError, ValueError):
        raise PerClassFileError(
            f'{where}: {key} must be {"an int" if kind is int else "a number"}'
            f'{" or empty" if optional else ""}, got {value!r}.') from None
    if number < 0 or (key == 'accuracy' and not number <= 100):
        raise PerClassFileError(f'{where}: {key} must be in '
                                f'{"[0, 100] (percent)" if key == "accuracy" else ">= 0"}'
                                f', got {value!r}.')
    return number


def _confusions(where: str, value, classes: set) -> List[list]:
    """``top_confusions`` typed: ``[[name, count], ...]`` of known classes."""
    if value is None:  # an empty CSV cell
        value = []
    if isinstance(value, str):  # a CSV cell
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = None
    pairs = value if isinstance(value, list) else [None]
    if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[1], int)
               and not isinstance(p[1], bool) and p[1] > 0 for p in pairs):
        raise PerClassFileError(f'{where}: {CONFUSIONS} must be a list of '
                                f'[class name, count > 0] pairs, got {value!r}.')
    unknown = [p[0] for p in pairs if str(p[0]) not in classes]
    if unknown:
        raise PerClassFileError(f'{where}: {CONFUSIONS} names classes that are '
                                f'not in the file: {unknown}.')
    return [[str(name), count] for name, count in pairs]


def _make_parent(path: str):
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
