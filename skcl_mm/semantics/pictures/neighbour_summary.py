"""The neighbour graph of many classes, one node per block (superclass or cluster).

Above ``RING_LIMIT`` nodes a class-level ring cannot carry labels. This picture
keeps the direction and the weight of the links at block level: node ``A``
(size: its classes; label: the share of its links that stay inside), an arrow
``A -> B`` for the Top-K links from classes of ``A`` to nodes of ``B``, width =
their number, colour = their mean ``S``; the ``2 * num_groups`` pairs with the
most links are drawn (at least ``min_links`` each; the title says how many).
"""
import math
from typing import Dict, Optional, Tuple

import numpy as np

from .canvas import EdgeScale, edge_list, figure, finish, group_colour
from .class_groups import ClassGroups


def block_links(graph, blocks: ClassGroups) -> Tuple[Dict[Tuple[int, int], list], np.ndarray]:
    """Top-K links gathered by ``(block of y, block of j)``.

    Returns:
        tuple: ``{(A, B): [S, ...]}`` for A != B, and ``(num_groups,)`` links
        staying inside each block (to its classes or its superclass node).
    """
    fine_group = blocks.group_of()
    node_group = {node: g for g, node in enumerate(blocks.coarse_nodes) if node >= 0}
    pairs, inside = {}, np.zeros(blocks.num_groups, dtype=np.int64)
    for y, j, s in edge_list(graph):
        a = int(fine_group[y])
        b = int(fine_group[j]) if j < graph.num_fine else node_group.get(j, -1)
        if a == b:
            inside[a] += 1
        elif b >= 0:
            pairs.setdefault((a, b), []).append(s)
    return pairs, inside


def draw_neighbour_summary(graph, blocks: ClassGroups,
                           out_file: Optional[str] = None) -> np.ndarray:
    """Render :func:`neighbour_summary_figure` (and write ``out_file``).

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB image.
    """
    return finish(neighbour_summary_figure(graph, blocks), out_file)


def neighbour_summary_figure(graph, blocks: ClassGroups, min_links: int = 2):
    """The block-level neighbour graph, as a Figure.

    Args:
        graph (SemanticGraph): A built graph.
        blocks (ClassGroups): Blocks (:func:`class_groups`).
        min_links (int): Least number of links for an arrow between two blocks.
    """
    from matplotlib.patches import FancyArrowPatch
    g = blocks.num_groups
    pairs, inside = block_links(graph, blocks)
    ranked = sorted(pairs.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:2 * g]
    shown = {key: values for key, values in ranked if len(values) >= min_links}
    min_links = min([len(v) for v in shown.values()] or [min_links])
    scale = EdgeScale([float(np.mean(v)) for v in shown.values()])
    fig = figure(16.0, 17.0)
    ax = fig.add_axes((0.0, 0.08, 1.0, 0.86))
    ax.set_xlim(-1.75, 1.75)
    ax.set_ylim(-1.75, 1.75)
    ax.set_aspect('equal')
    ax.set_axis_off()
    angles = [math.pi / 2 - 2 * math.pi * i / g for i in range(g)]
    pos = np.array([[math.cos(a), math.sin(a)] for a in angles])
    most = max([len(v) for v in shown.values()] or [1])
    for (a, b), values in sorted(shown.items(), key=lambda kv: len(kv[1])):
        style = scale.style(float(np.mean(values)))
        style['linewidth'] = 0.6 + 5.0 * len(values) / most
        ax.add_patch(FancyArrowPatch(pos[a], pos[b], connectionstyle='arc3,rad=0.2',
                                     arrowstyle='-|>', mutation_scale=12, shrinkA=12,
                                     shrinkB=12, zorder=1, gid='link', **style))
    sizes = np.array([e - s for s, e in blocks.spans])
    ax.scatter(pos[:, 0], pos[:, 1], s=40 + 400 * sizes / sizes.max(), zorder=3,
               c=[group_colour(i) for i in range(g)], edgecolors='black', gid='blocks')
    total = sizes * graph.num_neighbours
    for i, a in enumerate(angles):
        left = math.cos(a) < 0
        ax.text(1.1 * math.cos(a), 1.1 * math.sin(a),
                f'{i + 1} {blocks.names[i]} ({sizes[i]}): {inside[i] / total[i]:.0%} in',
                rotation=math.degrees(a) + (180 if left else 0), rotation_mode='anchor',
                ha='right' if left else 'left', va='center', fontsize=9, gid='label')
    kept = sum(len(v) for v in shown.values())
    fig.suptitle(_title(graph, blocks, int(inside.sum()), kept, min_links), fontsize=12)
    cax = fig.add_axes((0.3, 0.045, 0.4, 0.012))
    scale.colorbar(fig, None, cax=cax, orientation='horizontal',
                   label=f'mean S of the links between two blocks; width: number of links '
                         f'(widest: {most})')
    return fig


def _title(graph, blocks: ClassGroups, inside: int, kept: int, min_links: int) -> str:
    links = graph.num_fine * graph.num_neighbours
    kind = 'superclasses' if blocks.kind == 'superclass' else 'clusters of S'
    return (f'Top-{graph.num_neighbours} neighbours of {graph.num_fine} classes '
            f'(mode {graph.mode}, {graph.source}), summed over {blocks.num_groups} {kind}\n'
            f'{inside} of {links} links stay inside their block ("% in" per block); '
            f'arrows A \u2192 B: the {kept} links between blocks joined by at least '
            f'{min_links}; every class and link: the per-block pages')
