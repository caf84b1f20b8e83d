"""Training images per class for the long-tail metrics: read and check them."""
import json
import os
from typing import List, Optional, Sequence, Union

import numpy as np
import torch

CountsSource = Union[None, str, os.PathLike, Sequence[int], np.ndarray,
                     torch.Tensor]


def load_train_counts(source: CountsSource) -> Optional[List[int]]:
    """Per-class training counts from a list or a JSON file.

    Args:
        source (None | str | PathLike | Sequence[int] | ndarray | Tensor):
            ``None`` (no counts), a sequence of ``C`` counts (finest class
            index order), or the path of a JSON file holding either such a
            list or a dict with a ``class_counts`` list (e.g. the dataset
            metainfo dumped as JSON; ``{"metainfo": {"class_counts": ...}}``
            is read too).

    Returns:
        list[int] | None: ``C`` non-negative counts, or None.
    """
    if source is None:
        return None
    if isinstance(source, (str, os.PathLike)):
        return check_counts(_read_json_counts(os.fspath(source)), source)
    if isinstance(source, torch.Tensor):
        source = source.tolist()
    return check_counts(source, 'train_counts')


def _read_json_counts(path: str):
    """The count list inside a JSON file (see :func:`load_train_counts`)."""
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f'train_counts file {path!r} does not exist; give a JSON list of '
            'per-class training counts, or the training dataset metainfo '
            'dumped as JSON (with a "class_counts" key).')
    with open(path) as f:
        data = json.load(f)
    if isinstance(data, dict):
        holder = data.get('metainfo', data) if 'class_counts' not in data else data
        if 'class_counts' not in holder:
            raise ValueError(
                f'train_counts file {path!r} holds a JSON object without a '
                f'"class_counts" key (keys: {sorted(data)[:10]}); expected a '
                'list of per-class counts or a metainfo dict with class_counts.')
        return holder['class_counts']
    return data


def check_counts(counts, source='train_counts') -> List[int]:
    """Check that ``counts`` is a non-empty flat list of non-negative ints.

    Args:
        counts (Sequence[int] | ndarray): One count per class.
        source (str): Where the counts come from, for the error message.

    Returns:
        list[int]: The counts as Python ints.
    """
    array = np.asarray(counts)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f'{source}: expected a flat, non-empty list of per-class training '
            f'counts, got an array of shape {array.shape}.')
    if not (np.issubdtype(array.dtype, np.integer)
            or (np.issubdtype(array.dtype, np.floating)
                and np.all(array == np.round(array)))):
        raise ValueError(f'{source}: counts must be whole numbers, got dtype '
                         f'{array.dtype} (first values {array[:5].tolist()}).')
    if (array < 0).any():
        bad = int(np.flatnonzero(array < 0)[0])
        raise ValueError(f'{source}: counts must be >= 0, got {array[bad]} for '
                         f'class {bad}.')
    return [int(c) for c in array]


def check_counts_length(counts: Sequence[int], num_classes: int,
                        source: str, classes_from: str):
    """Raise when there is not one count per class.

    Args:
        counts (Sequence[int]): Per-class training counts.
        num_classes (int): Number of finest classes.
        source (str): Where the counts come from.
        classes_from (str): Where ``num_classes`` comes from.
    """
    if len(counts) != num_classes:
        raise ValueError(
            f'{source} has {len(counts)} entries but the evaluated dataset has '
            f'{num_classes} classes ({classes_from}); expected one training '
            'count per finest class, in class-index order. Use the counts of '
            'the training set of this same dataset.')
