"""The similarity heatmap overview (paper Fig. 5), readable from 10 to 1000 classes.

The fine-class matrix in block order (:mod:`.class_groups`), blocks outlined
and named, the diagonal grey, a colour bar. Up to ``LABEL_LIMIT`` classes every
row and column carries its class name (up to 12 classes, its value too); above,
the blocks carry numbers (and names where they fit) and a second panel shows
the block x block mean similarity with every block's name.
"""
from typing import List, Optional

import numpy as np

from .canvas import figure, finish, masked_diagonal, matrix_colours
from .class_groups import ClassGroups, block_means, short_name

LABEL_LIMIT = 60  # up to this many classes, every class is named
SCALE_LABEL = 'cosine similarity S (grey diagonal: a class with itself)'


def similarity_heatmap_figure(graph, blocks: ClassGroups):
    """The overview heatmap of ``graph`` in the order of ``blocks``, as a Figure.

    Args:
        graph (SemanticGraph): A built graph.
        blocks (ClassGroups): Drawing order and blocks (:func:`class_groups`).
    """
    sim = masked_diagonal(graph.similarity, blocks.order, blocks.order)
    if graph.num_fine <= LABEL_LIMIT:
        return _labelled(graph, blocks, sim)
    return _overview(graph, blocks, sim)


def draw_similarity_heatmap(graph, blocks: ClassGroups,
                            out_file: Optional[str] = None) -> np.ndarray:
    """Render :func:`similarity_heatmap_figure` (and write ``out_file``).

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB image.
    """
    return finish(similarity_heatmap_figure(graph, blocks), out_file)


def heatmap_title(graph, blocks: ClassGroups) -> str:
    """What the picture shows, in words (the ordering included)."""
    what = {'superclass': (f'grouped by {blocks.num_groups} superclasses (similar '
                           'superclasses side by side)'),
            'cluster': (f'no superclasses: ordered by clustering S, {blocks.num_groups} '
                        'clusters outlined, each named by its most central class'),
            'all': 'one level, dataset order'}[blocks.kind]
    return (f'Semantic similarity of {graph.num_fine} classes ({graph.source}, '
            f'{graph.encoder}); {what}')


def block_labels(blocks: ClassGroups) -> List[str]:
    """``'3  name (size)'`` per block, as in the mean-similarity panel."""
    return [f'{i + 1}  {name} ({end - start})'
            for i, (name, (start, end)) in enumerate(zip(blocks.names, blocks.spans))]


def _outline(ax, blocks: ClassGroups, width=1.2) -> None:
    """Outline every diagonal block (nothing for one block)."""
    from matplotlib.patches import Rectangle
    if blocks.num_groups < 2:
        return
    for start, end in blocks.spans:
        ax.add_patch(Rectangle((start - 0.5, start - 0.5), end - start, end - start,
                               fill=False, edgecolor='white', linewidth=width,
                               gid='block'))


def _annotate(ax, values: np.ndarray, low: float, high: float, fmt: str, size=7.0):
    """Write each cell's value, white on dark cells and black on light ones."""
    for (r, c), value in np.ndenumerate(values):
        if np.isfinite(value):
            dark = (value - low) / max(high - low, 1e-9) < 0.6
            ax.text(c, r, fmt.format(value), ha='center', va='center', fontsize=size,
                    color='white' if dark else 'black')


def _labelled(graph, blocks: ClassGroups, sim):
    """Every class named; block names on the right; values up to 12 classes."""
    n = len(sim)
    side = max(4.0, 0.24 * n)
    font = 9.0 if n <= 30 else 7.0
    fig = figure(side + 3.5, side + 2.6, layout='constrained')
    ax = fig.add_subplot(1, 1, 1)
    cmap, (low, high) = matrix_colours(sim)
    image = ax.imshow(sim, cmap=cmap, vmin=low, vmax=high, interpolation='nearest')
    names = [short_name(graph.node_names[i]) for i in blocks.order]
    ax.set_xticks(range(n), names, rotation=90, fontsize=font)
    ax.set_yticks(range(n), names, fontsize=font)
    _outline(ax, blocks)
    if n <= 12:
        _annotate(ax, sim, low, high, '{:.2f}')
    if blocks.num_groups > 1:
        right = ax.secondary_yaxis('right')
        centres = [(s + e - 1) / 2 for s, e in blocks.spans]
        right.set_yticks(centres, blocks.names, fontsize=font + 1, fontweight='bold')
        right.tick_params(length=0, pad=6)
    fig.colorbar(image, ax=ax, location='bottom', shrink=0.7, label=SCALE_LABEL)
    ax.set_title(heatmap_title(graph, blocks), fontsize=10, wrap=True)
    return fig


def _overview(graph, blocks: ClassGroups, sim):
    """No class names: numbered blocks, plus the block x block mean similarity."""
    n, g = len(sim), blocks.num_groups
    fig = figure(19.0, 9.8, layout='constrained')
    left, right = fig.subplots(1, 2, width_ratios=[1.0, 0.85])
    cmap, (low, high) = matrix_colours(sim, robust=True)
    image = left.imshow(sim, cmap=cmap, vmin=low, vmax=high, interpolation='antialiased')
    _outline(left, blocks, width=0.9)
    centres = np.array([(s + e - 1) / 2 for s, e in blocks.spans])
    font = float(np.clip(560.0 / g, 5.0, 9.0))
    fits = min(e - s for s, e in blocks.spans) * 8.0 / n >= 1.5 * font / 72
    shown = _spread(centres, n / 50.0)
    left.set_xticks(centres[shown], [str(i + 1) for i in shown], fontsize=min(font, 7.0))
    left.tick_params(axis='x', top=True, labeltop=True, bottom=False, labelbottom=False)
    if fits:
        left.set_yticks(centres, block_labels(blocks), fontsize=font)
    else:
        left.set_yticks(centres[shown], [str(i + 1) for i in shown], fontsize=min(font, 7.0))
    left.set_title(f'all {n} classes; blocks numbered as on the right', fontsize=10)
    fig.colorbar(image, ax=left, location='bottom', shrink=0.7, extend='both',
                 label=SCALE_LABEL + '; range: 0.5-99.5 percentiles')
    _block_panel(fig, right, blocks, sim, font)
    fig.suptitle(heatmap_title(graph, blocks), fontsize=12)
    return fig


def _spread(centres: np.ndarray, gap: float) -> List[int]:
    """Indices of centres kept so that kept neighbours are at least ``gap`` apart."""
    kept = []
    for i, centre in enumerate(centres):
        if not kept or centre - centres[kept[-1]] >= gap:
            kept.append(i)
    return kept


def _block_panel(fig, ax, blocks: ClassGroups, sim, font) -> None:
    """Mean S between blocks (diagonal: inside a block, self-pairs left out)."""
    g = blocks.num_groups
    means = block_means(np.nan_to_num(sim, nan=1.0), blocks.group_of()[blocks.order], g)
    image = ax.imshow(means, cmap='viridis', interpolation='nearest')
    ax.set_yticks(range(g), block_labels(blocks), fontsize=font)
    ax.set_xticks(range(g), [str(i + 1) for i in range(g)], fontsize=min(font, 7.0))
    if g <= 25:
        _annotate(ax, means, float(means.min()), float(means.max()), '{:.2f}', 6.5)
    ax.set_title(f'mean S between the {g} blocks (diagonal: inside a block)', fontsize=10)
    fig.colorbar(image, ax=ax, location='bottom', shrink=0.7, label='mean cosine similarity')
