"""One small heatmap per superclass (or cluster): the classes named, their links marked.

Each panel: rows = the block's classes, columns = the same classes plus the
block's superclass node (when the graph has one), values written up to 10
classes, and a box on every cell whose column is a Top-K neighbour of its row.
Panels share one colour scale and cell sizes that suit their own size; pages
are at most 22 x 18 inches (:func:`.canvas.pack_pages`).
"""
from typing import Iterator, List, Tuple

import numpy as np

from .canvas import (figure, masked_diagonal, matrix_colours, pack_pages,
                     write_pages)
from .class_groups import ClassGroups, short_name

ANNOTATE_LIMIT = 10  # up to this many classes in a panel, cells carry values
TITLE = 0.55  # inches above a matrix for its title


def _cell(size: int) -> float:
    return float(np.clip(2.2 / max(size, 1), 0.13, 0.4))


def _label_space(size: int) -> float:
    return 1.7 if size > 20 else 1.45


def panel_inches(size: int) -> Tuple[float, float]:
    """``(width, height)`` of a panel of ``size`` classes, labels included."""
    cell, label = _cell(size), _label_space(size)
    return label + (size + 1) * cell + 0.3, label + size * cell + TITLE + 0.1


def draw_similarity_panels(graph, blocks: ClassGroups, out_prefix: str) -> List[str]:
    """Write :func:`similarity_panel_pages` as ``{out_prefix}.png`` or numbered pages.

    Returns:
        list[str]: The PNG files written.
    """
    return write_pages(similarity_panel_pages(graph, blocks), out_prefix)


def similarity_panel_pages(graph, blocks: ClassGroups) -> Iterator[Tuple[object, int]]:
    """The per-block heatmaps, page by page.

    Args:
        graph (SemanticGraph): A built graph.
        blocks (ClassGroups): Blocks to draw (:func:`class_groups`).

    Yields:
        tuple: ``(Figure, number of pages)``.
    """
    n_fine = graph.num_fine
    cmap, scale = matrix_colours(
        masked_diagonal(graph.similarity, np.arange(n_fine), np.arange(n_fine)))
    sizes = [end - start for start, end in blocks.spans]
    pages = pack_pages(sizes, panel_inches)
    for number, (panels, rows, cols) in enumerate(pages):
        width, height = panel_inches(max(sizes[i] for i in panels))
        page_w, page_h = cols * width + 1.3, rows * height + 0.6
        fig = figure(page_w, page_h)
        for k, group in enumerate(panels):
            size, cell = sizes[group], _cell(sizes[group])
            ncols = size + (blocks.coarse_nodes[group] >= 0)
            left = (k % cols) * width + _label_space(size)
            top = page_h - 0.6 - (k // cols) * height - TITLE
            ax = fig.add_axes((left / page_w, (top - size * cell) / page_h,
                               ncols * cell / page_w, size * cell / page_h))
            image = _panel(ax, graph, blocks, group, cmap, scale)
        cax = fig.add_axes(((page_w - 1.0) / page_w, 0.3, 0.18 / page_w, 0.4))
        fig.colorbar(image, cax=cax, label='cosine similarity S (grey: a class with itself)')
        fig.suptitle(_suptitle(graph, blocks, number, len(pages)), fontsize=12,
                     y=1 - 0.12 / page_h, va='top')
        yield fig, len(pages)


def _suptitle(graph, blocks: ClassGroups, number: int, pages: int) -> str:
    kind = {'superclass': 'superclass', 'cluster': 'cluster of S',
            'all': 'level'}[blocks.kind]
    page = f' (page {number + 1} of {pages})' if pages > 1 else ''
    last = '; last column: the superclass node' if blocks.kind == 'superclass' else ''
    return (f'Similarity inside each {kind}{page}; red box: the column is a '
            f'Top-{graph.num_neighbours} neighbour of the row (mode {graph.mode}){last}')


def _panel(ax, graph, blocks: ClassGroups, group: int, cmap, scale):
    """One block: its classes x (its classes + its superclass node)."""
    rows = blocks.members(group)
    coarse = blocks.coarse_nodes[group]
    cols = np.concatenate([rows, [coarse]]) if coarse >= 0 else rows
    values = masked_diagonal(graph.similarity, rows, cols)
    image = ax.imshow(values, cmap=cmap, vmin=scale[0], vmax=scale[1],
                      interpolation='nearest', aspect='auto')
    size = len(rows)
    font = float(np.clip(100.0 / max(size, 1), 6.0, 8.0))
    names = [short_name(graph.node_names[i], 22) for i in rows]
    _names(ax, names + ['superclass'] * (coarse >= 0), size, font)
    if coarse >= 0:
        ax.axvline(size - 0.5, color='white', linewidth=2.0)
    _mark_links(ax, graph, rows, cols)
    if size <= ANNOTATE_LIMIT:
        for (r, c), value in np.ndenumerate(values):
            if np.isfinite(value):
                dark = (value - scale[0]) / (scale[1] - scale[0]) < 0.6
                ax.text(c, r, f'{value:.2f}', ha='center', va='center', fontsize=6.5,
                        color='white' if dark else 'black')
    inside = sum(int(np.isin(graph.neighbours[y].numpy(), cols).sum()) for y in rows)
    ax.set_title(f'{group + 1}  {short_name(blocks.names[group], 30)}\n'
                 f'{inside} of {size * graph.num_neighbours} links stay inside',
                 fontsize=8.5)
    return image


def _names(ax, names: List[str], size: int, font: float) -> None:
    """Row and column names as plain texts (cheaper than ticks at 60 classes)."""
    ax.set_xticks([])
    ax.set_yticks([])
    for r, name in enumerate(names[:size]):
        ax.text(-0.7, r, name, ha='right', va='center', fontsize=font, gid='row_name')
    for c, name in enumerate(names):
        ax.text(c, size - 0.3, name, ha='center', va='top', rotation=90, fontsize=font,
                fontweight='bold' if c >= size else 'normal', gid='column_name')


def _mark_links(ax, graph, rows: np.ndarray, cols: np.ndarray) -> None:
    """A red box on each cell whose column is a Top-K neighbour of its row."""
    from matplotlib.patches import Rectangle
    for r, y in enumerate(rows.tolist()):
        for j in graph.neighbours[y].tolist():
            hits = np.flatnonzero(cols == j)
            if hits.size:
                ax.add_patch(Rectangle((hits[0] - 0.5, r - 0.5), 1, 1, fill=False,
                                       edgecolor='red', linewidth=1.4, gid='link'))
