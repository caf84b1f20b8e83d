"""Where LongTailAccuracy's training counts and thresholds come from.

The counts are a :class:`~skcl_mm.structures.TrainCounts` record: from the
metric's ``train_counts`` argument (a list or a JSON file) or handed over by
``TrainCountsHook``. The thresholds are the metric's own where given, else
the record's (the training dataset's), else the protocol's defaults.
"""
import logging
import os
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.logging import print_log

from skcl_mm.structures.train_counts import (DEFAULT_FEW_THR, DEFAULT_MANY_THR,
                                             TrainCounts, check_counts,
                                             check_thresholds)

CountsArgument = Union[None, str, os.PathLike, Sequence[int], np.ndarray,
                       torch.Tensor]
OwnThresholds = Tuple[Optional[int], Optional[int]]


def counts_from_argument(
        train_counts: CountsArgument) -> Tuple[Optional[TrainCounts], Optional[str]]:
    """The record a ``train_counts`` argument gives, and how to name it.

    Args:
        train_counts (None | str | PathLike | Sequence[int] | ndarray |
            Tensor): None (no counts), (C,) counts in class-index order, or a
            JSON file (see :meth:`TrainCounts.from_file`: class names and
            thresholds come with it).

    Returns:
        tuple[TrainCounts | None, str | None]: The record and its source for
        messages (None, None without counts).
    """
    if train_counts is None:
        return None, None
    if isinstance(train_counts, (str, os.PathLike)):
        return (TrainCounts.from_file(train_counts),
                f'train_counts={os.fspath(train_counts)!r}')
    counts = check_counts(train_counts, 'train_counts')
    return TrainCounts(class_counts=counts), 'the train_counts argument'


def effective_thresholds(own: OwnThresholds, counts: Optional[TrainCounts],
                         source: Optional[str], who: str) -> Tuple[int, int]:
    """``(many_thr, few_thr)`` a metric uses: its own where given, else the
    record's, else the defaults; a warning where its own differ from the
    record's.

    Args:
        own (tuple[int | None, int | None]): The metric's own thresholds,
            None where it has none.
        counts (TrainCounts, optional): The training counts in use.
        source (str, optional): Where ``counts`` come from, for messages.
        who (str): The metric's name, for messages.

    Returns:
        tuple[int, int]: ``(many_thr, few_thr)``, checked (few <= many).
    """
    theirs = (counts.thresholds if counts is not None else None) or (
        DEFAULT_MANY_THR, DEFAULT_FEW_THR)
    merged = tuple(int(their) if mine is None else mine
                   for mine, their in zip(own, theirs))
    check_thresholds(*merged)
    if counts is None or counts.thresholds is None:
        return merged
    differing = [f'{name}={mine} (dataset: {their})'
                 for name, mine, their in zip(('many_thr', 'few_thr'), own, theirs)
                 if mine is not None and mine != their]
    if differing:
        print_log(f'{who}: own thresholds {", ".join(differing)} differ from '
                  f'{source}; the metric uses its own. Leave them unset to follow '
                  'the dataset.', logger='current', level=logging.WARNING)
    return merged


def check_against_classes(counts: TrainCounts, classes: Optional[Sequence],
                          source: str) -> None:
    """One count per evaluated class, in the training class order.

    Args:
        counts (TrainCounts): The training counts.
        classes (Sequence, optional): (C,) the evaluated dataset's class names;
            nothing is checked without them.
        source (str): Where ``counts`` come from, for messages.
    """
    if classes:
        counts.check_num_classes(len(classes), source, "dataset_meta['classes']")
        counts.check_class_order(classes, source)
