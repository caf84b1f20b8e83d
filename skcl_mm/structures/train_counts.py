"""TrainCounts: the training images per class of a run, as one checked record.

The record is made once from the training dataset (``TrainCountsHook``) or
read from the ``train_counts.json`` a training run wrote; the model head takes
its ``level_counts`` and the long-tail metric the whole record. The many /
medium / few thresholds of the long-tail protocol and the split live here only.
"""
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .train_counts_file import read_counts_json, write_json_atomic

# The long-tail protocol (Liu et al., OLTR, CVPR 2019; BCL and SKCL report it): "many"
# is more than 100 training images, "few" fewer than 20, "medium" the rest.
DEFAULT_MANY_THR, DEFAULT_FEW_THR = 100, 20


def split_many_medium_few(class_counts: Sequence[int],
                          many_thr: int = DEFAULT_MANY_THR,
                          few_thr: int = DEFAULT_FEW_THR) -> Dict[str, List[int]]:
    """Class indices with > many_thr (many), < few_thr (few) or other (medium).

    Args:
        class_counts (Sequence[int]): (C,) training images per class.
        many_thr (int): More than this many images is "many".
        few_thr (int): Fewer than this many images is "few".

    Returns:
        dict[str, list[int]]: ``many``, ``medium``, ``few`` -> class indices.
    """
    split = dict(many=[], medium=[], few=[])
    for cls, count in enumerate(class_counts):
        key = 'many' if count > many_thr else 'few' if count < few_thr else 'medium'
        split[key].append(cls)
    return split


def check_thresholds(many_thr: int, few_thr: int) -> None:
    """``few_thr <= many_thr`` ("few" is below "many")."""
    if few_thr > many_thr:
        raise ValueError(
            f'Thresholds inverted: few_thr={few_thr} > many_thr={many_thr}. '
            'Expected few_thr <= many_thr ("few" is < few_thr training '
            f'images, "many" is > many_thr), e.g. few_thr={DEFAULT_FEW_THR}, '
            f'many_thr={DEFAULT_MANY_THR}.')


def check_counts(counts, source: str = 'train_counts') -> List[int]:
    """Check that ``counts`` is a non-empty flat list of non-negative ints.

    Args:
        counts (Sequence[int] | ndarray | Tensor): (C,) one count per class.
        source (str): Where the counts come from, for the error message.

    Returns:
        list[int]: The counts as Python ints.
    """
    if hasattr(counts, 'tolist') and not isinstance(counts, np.ndarray):
        counts = counts.tolist()  # a torch.Tensor, without importing torch
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


def _checked_levels(levels, counts: Tuple[int, ...]) -> Tuple[Tuple[int, ...], ...]:
    """Per-level counts as tuples: coarsest first, the last equal to ``counts``
    and every level holding all the images."""
    levels = tuple(tuple(check_counts(level, f'TrainCounts level_counts[{i}]'))
                   for i, level in enumerate([counts] if levels is None else levels))
    if levels[-1] != counts or any(sum(level) != sum(counts) for level in levels):
        raise ValueError(
            'TrainCounts level_counts: expected levels coarsest first, the last '
            f'equal to class_counts and every level summing to {sum(counts)} '
            f'images; got level sizes {[len(level) for level in levels]} and sums '
            f"{[sum(level) for level in levels]}. Give the dataset metainfo's "
            'level_counts unchanged.')
    return levels


def _checked_classes(classes, num_classes: int) -> Optional[Tuple[str, ...]]:
    """Class names as text (a JSON file gives back strings for any names)."""
    if classes is None:
        return None
    classes = tuple(str(name) for name in classes)
    if len(classes) != num_classes:
        raise ValueError(f'TrainCounts classes: {len(classes)} names for '
                         f'{num_classes} class_counts; expected one name per count.')
    return classes


@dataclass(frozen=True, init=False)
class TrainCounts:
    """Training images per class of a run, and how to group the classes.

    Keyword arguments only. Fields are checked and stored as tuples when the
    record is made; a bad field stops there with a message naming it.

    Args:
        classes (Sequence[str], optional): (C,) finest class names (text).
        class_counts (Sequence[int]): (C,) training images per finest class,
            class-index order.
        level_counts (Sequence[Sequence[int]], optional): Counts per class of
            every level, coarsest first; the last level is ``class_counts``.
            Defaults to ``(class_counts,)`` (one level).
        many_thr (int, optional): The training dataset's "many" threshold;
            None where it has none (users of the record then use their own or
            :data:`DEFAULT_MANY_THR`). Given together with ``few_thr``.
        few_thr (int, optional): The training dataset's "few" threshold.
        subset_fingerprint (dict, optional): Which training images (see
            :mod:`skcl_mm.datasets.subset_fingerprint`).
    """
    classes: Optional[Tuple[str, ...]]
    class_counts: Tuple[int, ...]
    level_counts: Tuple[Tuple[int, ...], ...]
    many_thr: Optional[int]
    few_thr: Optional[int]
    subset_fingerprint: Optional[dict]

    def __init__(self, *, class_counts: Sequence[int],
                 classes: Optional[Sequence[str]] = None,
                 level_counts: Optional[Sequence[Sequence[int]]] = None,
                 many_thr: Optional[int] = None, few_thr: Optional[int] = None,
                 subset_fingerprint: Optional[dict] = None):
        counts = tuple(check_counts(class_counts, 'TrainCounts class_counts'))
        self._set('class_counts', counts)
        self._set('level_counts', _checked_levels(level_counts, counts))
        self._set('classes', _checked_classes(classes, len(counts)))
        self._set('many_thr', many_thr)
        self._set('few_thr', few_thr)
        self._check_thresholds()
        if subset_fingerprint is not None and not isinstance(subset_fingerprint, dict):
            raise ValueError(
                'TrainCounts subset_fingerprint must be a dict (the dataset '
                f"metainfo's), got {type(subset_fingerprint).__name__}.")
        self._set('subset_fingerprint', None if subset_fingerprint is None
                  else dict(subset_fingerprint))  # a copy: the caller's stays theirs

    def _set(self, name: str, value) -> None:
        object.__setattr__(self, name, value)  # frozen: only while being made

    def _check_thresholds(self) -> None:
        given = [(n, v) for n, v in (('many_thr', self.many_thr),
                                     ('few_thr', self.few_thr)) if v is not None]
        if len(given) == 1:
            raise ValueError(f'TrainCounts: {given[0][0]}={given[0][1]} without '
                             f'the other threshold; give many_thr and few_thr '
                             'together, or neither.')
        for name, value in given:
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f'TrainCounts {name} must be an int >= 0, got '
                                f'{value!r} ({type(value).__name__}).')
            if value < 0:
                raise ValueError(f'TrainCounts {name} must be an int >= 0, got '
                                 f'{value!r}.')
            self._set(name, int(value))
        if given:
            check_thresholds(self.many_thr, self.few_thr)

    @property
    def num_classes(self) -> int:
        """C, the number of finest classes."""
        return len(self.class_counts)

    @property
    def thresholds(self) -> Optional[Tuple[int, int]]:
        """``(many_thr, few_thr)`` of the training dataset, or None."""
        return None if self.many_thr is None else (self.many_thr, self.few_thr)

    def many_medium_few(self) -> Dict[str, List[int]]:
        """:func:`split_many_medium_few` with the record's thresholds (else the
        defaults)."""
        many_thr, few_thr = self.thresholds or (DEFAULT_MANY_THR, DEFAULT_FEW_THR)
        return split_many_medium_few(self.class_counts, many_thr, few_thr)

    def check_num_classes(self, num_classes: int, source: str,
                          classes_from: str) -> None:
        """Raise unless there is one count per evaluated class.

        Args:
            num_classes (int): Number of finest classes evaluated.
            source (str): Where the counts come from.
            classes_from (str): Where ``num_classes`` comes from.
        """
        if self.num_classes != num_classes:
            raise ValueError(
                f'{source} has {self.num_classes} entries but the evaluated '
                f'dataset has {num_classes} classes ({classes_from}); expected '
                'one training count per finest class, in class-index order. '
                'Use the counts of the training set of this same dataset.')

    def check_class_order(self, eval_classes: Optional[Sequence], source: str) -> None:
        """Raise when the evaluated dataset orders its classes unlike training.

        Scores are class indices; the same index must mean the same class in
        training and evaluation (an image folder sorts its classes by name, an
        annotation list keeps the given order). Names compare as text.

        Args:
            eval_classes (Sequence, optional): (C,) evaluated class names.
            source (str): Where the training names come from.
        """
        if not self.classes or not eval_classes:
            return
        train, evaluated = list(self.classes), [str(c) for c in eval_classes]
        if train == evaluated or len(train) != len(evaluated):
            return  # a length mismatch is check_num_classes's message
        differ = [i for i, (a, b) in enumerate(zip(train, evaluated)) if a != b]
        first = differ[0]
        raise ValueError(
            f'The evaluated dataset orders its classes unlike the training set '
            f'({source}): index {first} is {evaluated[first]!r} there and '
            f'{train[first]!r} in training ({len(differ)} of {len(train)} '
            'indices differ), so predictions would be scored against the wrong '
            'classes. Give the val/test dataset the training class order, e.g. '
            'metainfo=dict(classes=[...]) in the same order on both datasets '
            '(an image folder sorts its classes by name).')

    @classmethod
    def from_dataset(cls, dataset) -> 'TrainCounts':
        """The record of a (training) dataset.

        ``class_counts``, ``level_counts``, ``classes`` and
        ``subset_fingerprint`` come from the metainfo (a lazily initialised
        wrapper is fully initialised first); without ``class_counts`` there,
        the counts are those of ``get_gt_labels()``. The thresholds are the
        dataset's ``many_thr`` / ``few_thr`` attributes (or metainfo keys).

        Args:
            dataset: A dataset with ``metainfo`` (and ``get_gt_labels()`` when
                the metainfo has no ``class_counts``).
        """
        meta = dataset.metainfo
        if 'class_counts' not in meta and callable(getattr(dataset, 'full_init', None)):
            dataset.full_init()  # lazily initialised wrappers fill their metainfo here
            meta = dataset.metainfo
        if 'class_counts' in meta:
            class_counts = meta['class_counts']
        else:
            labels = np.asarray(dataset.get_gt_labels(), dtype=np.int64).reshape(-1)
            num_classes = len(meta.get('classes') or ()) or int(labels.max()) + 1
            class_counts = np.bincount(labels, minlength=num_classes).tolist()
        many_thr = getattr(dataset, 'many_thr', meta.get('many_thr'))
        few_thr = getattr(dataset, 'few_thr', meta.get('few_thr'))
        both = many_thr is not None and few_thr is not None
        return cls(class_counts=class_counts, classes=meta.get('classes'),
                   level_counts=meta.get('level_counts') or None,
                   many_thr=many_thr if both else None,
                   few_thr=few_thr if both else None,
                   subset_fingerprint=meta.get('subset_fingerprint'))

    @classmethod
    def from_file(cls, path: Union[str, os.PathLike]) -> 'TrainCounts':
        """Read a ``train_counts.json`` (see :meth:`to_file`), a JSON list of
        per-class counts, or a dumped dataset metainfo (``class_counts`` at
        the top or under ``metainfo``); see :func:`read_counts_json`.

        Args:
            path (str | PathLike): The JSON file.
        """
        path = os.fspath(path)
        fields = read_counts_json(path)
        fields['class_counts'] = check_counts(fields['class_counts'], path)
        try:
            return cls(**fields)
        except (TypeError, ValueError) as error:
            raise ValueError(f'train_counts file {path!r}: {error}') from error

    def to_file(self, path: Union[str, os.PathLike]) -> None:
        """Write the record as JSON, atomically (a reader never sees half a
        file); ``subset_fingerprint`` is written only when known.

        Args:
            path (str | PathLike): Target ``.json`` file.
        """
        record = dict(classes=None if self.classes is None else list(self.classes),
                      class_counts=list(self.class_counts),
                      level_counts=[list(level) for level in self.level_counts],
                      many_thr=self.many_thr, few_thr=self.few_thr)
        if self.subset_fingerprint is not None:
            record['subset_fingerprint'] = dict(self.subset_fingerprint)
        write_json_atomic(record, os.fspath(path))
