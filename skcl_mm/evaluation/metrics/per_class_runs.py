"""Per-class rows of one or several runs, arranged head to tail for a picture.

Pure functions (no matplotlib): the check that runs describe the same classes,
the head-to-tail order, the many / medium / few spans in that order, per-group
means and running means. :mod:`.per_class_plot` draws what they return.
"""
import math
from typing import Dict, List, Optional, Sequence, Tuple

from .long_tail_groups import GROUPS


class PerClassFileError(ValueError):
    """A per-class file that is not one ``LongTailAccuracy`` writes, or that
    does not describe the same classes as the files it is compared with."""



def check_same_classes(runs: Sequence[List[dict]], names: Sequence[str]) -> None:
    """Stop unless all runs describe the same classes in the same order.

    Classes are compared by name, row by row; training counts and groups too,
    where both runs have them (a run without counts takes the others').

    Args:
        runs (Sequence[list[dict]]): Rows of each run (``read_per_class_file``).
        names (Sequence[str]): A name per run (its file), for the message.

    Raises:
        PerClassFileError: Naming the first class (row) that differs.
    """
    ref, ref_name = runs[0], names[0]
    for rows, name in zip(runs[1:], names[1:]):
        for pos in range(max(len(ref), len(rows))):
            mine = ref[pos]['class'] if pos < len(ref) else '(no class)'
            theirs = rows[pos]['class'] if pos < len(rows) else '(no class)'
            if mine != theirs:
                raise PerClassFileError(
                    f'{name} and {ref_name} describe different classes: the first '
                    f'difference is class index {pos}, {theirs!r} in {name} but '
                    f'{mine!r} in {ref_name} ({len(rows)} vs {len(ref)} classes). '
                    'Compare per-class files of one evaluated dataset, with the '
                    'same classes in the same order.')
        for key, why in (('train_count', 'different training subsets (imbalance '
                          'factor, seed, split)'),
                         ('group', 'different many / few thresholds')):
            _check_same_column(ref, ref_name, rows, name, key, why)


def _check_same_column(ref, ref_name, rows, name, key, why):
    if any(r[key] is None for r in ref) or any(r[key] is None for r in rows):
        return
    for mine, theirs in zip(ref, rows):
        if mine[key] != theirs[key]:
            raise PerClassFileError(
                f'{name} and {ref_name} differ in {key} at class {mine["class"]!r} '
                f'(index {mine["index"]}): {theirs[key]!r} vs {mine[key]!r}, so the '
                f'runs come from {why}. Compare runs trained on the same '
                'long-tailed set with the same thresholds.')


def reference_rows(runs: Sequence[List[dict]]) -> List[dict]:
    """The rows whose training counts order the picture: the first run with
    counts for every class, else the first run."""
    for rows in runs:
        if all(row['train_count'] is not None for row in rows):
            return rows
    return runs[0]


def head_to_tail(rows: List[dict]) -> List[int]:
    """Row positions by decreasing training count (ties in class-index order);
    class-index order when a count is missing."""
    if any(row['train_count'] is None for row in rows):
        return list(range(len(rows)))
    return sorted(range(len(rows)), key=lambda i: -rows[i]['train_count'])


def group_spans(groups: Sequence[Optional[str]]) -> List[Tuple[str, int, int]]:
    """Contiguous runs of one group along the x axis.

    Args:
        groups (Sequence[str | None]): (C,) group of each class, head to tail.

    Returns:
        list[tuple[str, int, int]]: ``(group, start, stop)``, ``stop``
        exclusive; classes without a group are in no span.
    """
    spans = []
    for x, group in enumerate(groups):
        if spans and spans[-1][0] == group and spans[-1][2] == x:
            spans[-1] = (group, spans[-1][1], x + 1)
        elif group is not None:
            spans.append((group, x, x + 1))
    return spans


def group_means(accs: Sequence[float], groups: Sequence[Optional[str]]
                ) -> Dict[str, Optional[float]]:
    """Mean per-class accuracy of all classes and of each group, as the metric
    reports them (classes without a test sample, NaN, left out).

    Args:
        accs (Sequence[float]): (C,) accuracy in percent, NaN where absent.
        groups (Sequence[str | None]): (C,) group of each class.

    Returns:
        dict[str, float | None]: ``all`` then each group of ``GROUPS``
        that has a class (None where none of its classes has a test sample).
    """
    means = {'all': _nanmean(accs)}
    for group in GROUPS:
        members = [a for a, g in zip(accs, groups) if g == group]
        if members:
            means[group] = _nanmean(members)
    return means


def running_mean(values: Sequence[float], spans: Sequence[Tuple[str, int, int]],
                 window: int) -> List[float]:
    """Centred running mean of ``window`` classes that stays inside each span.

    Args:
        values (Sequence[float]): (C,) values, NaN where absent (skipped).
        spans (Sequence[tuple[str, int, int]]): ``(group, start, stop)`` spans;
            classes outside every span get NaN. One span ``('', 0, C)``
            averages across all classes.
        window (int): Classes averaged, centred (an odd number; near a span's
            ends fewer).

    Returns:
        list[float]: (C,) running means, NaN where the window holds no value.
    """
    half = window // 2
    out = [math.nan] * len(values)
    for _, start, stop in spans:
        for x in range(start, stop):
            out[x] = _nanmean(values[max(start, x - half):min(stop, x + half + 1)])
    return [math.nan if v is None else v for v in out]


def running_window(num_classes: int) -> int:
    """Odd window of the running mean: about 1/25 of the classes, at least 3."""
    window = max(3, round(num_classes / 25))
    return window + 1 - window % 2


def _nanmean(values: Sequence[float]) -> Optional[float]:
    present = [v for v in values if not math.isnan(v)]
    return sum(present) / len(present) if present else None
