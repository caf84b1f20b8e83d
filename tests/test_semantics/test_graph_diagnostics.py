"""Graph diagnostics on hand-built tables: every figure computed by hand."""
import math
import warnings

import numpy as np
import pytest

from skcl_mm.semantics.graph_contract import candidate_mask
from skcl_mm.semantics.graph_diagnostics import (SemanticGraphHubWarning,
                                                 confusion_agreement,
                                                 find_hubs, hub_warning,
                                                 neighbour_scopes,
                                                 random_in_degree,
                                                 similarity_summary, warn_hubs)

# Two superclasses A = {0, 1} (node 4) and B = {2, 3} (node 5); K = 2.
LEVELS = [1, 1, 1, 1, 0, 0]
TREE = [[0, 0, 1, 1], [0, 1, 2, 3]]
TABLE = [[1, 4],   # sibling, own superclass
         [2, 4],   # class of B (cross), own superclass
         [5, 0],   # own superclass, class of A (cross)
         [4, 2]]   # superclass node A (cross), sibling


def _similarity():
    sim = np.full((6, 6), 0.1)
    for a, b, s in ((1, 2, 0.5), (2, 0, 0.7), (3, 4, 0.6)):
        sim[a, b] = sim[b, a] = s
    np.fill_diagonal(sim, 1.0)
    return sim


def test_random_in_degree_is_binomial_over_the_candidates():
    mask = candidate_mask([0] * 5, 5, 'both')  # one level: 4 candidates each
    mean, std = random_in_degree(mask, 1)
    # Each of the 4 other classes picks a given class with p = 1/4.
    assert mean == pytest.approx([1.0] * 5)
    assert std == pytest.approx([math.sqrt(4 * 0.25 * 0.75)] * 5)


def test_a_class_that_everyone_picks_is_a_hub():
    table = [[4], [4], [4], [4], [0]]
    hubs = find_hubs(table, [0] * 5, 'both')
    assert hubs['in_degree'] == [1, 0, 0, 0, 4]
    assert hubs['threshold'] == pytest.approx(1 + 3 * math.sqrt(0.75))  # 3.60
    assert hubs['hubs'] == [dict(node=4, in_degree=4, sources=[0, 1, 2, 3])]
    # Three pointers stay under 3.60: no hub.
    assert find_hubs([[4], [4], [4], [0], [0]], [0] * 5, 'both')['hubs'] == []


def test_superclass_nodes_are_never_hubs():
    # Every class points to node 4 (superclass A): no fine class is a target.
    hubs = find_hubs([[4, 5]] * 4, LEVELS, 'C-F')
    assert hubs['hubs'] == [] and hubs['in_degree'] == [0, 0, 0, 0]
    assert hubs['threshold'] == 0.0  # no fine candidates in C-F


def test_hub_warning_names_the_hub_its_classes_and_the_fix():
    names = ['cat', 'dog', 'fox', 'owl', 'animal']
    hubs = find_hubs([[4], [4], [4], [4], [0]], [0] * 5, 'both')
    text = hub_warning(hubs, names, 1)
    assert "'animal' of 4 ('cat', 'dog', 'fox', 'owl')" in text
    assert 'above 3.60 = mean 1.00 + 3 std 0.87' in text
    assert 'Check its description' in text and 'lower K' in text
    with pytest.warns(SemanticGraphHubWarning, match="'animal' of 4"):
        warn_hubs([[4], [4], [4], [4], [0]], [0] * 5, 'both', names)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        warn_hubs([[4], [4], [4], [0], [0]], [0] * 5, 'both', names)  # no hub
        warn_hubs(np.zeros((5, 0), dtype=int), [0] * 5, 'both', names)  # K = 0


def test_scopes_count_inside_and_across_by_hand():
    scopes = neighbour_scopes(TABLE, LEVELS, TREE, 'both', _similarity())
    assert {k: scopes[k] for k in ('links', 'sibling', 'ancestor', 'cross_class',
                                   'cross_node')} == dict(
        links=8, sibling=2, ancestor=3, cross_class=2, cross_node=1)
    assert scopes['within_share'] == pytest.approx(5 / 8)
    # 5 candidates per class, 2 of them inside (the sibling and the own node).
    assert scopes['chance_within_share'] == pytest.approx(2 / 5)
    assert scopes['cross'] == [(2, 0, pytest.approx(0.7)), (3, 4, pytest.approx(0.6)),
                               (1, 2, pytest.approx(0.5))]
    ff = neighbour_scopes([[1], [0], [3], [2]], LEVELS, TREE, 'F-F', _similarity())
    assert ff['within_share'] == 1.0 and ff['chance_within_share'] == pytest.approx(1 / 3)


def test_scopes_of_a_one_level_graph_use_a_grouping_or_nothing():
    table = [[1], [2], [3], [2]]
    assert neighbour_scopes(table, [0] * 4, None, 'both', np.eye(4)) is None
    assert neighbour_scopes(table, [0] * 4, [[0, 1, 2, 3]], 'both', np.eye(4)) is None
    grouped = neighbour_scopes(table, [0] * 4, TREE, 'both', np.eye(4))
    assert (grouped['sibling'], grouped['cross_class'], grouped['ancestor']) == (3, 1, 0)
    assert grouped['chance_within_share'] == pytest.approx(1 / 3)


def test_similarity_range_duplicates_and_chosen_links():
    sim = np.array([[1, .95, .2], [.95, 1, .5], [.2, .5, 1]])
    summary = similarity_summary(sim, [[1], [0], [1]], threshold=0.9, top=2)
    assert (summary['min'], summary['median'], summary['max']) == pytest.approx(
        (0.2, 0.5, 0.95))
    assert (summary['links_min'], summary['links_median']) == pytest.approx((0.5, 0.95))
    assert summary['duplicates'] == [(0, 1, pytest.approx(0.95))]
    assert [p[:2] for p in summary['most_similar']] == [(0, 1), (1, 2)]
    assert similarity_summary(sim, [[1], [0], [1]], threshold=0.96)['duplicates'] == []


def test_agreement_with_confusions_by_hand():
    # Four classes and one superclass node (4); K = 2.
    table = [[1, 4], [0, 2], [3, 1], [2, 0]]
    confusions = [[(1, 5), (2, 1)],          # N {1} T {1, 2}: 1 of 1
                  [(3, 2)],                  # N {0, 2} T {3}: 0 of 2
                  [],                        # no mistake: left out
                  [(0, 3), (1, 2), (2, 1)]]  # N {2, 0} T {0, 1}: 1 of 2
    result = confusion_agreement(table, confusions)
    assert (result['shared'], result['compared'], result['classes']) == (2, 5, 3)
    assert result['agreement'] == pytest.approx(2 / 5)
    # chance: (|N||T| summed: 1*2 + 2*1 + 2*2) / (n_fine - 1) / compared
    assert result['chance'] == pytest.approx(8 / 3 / 5)
    assert (result['without_errors'], result['coarse_links']) == (1, 1)
    assert result['rows'][3] == (3, [2, 0], [(0, 3), (1, 2)], [0])
    assert confusion_agreement(table, confusions, k=1)['shared'] == 2


def test_agreement_without_comparable_classes_and_wrong_lengths():
    result = confusion_agreement([[2], [2]], [[], []])
    assert result['agreement'] is None and result['chance'] is None
    with pytest.raises(ValueError, match=r'expected 2 lists \(one per fine class\), got 1'):
        confusion_agreement([[2], [2]], [[]])
