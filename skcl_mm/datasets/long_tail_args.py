"""Checks of LongTailHierarchyDataset's arguments (types and ranges, before any
work) and of what the wrapped dataset gives it (labels, loaded images).

Each message names the parameter, the value and type given, and what to write.
"""
import difflib
import math
import numbers
import os
from typing import List, Optional, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger

from mmpretrain.registry import DATASETS
from skcl_mm.structures.train_counts import DEFAULT_FEW_THR, DEFAULT_MANY_THR

WHERE = 'LongTailHierarchyDataset'


def _given(value) -> str:
    return f'{value!r} ({type(value).__name__})'


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_seed(seed) -> int:
    """The seed of the per-class selection as an int >= 0."""
    if not _is_int(seed) or seed < 0:
        error = ValueError if _is_int(seed) else TypeError
        raise error(
            f'{WHERE}: seed must be an int >= 0 (it picks the images of the '
            f'long-tailed subset, identically on every rank and run), got '
            f'{_given(seed)}. Write e.g. seed=0; it is independent of the '
            "run's randomness seed.")
    return int(seed)


def check_imbalance_factor(factor) -> Optional[Union[int, float]]:
    """None, or a finite number >= 1 (``n_max / n_min`` of the profile)."""
    if factor is None:
        return None
    fix = ('Write a number >= 1, e.g. imbalance_factor=100 (the largest class '
           'has 100x the images of the smallest), or None to keep the dataset '
           'as given.')
    if isinstance(factor, bool):
        raise TypeError(f'{WHERE}: imbalance_factor got {_given(factor)}; a '
                        f'bool is not an imbalance factor (True is not 1). {fix}')
    if isinstance(factor, str):
        try:
            written = f'imbalance_factor={float(factor):g} (no quotes)'
        except ValueError:
            written = 'a number >= 1, e.g. imbalance_factor=100'
        raise TypeError(f'{WHERE}: imbalance_factor got the string {factor!r} '
                        f'(str); write a number, not text: {written}, or None '
                        'to keep the dataset as given.')
    if not isinstance(factor, numbers.Real):
        raise TypeError(f'{WHERE}: imbalance_factor got {_given(factor)}. {fix}')
    if not math.isfinite(factor) or factor < 1:
        raise ValueError(f'{WHERE}: imbalance_factor must be >= 1 and finite '
                         f'(n_max / n_min), got {_given(factor)}. {fix}')
    return int(factor) if _is_int(factor) else float(factor)


def check_thresholds(many_thr, few_thr):
    """``many_thr`` and ``few_thr`` as ints >= 0 with few_thr <= many_thr."""
    for name, value, example in (('many_thr', many_thr, DEFAULT_MANY_THR),
                                 ('few_thr', few_thr, DEFAULT_FEW_THR)):
        if not _is_int(value) or value < 0:
            raise (ValueError if _is_int(value) else TypeError)(
                f'{WHERE}: {name} must be an int >= 0 (a number of training '
                f'images per class), got {_given(value)}. Write e.g. '
                f'{name}={example}.')
    if few_thr > many_thr:
        raise ValueError(f'{WHERE}: few_thr ({few_thr}) must not exceed many_thr '
                         f'({many_thr}); classes with fewer than few_thr images '
                         'are "few", with more than many_thr "many".')
    return int(many_thr), int(few_thr)


def check_hierarchy(hierarchy) -> Optional[str]:
    """None, or the name or path as a str (a PathLike is accepted)."""
    if hierarchy is None:
        return None
    if isinstance(hierarchy, (str, os.PathLike)):
        return os.fspath(hierarchy)
    raise TypeError(
        f'{WHERE}: hierarchy must be None (one level), a shipped name such as '
        f"'cifar100', 'dataset' (the wrapped dataset's own) or the path of a "
        f'JSON/YAML tree, got {_given(hierarchy)}.')


def check_levels(levels) -> Optional[List[str]]:
    """None (every level), or a non-empty list of distinct level names."""
    if levels is None:
        return None
    names = list(levels) if isinstance(levels, (list, tuple)) else None
    if not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise TypeError(
            f'{WHERE}: levels must be None (every level of the hierarchy) or a '
            'non-empty list of level names, coarsest first, ending with the '
            f"finest, e.g. levels=['genus', 'species'], got {_given(levels)}.")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f'{WHERE}: levels={names} repeats {repeated}; name '
                         'each level once.')
    return names


def build_wrapped(dataset) -> BaseDataset:
    """The wrapped dataset from a config dict, or the dataset itself."""
    if isinstance(dataset, BaseDataset):
        return dataset
    if not isinstance(dataset, dict):
        nested = type(dataset).__name__ == WHERE
        raise TypeError(
            f'{WHERE}: dataset must be a config dict (dict(type=..., ...)) or a '
            f'built mmengine BaseDataset, got {type(dataset).__name__}'
            + ('; do not wrap a LongTailHierarchyDataset in another: give its '
               'settings to one wrapper.' if nested else
               f' {dataset!r}; write e.g. dataset=dict(type=\'CIFAR100\', '
               "data_root='data/cifar100', split='train')." if isinstance(
                   dataset, str) else '.'))
    kind = dataset.get('type')
    if kind is None:
        raise ValueError(f'{WHERE}: the dataset config has no "type" (keys: '
                       f'{sorted(dataset)}); write e.g. dataset=dict('
                       "type='CIFAR100', ...).")
    if isinstance(kind, str) and DATASETS.get(kind) is None:
        known = sorted(set(DATASETS.module_dict) | set(
            getattr(DATASETS.parent, 'module_dict', {})))
        close = difflib.get_close_matches(kind, known, 3, 0.6)
        raise ValueError(
            f"{WHERE}: dataset type {kind!r} is not a registered dataset"
            + (f'; did you mean {close}?' if close else '.')
            + ' Check the spelling, and that custom_imports imports the module '
            'that registers it.')
    return DATASETS.build(dataset)


def check_wrapped(dataset, needs_subset: bool, needs_pipeline: bool):
    """Raise unless the wrapped dataset has what the wrapper calls."""
    needed = ['metainfo', 'full_init', 'get_gt_labels', 'get_data_info']
    needed += ['get_subset'] * needs_subset + ['pipeline'] * needs_pipeline
    missing = [name for name in needed if not hasattr(dataset, name)]
    if missing:
        raise TypeError(
            f'{WHERE}: the wrapped {type(dataset).__name__} lacks {missing}; wrap '
            'an mmpretrain dataset (a BaseDataset subclass: CIFAR100, '
            'ImageNetLT, CustomDataset, ...)'
            + (', and give pipeline= to the wrapper' if missing == ['pipeline']
               else '') + '.')


def wrapped_classes(dataset) -> list:
    """The wrapped dataset's class names; an error naming the fix when none."""
    classes = dataset.metainfo.get('classes')
    if not classes:  # e.g. a CustomDataset that finds its classes on disk
        dataset.full_init()
        classes = dataset.metainfo.get('classes')
    if not classes:
        raise ValueError(
            f'{WHERE}: the wrapped {type(dataset).__name__} has no class names '
            f'(`classes` in its metainfo is {dataset.metainfo.get("classes")!r}); '
            "give them in the wrapped dataset's config: metainfo=dict(classes="
            "['cat', 'dog', ...]) in label order.")
    return list(classes)


def warn_long_tailed_test_set(factor, dataset) -> None:
    """Warn once: an imbalance factor on a test_mode dataset is rarely meant."""
    MMLogger.get_current_instance().warning(
        f'{WHERE}: imbalance_factor={factor} on a test_mode '
        f'{type(dataset).__name__}: the evaluated set becomes long-tailed too. '
        'Test sets normally stay balanced: set imbalance_factor=None for '
        'val/test data unless this is intended.')


def check_labels(labels: np.ndarray, num_classes: int) -> None:
    """Every label of the wrapped dataset is a class index."""
    bad = np.flatnonzero((labels < 0) | (labels >= num_classes))
    if bad.size:
        raise ValueError(
            f'{bad.size} samples have a label outside [0, {num_classes}) '
            f'(the dataset has {num_classes} classes), e.g. sample '
            f'{int(bad[0])} with label {int(labels[bad[0]])}. Check the '
            'annotation list against the class list.')


def no_loader_error(idx: int, info: dict) -> KeyError:
    """The error for a sample whose pipeline never loaded its image."""
    return KeyError(
        f"sample {idx} has an img_path ({info['img_path']!r}) but no image: "
        "start the pipeline with dict(type='LoadImageFromFile') (it gives "
        'BGR images: set to_rgb=True in the data preprocessor, '
        'docs/own_data.md).')
