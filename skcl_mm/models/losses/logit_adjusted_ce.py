"""Logit-adjusted cross-entropy (Menon et al., ICLR 2021): LA baseline, SKCL's CE."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmpretrain.models.losses.utils import weight_reduce_loss
from mmpretrain.registry import MODELS
from skcl_mm.utils.checks import check_number

REDUCTIONS = ('none', 'mean', 'sum')


def check_reduction(reduction: str) -> str:
    """``reduction`` if it is one of :data:`REDUCTIONS`, else ValueError."""
    if reduction not in REDUCTIONS:
        raise ValueError('reduction must be "none", "mean" or "sum", got '
                         f'{reduction!r}.')
    return reduction


def logit_adjusted_ce(cls_score: Tensor, label: Tensor,
                      log_prior: Optional[Tensor] = None, tau: float = 1.0,
                      weight: Optional[Tensor] = None,
                      avg_factor: Optional[float] = None,
                      reduction: str = 'mean') -> Tensor:
    """``CE(softmax(logits + tau * log prior), y)``.

    Args:
        cls_score (Tensor): (B, C) logits.
        label (Tensor): (B,) integer class ids.
        log_prior (Tensor, optional): (C,) log of the training class
            frequencies. ``None`` or ``tau == 0`` gives the plain CE.
        tau (float): adjustment strength. Defaults to 1.0.
        weight (Tensor, optional): (B,) per-sample weights.
        avg_factor (float, optional): divisor of the sum for ``'mean'``
            (the mean over B without it); ``'none'`` and ``'sum'`` ignore it.
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``.

    Returns:
        Tensor: the loss, (B,) for ``'none'`` else scalar.

    Raises:
        ValueError: ``log_prior`` of the wrong shape, or an unknown
            ``reduction``.
    """
    check_reduction(reduction)
    if log_prior is not None and tau != 0:
        if log_prior.shape != cls_score.shape[1:]:
            raise ValueError(f'log_prior must be ({cls_score.shape[1]},), '
                             f'got {tuple(log_prior.shape)}.')
        cls_score = cls_score + tau * log_prior.to(cls_score.dtype)
    loss = F.cross_entropy(cls_score, label, reduction='none')
    if weight is not None:
        weight = weight.to(loss.dtype)  # a float64 weight keeps float32 loss
    # mmpretrain refuses avg_factor with 'sum'; the head always passes one.
    return weight_reduce_loss(loss, weight, reduction,
                              avg_factor if reduction == 'mean' else None)


@MODELS.register_module()
class LogitAdjustedCrossEntropyLoss(nn.Module):
    """Registered wrapper of :func:`logit_adjusted_ce`.

    The log prior is passed per call (the head holds one per hierarchy level).

    Args:
        tau (float): adjustment strength; 0 gives the plain CE. Defaults to 1.0.
        loss_weight (float): multiplier. Defaults to 1.0.
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``. Defaults to
            ``'mean'``.
    """

    def __init__(self, tau: float = 1.0, loss_weight: float = 1.0,
                 reduction: str = 'mean'):
        super().__init__()
        self.reduction = check_reduction(reduction)
        self.tau = check_number(
            'LogitAdjustedCrossEntropyLoss tau', tau, minimum=0,
            fix='It scales the log prior added to the logits (1.0: logit '
            'adjustment as in Menon et al.; 0: plain cross-entropy).')
        self.loss_weight = check_number(
            'LogitAdjustedCrossEntropyLoss loss_weight', loss_weight, minimum=0,
            fix="SKCLHead weighs each level with level_loss_weights; leave 1.0.")

    def forward(self, cls_score: Tensor, label: Tensor,
                log_prior: Optional[Tensor] = None,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> Tensor:
        """Weighted loss; shapes as in :func:`logit_adjusted_ce`."""
        reduction = reduction_override or self.reduction
        with torch.autocast(device_type=cls_score.device.type, enabled=False):
            loss = logit_adjusted_ce(cls_score.float(), label, log_prior,
                                     self.tau, weight, avg_factor, reduction)
        return self.loss_weight * loss
