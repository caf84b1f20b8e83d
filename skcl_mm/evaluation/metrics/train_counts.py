"""Training images per class for the long-tail metrics: read and check them."""
import json
import os
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

CountsSource = Union[None, str, os.PathLike, Sequence[int], np.ndarray,
                     torch.Tensor]


def load_train_counts(source: CountsSource) -> Optional[List[int]]:
    """Per-class training counts from a list or a JSON file.

    Args:
        source (None | str | PathLike | Sequence[int] | ndarray | Tensor):
            ``None`` (no counts), a sequence of ``C`` counts (finest class
            index order), or the path of a JSON file (see
            :func:`read_train_counts_file`).

    Returns:
        list[int] | None: ``C`` non-negative counts, or None.
    """
    if source is None:
        return None
    if isinstance(source, (str, os.PathLike)):
        return read_train_counts_file(source)['class_counts']
    if isinstance(source, torch.Tensor):
        source = source.tolist()
    return check_counts(source, 'train_counts')


def read_train_counts_file(path: Union[str, os.PathLike]) -> dict:
    """Training counts, and what else the file says, from a JSON file.

    The file holds a list of per-class counts, or an object with a
    ``class_counts`` list at the top or under ``metainfo`` (the
    ``train_counts.json`` that ``TrainCountsHook`` writes into the work dir,
    or a dumped dataset metainfo). Such an object may also give ``classes``
    (training class names in index order) and ``many_thr`` / ``few_thr``.

    Args:
        path (str | PathLike): The JSON file.

    Returns:
        dict: ``class_counts`` (list[int]); ``classes`` (list[str] | None);
        ``thresholds`` (``(many_thr, few_thr)`` | None); ``subset_fingerprint``
        (dict | None: which training images, see
        :mod:`skcl_mm.datasets.subset_fingerprint`).
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f'train_counts file {path!r} does not exist; give the '
            'train_counts.json that TrainCountsHook writes into the training '
            'work dir, or a JSON list of per-class training counts.')
    with open(path) as f:
        data = json.load(f)
    if not isinstance(data, dict):
        return dict(class_counts=check_counts(data, path), classes=None,
                    thresholds=None, subset_fingerprint=None)
    holder = data if 'class_counts' in data else data.get('metainfo', data)
    if not isinstance(holder, dict) or 'class_counts' not in holder:
        raise ValueError(
            f'train_counts file {path!r} holds a JSON object without a '
            f'"class_counts" key (keys: {sorted(data)[:10]}); expected a '
            'list of per-class counts or an object with class_counts.')
    thresholds = None
    if holder.get('many_thr') is not None and holder.get('few_thr') is not None:
        thresholds = (int(holder['many_thr']), int(holder['few_thr']))
    classes = holder.get('classes')
    fingerprint = holder.get('subset_fingerprint')
    if fingerprint is not None and not isinstance(fingerprint, dict):
        raise ValueError(
            f'train_counts file {path!r}: "subset_fingerprint" must be a JSON '
            f'object (as TrainCountsHook writes it), got '
            f'{type(fingerprint).__name__}; remove the key or rewrite the file.')
    return dict(class_counts=check_counts(holder['class_counts'], path),
                classes=None if classes is None else [str(c) for c in classes],
                thresholds=thresholds, subset_fingerprint=fingerprint)


def write_train_counts_file(path: str, classes: Optional[Sequence[str]],
                            class_counts: Sequence[int],
                            level_counts: Sequence[Sequence[int]],
                            thresholds: Optional[Tuple[int, int]],
                            subset_fingerprint: Optional[dict] = None) -> None:
    """Write the file :func:`read_train_counts_file` reads (atomically).

    Args:
        path (str): Target ``.json`` file.
        classes (Sequence[str], optional): Training class names, index order.
        class_counts (Sequence[int]): (C,) training images per finest class.
        level_counts (Sequence[Sequence[int]]): Per level, coarsest first.
        thresholds (tuple[int, int], optional): ``(many_thr, few_thr)``.
        subset_fingerprint (dict, optional): The training subset's
            fingerprint (a plain dict); the key is written only when given.
    """
    many_thr, few_thr = thresholds if thresholds is not None else (None, None)
    record = dict(classes=None if classes is None else [str(c) for c in classes],
                  class_counts=[int(c) for c in class_counts],
                  level_counts=[[int(c) for c in level] for level in level_counts],
                  many_thr=many_thr, few_thr=few_thr)
    if subset_fingerprint is not None:
        record['subset_fingerprint'] = dict(subset_fingerprint)
    tmp = f'{path}.tmp'
    with open(tmp, 'w') as f:
        json.dump(record, f, indent=1)
    os.replace(tmp, path)


def check_class_order(train_classes: Optional[Sequence[str]],
                      eval_classes: Optional[Sequence[str]], source: str) -> None:
    """Raise when the evaluated dataset names its classes unlike the training set.

    Scores are class indices; the same index must mean the same class in
    training and evaluation (an image folder sorts its classes by name, an
    annotation list keeps the given order).

    Args:
        train_classes (Sequence[str], optional): Training class names.
        eval_classes (Sequence[str], optional): Evaluated dataset's names.
        source (str): Where the training names come from.
    """
    if not train_classes or not eval_classes:
        return
    # names as text: a JSON file gives back strings for any class names
    train_classes = [str(c) for c in train_classes]
    eval_classes = [str(c) for c in eval_classes]
    if train_classes == eval_classes:
        return
    if len(train_classes) != len(eval_classes):
        return  # check_counts_length names that problem
    differ = [i for i, (a, b) in enumerate(zip(train_classes, eval_classes)) if a != b]
    first = differ[0]
    raise ValueError(
        f'The evaluated dataset orders its classes unlike the training set '
        f'({source}): index {first} is {eval_classes[first]!r} there and '
        f'{train_classes[first]!r} in training ({len(differ)} of '
        f'{len(train_classes)} indices differ), so predictions would be scored '
        'against the wrong classes. Give the val/test dataset the training '
        'class order, e.g. metainfo=dict(classes=[...]) in the same order on '
        'both datasets (an image folder sorts its classes by name).')


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
