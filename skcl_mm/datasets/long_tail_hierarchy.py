"""LongTailHierarchyDataset: any mmpretrain dataset, long-tailed and labelled per level."""
import copy
import os
from typing import List, Optional, Union

import numpy as np
import torch
from mmengine.dataset import BaseDataset, Compose, force_full_init
from mmengine.logging import MMLogger

from mmpretrain.registry import DATASETS, TRANSFORMS
from skcl_mm.semantics.descriptions import check_descriptions_arg
from skcl_mm.structures import (DEFAULT_FEW_THR, DEFAULT_MANY_THR,
                                split_many_medium_few)
from .dataset_hierarchy import FROM_DATASET, provided_texts, resolve_hierarchy
from .long_tail_args import (WHERE, build_wrapped, check_hierarchy,
                             check_imbalance_factor, check_labels,
                             check_levels, check_seed, check_thresholds,
                             check_wrapped, no_loader_error,
                             warn_long_tailed_test_set, wrapped_classes)
from .subset_fingerprint import subset_fingerprint


def long_tail_counts(n_max: int, num_classes: int,
                     imbalance_factor: float) -> List[int]:
    """Images per class of the exponential profile (LDAM-DRW, Cao et al. 2019).

    ``n_c = int(n_max * (1 / IF) ** (c / (C - 1)))`` for class index ``c``; class
    0 keeps ``n_max`` and the last class ``int(n_max / IF)``.
    """
    if num_classes == 1:
        return [int(n_max)]
    return [int(n_max * (1.0 / imbalance_factor)**(c / (num_classes - 1)))
            for c in range(num_classes)]


@DATASETS.register_module()
class LongTailHierarchyDataset:
    """A long-tailed view of a dataset whose samples carry a label per level.

    The wrapped dataset is taken as given (a balanced test set, or an
    ImageNet-LT style annotation list it reads itself), or made long-tailed by
    the exponential profile: class ``c`` keeps ``n_c`` images (see
    :func:`long_tail_counts`; ``n_max`` is the smallest class size of the
    wrapped data, the per-class size of a balanced set), chosen per class by a
    local generator seeded with ``seed``, so every rank and every run gets the
    identical subset.

    Every sample gets ``gt_level_labels`` (``(n_levels,)``, coarsest level
    first, the last entry equals ``gt_label``): an int64 array in the data info
    the pipeline sees, a LongTensor field of the packed data sample.

    Metainfo: ``classes`` (finest level), ``class_counts`` (images per finest
    class in this dataset), ``level_classes`` and ``level_counts`` (per level,
    coarsest first), ``level_names``, ``fine_to_level`` (``(n_levels, n_fine)``
    level label of each fine class) and ``many_medium_few`` (fine class indices
    with more than ``many_thr``, from ``few_thr`` to ``many_thr``, and fewer
    than ``few_thr`` images; the two thresholds too) and
    ``subset_fingerprint`` (which images, chosen by which settings: see
    :mod:`skcl_mm.datasets.subset_fingerprint`); ``descriptions`` when given.

    Every argument is checked (type and range) before the wrapped dataset is
    built; a wrong one stops with a message naming it and the fix.

    Args:
        dataset (dict | BaseDataset): The dataset to wrap, or its config.
        imbalance_factor (int | float, optional): ``n_max / n_min`` of the
            profile, a finite number >= 1 (not a bool or a string); ``None``
            keeps the dataset as given. Defaults to None.
        seed (int): Seed of the per-class selection, an int >= 0. Defaults to 0.
        hierarchy (str | PathLike, optional): ``None`` (one level),
            ``'cifar100'``, ``'cifar10'``, another shipped name, the path of
            a JSON/YAML tree (see :mod:`skcl_mm.datasets.hierarchies`) or
            ``'dataset'``: the wrapped dataset's own (``INat2018``: seven
            ranks; :mod:`skcl_mm.datasets.dataset_hierarchy`). Defaults to None.
        levels (list[str], optional): The named levels of the hierarchy to
            keep, coarsest first, ending with the finest (``['genus',
            'species']``). Defaults to None (every level).
        many_thr (int): More than this many training images is "many" (>= 0).
        few_thr (int): Fewer than this many is "few" (0 <= few_thr <= many_thr).
        descriptions (str | PathLike | dict, optional): Text about every
            class of every level, for methods that read it (SKCL's
            ``SemanticGraphHook``): a shipped set (``'cifar100'``), a
            description file, a dict class name -> text, or ``'dataset'``:
            the texts the wrapped dataset provides (stored as a dict). Others
            are stored in the metainfo as given (a name or path, not the
            texts); nothing reads them here. Defaults to None.
        pipeline (list[dict], optional): The data pipeline. Given here, it
            replaces the wrapped dataset's own, and tools that read
            ``test_dataloader.dataset.pipeline`` (mmpretrain's inferencers)
            find it. Defaults to the wrapped dataset's pipeline.
        lazy_init (bool): Defer building the subset to :meth:`full_init`.
    """

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 imbalance_factor: Optional[Union[int, float]] = None,
                 seed: int = 0,
                 hierarchy: Optional[Union[str, os.PathLike]] = None,
                 levels: Optional[List[str]] = None,
                 many_thr: int = DEFAULT_MANY_THR,
                 few_thr: int = DEFAULT_FEW_THR,
                 descriptions: Optional[Union[str, os.PathLike, dict]] = None,
                 pipeline: Optional[List[dict]] = None,
                 lazy_init: bool = False):
        # Every argument is checked before the wrapped dataset is built.
        self.imbalance_factor = check_imbalance_factor(imbalance_factor)
        self.seed = check_seed(seed)
        self.hierarchy_source = check_hierarchy(hierarchy)
        self.levels = check_levels(levels)
        self.many_thr, self.few_thr = check_thresholds(many_thr, few_thr)
        if descriptions != FROM_DATASET:
            check_descriptions_arg(descriptions, WHERE)
        self.descriptions = (os.fspath(descriptions) if isinstance(
            descriptions, os.PathLike) else descriptions)
        if pipeline is not None and not isinstance(pipeline, (list, tuple)):
            raise TypeError(f'LongTailHierarchyDataset: pipeline must be a list of '
                            f'transform dicts, got {type(pipeline).__name__}; '
                            "write e.g. pipeline=[dict(type='PackInputs')].")
        self.dataset = build_wrapped(dataset)
        check_wrapped(self.dataset, self.imbalance_factor is not None,
                      pipeline is None)
        self.pipeline = self.dataset.pipeline if pipeline is None else Compose(
            [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline])
        classes = wrapped_classes(self.dataset)
        if self.imbalance_factor is not None and self.test_mode:
            warn_long_tailed_test_set(self.imbalance_factor, self.dataset)
        # Hierarchy errors surface here, before any data is read.
        self.hierarchy = resolve_hierarchy(self.hierarchy_source, self.dataset,
                                           classes, self.levels)
        self._fine_to_level = np.asarray(self.hierarchy.fine_to_level,
                                         dtype=np.int64).T.copy()  # (n_fine, L)
        self._metainfo = dict(self.dataset.metainfo)
        if self.descriptions == FROM_DATASET:
            self._metainfo['descriptions'] = provided_texts(self.dataset, self.hierarchy)
        elif self.descriptions is not None:
            self._metainfo['descriptions'] = self.descriptions
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        """A copy of the meta information (see the class docstring)."""
        return copy.deepcopy(self._metainfo)

    @property
    def test_mode(self) -> bool:
        return getattr(self.dataset, 'test_mode', False)

    def full_init(self):
        """Read the wrapped dataset's labels and build the long-tailed subset."""
        if self._fully_initialized:
            return
        self.dataset.full_init()
        labels = np.asarray(self.dataset.get_gt_labels(), dtype=np.int64).reshape(-1)
        num_classes = len(self.hierarchy.fine_classes)
        check_labels(labels, num_classes)
        indices = np.arange(len(labels))
        if self.imbalance_factor is not None:
            indices = self._long_tail_indices(labels, num_classes)
        class_counts = np.bincount(labels[indices], minlength=num_classes).tolist()
        self._check_counts(class_counts)
        # Before get_subset: indices into the full dataset and its data list.
        fingerprint = subset_fingerprint(
            self.dataset, indices, labels[indices], self.imbalance_factor,
            self.seed, self.hierarchy_source, self.hierarchy.level_classes)
        if self.imbalance_factor is not None:
            self.dataset = self.dataset.get_subset(indices.tolist())
        self._labels = labels[indices]
        self._metainfo.update(
            classes=list(self.hierarchy.fine_classes),
            class_counts=class_counts,
            level_classes=self.hierarchy.level_classes,
            level_names=self.hierarchy.level_names,
            level_counts=self.hierarchy.level_counts(class_counts),
            fine_to_level=self.hierarchy.fine_to_level,
            many_medium_few=split_many_medium_few(class_counts, self.many_thr, self.few_thr),
            many_thr=self.many_thr, few_thr=self.few_thr,
            imbalance_factor=self.imbalance_factor,
            subset_fingerprint=fingerprint)
        self._fully_initialized = True
        self._log_summary(class_counts)

    def _long_tail_indices(self, labels: np.ndarray, num_classes: int) -> np.ndarray:
        per_class = [np.flatnonzero(labels == c) for c in range(num_classes)]
        # The head of the profile is the smallest class size, so every class
        # can fill its quota (on a balanced set: the per-class size).
        n_max = min(len(idx) for idx in per_class)
        if n_max == 0:
            absent = [self.hierarchy.fine_classes[c]
                      for c, idx in enumerate(per_class) if not len(idx)]
            raise ValueError(
                f'imbalance_factor={self.imbalance_factor} needs images of every '
                f'class, but the wrapped {type(self.dataset).__name__} has none of '
                f'{len(absent)} classes: {absent[:10]}. Check its data root / '
                'annotation file, or drop those classes from metainfo classes.')
        targets = long_tail_counts(n_max, num_classes, self.imbalance_factor)
        empty = [self.hierarchy.fine_classes[c] for c, n in enumerate(targets) if n == 0]
        if empty:
            raise ValueError(
                f'imbalance_factor={self.imbalance_factor} leaves {len(empty)} '
                f'classes with 0 images (n_max={n_max}), e.g. {empty[:5]}. Use '
                f'an imbalance factor of at most {n_max}.')
        rng = np.random.default_rng(self.seed)  # local: same subset on every rank
        keep = [rng.permutation(idx)[:n] for idx, n in zip(per_class, targets)]
        return np.sort(np.concatenate(keep))

    def _check_counts(self, class_counts: List[int]):
        empty = [name for name, n in zip(self.hierarchy.fine_classes, class_counts)
                 if n == 0]
        if not empty:
            return
        msg = (f'{len(empty)} classes have 0 images: {empty[:10]}'
               f'{" ..." if len(empty) > 10 else ""}.')
        if self.test_mode:
            MMLogger.get_current_instance().warning(
                msg + ' They are left out of per-class means.')
        else:
            raise ValueError(msg + ' Every class needs at least one training '
                             'image: check the data root or annotation list. '
                             'For a validation/test set, build the wrapped '
                             'dataset with test_mode=True: absent classes are '
                             'then left out of the per-class means.')

    def _log_summary(self, class_counts: List[int]):
        split = self._metainfo['many_medium_few']
        groups = ('(a test set: the metric groups classes by training counts)'
                  if self.test_mode else 'many/medium/few classes '
                  f'{len(split["many"])}/{len(split["medium"])}/{len(split["few"])}')
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}({type(self.dataset).__name__}): '
            f'{sum(class_counts)} images, {len(class_counts)} classes, '
            f'{self.hierarchy.num_levels} level(s) '
            f'{[len(c) for c in self.hierarchy.level_classes]}, max/min per class '
            f'{max(class_counts)}/{min(class_counts)}, {groups}.')

    @force_full_init
    def __len__(self) -> int:
        return len(self._labels)

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """The wrapped dataset's data info plus ``gt_level_labels``."""
        info = self.dataset.get_data_info(idx)
        # numpy, not a tensor: MultiView deep-copies the info once per view,
        # and copying a tensor costs ~50x more (docs/benchmarks.md).
        info['gt_level_labels'] = self._fine_to_level[int(info['gt_label'])].copy()
        return info

    @force_full_init
    def __getitem__(self, idx: int) -> dict:
        info = self.get_data_info(idx)
        unloaded = 'img' not in info and 'img_path' in info
        try:
            results = self.pipeline(info)
        except KeyError as error:
            if unloaded and error.args == ('img', ):
                raise no_loader_error(idx, info) from error
            raise
        if results is None:
            raise RuntimeError(f'The pipeline returned None for sample {idx}.')
        if unloaded and isinstance(results, dict) and not (
                {'inputs', 'img'} & set(results)):
            raise no_loader_error(idx, info)
        sample = results.get('data_samples') if isinstance(results, dict) else None
        if sample is not None:
            sample.set_field(torch.from_numpy(info['gt_level_labels']), 'gt_level_labels')
        return results

    @force_full_init
    def get_gt_labels(self) -> np.ndarray:
        """Finest-level labels of all samples, ``(N,)``."""
        return self._labels.copy()

    @force_full_init
    def get_cat_ids(self, idx: int) -> List[int]:
        return [int(self._labels[idx])]

    @property
    def CLASSES(self):
        return self._metainfo.get('classes')

    @property
    def class_to_idx(self) -> dict:
        return {name: i for i, name in enumerate(self.CLASSES)}

    def __repr__(self) -> str:
        lines = [f'Dataset {type(self).__name__}',
                 f'    Wrapped: {type(self.dataset).__name__}',
                 f'    Imbalance factor: {self.imbalance_factor}',
                 f'    Hierarchy: {self.hierarchy_source}']
        if self._fully_initialized:
            lines.append(f'    Number of samples: {len(self)}')
        return '\n'.join(lines)
