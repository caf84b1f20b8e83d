"""Many / medium / few accuracy of the long-tail protocol, and what it leaves out."""
from typing import Dict, List, Sequence, Tuple

from torch import Tensor

from .long_tail_stats import group_means

GROUPS = ('many', 'medium', 'few')


def group_accuracies(acc: Tensor, test_counts: Tensor,
                     split: Dict[str, List[int]], thresholds: Tuple[int, int],
                     class_names: Sequence[str],
                     who: str) -> Tuple[Dict[str, float], List[Tuple[str, str]]]:
    """Mean per-class accuracy of each class group that has a test sample.

    Args:
        acc (Tensor): (C,) per-class top-1 accuracy in percent, NaN where a
            class has no test sample.
        test_counts (Tensor): (C,) test samples per class.
        split (dict[str, list[int]]): ``many`` / ``medium`` / ``few`` -> class
            indices (``TrainCounts.many_medium_few`` or
            :func:`~skcl_mm.structures.split_many_medium_few`).
        thresholds (tuple[int, int]): ``(many_thr, few_thr)`` of ``split``,
            for messages.
        class_names (Sequence[str]): (C,) names for messages.
        who (str): The metric's name, for messages.

    Returns:
        tuple[dict[str, float], list[tuple[str, str]]]: group -> mean
        accuracy (groups without a class present are left out), and
        ``(key, warning)`` pairs: classes without a test sample, unreported
        groups (the key lets the caller warn once per run).
    """
    many_thr, few_thr = thresholds
    notes = []
    absent = (test_counts == 0).nonzero().flatten().tolist()
    if absent:
        names = [class_names[c] for c in absent]
        notes.append(('absent', (
            f'{who}: {len(absent)} classes have no test sample and are left out '
            f'of the per-class means: {names[:10]}'
            f'{" ..." if len(names) > 10 else ""}')))
    metrics = {}
    for group, mean in group_means(acc, {g: split[g] for g in GROUPS}).items():
        if mean is not None:
            metrics[group] = mean
            continue
        why = 'has a test sample' if split[group] else 'exists'
        notes.append((f'empty_{group}', (
            f'{who}: no "{group}" class {why} (thresholds > {many_thr} / '
            f'< {few_thr} training images), so {group} is not reported.')))
    return metrics, notes
