"""Tests of skcl_mm/models/losses/skcl_loss.py."""
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from skcl_mm.models.losses import BCLLoss, SKCLLoss, skcl_loss
from skcl_mm.semantics.graph_contract import GraphRequest, num_candidates

LEVELS = [3, 6]  # coarsest first: 6 fine classes (nodes 0..5), 3 coarse (6..8)


def naive_skcl(features, labels, prototypes, neighbours, tau, tau_p):
    """L_SKCL written from the equations, one anchor at a time (float64)."""
    feats, protos = features.double().tolist(), prototypes.double().tolist()
    labels, table = labels.tolist(), neighbours.tolist()

    def dot(a, b):
        return sum(x * y for x, y in zip(a, b))

    total = 0.0
    for i, (z, y) in enumerate(zip(feats, labels)):
        proto_denom = sum(math.exp(dot(z, c) / tau_p) for c in protos)
        targets = [y] + table[y]
        proto = -sum(math.log(math.exp(dot(z, protos[q]) / tau_p) / proto_denom)
                     for q in targets) / len(targets)
        others = [k for k in range(len(labels)) if k != i]
        positives = [p for p in others if labels[p] == y]
        sample = 0.0
        if positives:
            denom = 0.0
            for cls in set(labels[k] for k in others):
                members = [k for k in others if labels[k] == cls]
                denom += sum(math.exp(dot(z, feats[k]) / tau)
                             for k in members) / len(members)
            sample = -sum(dot(z, feats[p]) / tau - math.log(denom)
                          for p in positives) / len(positives)
        total += proto + sample
    return total / len(labels)


def topk_table(mode, k, seed=0):
    """(n_fine, K) Top-K neighbours of a random similarity, candidates per mode."""
    num_nodes, num_fine = sum(LEVELS), LEVELS[-1]
    gen = torch.Generator().manual_seed(seed)
    sim = torch.rand(num_nodes, num_nodes, generator=gen)
    rows = []
    for y in range(num_fine):
        if mode == 'both':
            cand = [j for j in range(num_nodes) if j != y]
        elif mode == 'F-F':
            cand = [j for j in range(num_fine) if j != y]
        else:
            cand = list(range(num_fine, num_nodes))
        rows.append(sorted(cand, key=lambda j: -sim[y, j].item())[:k])
    return torch.tensor(rows, dtype=torch.long).view(num_fine, k)


def random_batch(labels, dim=8, seed=0):
    gen = torch.Generator().manual_seed(seed)
    feats = F.normalize(torch.randn(len(labels), dim, generator=gen), dim=1)
    protos = F.normalize(torch.randn(sum(LEVELS), dim, generator=gen), dim=1)
    return feats, torch.tensor(labels), protos


# repeated classes (0, 2), singletons (1, 4), absent class (3, 5)
MIXED = [0, 0, 1, 2, 2, 2, 4, 0]


@pytest.mark.parametrize('mode', ['both', 'F-F', 'C-F'])
@pytest.mark.parametrize('k', [0, 2])
def test_matches_naive_loop_every_mode(mode, k):
    feats, labels, protos = random_batch(MIXED, seed=k)
    table = topk_table(mode, k)
    expected = naive_skcl(feats, labels, protos, table, 0.1, 0.2)
    got = skcl_loss(feats, labels, protos, table, 0.1, 0.2)
    assert got.item() == pytest.approx(expected, rel=1e-5)
    module = SKCLLoss(loss_weight=0.5, mode=mode, num_neighbours=k,
                      level_num_classes=LEVELS)
    terms = module(feats, labels, protos, table)
    assert set(terms) == {'loss_skcl_proto', 'loss_skcl_sample'}
    assert sum(terms.values()).item() == pytest.approx(0.5 * expected, rel=1e-5)


def test_parent_mode_pulls_toward_the_own_superclass_only():
    """'C-F-parent' (the paper's literal C-F ablation): on two levels one
    candidate, the parent; the base config's K = 2 is clamped to 1 with a
    warning. M_i = {y_i, parent(y_i)}: checked against the naive loop and
    against a hand value of the prototype term for one anchor."""
    with pytest.warns(UserWarning, match="mode 'C-F-parent' offers only 1 "):
        module = SKCLLoss(mode='cf_parent', num_neighbours=2, level_num_classes=LEVELS)
    request = module.graph_request()
    assert request == GraphRequest('C-F-parent', 1, (3, 6))
    parents = request.check_table(torch.tensor([[6], [6], [7], [7], [8], [8]]))
    feats, labels, protos = random_batch(MIXED, seed=5)
    terms = module(feats, labels, protos, parents)
    expected = naive_skcl(feats, labels, protos, parents, 0.1, 0.2)
    assert sum(terms.values()).item() == pytest.approx(0.6 * expected, rel=1e-5)
    # anchor 0 (class 0, superclass node 6): -(log p_0 + log p_6) / 2
    log_p = F.log_softmax(feats[0] @ protos.t() / 0.2, dim=0)
    hand = -(log_p[0] + log_p[6]).item() / 2
    got = skcl_loss(feats[:1], labels[:1], protos, parents, 0.1, 0.2).item()
    assert got == pytest.approx(hand, rel=1e-6)  # one anchor: no sample term


def test_other_temperatures_match_naive():
    feats, labels, protos = random_batch(MIXED, seed=3)
    table = topk_table('both', 3)
    expected = naive_skcl(feats, labels, protos, table, 0.3, 0.7)
    got = skcl_loss(feats, labels, protos, table, temperature=0.3,
                    proto_temperature=0.7)
    assert got.item() == pytest.approx(expected, rel=1e-5)


def test_hand_computed_three_samples():
    feats = torch.tensor([[1., 0.], [0., 1.], [-1., 0.]])
    labels = torch.tensor([0, 0, 1])
    protos = torch.tensor([[1., 0.], [0., 1.]])
    e = math.e
    # anchor 1: proto -log(e/(e+1)); sample: P={2}, denominator 1/1*e^0 + 1/1*e^-1
    a1 = math.log(1 + 1 / e) + math.log(1 + 1 / e)
    # anchor 2: proto -log(1/(1+e)); sample: denominator e^0 + e^0 = 2
    a2 = math.log(1 + e) + math.log(2)
    # anchor 3: proto -log(1/(1+e^-1)); no positive -> no sample term
    a3 = math.log(1 + 1 / e)
    got = skcl_loss(feats, labels, protos, torch.zeros(2, 0, dtype=torch.long),
                    temperature=1.0, proto_temperature=1.0)
    assert got.item() == pytest.approx((a1 + a2 + a3) / 3, rel=1e-6)
    # K = 1, I_0 = {1}, I_1 = {0}: prototype terms average over M_i
    with_k = skcl_loss(feats, labels, protos, torch.tensor([[1], [0]]),
                       temperature=1.0, proto_temperature=1.0)
    b1 = (math.log(1 + 1 / e) + math.log(1 + e)) / 2 + math.log(1 + 1 / e)
    b2 = (math.log(1 + e) + math.log(1 + 1 / e)) / 2 + math.log(2)
    b3 = (math.log(1 + 1 / e) + math.log(1 + e)) / 2
    assert with_k.item() == pytest.approx((b1 + b2 + b3) / 3, rel=1e-6)


def test_gradcheck_double():
    gen = torch.Generator().manual_seed(1)
    feats = torch.randn(5, 3, dtype=torch.double, generator=gen, requires_grad=True)
    protos = torch.randn(9, 3, dtype=torch.double, generator=gen, requires_grad=True)
    labels = torch.tensor([0, 0, 2, 5, 2])
    table = topk_table('both', 2)

    def fn(f, c):
        return skcl_loss(F.normalize(f, dim=1), labels, F.normalize(c, dim=1),
                         table, 0.5, 0.7)

    assert torch.autograd.gradcheck(fn, (feats, protos))


@pytest.mark.parametrize('labels', [[3, 3, 3, 3], [0, 1, 2, 3, 4, 5], [2]],
                         ids=['one-class', 'all-distinct', 'single'])
@pytest.mark.parametrize('k', [0, 2])
def test_degenerate_batches_finite(labels, k):
    feats, labels_t, protos = random_batch(labels, seed=7)
    feats.requires_grad_(True)
    protos.requires_grad_(True)
    loss = skcl_loss(feats, labels_t, protos, topk_table('both', k))
    loss.backward()
    assert torch.isfinite(loss)
    assert torch.isfinite(feats.grad).all() and torch.isfinite(protos.grad).all()
    expected = naive_skcl(feats.detach(), labels_t, protos.detach(),
                          topk_table('both', k), 0.1, 0.2)
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_all_distinct_has_no_sample_term():
    feats, labels, protos = random_batch([0, 1, 2, 3], seed=2)
    terms = SKCLLoss(level_num_classes=LEVELS, num_neighbours=0)(
        feats, labels, protos, torch.zeros(6, 0, dtype=torch.long))
    assert terms['loss_skcl_sample'].item() == 0.0
    assert terms['loss_skcl_proto'].item() > 0


def test_autocast_runs_in_float32():
    feats, labels, protos = random_batch(MIXED, seed=4)
    module = SKCLLoss(level_num_classes=LEVELS)
    table = topk_table('both', 2)
    half_feats, half_protos = feats.bfloat16(), protos.bfloat16()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        terms = module(half_feats, labels, half_protos, table)
    reference = module(half_feats.float(), labels, half_protos.float(), table)
    for name, value in terms.items():
        assert value.dtype == torch.float32
        assert value.item() == pytest.approx(reference[name].item(), rel=1e-6)


def test_k_clamped_with_warning():
    with pytest.warns(UserWarning, match='offers only 3 candidates'):
        module = SKCLLoss(mode='C-F', num_neighbours=5, level_num_classes=LEVELS)
    assert module.num_neighbours == 3
    assert num_candidates('both', LEVELS) == 8
    assert num_candidates('F-F', LEVELS) == 5
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert SKCLLoss(mode='F-F', num_neighbours=5,
                        level_num_classes=LEVELS).num_neighbours == 5


def test_graph_request_states_mode_k_and_levels_and_checks_the_table():
    module = SKCLLoss(mode='ff', num_neighbours=2, level_num_classes=LEVELS)
    request = module.graph_request()
    assert request == GraphRequest('F-F', 2, (3, 6))
    assert request.check_table(topk_table('F-F', 2)).dtype == torch.int64
    with pytest.raises(ValueError, match=r'must be \(6, 2\) \(n_fine, K\) for a F-F '
                       r'graph of levels \[3, 6\], got \(6, 3\)'):
        request.check_table(topk_table('F-F', 3))
    with pytest.raises(ValueError, match='needs level_num_classes'):
        SKCLLoss().graph_request()


def test_defaults():
    assert SKCLLoss().num_neighbours == 2
    assert SKCLLoss(num_neighbours=np.int64(3)).num_neighbours == 3


@pytest.mark.parametrize('kwargs, error, pattern', [
    (dict(mode='fine'), ValueError, r"mode must be one of .*got 'fine' \(str\)"),
    (dict(mode='f-f-'), ValueError, r"Did you mean 'F-F'\?"),
    (dict(mode='BCL'), ValueError,
     r"SKCLLoss mode 'bcl' is not a graph mode: .*type='BCLLoss'"),
    (dict(mode=None), ValueError, r'must be one of .*got None \(NoneType\)'),
    (dict(num_neighbours=True), TypeError,
     r'num_neighbours must be an int >= 0, got True \(bool\)'),
    (dict(num_neighbours=2.0), TypeError, r'got 2\.0 \(float\)'),
    (dict(num_neighbours=-1), ValueError, r'num_neighbours must be an int >= 0, got -1'),
    (dict(temperature=0), ValueError,
     r'temperature must be a finite number > 0, got 0 \(int\)\. It is tau'),
    (dict(temperature=float('nan')), ValueError, r'temperature .* got nan'),
    (dict(proto_temperature=float('inf')), ValueError,
     r"proto_temperature .* got inf \(float\)\. It is tau'"),
    (dict(temperature='0.1'), TypeError, r"temperature .* got '0\.1' \(str\)"),
    (dict(loss_weight=-0.6), ValueError, r'loss_weight must be a finite number >= 0'),
    (dict(loss_weight=True), TypeError, r'loss_weight .* got True \(bool\)'),
    (dict(gather_distributed='yes'), TypeError,
     r"gather_distributed must be True or False, got 'yes'"),
    (dict(equal_rank_batches=1), TypeError,
     r'equal_rank_batches must be True or False, got 1.*row-count exchange'),
    (dict(level_num_classes=[20, 0]), ValueError,
     r'level_num_classes\[1\] must be an int >= 1, got 0'),
])
def test_construction_errors(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        SKCLLoss(**kwargs)


def test_tau_prime_not_above_tau_warns_once_and_trains():
    feats, labels, protos = random_batch(MIXED)
    with pytest.warns(UserWarning, match=r"proto_temperature \(tau'\) = 0\.1 is not "
                      r"above temperature \(tau\) = 0\.2; the paper uses tau' > tau"
                      ) as record:
        module = SKCLLoss(temperature=0.2, proto_temperature=0.1,
                          level_num_classes=LEVELS)
        losses = module(feats, labels, protos, topk_table('both', 2))
        module(feats, labels, protos, topk_table('both', 2))
    assert len(record) == 1  # at construction only, not per step
    assert all(torch.isfinite(v) for v in losses.values())
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # BCL has one temperature: no warning
        BCLLoss(temperature=0.2)
