"""Losses: SKCL, the BCL baseline, logit-adjusted cross-entropy."""
from .balanced_contrastive import (balanced_contrastive_term, bcl_loss,
                                   bcl_loss_terms)
from .bcl import BCLLoss
from .gathered_contrastive import GatheredContrastiveLoss
from .logit_adjusted_ce import LogitAdjustedCrossEntropyLoss, logit_adjusted_ce
from .skcl_loss import SKCLLoss, prototype_term, skcl_loss, skcl_loss_terms

__all__ = [
    'balanced_contrastive_term', 'bcl_loss', 'bcl_loss_terms', 'BCLLoss',
    'GatheredContrastiveLoss', 'LogitAdjustedCrossEntropyLoss',
    'logit_adjusted_ce', 'SKCLLoss', 'prototype_term', 'skcl_loss',
    'skcl_loss_terms'
]
