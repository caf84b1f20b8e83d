"""Pure accuracy statistics of the long-tail protocol (tensors in, numbers out)."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor


def topk_accuracy(pred_topk: Tensor, gt: Tensor, k: int) -> float:
    """Top-k accuracy in percent.

    Args:
        pred_topk (Tensor): (N, K) predicted classes, best first, ``K >= k``.
        gt (Tensor): (N,) true classes.
        k (int): How many of the best predictions count.

    Returns:
        float: Percentage of samples whose class is among the ``k`` best.
    """
    hit = (pred_topk[:, :k] == gt[:, None]).any(dim=1)
    return hit.float().mean().item() * 100.0


def per_class_accuracy(pred: Tensor, gt: Tensor,
                       num_classes: int) -> Tuple[Tensor, Tensor]:
    """Top-1 accuracy of every class.

    Args:
        pred (Tensor): (N,) predicted classes.
        gt (Tensor): (N,) true classes in ``[0, num_classes)``.
        num_classes (int): C.

    Returns:
        tuple[Tensor, Tensor]: accuracy (C,) float in percent, NaN for classes
        without a test sample; test counts (C,) long.
    """
    test_counts = torch.bincount(gt, minlength=num_classes)
    correct = torch.bincount(gt[pred == gt], minlength=num_classes)
    acc = correct.double() / test_counts.clamp(min=1).double() * 100.0
    acc[test_counts == 0] = float('nan')
    return acc, test_counts


def top_confusions(pred: Tensor, gt: Tensor, num_classes: int,
                   num: int = 5) -> List[List[Tuple[int, int]]]:
    """The classes each class is most often mistaken for, with counts.

    Args:
        pred (Tensor): (N,) predicted classes.
        gt (Tensor): (N,) true classes in ``[0, num_classes)``.
        num_classes (int): C.
        num (int): At most this many confusions per class.

    Returns:
        list[list[tuple[int, int]]]: C lists of ``(predicted class, count)``
        for the wrong predictions of samples of that class, most frequent
        first (ties: the smaller class index first), counts > 0 only.
    """
    wrong = pred != gt
    pairs = gt[wrong] * num_classes + pred[wrong]  # (true, predicted) as one index
    confusion = torch.bincount(pairs, minlength=num_classes * num_classes)
    confusion = confusion.reshape(num_classes, num_classes)
    order = torch.sort(-confusion, dim=1, stable=True).indices[:, :num]
    return [[(int(j), int(confusion[y, j])) for j in order[y] if confusion[y, j] > 0]
            for y in range(num_classes)]


def group_means(acc: Tensor,
                groups: Dict[str, Sequence[int]]) -> Dict[str, Optional[float]]:
    """Mean per-class accuracy of each class group, over classes with a test sample.

    Args:
        acc (Tensor): (C,) per-class accuracy, NaN where a class is absent.
        groups (dict[str, Sequence[int]]): Group name -> class indices.

    Returns:
        dict[str, float | None]: Group name -> mean accuracy, None when no
        class of the group has a test sample (or the group is empty).
    """
    means = {}
    for name, indices in groups.items():
        values = acc[torch.as_tensor(list(indices), dtype=torch.long)]
        values = values[~torch.isnan(values)]
        means[name] = values.mean().item() if values.numel() else None
    return means


def infer_fine_to_level(gt: Tensor, gt_levels: Tensor,
                        num_classes: int) -> Tensor:
    """Level label of each fine class, learned from (fine, levels) pairs.

    Args:
        gt (Tensor): (N,) fine labels.
        gt_levels (Tensor): (N, L) level labels of the same samples, coarsest
            first.
        num_classes (int): C, number of fine classes.

    Returns:
        Tensor: (L, C) long; -1 for a fine class never seen.
    """
    num_levels = gt_levels.shape[1]
    table = torch.full((num_levels, num_classes), -1, dtype=torch.long)
    table[:, gt] = gt_levels.T  # last write wins; checked just below
    mismatch = (table[:, gt] != gt_levels.T).nonzero()
    if mismatch.numel():
        level, sample = (int(v) for v in mismatch[0])
        fine = int(gt[sample])
        raise ValueError(
            f'Fine class {fine} has two level-{level} labels among the test '
            f'samples ({int(gt_levels[sample, level])} and '
            f'{int(table[level, fine])}): gt_level_labels must be a function of '
            'gt_label. Check the hierarchy, or give fine_to_level in the '
            'dataset metainfo.')
    return table


def level_accuracies(pred: Tensor, gt_levels: Tensor,
                     fine_to_level: Tensor) -> List[float]:
    """Accuracy at every level of fine predictions mapped up the hierarchy.

    Args:
        pred (Tensor): (N,) predicted fine classes.
        gt_levels (Tensor): (N, L) true level labels, coarsest first.
        fine_to_level (Tensor): (L, C) level label of each fine class; -1
            (unknown) never matches.

    Returns:
        list[float]: L accuracies in percent, coarsest level first.
    """
    pred_levels = fine_to_level[:, pred].T  # (N, L)
    hit = (pred_levels == gt_levels).float()
    return (hit.mean(dim=0) * 100.0).tolist()


def best_classes(data_samples: Sequence[dict], topk: Sequence[int]) -> torch.Tensor:
    """The best classes of a batch of model outputs, on their device.

    Args:
        data_samples (Sequence[dict]): B outputs with ``pred_score`` (C,) or
            ``pred_label`` (1,).
        topk (Sequence[int]): The top-k accuracies wanted; max(topk) columns.

    Returns:
        Tensor: (B, max(topk)) class indices, best first, when every sample
        has scores (on their device); else (B, 1) predicted labels (CPU).
    """
    maxk = max(topk)
    if all('pred_score' in s for s in data_samples):
        scores = torch.stack([s['pred_score'] for s in data_samples]).detach()
        if maxk > scores.shape[1]:
            raise ValueError(
                f'topk={tuple(topk)} asks for top-{maxk} but the model scores '
                f'{scores.shape[1]} classes; lower topk in the val/test '
                'evaluator config.')
        return scores.topk(maxk, dim=1).indices
    return torch.stack([
        s['pred_score'].detach().topk(1).indices.cpu() if 'pred_score' in s
        else torch.as_tensor(s['pred_label']).reshape(-1)[:1].cpu()
        for s in data_samples])
