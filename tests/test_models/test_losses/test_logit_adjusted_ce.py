"""Tests of skcl_mm/models/losses/logit_adjusted_ce.py."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmpretrain.registry import MODELS
from skcl_mm.models.losses import (LogitAdjustedCrossEntropyLoss,
                                   logit_adjusted_ce)


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


def loop_reference(logits, labels, log_prior, tau, weight):
    """Per-sample -w_i * log softmax(z_i + tau * log prior)[y_i], one by one."""
    losses = []
    for z, y, w in zip(logits.tolist(), labels.tolist(), weight.tolist()):
        adjusted = [v + tau * p for v, p in zip(z, log_prior.tolist())]
        top = max(adjusted)
        log_norm = top + math.log(sum(math.exp(v - top) for v in adjusted))
        losses.append(w * (log_norm - adjusted[y]))
    return losses


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
@pytest.mark.parametrize('reduction, avg_factor', [
    ('none', None), ('sum', None), ('mean', None), ('mean', 2.5),
    ('sum', 2.5),  # 'sum' ignores avg_factor (the head always passes one)
])
def test_matches_a_per_sample_loop(dtype, reduction, avg_factor):
    gen = torch.Generator().manual_seed(1)
    logits = (3 * torch.randn(6, 5, generator=gen)).to(dtype)
    labels = torch.tensor([0, 4, 4, 1, 2, 3])
    prior = torch.rand(5, generator=gen).log()
    weight = torch.rand(6, generator=gen, dtype=torch.float64)
    loss = logit_adjusted_ce(logits, labels, prior, 0.7, weight, avg_factor,
                             reduction)
    per_sample = loop_reference(logits, labels, prior.to(dtype), 0.7,
                                weight.to(dtype))
    expected = {'none': per_sample, 'sum': sum(per_sample),
                'mean': sum(per_sample) / (avg_factor or len(per_sample))}
    assert loss.dtype == dtype  # a float64 weight does not promote the loss
    tol = 1e-6 if dtype == torch.float32 else 1e-12
    assert loss.tolist() == pytest.approx(expected[reduction], rel=tol, abs=tol)


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
    with pytest.raises(ValueError, match='reduction must be "none", "mean" or '
                       "\"sum\", got 'avg'"):
        LogitAdjustedCrossEntropyLoss()(torch.zeros(2, 3), torch.tensor([0, 1]),
                                        avg_factor=2, reduction_override='avg')


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
