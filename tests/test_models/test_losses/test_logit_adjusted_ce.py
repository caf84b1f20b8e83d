"""Tests of skcl_mm/models/losses/logit_adjusted_ce.py."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmpretrain.registry import MODELS
from skcl_mm.models.losses import LogitAdjustedCrossEntropyLoss, logit_adjusted_ce


def test_hand_value():
    # logits 0, 0; prior (0.8, 0.2); label 1: -log(0.2 / (0.8 + 0.2))
    prior = torch.tensor([0.8, 0.2]).log()
    loss = logit_adjusted_ce(torch.zeros(1, 2), torch.tensor([1]), prior, 1.0)
    assert loss.item() == pytest.approx(-math.log(0.2), rel=1e-6)


def test_tau_zero_and_no_prior_are_plain_ce():
    gen = torch.Generator().manual_seed(0)
    logits, labels = torch.randn(5, 4, generator=gen), torch.tensor([0, 1, 3, 3, 2])
    plain = F.cross_entropy(logits, labels)
    prior = torch.rand(4, generator=gen).log()
    assert torch.allclose(logit_adjusted_ce(logits, labels, prior, tau=0), plain)
    assert torch.allclose(logit_adjusted_ce(logits, labels, None), plain)
    adjusted = logit_adjusted_ce(logits, labels, prior, tau=0.5)
    assert torch.allclose(adjusted, F.cross_entropy(logits + 0.5 * prior, labels))


def test_module_weight_avg_factor_and_autocast():
    module = MODELS.build(dict(type='LogitAdjustedCrossEntropyLoss', tau=1.0,
                               loss_weight=2.0))
    assert isinstance(module, LogitAdjustedCrossEntropyLoss)
    logits, labels = torch.randn(4, 3), torch.tensor([0, 1, 2, 0])
    prior = torch.tensor([0.5, 0.3, 0.2]).log()
    per_sample = module(logits, labels, prior, reduction_override='none')
    assert per_sample.shape == (4, )
    assert torch.allclose(module(logits, labels, prior, avg_factor=2),
                          per_sample.sum() / 2)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = module(logits.bfloat16(), labels, prior)
    assert out.dtype == torch.float32


def test_errors():
    with pytest.raises(ValueError, match='reduction must be'):
        LogitAdjustedCrossEntropyLoss(reduction='avg')
    with pytest.raises(ValueError, match=r'log_prior must be \(3,\), got \(2,\)'):
        logit_adjusted_ce(torch.zeros(1, 3), torch.tensor([0]), torch.zeros(2))


@pytest.mark.parametrize('kwargs, error, pattern', [
    (dict(tau=-1), ValueError, r'tau must be a finite number >= 0, got -1 \(int\)'),
    (dict(tau=True), TypeError, r'tau .* got True \(bool\)\. It scales the log prior'),
    (dict(tau=float('nan')), ValueError, r'tau .* got nan'),
    (dict(loss_weight=-2.0), ValueError, r'loss_weight must be a finite number >= 0'),
])
def test_parameter_types_and_ranges(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        LogitAdjustedCrossEntropyLoss(**kwargs)
    assert LogitAdjustedCrossEntropyLoss(tau=0).tau == 0.0
