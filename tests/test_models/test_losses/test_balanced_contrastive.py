"""Tests of skcl_mm/models/losses/balanced_contrastive.py (the BCL setting)."""
import math

import pytest
import torch
import torch.nn.functional as F

from skcl_mm.models.losses import BCLLoss, balanced_contrastive_term, bcl_loss


def bcl_reference(features, labels, centers, tau):
    """BCL's balanced loss (Zhu et al., CVPR 2022), in the paper's matrix form.

    Keys are the N samples and the C class centers; positives are same-class
    keys (own center included, self excluded); the denominator averages exp
    per class, the class size counting its center and excluding the anchor.
    """
    num, num_classes = len(labels), centers.shape[0]
    targets = torch.cat([labels, torch.arange(num_classes)])
    class_count = torch.eye(num_classes)[targets].sum(dim=0)
    logits_mask = torch.ones(num, num + num_classes)
    logits_mask[torch.arange(num), torch.arange(num)] = 0
    mask = (labels[:, None] == targets[None, :]).float() * logits_mask
    logits = features @ torch.cat([features, centers]).t() / tau
    logits = logits - logits.max(dim=1, keepdim=True).values
    exp_logits = logits.exp() * logits_mask
    per_instance = class_count[targets][None, :].expand_as(mask) - mask
    log_prob = logits - (exp_logits / per_instance).sum(1, keepdim=True).log()
    return (-(mask * log_prob).sum(1) / mask.sum(1)).mean()


def normed(*shape, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return F.normalize(torch.randn(*shape, generator=gen), dim=1)


@pytest.mark.parametrize(
    'labels', [[0, 0, 1, 2, 2, 2, 4, 0], [3, 3, 3], [0, 1, 2, 3, 4]])
def test_bcl_matches_bcl_formula(labels):
    labels = torch.tensor(labels)
    feats, centers = normed(len(labels), 6), normed(5, 6, seed=1)
    expected = bcl_reference(feats, labels, centers, 0.1)
    assert bcl_loss(feats, labels, centers, 0.1).item() == pytest.approx(
        expected.item(), rel=1e-5)


def test_bcl_loss_uses_fine_prototypes_only_and_reads_no_graph():
    labels = torch.tensor([0, 1, 1, 4, 0, 2])
    feats, nodes = normed(6, 6), normed(8, 6, seed=2)  # 5 fine + 3 coarse
    module = BCLLoss(loss_weight=1.0, level_num_classes=[3, 5])
    assert module.graph_request() is None
    terms = module(feats, labels, nodes)
    assert list(terms) == ['loss_bcl']
    expected = bcl_reference(feats, labels, nodes[:5], 0.1)
    assert terms['loss_bcl'].item() == pytest.approx(expected.item(), rel=1e-5)


def test_balanced_term_hand_value():
    # anchor (1, 0) class 0; keys: itself, (0, 1) class 0, (-1, 0) and (0, -1) class 1
    anchor = torch.tensor([[1., 0.]])
    keys = torch.tensor([[1., 0.], [0., 1.], [-1., 0.], [0., -1.]])
    got = balanced_contrastive_term(anchor, torch.tensor([0]), torch.tensor([0]),
                                    keys, torch.tensor([0, 0, 1, 1]), 1.0)
    # denominator: class 0 -> e^0 / 1, class 1 -> (e^-1 + e^0) / 2
    denominator = 1 + (math.exp(-1) + 1) / 2
    assert got.item() == pytest.approx(-(0 - math.log(denominator)), rel=1e-6)


def test_anchor_outside_keys_and_lone_anchor():
    keys = normed(4, 3)
    key_labels = torch.tensor([0, 0, 1, 1])
    anchors = normed(2, 3, seed=5)
    got = balanced_contrastive_term(anchors, torch.tensor([1, 2]),
                                    torch.tensor([-1, -1]), keys, key_labels,
                                    0.5)
    sim = anchors[0] @ keys.t() / 0.5
    # anchor 0 (class 1, not a key): A_0 = keys 0,1; A_1 = keys 2,3 = P
    log_den = torch.log(sim[:2].exp().mean() + sim[2:].exp().mean())
    assert got[0].item() == pytest.approx(-(sim[2:] - log_den).mean().item(),
                                          rel=1e-5)
    assert got[1].item() == 0.0  # class 2 has no positive key
    single = balanced_contrastive_term(anchors[:1], torch.tensor([0]),
                                       torch.tensor([0]), anchors[:1],
                                       torch.tensor([0]), 0.1)
    assert single.item() == 0.0


def test_bcl_gradcheck_double():
    gen = torch.Generator().manual_seed(3)
    feats = torch.randn(4, 3, dtype=torch.double, generator=gen, requires_grad=True)
    centers = torch.randn(3, 3, dtype=torch.double, generator=gen, requires_grad=True)
    labels = torch.tensor([0, 2, 2, 1])
    assert torch.autograd.gradcheck(
        lambda f, c: bcl_loss(F.normalize(f, dim=1), labels,
                              F.normalize(c, dim=1), 0.3), (feats, centers))
