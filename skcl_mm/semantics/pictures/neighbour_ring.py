"""The Top-K neighbour graph on a ring (paper Fig. 6), for up to ``RING_LIMIT`` nodes.

Every node sits on one ring, block by block (:mod:`.class_groups`): a
superclass's classes, then the superclass node itself, then a gap. Labels run
radially outward, in a font the ring's spacing holds, so they never overlap.
An arrow ``y -> j`` is a Top-K link of fine class ``y``; its colour and width
grow with ``S(y, j)`` (colour bar); its path bends toward the centre.
"""
import math
from typing import List, Optional

import numpy as np

from .canvas import EdgeScale, edge_list, figure, finish, group_colour
from .class_groups import ClassGroups, short_name

RING_LIMIT = 160  # nodes; above, the picture is the block-level summary


def ring_slots(graph, blocks: ClassGroups) -> List[Optional[int]]:
    """Node id per slot of the ring (None: the gap after a block).

    Nodes of no block (levels above the superclasses) close the ring.
    """
    slots = []
    for group in range(blocks.num_groups):
        slots.extend(blocks.members(group).tolist())
        if blocks.coarse_nodes[group] >= 0:
            slots.append(blocks.coarse_nodes[group])
        slots.append(None)
    placed = {s for s in slots if s is not None}
    rest = [i for i in range(len(graph.node_names)) if i not in placed]
    return slots + rest + ([None] if rest else [])


def draw_neighbour_ring(graph, blocks: ClassGroups,
                        out_file: Optional[str] = None) -> np.ndarray:
    """Render :func:`neighbour_ring_figure` (and write ``out_file``).

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB image.
    """
    return finish(neighbour_ring_figure(graph, blocks), out_file)


def neighbour_ring_figure(graph, blocks: ClassGroups):
    """Every node and every Top-K link of ``graph`` on one ring, as a Figure.

    Args:
        graph (SemanticGraph): A built graph (at most ``RING_LIMIT`` nodes).
        blocks (ClassGroups): Order and blocks (:func:`class_groups`).
    """
    slots = ring_slots(graph, blocks)
    angle = {node: math.pi / 2 - 2 * math.pi * i / len(slots)
             for i, node in enumerate(slots) if node is not None}
    font = float(np.clip(0.75 * 2 * math.pi * 3.2 * 72 / len(slots), 6.0, 10.0))
    radius = max(2.2, len(slots) * 1.35 * font / (2 * math.pi * 72))
    longest = max(len(short_name(n, 32)) for n in graph.node_names) * 0.6 * font / 72
    half = radius + longest + 0.3
    height = 2 * half + 1.6
    fig = figure(max(2 * half, 7.0), height)
    ax = fig.add_axes((0.0, 1.1 / height, 1.0, 2 * half / height))
    ax.set_xlim(-half / radius, half / radius)
    ax.set_ylim(-half / radius, half / radius)
    ax.set_aspect('equal')
    ax.set_axis_off()
    pos = {node: np.array([math.cos(a), math.sin(a)]) for node, a in angle.items()}
    links = edge_list(graph)
    scale = EdgeScale([s for _, _, s in links])
    for y, j, s in links:
        ax.add_patch(_link(pos[y], pos[j], scale.style(s)))
    colour = _node_colours(graph, blocks)
    _nodes(ax, graph, pos, colour)
    for node, a in angle.items():
        _label(ax, graph, node, a, font)
    _group_arcs(ax, blocks, angle)
    _legend(fig, graph, scale, height)
    fig.suptitle(f'Top-{graph.num_neighbours} semantic neighbours of '
                 f'{graph.num_fine} classes (mode {graph.mode}, {graph.source})',
                 fontsize=13, y=1 - 0.15 / height)
    return fig


def _node_colours(graph, blocks: ClassGroups) -> dict:
    group = blocks.group_of()
    colours = {y: group_colour(int(group[y])) for y in range(graph.num_fine)}
    for g, node in enumerate(blocks.coarse_nodes):
        if node >= 0:
            colours[node] = group_colour(g)
    return colours


def _link(p, q, style: dict):
    """A directed link p -> q bending toward the centre, stopping short of q."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path
    chord = float(np.linalg.norm(q - p))
    ctrl = 0.5 * (p + q) * max(0.0, 1.0 - 0.6 * chord)
    tangent = (q - ctrl) / max(np.linalg.norm(q - ctrl), 1e-9)
    end = q - 0.025 * tangent
    path = Path([p, ctrl, end], [Path.MOVETO, Path.CURVE3, Path.CURVE3])
    return FancyArrowPatch(path=path, arrowstyle='-|>', mutation_scale=7 + 3 * style[
        'linewidth'], zorder=1, gid='link', **style)


def _nodes(ax, graph, pos: dict, colour: dict) -> None:
    fine = [n for n in pos if n < graph.num_fine]
    coarse = [n for n in pos if n >= graph.num_fine]
    ax.scatter([pos[n][0] for n in fine], [pos[n][1] for n in fine], s=28, zorder=3,
               c=[colour[n] for n in fine], edgecolors='black', linewidths=0.4,
               gid='fine_nodes')
    if coarse:
        ax.scatter([pos[n][0] for n in coarse], [pos[n][1] for n in coarse], s=60,
                   marker='s', zorder=3, c=[colour.get(n, 'white') for n in coarse],
                   edgecolors='black', linewidths=1.2, gid='coarse_nodes')


def _label(ax, graph, node: int, a: float, font: float) -> None:
    """A radial label just outside the ring, upright on both halves."""
    degrees = math.degrees(a)
    left = math.cos(a) < 0
    r = 1.07 if node >= graph.num_fine else 1.045
    ax.text(r * math.cos(a), r * math.sin(a), short_name(graph.node_names[node], 32),
            rotation=degrees + 180 if left else degrees, rotation_mode='anchor',
            ha='right' if left else 'left', va='center', fontsize=font,
            fontweight='bold' if node >= graph.num_fine else 'normal', gid='label')


def _group_arcs(ax, blocks: ClassGroups, angle: dict) -> None:
    """A coloured band under the nodes of each block."""
    from matplotlib.patches import Arc
    if blocks.num_groups < 2:
        return
    for g in range(blocks.num_groups):
        nodes = blocks.members(g).tolist() + [blocks.coarse_nodes[g]]
        spans = [math.degrees(angle[n]) for n in nodes if n in angle]
        ax.add_patch(Arc((0, 0), 2.0, 2.0, theta1=min(spans) - 0.9,
                         theta2=max(spans) + 0.9, color=group_colour(g), linewidth=6,
                         alpha=0.5, zorder=2, gid='group_arc'))


def _legend(fig, graph, scale: EdgeScale, height: float) -> None:
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], marker='o', ls='', color='tab:blue', mec='black',
                      label='fine class (colour: its superclass / block)')]
    if len(graph.node_names) > graph.num_fine:
        handles.append(Line2D([], [], marker='s', ls='', color='white', mec='black',
                              mew=1.2, label='superclass node (bold label)'))
    handles.append(Line2D([], [], color=scale.cmap(0.7), lw=1.5, marker='>',
                          label=f'y \u2192 j: j is one of the Top-{graph.num_neighbours} of y'))
    fig.legend(handles=handles, loc='lower left', bbox_to_anchor=(0.02, 0.01),
               fontsize=10, frameon=False)
    cax = fig.add_axes((0.56, 0.6 / height, 0.38, 0.16 / height))
    scale.colorbar(fig, None, cax=cax, orientation='horizontal',
                   label='S(y, j) of a link (colour and width)')
