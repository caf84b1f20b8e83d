"""One neighbour panel per block: the block, its outside targets, every link once."""
from itertools import combinations

from skcl_mm.semantics.pictures.class_groups import class_groups
from skcl_mm.semantics.pictures.neighbour_panels import (neighbour_panel_pages,
                                                         panel_rows)
from tests.fixtures.semantic_graphs import artists


def test_panel_rows_are_the_block_and_exactly_its_outside_targets(graph100):
    graph, groups, names = graph100
    blocks = class_groups(graph, groups, names)
    for b in range(blocks.num_groups):
        left, right = panel_rows(graph, blocks, b)
        members = blocks.members(b).tolist()
        assert left == members + [blocks.coarse_nodes[b]]
        targets = {j for y in members for j in graph.neighbours[y].tolist()} - set(left)
        assert sorted(right) == sorted(targets)


def test_hundred_classes_one_page_twenty_panels_every_link_once(graph100):
    graph, groups, names = graph100
    blocks = class_groups(graph, groups, names)
    pages = list(neighbour_panel_pages(graph, blocks))
    assert len(pages) == 1
    fig = pages[0][0]
    panels = [ax for ax in fig.axes if ax.get_title(loc='left')]
    assert len(panels) == 20
    assert len(artists(fig, 'link')) == graph.num_fine * graph.num_neighbours
    leaving = sum(len(panel_rows(graph, blocks, b)[1]) for b in range(20))
    assert len(artists(fig, 'label')) == 120 + leaving


def test_names_in_a_panel_do_not_overlap(graph100):
    graph, groups, names = graph100
    fig, _ = next(neighbour_panel_pages(graph, class_groups(graph, groups, names)))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in artists(fig, 'label')]
    assert boxes and not any(a.overlaps(b) for a, b in combinations(boxes, 2))
