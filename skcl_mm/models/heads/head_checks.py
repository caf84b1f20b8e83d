"""Checks of SKCLHead's settings (construction) and of what reaches it (features, labels)."""
import warnings
from typing import List, Optional, Sequence

import torch
from torch import Tensor

from skcl_mm.structures.batch_labels import BatchLabels
from skcl_mm.utils.checks import (check_bool, check_int, check_int_list,
                                  check_number, check_number_list, is_int)
from ..data_preprocessors.view_order import VIEWS_FIX

LEVELS_FIX = ('Classes per level, coarsest first: [20, 100] for CIFAR-100, '
              '[2, 10] for CIFAR-10, [1000] for one level.')
WRAP_FIX = ("wrap the training dataset in dict(type='LongTailHierarchyDataset', "
            "dataset=..., hierarchy='cifar100' or a hierarchy file), which "
            'gives every sample its gt_level_labels')


def check_level_num_classes(value) -> List[int]:
    """Classes per level: a non-empty list of ints >= 1, coarsest level first.

    A coarser level cannot hold more classes than the next finer one (every
    fine class has one parent), so a decreasing list is a reversed one.
    """
    levels = check_int_list('SKCLHead level_num_classes', value, minimum=1,
                            min_length=1, fix=LEVELS_FIX)
    for level in range(len(levels) - 1):
        if levels[level] > levels[level + 1]:
            raise ValueError(
                f'SKCLHead level_num_classes={levels}: level {level} has more '
                f'classes ({levels[level]}) than the finer level {level + 1} '
                f'({levels[level + 1]}); list the levels coarsest first: '
                f'{sorted(levels)}.')
    return levels


def check_head_widths(in_channels, mlp_hidden_channels, feat_channels,
                      cosine_classifier, cosine_scale) -> None:
    """Layer widths are ints >= 1, the cosine scale a finite number > 0."""
    check_int('SKCLHead in_channels', in_channels, minimum=1,
              fix="It is the neck's feature width: 64 for CifarResNet, 2048 "
              'for ResNet-50.')
    check_int('SKCLHead mlp_hidden_channels', mlp_hidden_channels, minimum=1,
              fix='Hidden width of the projection / prototype MLPs (512 for '
              'CIFAR, 2048 for ImageNet-LT).')
    check_int('SKCLHead feat_channels', feat_channels, minimum=1,
              fix='Width of the contrastive features (128 for CIFAR, 1024 for '
              'ImageNet-LT).')
    check_bool('SKCLHead cosine_classifier', cosine_classifier)
    check_number('SKCLHead cosine_scale', cosine_scale, minimum=0,
                 open_minimum=True, fix='The logit scale s of the cosine '
                 'classifier (30.0 for ImageNet-LT).')


def check_topk(topk, num_fine: int) -> tuple:
    """``topk`` as a tuple of ints in ``[1, num_fine]``."""
    fix = f'The head scores {num_fine} fine classes; e.g. topk=(1, ).'
    values = (topk, ) if is_int(topk) or isinstance(topk, bool) else topk
    return tuple(check_int_list('SKCLHead topk', values, minimum=1,
                                maximum=num_fine, min_length=1, fix=fix))


def check_level_weights(weights, num_levels: int) -> Optional[List[float]]:
    """``level_loss_weights``: None or one finite number >= 0 per level."""
    if weights is None:
        return None
    return check_number_list(
        'SKCLHead level_loss_weights', weights, minimum=0, length=num_levels,
        fix=f'One CE weight w_l per level ({num_levels} levels, coarsest '
        'first), e.g. [1.0, 2.0].')


def contrastive_cfg(cfg, level_num_classes: List[int]) -> dict:
    """The ``contrastive_loss`` config with the head's ``level_num_classes``."""
    if not isinstance(cfg, dict):
        raise TypeError("SKCLHead contrastive_loss must be a dict(type='SKCLLoss', "
                        f'...) or None, got {cfg!r} ({type(cfg).__name__}).')
    own = cfg.get('level_num_classes')
    if isinstance(own, (list, tuple)):
        own = list(own)
    if own is not None and own != list(level_num_classes):
        raise ValueError(
            f'SKCLHead contrastive_loss.level_num_classes={own!r} differs from '
            f'the head\'s level_num_classes={list(level_num_classes)}; remove it '
            'from contrastive_loss (the head passes its own).')
    return dict(cfg, level_num_classes=list(level_num_classes))


def check_some_loss(weights: Sequence[float], contrastive: bool) -> None:
    """At least one loss term has a weight > 0."""
    if not contrastive and not any(weights):
        raise ValueError(
            f'SKCLHead: every loss weight is 0 (level_loss_weights={list(weights)}'
            ', no contrastive loss): nothing would be trained; give a level a '
            'CE weight > 0.')


def check_features(x: Tensor, in_channels: int) -> None:
    """Features must be (N, in_channels): a neck pooled them to vectors."""
    if x.ndim != 2:
        raise ValueError(
            f'SKCLHead expects (N, {in_channels}) feature vectors, got shape '
            f'{tuple(x.shape)}; add neck=dict(type=\'GlobalAveragePooling\') '
            'to the model (or a neck that gives vectors).')
    if x.shape[1] != in_channels:
        raise ValueError(
            f'SKCLHead in_channels={in_channels} but the neck gives '
            f'{x.shape[1]}-d features (shape {tuple(x.shape)}); set '
            f'in_channels={x.shape[1]}.')


def level_targets(data_samples, level_num_classes: Sequence[int]) -> Tensor:
    """(B, n_levels) labels, coarsest first, from ``gt_level_labels``.

    One level without ``gt_level_labels`` uses ``gt_label``. A
    :class:`~skcl_mm.structures.BatchLabels` gives its (B, L) tensor as it
    is (no per-sample objects).
    """
    num_levels = len(level_num_classes)
    if isinstance(data_samples, BatchLabels):
        return _batch_level_targets(data_samples, level_num_classes)
    missing = [i for i, s in enumerate(data_samples) if 'gt_level_labels' not in s]
    if missing and num_levels == 1 and len(missing) == len(data_samples):
        return torch.cat([s.gt_label for s in data_samples])[:, None]
    if missing:
        raise ValueError(
            f'SKCLHead level_num_classes={list(level_num_classes)} has '
            f'{num_levels} levels but {len(missing)} of {len(data_samples)} data '
            f'samples carry no gt_level_labels: {WRAP_FIX}; or use one level, '
            f'level_num_classes=[{level_num_classes[-1]}].')
    targets = torch.stack([torch.as_tensor(s.gt_level_labels).reshape(-1)
                           for s in data_samples])
    if targets.shape[1] != num_levels:
        raise ValueError(
            f'gt_level_labels has {targets.shape[1]} levels, level_num_classes '
            f'has {num_levels} ({list(level_num_classes)}); make the head '
            'agree with the hierarchy of the training dataset.')
    return targets


def _batch_level_targets(labels: BatchLabels, level_num_classes: Sequence[int]) -> Tensor:
    """(B, n_levels) targets of a BatchLabels; the same rules as per sample."""
    num_levels = len(level_num_classes)
    if labels.gt_level_labels is None and num_levels == 1:
        return labels.gt_label[:, None]
    if labels.gt_level_labels is None:
        raise ValueError(
            f'SKCLHead level_num_classes={list(level_num_classes)} has '
            f'{num_levels} levels but the batch carries no gt_level_labels: '
            f'{WRAP_FIX}; or use one level, level_num_classes=[{level_num_classes[-1]}].')
    if labels.gt_level_labels.shape[1] != num_levels:
        raise ValueError(
            f'gt_level_labels has {labels.gt_level_labels.shape[1]} levels, '
            f'level_num_classes has {num_levels} ({list(level_num_classes)}); make '
            'the head agree with the hierarchy of the training dataset.')
    return labels.gt_level_labels


def check_first_batch(targets: Tensor, data_samples,
                      level_num_classes: Sequence[int], views: int,
                      contrastive: bool) -> None:
    """Label ranges, gt_label agreement and the view count of a first batch.

    Runs once (it reads the labels on the host).
    """
    targets = targets.cpu()
    for level, num in enumerate(level_num_classes):
        low, high = int(targets[:, level].min()), int(targets[:, level].max())
        if low < 0 or high >= num:
            raise ValueError(
                f'SKCLHead: level {level} labels span [{low}, {high}] but '
                f'level_num_classes[{level}] = {num} ({list(level_num_classes)}, '
                'coarsest first); make level_num_classes match the training '
                "dataset's hierarchy (its metainfo level_classes).")
    if len(level_num_classes) > 1 and all('gt_label' in s for s in data_samples):
        fine = torch.cat([torch.as_tensor(s.gt_label).reshape(-1)[:1].cpu()
                          for s in data_samples])
        if not torch.equal(fine, targets[:, -1]):
            raise ValueError(
                'SKCLHead: the finest gt_level_labels differ from gt_label '
                f'({targets[:, -1].tolist()[:8]} vs {fine.tolist()[:8]}); '
                'gt_level_labels must list the levels coarsest first and end '
                'with the fine label, as LongTailHierarchyDataset gives them.')
    if contrastive and views == 1:
        warnings.warn(
            'SKCLHead: the batch has one view per sample, so the contrastive '
            'loss runs on the classifier view (no augmented pairs, unlike the '
            f'paper). If that is not intended, {VIEWS_FIX}.', UserWarning)


def level_log_priors(level_counts: Sequence[Sequence[int]],
                     level_num_classes: Sequence[int]) -> List[Tensor]:
    """``log(n_c / sum n)`` per level from training counts, checked.

    A class with zero training images counts as one (finite logit).

    Args:
        level_counts (Sequence[Sequence[int]]): training images per class,
            one list per level, coarsest first (dataset ``level_counts``).
        level_num_classes (Sequence[int]): the head's classes per level.

    Returns:
        list[Tensor]: one (n_l,) float64 log prior per level.
    """
    if len(level_counts) != len(level_num_classes):
        raise ValueError(f'set_class_counts expects {len(level_num_classes)}'
                         f' levels (coarsest first), got {len(level_counts)}.')
    priors = []
    for level, counts in enumerate(level_counts):
        counts = torch.as_tensor(counts, dtype=torch.float64)
        if counts.shape != (level_num_classes[level], ):
            raise ValueError(
                f'level {level}: expected {level_num_classes[level]} '
                f'counts, got {tuple(counts.shape)}; level_num_classes='
                f'{list(level_num_classes)} must match the dataset.')
        if (counts < 0).any():
            raise ValueError(f'level {level}: counts must be >= 0.')
        counts = counts.clamp_min(1)
        priors.append((counts / counts.sum()).log())
    return priors
