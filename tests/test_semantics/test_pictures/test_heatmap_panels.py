"""One small heatmap per block: panel counts, names, marked links, pages."""
import numpy as np

from skcl_mm.semantics.pictures.class_groups import class_groups
from skcl_mm.semantics.pictures.heatmap_panels import (draw_similarity_panels,
                                                       similarity_panel_pages)
from tests.fixtures.semantic_graphs import artists, synthetic_graph, texts


def test_hundred_classes_one_page_of_twenty_named_panels(graph100):
    graph, groups, names = graph100
    blocks = class_groups(graph, groups, names)
    pages = list(similarity_panel_pages(graph, blocks))
    assert len(pages) == 1 and pages[0][1] == 1
    fig = pages[0][0]
    panels = [ax for ax in fig.axes if ax.get_images() and ax.get_label() != '<colorbar>']
    assert len(panels) == 20
    for b, ax in enumerate(panels):
        assert ax.get_images()[0].get_array().shape == (5, 6)  # + the superclass column
        assert names[groups[blocks.members(b)[0]]] in ax.get_title()
    assert len(artists(fig, 'row_name')) == 100
    assert texts(fig, 'column_name').count('superclass') == 20
    # a red box for every link whose target is drawn in its panel
    inside = sum(int(np.isin(graph.neighbours[y].numpy(),
                             np.append(blocks.members(b), blocks.coarse_nodes[b])).sum())
                 for b in range(20) for y in blocks.members(b))
    assert len(artists(fig, 'link')) == inside > 0


def test_big_blocks_go_to_numbered_pages_within_the_page_size(tmp_path):
    graph, groups, names = synthetic_graph(12, 30, k=1, seed=4)
    blocks = class_groups(graph, groups, names)
    files = draw_similarity_panels(graph, blocks, str(tmp_path / 'sim'))
    assert len(files) > 1
    assert [f.rsplit('/', 1)[1] for f in files] == [f'sim_{i + 1}.png'
                                                   for i in range(len(files))]
    from PIL import Image
    for f in files:
        with Image.open(f) as png:
            assert png.size[0] <= 2200 + 130 and png.size[1] <= 1800 + 60


def test_values_are_written_up_to_ten_classes(graph10):
    graph, groups, names = graph10
    fig, _ = next(similarity_panel_pages(graph, class_groups(graph, groups, names)))
    values = [t for t in texts(fig) if t.replace('.', '').isdigit()]
    assert len(values) == 2 * (5 * 6 - 5)
