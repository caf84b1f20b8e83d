"""SKCLHead over seven levels: iNaturalist 2018's ranks, kingdom to species.

The hierarchy is the test fixture's real taxonomy (three kingdoms, 8 species,
37 nodes; skcl_mm/datasets/inat_taxonomy.py), the graph the Top-K of a real
similarity matrix over all 37 nodes (skcl_mm/semantics/graph.py).
"""
import numpy as np
import pytest
import torch

from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from skcl_mm.datasets.inat_taxonomy import Taxonomy
from skcl_mm.semantics.graph import (cosine_similarity, node_levels,
                                     top_k_neighbours)
from tests.fixtures.inat2018 import LEVEL_SIZES, TRAIN_COUNTS, categories

HIERARCHY = Taxonomy(sorted(categories(), key=lambda c: c['id'])).hierarchy()
TO_LEVEL = torch.tensor(HIERARCHY.fine_to_level).T  # (n_fine, 7)
K = 4


def build_head(**kwargs):
    cfg = dict(type='SKCLHead', in_channels=16, level_num_classes=LEVEL_SIZES,
               mlp_hidden_channels=32, feat_channels=8,
               contrastive_loss=dict(type='SKCLLoss', num_neighbours=K))
    cfg.update(kwargs)
    head = MODELS.build(cfg)
    head.set_class_counts(HIERARCHY.level_counts(TRAIN_COUNTS))
    return head


def graph_table():
    """Top-K of every fine class among all 37 nodes, from random embeddings."""
    levels = node_levels(HIERARCHY.level_classes)
    embeddings = np.random.default_rng(0).standard_normal((len(levels), 12))
    return top_k_neighbours(cosine_similarity(embeddings), levels, 'both', K)


def samples(fine_labels):
    out = []
    for y in fine_labels:
        sample = DataSample().set_gt_label(y)
        sample.set_field(TO_LEVEL[y].clone(), 'gt_level_labels')
        out.append(sample)
    return out


def feats(views, batch, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(views * batch, 16, generator=gen), )


def test_seven_levels_shape_the_head():
    head = build_head()
    assert [clf.weight.shape[0] for clf in head.classifiers] == LEVEL_SIZES
    assert head.level_loss_weights == [1.0] * 6 + [2.0]
    assert head.prototypes().shape == (sum(LEVEL_SIZES), 8)  # every node
    request = head.semantic_graph_request()
    assert request.num_nodes == 37 and request.table_shape == (8, K)
    table = graph_table()
    assert tuple(table.shape) == (8, K)
    head.set_semantic_graph(table)
    assert head.has_semantic_graph
    assert torch.equal(head.semantic_neighbours, table)
    assert int(table.max()) >= 8, 'both-mode neighbours reach coarse nodes too'


def test_loss_is_finite_and_every_level_gets_a_gradient():
    head = build_head()
    head.set_semantic_graph(graph_table())
    labels = [0, 1, 2, 3, 4, 5, 6, 7, 0, 0]  # every species, one repeated
    losses = head.loss(feats(3, len(labels)), samples(labels))
    assert sorted(k for k in losses if k.startswith('loss_ce')) == [
        f'loss_ce_level{level}' for level in range(7)]
    assert all(torch.isfinite(v) for v in losses.values()), losses
    sum(losses.values()).backward()
    for level, clf in enumerate(head.classifiers):
        grad = clf.weight.grad
        assert grad is not None and grad.abs().sum() > 0, f'level {level}'
    assert head.proto_mlp[0].weight.grad.abs().sum() > 0
    assert head.projector[0].weight.grad.abs().sum() > 0


def test_coarse_prototypes_get_a_gradient_from_the_contrastive_loss_alone():
    """With every CE weight 0, only the prototype term reaches the coarse
    classifiers: through the prototypes of the coarse neighbours (mode both)
    and the denominator over all 37 nodes."""
    head = build_head(level_loss_weights=[0.0] * 7)
    head.set_semantic_graph(graph_table())
    losses = head.loss(feats(3, 6), samples([0, 3, 4, 5, 6, 7]))
    assert all(float(v.detach()) == 0 for k, v in losses.items() if k.startswith('loss_ce'))
    sum(losses.values()).backward()
    for level, clf in enumerate(head.classifiers):
        assert clf.weight.grad.abs().sum() > 0, f'level {level}'


def test_level_weights_scale_each_levels_ce():
    weights = [0.5 / 6] * 6 + [1.0]
    torch.manual_seed(0)
    plain = build_head(level_loss_weights=[1.0] * 7, contrastive_loss=None)
    torch.manual_seed(0)
    weighted = build_head(level_loss_weights=weights, contrastive_loss=None)
    batch = feats(1, 5)
    labels = samples([0, 2, 4, 6, 7])
    a, b = plain.loss(batch, labels), weighted.loss(batch, labels)
    for level, w in enumerate(weights):
        key = f'loss_ce_level{level}'
        assert torch.allclose(b[key], w * a[key]), key


def test_a_six_level_graph_is_refused_by_a_seven_level_head():
    head = build_head()
    with pytest.raises(ValueError, match=r'must be \(8, 4\)'):
        head.set_semantic_graph(graph_table()[:7])
