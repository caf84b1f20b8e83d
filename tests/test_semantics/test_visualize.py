"""save_graph_files: the two overviews for the visualizer, pages above 60 classes,
the matrix and the neighbour table; wrong inputs stop before any file."""
import csv
import os

import numpy as np
import pytest

from skcl_mm.semantics.visualize import (plot_neighbour_graph,
                                         plot_similarity_heatmap,
                                         save_graph_files)
from tests.fixtures.semantic_graphs import synthetic_graph


@pytest.fixture(scope='module')
def hundred(tmp_path_factory):
    """One save_graph_files call on a CIFAR-100-shaped graph (120 nodes)."""
    graph, groups, names = synthetic_graph(20, 5, seed=1)
    out = tmp_path_factory.mktemp('graph100')
    (out / 'neighbour_groups_9.png').write_bytes(b'stale page of an earlier graph')
    images = save_graph_files(graph, str(out), groups, names)
    return graph, out, images


def test_hundred_classes_overviews_pages_and_tables(hundred):
    graph, out, images = hundred
    assert sorted(images) == ['neighbour_graph', 'similarity_heatmap']
    assert all(v.ndim == 3 and v.shape[2] == 3 and v.dtype == np.uint8
               for v in images.values())
    assert sorted(os.listdir(out)) == [
        'neighbour_graph.png', 'neighbour_groups.png', 'neighbours.csv', 'node_names.txt',
        'semantic_graph.html', 'similarity.npy', 'similarity_groups.png',
        'similarity_heatmap.png']
    assert graph.node_names[0] in (out / 'semantic_graph.html').read_text()
    for name in os.listdir(out):
        if name.endswith('.png'):
            assert 0 < (out / name).stat().st_size < 400_000, name
    np.testing.assert_allclose(np.load(out / 'similarity.npy'), graph.similarity)
    assert (out / 'node_names.txt').read_text().split() == graph.node_names


def test_neighbour_table_lists_name_node_and_similarity(hundred):
    graph, out, _ = hundred
    with open(out / 'neighbours.csv') as f:
        rows = list(csv.reader(f))
    assert len(rows) == graph.num_fine
    name, node, value = rows[7][1].split(':')
    j = int(graph.neighbours[7, 0])
    assert rows[7][0] == graph.node_names[7] and (name, int(node)) == (graph.node_names[j], j)
    assert float(value) == pytest.approx(graph.similarity[7, j], abs=1e-6)


def test_ten_classes_no_pages_unless_asked_and_csv_matrix(tmp_path):
    graph, groups, names = synthetic_graph(2, 5)
    save_graph_files(graph, str(tmp_path / 'a'), groups, names)
    assert not any('groups' in f for f in os.listdir(tmp_path / 'a'))
    save_graph_files(graph, str(tmp_path / 'b'), groups, names, 'csv', group_pages=True)
    files = os.listdir(tmp_path / 'b')
    assert {'similarity_groups.png', 'neighbour_groups.png', 'similarity.csv'} <= set(files)
    with open(tmp_path / 'b' / 'similarity.csv') as f:
        rows = list(csv.reader(f))
    assert rows[0][1:] == graph.node_names and float(rows[1][1]) == pytest.approx(1.0)


def test_many_nodes_get_the_block_summary_instead_of_the_ring():
    graph, _, _ = synthetic_graph(10, 20, coarse=False, k=2)
    assert plot_neighbour_graph(graph).shape == (1700, 1600, 3)  # the 16 x 17 inch summary


@pytest.mark.parametrize('kwargs, error, words', [
    (dict(groups=[0, 1]), ValueError, ['(10,)', 'fine_to_level[-2]']),
    (dict(groups=[0] * 10, group_names=[]), ValueError, ['level_classes[-2]']),
    (dict(matrix_format='xlsx'), ValueError, ["'npy' or 'csv'"]),
])
def test_wrong_inputs_stop_before_any_file_and_name_the_fix(tmp_path, kwargs, error, words):
    graph, _, _ = synthetic_graph(2, 5)
    with pytest.raises(error) as err:
        save_graph_files(graph, str(tmp_path / 'out'), **kwargs)
    assert all(word in str(err.value) for word in words)
    assert not (tmp_path / 'out').exists()


def test_a_graph_that_is_not_a_semantic_graph_names_the_builder():
    with pytest.raises(TypeError, match='build_semantic_graph'):
        plot_similarity_heatmap(np.eye(3))


def test_a_graph_without_links_still_draws(tmp_path):
    graph, groups, names = synthetic_graph(2, 5, k=0)
    assert graph.neighbours.shape == (10, 0)
    images = save_graph_files(graph, str(tmp_path), groups, names, group_pages=True)
    assert len(images) == 2 and (tmp_path / 'neighbour_groups.png').stat().st_size > 0
