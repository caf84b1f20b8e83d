"""The heatmap overview: every class named up to 60 classes, named blocks above."""
import numpy as np

from skcl_mm.semantics.pictures.class_groups import class_groups
from skcl_mm.semantics.pictures.heatmap import (draw_similarity_heatmap,
                                                similarity_heatmap_figure)
from tests.fixtures.semantic_graphs import artists, synthetic_graph, texts


def _matrix_axes(fig):
    return [ax for ax in fig.axes if ax.get_images() and ax.get_label() != '<colorbar>']


def test_ten_classes_every_class_value_block_and_superclass_named(graph10):
    graph, groups, names = graph10
    blocks = class_groups(graph, groups, names)
    fig = similarity_heatmap_figure(graph, blocks)
    (ax, ) = _matrix_axes(fig)
    assert ax.get_images()[0].get_array().shape == (10, 10)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows == [graph.node_names[i] for i in blocks.order]
    assert len(artists(fig, 'block')) == 2
    values = [t for t in texts(fig) if t.replace('.', '').replace('-', '').isdigit()]
    assert len(values) == 90  # every off-diagonal cell; the diagonal is grey (NaN)
    assert {'super_0', 'super_1'} <= set(texts(fig))  # block names on the right
    assert any('grouped by 2 superclasses' in t for t in texts(fig))
    assert any('cosine similarity' in ax.get_ylabel() + ax.get_xlabel()
               for ax in fig.axes)  # the colour bar


def test_hundred_classes_named_blocks_and_the_block_means_without_class_names(graph100):
    graph, groups, names = graph100
    blocks = class_groups(graph, groups, names)
    fig = similarity_heatmap_figure(graph, blocks)
    full, means = _matrix_axes(fig)
    assert full.get_images()[0].get_array().shape == (100, 100)
    assert means.get_images()[0].get_array().shape == (20, 20)
    assert len(artists(fig, 'block')) == 20
    shown = ' '.join(texts(fig))
    assert all(name in shown for name in names)
    assert not any(name in shown for name in graph.node_names[:100])
    assert len([ax for ax in fig.axes if ax.get_label() == '<colorbar>']) == 2


def test_block_means_panel_shows_the_mean_of_each_block_pair(graph100):
    graph, groups, names = graph100
    blocks = class_groups(graph, groups, names)
    _, means = _matrix_axes(similarity_heatmap_figure(graph, blocks))
    a, b = blocks.members(0), blocks.members(1)
    expected = graph.similarity[np.ix_(a, b)].mean()
    assert np.isclose(means.get_images()[0].get_array()[0, 1], expected, atol=1e-6)


def test_one_level_title_says_it_is_clustered(flat300):
    graph = flat300[0]
    fig = similarity_heatmap_figure(graph, class_groups(graph))
    assert any('no superclasses: ordered by clustering S' in t for t in texts(fig))
    assert len(artists(fig, 'block')) == round(300 ** 0.5)


def test_draw_returns_the_image_it_writes(tmp_path):
    graph, groups, names = synthetic_graph(3, 4)
    path = tmp_path / 'h.png'
    image = draw_similarity_heatmap(graph, class_groups(graph, groups, names), str(path))
    assert image.ndim == 3 and image.shape[2] == 3 and path.stat().st_size > 0
