"""Blocks of a picture: superclasses in similarity order, clusters of S for one level."""
import numpy as np
import pytest

from skcl_mm.semantics.pictures.class_groups import (block_means, check_groups,
                                                     class_groups, leaf_order,
                                                     short_name)
from tests.fixtures.semantic_graphs import synthetic_graph


def test_superclass_blocks_are_contiguous_named_and_tied_to_their_nodes(graph100):
    graph, groups, names = graph100
    blocks = class_groups(graph, groups, names)
    assert blocks.kind == 'superclass' and blocks.num_groups == 20
    assert sorted(blocks.order.tolist()) == list(range(100))
    groups = np.asarray(groups)
    for b in range(20):
        members = blocks.members(b)
        superclass = int(groups[members[0]])
        assert set(members.tolist()) == set(np.flatnonzero(groups == superclass).tolist())
        assert blocks.names[b] == names[superclass]
        assert graph.node_names[blocks.coarse_nodes[b]] == names[superclass]
    assert (blocks.group_of()[blocks.order] == np.repeat(np.arange(20), 5)).all()


def test_similar_superclasses_are_drawn_side_by_side():
    graph, groups, names = synthetic_graph(4, 4, coarse=False, spread=0.3)
    sim = graph.similarity.copy()
    groups = np.asarray(groups)
    # superclasses 0 and 3 become near-copies of each other
    a, b = np.flatnonzero(groups == 0), np.flatnonzero(groups == 3)
    sim[np.ix_(a, b)] = sim[np.ix_(b, a)] = 0.8
    graph.similarity = sim
    blocks = class_groups(graph, groups.tolist(), ['s0', 's1', 's2', 's3'])
    assert abs(blocks.names.index('s0') - blocks.names.index('s3')) == 1


def test_one_small_level_is_one_block_in_dataset_order(graph10):
    graph = graph10[0]
    blocks = class_groups(graph)
    assert blocks.kind == 'all' and blocks.spans == [(0, 10)]
    assert blocks.order.tolist() == list(range(10)) and blocks.coarse_nodes == [-1]


def test_one_large_level_is_cut_into_clusters_of_s_named_by_a_member():
    graph, groups, _ = synthetic_graph(9, 10, coarse=False, spread=0.4, seed=3)
    blocks = class_groups(graph)
    assert blocks.kind == 'cluster' and blocks.num_groups == 9  # round(sqrt(90))
    groups = np.asarray(groups)
    for b in range(blocks.num_groups):
        members = blocks.members(b)
        assert len(set(groups[members].tolist())) == 1  # each cluster is one hidden group
        assert blocks.names[b] in {graph.node_names[i] for i in members}


def test_leaf_order_puts_near_copies_next_to_each_other():
    emb = np.eye(6)[[0, 1, 2, 0, 3, 4]] + 0.01 * np.arange(6)[:, None]
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    order = leaf_order(emb @ emb.T).tolist()
    assert sorted(order) == list(range(6))
    assert abs(order.index(0) - order.index(3)) == 1


def test_block_means_by_hand():
    sim = np.array([[1.0, 0.5, 0.1], [0.5, 1.0, 0.3], [0.1, 0.3, 1.0]])
    means = block_means(sim, np.array([0, 0, 1]), 2)
    # inside block 0: the one pair (0, 1); block 1 has no pair; across: (0,2), (1,2)
    np.testing.assert_allclose(means, [[0.5, 0.2], [0.2, 0.0]])


def test_short_name_keeps_the_first_synonym_within_the_width():
    assert short_name('tench, Tinca tinca') == 'tench'
    long = short_name('x' * 40, 12)
    assert len(long) == 12 and long.endswith('\u2026')


@pytest.mark.parametrize('groups, names, words', [
    ([0, 1, 0], None, ['(10,)', 'fine_to_level[-2]']),
    ([0.0] * 10, None, ['integer', 'fine_to_level[-2]']),
    ([-1] + [0] * 9, None, ['>= 0', '-1']),
    ([0] * 5 + [2] * 5, ['a', 'b'], ['2 names', 'index 2', 'level_classes[-2]']),
    (None, ['a'], ['groups=', 'fine_to_level[-2]']),
])
def test_wrong_groups_name_the_fix(groups, names, words):
    with pytest.raises(ValueError) as err:
        check_groups(groups, names, 10)
    for word in words:
        assert word in str(err.value)
