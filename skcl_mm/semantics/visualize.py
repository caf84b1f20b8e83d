"""Pictures of a semantic graph: the similarity heatmap and the neighbour graph.

Both follow the paper's figures: Fig. 5, the fine-class similarity matrix with
classes grouped by superclass, and Fig. 6, classes as nodes and Top-K links as
edges. matplotlib is imported lazily and drawn through the Agg canvas (no
pyplot state, no display); each function returns an RGB ``uint8`` image for
``Visualizer.add_image`` and optionally writes a PNG.
"""
import math
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .graph import SemanticGraph


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _finish(fig, out_file: Optional[str]) -> np.ndarray:
    """Render ``fig`` to an ``(H, W, 3)`` uint8 RGB array, saving a PNG if asked."""
    if out_file:
        fig.savefig(out_file, format='png', dpi=100)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


def _group_order(n_fine: int, groups: Optional[Sequence[int]]) -> Tuple[np.ndarray, np.ndarray]:
    """Fine classes sorted by group (stable), and the group of each, in that order."""
    groups = np.zeros(n_fine, dtype=np.int64) if groups is None else np.asarray(groups)
    if groups.shape != (n_fine, ):
        raise ValueError(f'groups must give one group per fine class: expected '
                         f'({n_fine},), got {groups.shape}.')
    order = np.argsort(groups, kind='stable')
    return order, groups[order]


def _group_spans(sorted_groups: np.ndarray) -> List[Tuple[int, int, int]]:
    """``(group, start, end)`` runs of equal groups in a sorted array."""
    spans, start = [], 0
    for i in range(1, len(sorted_groups) + 1):
        if i == len(sorted_groups) or sorted_groups[i] != sorted_groups[start]:
            spans.append((int(sorted_groups[start]), start, i))
            start = i
    return spans


def plot_similarity_heatmap(graph: SemanticGraph,
                            groups: Optional[Sequence[int]] = None,
                            group_names: Optional[Sequence[str]] = None,
                            out_file: Optional[str] = None) -> np.ndarray:
    """The fine-class similarity matrix, classes grouped by superclass (Fig. 5).

    Args:
        graph (SemanticGraph): A built graph.
        groups (Sequence[int], optional): ``(n_fine,)`` superclass of each fine
            class (a row of the dataset's ``fine_to_level``). None: one group.
        group_names (Sequence[str], optional): A name per group.
        out_file (str, optional): PNG path to write.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB image.
    """
    n_fine = graph.num_fine
    order, sorted_groups = _group_order(n_fine, groups)
    sim = np.asarray(graph.similarity)[np.ix_(order, order)]
    size = min(18.0, 5.0 + 0.12 * n_fine)
    fig = _figure(size + 1.5, size)
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(sim, cmap='viridis', interpolation='nearest')
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label='cosine similarity')
    names = [graph.node_names[i] for i in order]
    font = max(3.0, min(9.0, 400.0 / max(n_fine, 1)))
    ax.set_xticks(range(n_fine), names, rotation=90, fontsize=font)
    ax.set_yticks(range(n_fine), names, fontsize=font)
    for _, start, end in _group_spans(sorted_groups)[1:]:
        ax.axhline(start - 0.5, color='white', linewidth=0.6)
        ax.axvline(start - 0.5, color='white', linewidth=0.6)
    title = f'Semantic similarity ({graph.source}, {n_fine} classes'
    if group_names is not None:
        title += f', grouped by {len(group_names)} superclasses'
    ax.set_title(title + ')')
    fig.tight_layout()
    return _finish(fig, out_file)


def _circle(n: int, radius: float, offset: float = 0.0) -> np.ndarray:
    angles = offset + 2 * math.pi * np.arange(n) / max(n, 1)
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _layout(graph: SemanticGraph, order: np.ndarray,
            groups: Optional[Sequence[int]]) -> np.ndarray:
    """``(n, 2)`` positions: fine classes on the outer circle in group order,
    coarser nodes on inner circles, one per level; with ``groups``, each node of
    the level just above the fine one sits at the mean angle of its children."""
    pos = np.zeros((len(graph.node_names), 2))
    pos[order] = _circle(graph.num_fine, 1.0)
    levels = np.asarray(graph.node_levels)
    coarse_levels = sorted(set(levels[graph.num_fine:].tolist()), reverse=True)
    for depth, level in enumerate(coarse_levels):
        ids = np.flatnonzero(levels == level)
        radius = 0.6 / (depth + 1)
        pos[ids] = _circle(len(ids), radius, offset=0.1)
        if depth == 0 and groups is not None:
            for g, node in enumerate(ids):
                children = pos[:graph.num_fine][np.asarray(groups) == g]
                mean = children.sum(axis=0)
                if len(children) and np.linalg.norm(mean) > 1e-6:
                    pos[node] = radius * mean / np.linalg.norm(mean)
    return pos


def plot_neighbour_graph(graph: SemanticGraph,
                         groups: Optional[Sequence[int]] = None,
                         out_file: Optional[str] = None) -> np.ndarray:
    """Classes as nodes, Top-K links as edges, on a circular layout (Fig. 6).

    Args:
        graph (SemanticGraph): A built graph.
        groups (Sequence[int], optional): ``(n_fine,)`` superclass of each fine
            class, for order and colour. None: one group.
        out_file (str, optional): PNG path to write.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB image.
    """
    from matplotlib import colormaps
    from matplotlib.collections import LineCollection
    n_fine, n = graph.num_fine, len(graph.node_names)
    order, _ = _group_order(n_fine, groups)
    pos = _layout(graph, order, groups)
    colour_ids = np.zeros(n_fine, dtype=int) if groups is None else np.asarray(groups)
    cmap = colormaps['tab20']
    fig = _figure(12, 12)
    ax = fig.add_subplot(1, 1, 1)
    edges = [(pos[y], pos[j]) for y in range(n_fine)
             for j in graph.neighbours[y].tolist()]
    ax.add_collection(LineCollection(edges, colors=(0.3, 0.3, 0.3, 0.35),
                                     linewidths=0.7))
    ax.scatter(pos[:n_fine, 0], pos[:n_fine, 1], s=30, zorder=3,
               c=[cmap((2 * int(g) + int(g) // 10) % 20) for g in colour_ids])
    if n > n_fine:
        ax.scatter(pos[n_fine:, 0], pos[n_fine:, 1], s=60, marker='s',
                   c='black', zorder=3)
    font = max(4.0, min(9.0, 500.0 / n))
    for i, (x, y) in enumerate(pos):
        ax.text(x * 1.06 if i < n_fine else x, y * 1.06 if i < n_fine else y + 0.03,
                graph.node_names[i], fontsize=font, ha='center', va='center')
    ax.set_xlim(-1.25, 1.25)
    ax.set_ylim(-1.25, 1.25)
    ax.set_aspect('equal')
    ax.axis('off')
    ax.set_title(f'Top-{graph.num_neighbours} semantic neighbours '
                 f'(mode {graph.mode}, {graph.source})')
    fig.tight_layout()
    return _finish(fig, out_file)


def save_graph_files(graph: SemanticGraph, out_dir: str,
                     groups: Optional[Sequence[int]] = None,
                     group_names: Optional[Sequence[str]] = None,
                     matrix_format: str = 'npy') -> Dict[str, np.ndarray]:
    """Write the pictures, the similarity matrix and the neighbour table.

    Files in ``out_dir``: ``similarity_heatmap.png``, ``neighbour_graph.png``,
    ``similarity.npy`` (with ``node_names.txt``) or ``similarity.csv`` (names
    as header row and first column), ``neighbours.csv`` (one row per fine
    class: class, then ``name:node id:similarity`` per neighbour).

    Args:
        graph (SemanticGraph): A built graph.
        out_dir (str): Output directory (created).
        groups (Sequence[int], optional): ``(n_fine,)`` superclass per class.
        group_names (Sequence[str], optional): Superclass names.
        matrix_format (str): ``'npy'`` or ``'csv'``.

    Returns:
        dict[str, np.ndarray]: ``{'similarity_heatmap': RGB, 'neighbour_graph': RGB}``.
    """
    if matrix_format not in ('npy', 'csv'):
        raise ValueError(f"matrix_format must be 'npy' or 'csv', got {matrix_format!r}.")
    os.makedirs(out_dir, exist_ok=True)
    images = dict(
        similarity_heatmap=plot_similarity_heatmap(
            graph, groups, group_names, osp.join(out_dir, 'similarity_heatmap.png')),
        neighbour_graph=plot_neighbour_graph(
            graph, groups, osp.join(out_dir, 'neighbour_graph.png')))
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
    return images


def _write_csv(path: str, rows: List[List[str]]) -> None:
    import csv
    with open(path, 'w', newline='') as f:
        csv.writer(f).writerows(rows)
