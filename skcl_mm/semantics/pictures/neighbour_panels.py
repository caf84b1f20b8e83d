"""One neighbour panel per superclass (or cluster): its classes and where they point.

Left column: the block's classes (dots in the block's colour) and its
superclass node (square); right column: the nodes outside the block that its
classes point to, named with their block. Links inside the block bend to the
right between the left dots; links leaving it run straight across. Colour and
width grow with ``S(y, j)`` on one scale for all panels (colour bar).
"""
from typing import Iterator, List, Tuple

import numpy as np

from .canvas import (EdgeScale, edge_list, figure, group_colour, pack_pages,
                     write_pages)
from .class_groups import ClassGroups, short_name

ROW = 0.2  # inches per row of names


def panel_rows(graph, blocks: ClassGroups, group: int) -> Tuple[List[int], List[int]]:
    """``(left nodes, right nodes)`` of a panel: the block, and its outside targets."""
    left = blocks.members(group).tolist()
    if blocks.coarse_nodes[group] >= 0:
        left.append(blocks.coarse_nodes[group])
    inside = set(left)
    rank = {node: i for i, node in enumerate(left)}
    sources = {}
    for y in blocks.members(group).tolist():
        for j in graph.neighbours[y].tolist():
            if j not in inside:
                sources.setdefault(j, []).append(rank[y])
    right = sorted(sources, key=lambda j: (np.mean(sources[j]), j))
    return left, right


def draw_neighbour_panels(graph, blocks: ClassGroups, out_prefix: str) -> List[str]:
    """Write :func:`neighbour_panel_pages` as ``{out_prefix}.png`` or numbered pages.

    Returns:
        list[str]: The PNG files written.
    """
    return write_pages(neighbour_panel_pages(graph, blocks), out_prefix)


def neighbour_panel_pages(graph, blocks: ClassGroups) -> Iterator[Tuple[object, int]]:
    """The per-block neighbour panels, page by page.

    Args:
        graph (SemanticGraph): A built graph.
        blocks (ClassGroups): Blocks (:func:`class_groups`).

    Yields:
        tuple: ``(Figure, number of pages)``.
    """
    rows = [panel_rows(graph, blocks, g) for g in range(blocks.num_groups)]
    sizes = [max(len(left), len(right)) for left, right in rows]
    scale = EdgeScale([s for _, _, s in edge_list(graph)])
    pages = pack_pages(sizes, panel_inches)
    for number, (panels, grid_rows, grid_cols) in enumerate(pages):
        width, height = panel_inches(max(sizes[i] for i in panels))
        total = grid_rows * height + 1.7
        fig = figure(grid_cols * width, total)
        grid = fig.add_gridspec(grid_rows, grid_cols, left=0.01, right=0.99,
                                top=1 - 0.75 / total, bottom=0.95 / total, hspace=0.3,
                                wspace=0.05)
        for k, group in enumerate(panels):
            ax = fig.add_subplot(grid[k // grid_cols, k % grid_cols])
            _panel(ax, graph, blocks, group, rows[group], scale, max(sizes[i] for i in panels))
        page = f' (page {number + 1} of {len(pages)})' if len(pages) > 1 else ''
        fig.suptitle(f'Top-{graph.num_neighbours} neighbours, block by block{page}: left, '
                     'the block (square: its superclass node); right, what its classes '
                     f'point to outside it [its block] (mode {graph.mode}, {graph.source})',
                     fontsize=12, y=1 - 0.2 / total)
        cax = fig.add_axes((0.3, 0.5 / total, 0.4, 0.13 / total))
        scale.colorbar(fig, None, cax=cax, orientation='horizontal',
                       label='S(y, j) of a link y \u2192 j (colour and width)')
        yield fig, len(pages)


def panel_inches(size: int) -> Tuple[float, float]:
    """``(width, height)`` of a panel with ``size`` rows."""
    return 7.2, ROW * (size + 1) + 0.6


def _panel(ax, graph, blocks: ClassGroups, group: int, nodes, scale: EdgeScale,
           size: int) -> None:
    """Draw one block: names as rows, links as arrows between the two columns."""
    from matplotlib.patches import FancyArrowPatch
    left, right = nodes
    ax.set_xlim(-2.3, 4.9)
    ax.set_ylim(-size - 0.5, 0.8)
    ax.set_axis_off()
    where = {node: (0.0, -i - 0.5 * (size - len(left))) for i, node in enumerate(left)}
    where.update({node: (1.8, -i - 0.5 * (size - len(right))) for i, node in enumerate(right)})
    group_of = blocks.group_of()
    node_group = {n: g for g, n in enumerate(blocks.coarse_nodes) if n >= 0}
    for y in blocks.members(group).tolist():
        for j in graph.neighbours[y].tolist():
            style = scale.style(float(graph.similarity[y, j]))
            bend = 'arc3,rad=-0.5' if where[j][1] < where[y][1] else 'arc3,rad=0.5'
            ax.add_patch(FancyArrowPatch(
                where[y], where[j], arrowstyle='-|>', mutation_scale=8, shrinkA=0,
                shrinkB=2, connectionstyle=bend if j in left else 'arc3,rad=0.0',
                zorder=1, gid='link', **style))
    for node, (x, yy) in where.items():
        g = int(group_of[node]) if node < graph.num_fine else node_group.get(node, -1)
        coarse = node >= graph.num_fine
        ax.scatter([x], [yy], s=40 if coarse else 22, marker='s' if coarse else 'o',
                   c=[group_colour(g) if g >= 0 else 'white'], edgecolors='black',
                   linewidths=1.0 if coarse else 0.4, zorder=3)
        name = short_name(graph.node_names[node], 30)
        if x > 0 and g >= 0 and not coarse:
            name += f'  [{g + 1} {short_name(blocks.names[g], 18)}]'
        ax.text(x + (0.12 if x > 0 else -0.12), yy, name, ha='left' if x > 0 else 'right',
                va='center', fontsize=8, fontweight='bold' if coarse else 'normal',
                gid='label')
    leave = sum(1 for y in blocks.members(group).tolist()
                for j in graph.neighbours[y].tolist() if j not in left)
    ax.set_title(f'{group + 1}  {short_name(blocks.names[group], 32)}: '
                 f'{leave} of {len(blocks.members(group)) * graph.num_neighbours} links '
                 'leave', fontsize=10, loc='left')
