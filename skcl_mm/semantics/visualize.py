"""Pictures and tables of a semantic graph, written for the hook and the tool.

The pictures follow the paper's figures (Fig. 5: the similarity matrix grouped
by superclass; Fig. 6: classes as nodes, Top-K links as edges) and stay
readable from 10 to 1000 classes; how each is drawn lives in
:mod:`skcl_mm.semantics.pictures`. Files written by :func:`save_graph_files`:

* ``similarity_heatmap.png``: the fine-class matrix in hierarchy order
  (superclasses; with one level above 40 classes, clusters of S), blocks
  outlined and named, a colour bar; above 60 classes without class names,
  beside the block x block mean similarity;
* ``neighbour_graph.png``: every node and Top-K link on a ring (up to 160
  nodes), else one node per block with the links between blocks;
* above 60 classes, per block: ``similarity_groups[_N].png`` and
  ``neighbour_groups[_N].png`` (pages of panels);
* ``similarity.npy`` + ``node_names.txt`` (or ``similarity.csv``) and
  ``neighbours.csv``.
"""
import glob
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

from .graph import SemanticGraph
from .graph_html import write_graph_html
from .pictures.class_groups import class_groups
from .pictures.heatmap import LABEL_LIMIT, draw_similarity_heatmap
from .pictures.heatmap_panels import draw_similarity_panels
from .pictures.neighbour_panels import draw_neighbour_panels
from .pictures.neighbour_ring import RING_LIMIT, draw_neighbour_ring
from .pictures.neighbour_summary import draw_neighbour_summary

PAGE_PREFIXES = ('similarity_groups', 'neighbour_groups')


def check_graph(graph) -> None:
    """Stop before drawing when ``graph`` is not a consistent built graph."""
    if not isinstance(graph, SemanticGraph):
        raise TypeError(f'graph must be a SemanticGraph (from skcl_mm.semantics.'
                        f'build_semantic_graph), got {type(graph).__name__}.')
    n = len(graph.node_names)
    if np.shape(graph.similarity) != (n, n) or graph.num_fine > n:
        raise ValueError(f'graph.similarity must be ({n}, {n}) for its {n} nodes with at '
                         f'most {n} fine classes, got {np.shape(graph.similarity)} and '
                         f'{graph.num_fine}; rebuild it with build_semantic_graph.')


def plot_similarity_heatmap(graph: SemanticGraph,
                            groups: Optional[Sequence[int]] = None,
                            group_names: Optional[Sequence[str]] = None,
                            out_file: Optional[str] = None) -> np.ndarray:
    """The fine-class similarity matrix in hierarchy order, blocks named (Fig. 5).

    Args:
        graph (SemanticGraph): A built graph.
        groups (Sequence[int], optional): ``(n_fine,)`` superclass of each fine
            class (the dataset's ``fine_to_level[-2]``). None: one level
            (above 40 classes, clusters of the similarity).
        group_names (Sequence[str], optional): A name per superclass.
        out_file (str, optional): PNG path to write.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB image.
    """
    check_graph(graph)
    return draw_similarity_heatmap(graph, class_groups(graph, groups, group_names), out_file)


def plot_neighbour_graph(graph: SemanticGraph,
                         groups: Optional[Sequence[int]] = None,
                         out_file: Optional[str] = None,
                         group_names: Optional[Sequence[str]] = None) -> np.ndarray:
    """Top-K links as directed, weighted arrows (Fig. 6), on a ring or by block.

    Args:
        graph (SemanticGraph): A built graph.
        groups (Sequence[int], optional): ``(n_fine,)`` superclass of each fine class.
        out_file (str, optional): PNG path to write.
        group_names (Sequence[str], optional): A name per superclass.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB image.
    """
    check_graph(graph)
    blocks = class_groups(graph, groups, group_names)
    if len(graph.node_names) <= RING_LIMIT:
        return draw_neighbour_ring(graph, blocks, out_file)
    return draw_neighbour_summary(graph, blocks, out_file)


def save_graph_files(graph: SemanticGraph, out_dir: str,
                     groups: Optional[Sequence[int]] = None,
                     group_names: Optional[Sequence[str]] = None,
                     matrix_format: str = 'npy',
                     group_pages: Optional[bool] = None) -> Dict[str, np.ndarray]:
    """Write the pictures, the interactive page, the similarity matrix and
    the neighbour table.

    Args:
        graph (SemanticGraph): A built graph.
        out_dir (str): Output directory (created).
        groups (Sequence[int], optional): ``(n_fine,)`` superclass per class.
        group_names (Sequence[str], optional): Superclass names.
        matrix_format (str): ``'npy'`` or ``'csv'``.
        group_pages (bool, optional): Write the per-block pages; None: above
            60 fine classes (below, the overviews name every class).

    Returns:
        dict[str, np.ndarray]: The two overviews, ``{'similarity_heatmap': RGB,
        'neighbour_graph': RGB}``; the per-block pages and ``semantic_graph.html``
        (:func:`~skcl_mm.semantics.graph_html.write_graph_html`) are files only.
    """
    if matrix_format not in ('npy', 'csv'):
        raise ValueError(f"matrix_format must be 'npy' or 'csv', got {matrix_format!r}.")
    check_graph(graph)
    blocks = class_groups(graph, groups, group_names)
    os.makedirs(out_dir, exist_ok=True)
    images = dict(similarity_heatmap=draw_similarity_heatmap(
        graph, blocks, osp.join(out_dir, 'similarity_heatmap.png')))
    ring = len(graph.node_names) <= RING_LIMIT
    draw = draw_neighbour_ring if ring else draw_neighbour_summary
    images['neighbour_graph'] = draw(graph, blocks, osp.join(out_dir, 'neighbour_graph.png'))
    _remove_pages(out_dir)
    if graph.num_fine > LABEL_LIMIT if group_pages is None else group_pages:
        draw_similarity_panels(graph, blocks, osp.join(out_dir, PAGE_PREFIXES[0]))
        draw_neighbour_panels(graph, blocks, osp.join(out_dir, PAGE_PREFIXES[1]))
    _write_tables(graph, out_dir, matrix_format)
    write_graph_html(graph, osp.join(out_dir, 'semantic_graph.html'), groups,
                     group_names)
    return images


def _remove_pages(out_dir: str) -> None:
    """Delete the page files of an earlier graph (their count may differ)."""
    for prefix in PAGE_PREFIXES:
        for path in (glob.glob(osp.join(out_dir, f'{prefix}.png'))
                     + glob.glob(osp.join(out_dir, f'{prefix}_[0-9]*.png'))):
            os.remove(path)


def _write_tables(graph: SemanticGraph, out_dir: str, matrix_format: str) -> None:
    """``similarity.npy`` + ``node_names.txt`` or ``similarity.csv``; ``neighbours.csv``
    (one row per fine class: class, then ``name:node id:similarity`` per neighbour)."""
    sim = np.asarray(graph.similarity, dtype=np.float32)
    if matrix_format == 'npy':
        np.save(osp.join(out_dir, 'similarity.npy'), sim)
        with open(osp.join(out_dir, 'node_names.txt'), 'w') as f:
            f.write('\n'.join(graph.node_names) + '\n')
    else:
        _write_csv(osp.join(out_dir, 'similarity.csv'), [[''] + graph.node_names] + [
            [name] + [f'{v:.6f}' for v in row] for name, row in zip(graph.node_names, sim)])
    rows = [[graph.node_names[y]] + [f'{graph.node_names[j]}:{j}:{sim[y, j]:.6f}'
                                     for j in graph.neighbours[y].tolist()]
            for y in range(graph.num_fine)]
    _write_csv(osp.join(out_dir, 'neighbours.csv'), rows)


def _write_csv(path: str, rows: List[List[str]]) -> None:
    import csv
    with open(path, 'w', newline='') as f:
        csv.writer(f).writerows(rows)
