"""The ring: every node once, directed links weighted by S, labels that fit, a legend."""
import math

import numpy as np

from skcl_mm.semantics.pictures.class_groups import class_groups
from skcl_mm.semantics.pictures.neighbour_ring import (draw_neighbour_ring,
                                                       neighbour_ring_figure,
                                                       ring_slots)
from tests.fixtures.semantic_graphs import artists, texts


def _position(slots, node):
    a = math.pi / 2 - 2 * math.pi * slots.index(node) / len(slots)
    return np.array([math.cos(a), math.sin(a)])


def test_slots_hold_every_node_once_a_block_then_its_superclass_then_a_gap(graph10):
    graph, groups, names = graph10
    blocks = class_groups(graph, groups, names)
    slots = ring_slots(graph, blocks)
    nodes = [s for s in slots if s is not None]
    assert sorted(nodes) == list(range(12)) and slots.count(None) == 2
    first = blocks.members(0).tolist() + [blocks.coarse_nodes[0], None]
    assert slots[:len(first)] == first


def test_links_are_directed_from_class_to_neighbour_and_weighted_by_s(graph100):
    graph, groups, names = graph100
    blocks = class_groups(graph, groups, names)
    fig = neighbour_ring_figure(graph, blocks)
    links = artists(fig, 'link')
    assert len(links) == graph.num_fine * graph.num_neighbours
    slots = ring_slots(graph, blocks)
    pairs = [(y, j) for y in range(graph.num_fine) for j in graph.neighbours[y].tolist()]
    for (y, j), link in zip(pairs, links):
        path = link.get_path().vertices
        assert np.allclose(path[0], _position(slots, y))
        assert np.linalg.norm(path[2] - _position(slots, j)) < 0.05  # ends at j
        assert type(link.get_arrowstyle()).__name__ == 'CurveFilledB'  # '-|>': head at j
    sims = [graph.similarity[y, j] for y, j in pairs]
    widths = [link.get_linewidth() for link in links]
    assert np.corrcoef(sims, widths)[0, 1] > 0.99


def test_legend_colour_bar_and_bold_superclass_labels(graph100):
    graph, groups, names = graph100
    fig = neighbour_ring_figure(graph, class_groups(graph, groups, names))
    (legend, ) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert any('fine class' in t for t in labels) and any('superclass node' in t
                                                          for t in labels)
    assert any('Top-2' in t for t in labels)
    assert any('S(y, j)' in ax.get_xlabel() for ax in fig.axes)
    assert len(artists(fig, 'coarse_nodes')[0].get_offsets()) == 20
    bold = [t.get_text() for t in artists(fig, 'label') if t.get_fontweight() == 'bold']
    assert sorted(bold) == sorted(names)
    assert len(artists(fig, 'group_arc')) == 20


def test_labels_fit_the_ring_spacing_so_they_cannot_overlap(graph100):
    graph, groups, names = graph100
    blocks = class_groups(graph, groups, names)
    fig = neighbour_ring_figure(graph, blocks)
    ax = artists(fig, 'fine_nodes')[0].axes
    radius_px = ax.transData.transform((1, 0))[0] - ax.transData.transform((0, 0))[0]
    spacing_px = 2 * math.pi * radius_px / len(ring_slots(graph, blocks))
    for label in artists(fig, 'label'):
        assert label.get_fontsize() * fig.dpi / 72 * 1.2 <= spacing_px
    assert len(texts(fig, 'label')) == len(graph.node_names)


def test_draw_writes_the_png(graph10, tmp_path):
    graph, groups, names = graph10
    image = draw_neighbour_ring(graph, class_groups(graph, groups, names),
                                str(tmp_path / 'r.png'))
    assert image.shape[2] == 3 and (tmp_path / 'r.png').stat().st_size > 0
