"""Many classes: one node per block, links between blocks counted and weighted."""
import numpy as np
import torch

from skcl_mm.semantics.pictures.class_groups import class_groups
from skcl_mm.semantics.pictures.neighbour_summary import (
    block_links, neighbour_summary_figure)
from tests.fixtures.semantic_graphs import artists, synthetic_graph, texts


def test_block_links_by_hand():
    graph, groups, names = synthetic_graph(2, 2, k=2)  # fine 0-3, super nodes 4, 5
    # super_0 = {0, 1} (node 4), super_1 = {2, 3} (node 5)
    graph.neighbours = torch.tensor([[1, 4], [2, 3], [5, 0], [2, 1]])
    blocks = class_groups(graph, groups, names)
    pairs, inside = block_links(graph, blocks)
    a, b = blocks.names.index('super_0'), blocks.names.index('super_1')
    assert inside[a] == 2  # 0 -> 1, 0 -> 4
    assert inside[b] == 2  # 2 -> 5, 3 -> 2
    assert len(pairs[(a, b)]) == 2  # 1 -> 2, 1 -> 3
    assert len(pairs[(b, a)]) == 2  # 2 -> 0, 3 -> 1
    np.testing.assert_allclose(pairs[(a, b)], graph.similarity[1, [2, 3]])


def test_figure_draws_the_busiest_block_pairs_with_width_by_count(flat300):
    graph = flat300[0]
    blocks = class_groups(graph)
    fig = neighbour_summary_figure(graph, blocks)
    links = artists(fig, 'link')
    pairs, inside = block_links(graph, blocks)
    assert 0 < len(links) <= 2 * blocks.num_groups
    counts = sorted((len(v) for v in pairs.values()), reverse=True)[:len(links)]
    widths = sorted((a.get_linewidth() for a in links), reverse=True)
    np.testing.assert_allclose(widths, [0.6 + 5.0 * c / counts[0] for c in counts])
    labels = texts(fig, 'label')
    assert len(labels) == blocks.num_groups and all('% in' in t for t in labels)
    title = fig._suptitle.get_text()
    assert f'{int(inside.sum())} of 1200 links stay inside' in title
    assert 'clusters of S' in title
