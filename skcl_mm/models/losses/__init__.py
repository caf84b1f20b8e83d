"""Losses: SKCL (and its BCL setting), logit-adjusted cross-entropy."""
from .balanced_contrastive import (balanced_contrastive_term, bcl_loss,
                                   bcl_loss_terms)
from .logit_adjusted_ce import (LogitAdjustedCrossEntropyLoss,
                                logit_adjusted_ce)
from .skcl_loss import (SKCLLoss, num_candidates, prototype_term, skcl_loss,
                        skcl_loss_terms)

__all__ = [
    'balanced_contrastive_term', 'bcl_loss', 'bcl_loss_terms',
    'LogitAdjustedCrossEntropyLoss', 'logit_adjusted_ce', 'SKCLLoss',
    'num_candidates', 'prototype_term', 'skcl_loss', 'skcl_loss_terms'
]
