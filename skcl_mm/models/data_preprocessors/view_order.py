"""The view order of multi-view training batches, stated and checked here only.

A training sample of a contrastive method comes as V views (``MultiView`` in
the pipeline, e.g. ``num_views=[1, 2]``, or ``GPUAugmentDataPreprocessor``'s
``views``), listed in this order:

* **view 0 is the classifier view** (the "regular" augmentation): the
  per-level classifiers and their cross-entropy see only it;
* **views 1..V-1 feed the contrastive loss** (the "sim" augmentations);
  with V = 1 the one view feeds both.

The data preprocessors join the views with :func:`stack_views`, view-major on
the batch axis (rows ``v*B .. (v+1)*B - 1`` hold view v of the B samples); a
head takes them apart with :func:`split_views` and :func:`contrastive_labels`.
"""
from typing import Sequence, Tuple

import torch
from torch import Tensor

VIEWS_FIX = ('train on the views of the recipe, train_dataloader = dict(dataset=dict('
             'pipeline=_base_.multi_view_train_pipeline)) (a MultiView of 1 regular '
             'and 2 sim views: configs/_base_/datasets/pipelines/cifar_views.py), '
             "with data_preprocessor=dict(type='MultiViewClsDataPreprocessor', ...)")


def stack_views(views: Sequence[Tensor]) -> Tensor:
    """Join V view batches view-major on the batch axis.

    Args:
        views (Sequence[Tensor]): V tensors of shape (B, ...), view 0 (the
            classifier view) first.

    Returns:
        Tensor: (V*B, ...).
    """
    return torch.cat(list(views))


def num_views(rows: int, batch: int) -> int:
    """V from the V*B rows of a stacked batch and its B samples.

    Raises:
        ValueError: ``rows`` is not a multiple of ``batch``.
    """
    views = rows // batch if batch else 0
    if batch == 0 or views * batch != rows:
        raise ValueError(
            f'{rows} feature rows are not a multiple of the {batch} data '
            'samples (expected V*B rows, views stacked on the batch axis); a '
            f'multi-view batch needs MultiViewClsDataPreprocessor: {VIEWS_FIX}.')
    return views


def split_views(x: Tensor, batch: int) -> Tuple[Tensor, Tensor]:
    """The classifier view and the contrastive views of a stacked batch.

    Args:
        x (Tensor): (V*B, ...) stacked views (see :func:`stack_views`).
        batch (int): B, the number of samples.

    Returns:
        tuple[Tensor, Tensor]: view 0, (B, ...), and the contrastive views,
        ((V-1)*B, ...), or view 0 again when V = 1.
    """
    return x[:batch], (x[batch:] if x.shape[0] > batch else x)


def contrastive_labels(labels: Tensor, rows: int) -> Tensor:
    """Labels of the contrastive rows of :func:`split_views`.

    Args:
        labels (Tensor): (B,) labels of the samples.
        rows (int): V*B, the rows of the stacked batch.

    Returns:
        Tensor: ((V-1)*B,) labels, or (B,) when V = 1.
    """
    batch = labels.shape[0]
    return labels.repeat(max(rows // batch - 1, 1))
