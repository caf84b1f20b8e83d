"""Shared drawing parts: a pyplot-free figure, colours, the edge scale, pages.

matplotlib is imported lazily and drawn through the Agg canvas (no pyplot
state, no display). Every picture returns an RGB ``uint8`` image (for
``Visualizer.add_image``) and can write a PNG.
"""
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

import numpy as np

DPI = 100
MATRIX_CMAP = 'viridis'
EDGE_CMAP = 'plasma_r'
MAX_PAGE = (22.0, 18.0)  # inches, width x height of a page of panels


def figure(width: float, height: float, layout: Optional[str] = None):
    """A ``width`` x ``height`` inch Figure on its own Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), dpi=DPI, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def finish(fig, out_file: Optional[str] = None) -> np.ndarray:
    """Render ``fig`` to an ``(H, W, 3)`` uint8 RGB array, writing a PNG if asked.

    The PNG holds a 256-colour palette (the pictures have few colours; a
    1000-class matrix shrinks about threefold against full RGBA).
    """
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    if out_file:
        from PIL import Image
        image = Image.fromarray(rgb).quantize(256, method=Image.Quantize.FASTOCTREE)
        image.save(out_file, format='PNG')
    return rgb


def matrix_colours(similarity: np.ndarray, robust: bool = False):
    """Colour map and ``(low, high)`` of a similarity matrix drawn with a masked diagonal.

    The unit diagonal would take the top of the scale and flatten the rest: it
    is drawn grey and left out of the range. ``robust``: the range spans the
    0.5 and 99.5 percentiles of the off-diagonal values (a 1000-class matrix
    has a few near-duplicates that would flatten it too).
    """
    from matplotlib import colormaps
    cmap = colormaps[MATRIX_CMAP].with_extremes(bad='0.85')
    sim = np.asarray(similarity, np.float64)
    values = sim[~np.eye(len(sim), dtype=bool)]
    if values.size == 0:
        return cmap, (0.0, 1.0)
    low, high = ((float(np.percentile(values, 0.5)), float(np.percentile(values, 99.5)))
                 if robust else (float(values.min()), float(values.max())))
    return cmap, ((low, high) if high > low else (low - 0.05, high + 0.05))


def masked_diagonal(matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``matrix[rows][:, cols]`` as float with NaN where a row meets its own column."""
    out = np.asarray(matrix, np.float64)[np.ix_(rows, cols)].copy()
    out[np.asarray(rows)[:, None] == np.asarray(cols)[None, :]] = np.nan
    return out


def group_colour(index: int) -> tuple:
    """A distinct RGBA colour per group (tab20, dark and light shades apart)."""
    from matplotlib import colormaps
    return colormaps['tab20']((2 * index + (index // 10) % 2) % 20)


def edge_list(graph) -> List[Tuple[int, int, float]]:
    """Every Top-K link ``(fine class y, node j, S(y, j))``."""
    sim = np.asarray(graph.similarity)
    return [(y, j, float(sim[y, j])) for y in range(graph.num_fine)
            for j in graph.neighbours[y].tolist()]


class EdgeScale:
    """Similarity of a link -> its colour, width and opacity, with a colour bar."""

    def __init__(self, values: Sequence[float], widths=(0.5, 2.6)):
        from matplotlib import colormaps
        from matplotlib.colors import Normalize
        values = np.asarray(list(values) or [0.0, 1.0], np.float64)
        low, high = float(values.min()), float(values.max())
        if high - low < 1e-6:
            low, high = low - 0.05, high + 0.05
        self.norm = Normalize(low, high)
        self.cmap = colormaps[EDGE_CMAP]
        self.widths = widths

    def style(self, value: float) -> dict:
        """Keyword arguments of a patch/line for a link of similarity ``value``."""
        t = float(np.clip(self.norm(value), 0.0, 1.0))
        return dict(color=self.cmap(0.15 + 0.85 * t),
                    linewidth=self.widths[0] + t * (self.widths[1] - self.widths[0]),
                    alpha=0.45 + 0.5 * t)

    def colorbar(self, fig, ax, label: str = 'similarity S(y, j) of the link', **kwargs):
        """A colour bar of the link scale (colour and width grow with S)."""
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import ListedColormap
        shown = ListedColormap(self.cmap(np.linspace(0.15, 1.0, 256)))
        return fig.colorbar(ScalarMappable(self.norm, shown), ax=ax, label=label, **kwargs)


def pack_pages(sizes: Sequence[int], panel_inches: Callable[[int], Tuple[float, float]],
               max_page: Tuple[float, float] = MAX_PAGE) -> List[Tuple[List[int], int, int]]:
    """Cut panels into pages of a grid, each page at most ``max_page`` inches.

    Panels of like size share a page (largest first; display order inside a
    page), so a page's uniform grid suits all of its panels.

    Args:
        sizes (Sequence[int]): A size per panel (the input of ``panel_inches``).
        panel_inches (Callable): size -> ``(width, height)`` in inches of a panel.
        max_page (tuple): Largest ``(width, height)`` of a page, inches.

    Returns:
        list[tuple[list[int], int, int]]: Per page, the panel indices and the
        grid ``(rows, cols)``.
    """
    pages, current = [], []
    for index in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        trial = current + [index]
        if current and len(trial) > _capacity(trial, sizes, panel_inches, max_page)[0]:
            pages.append(current)
            trial = [index]
        current = trial
    if current:
        pages.append(current)
    out = []
    for page in pages:
        _, cols = _capacity(page, sizes, panel_inches, max_page)
        cols = min(cols, len(page))
        out.append((sorted(page), -(-len(page) // cols), cols))
    return out


def _capacity(page, sizes, panel_inches, max_page) -> Tuple[int, int]:
    width, height = panel_inches(max(sizes[i] for i in page))
    cols = max(1, int(max_page[0] // width))
    rows = max(1, int(max_page[1] // height))
    return cols * rows, cols


def page_file(prefix: str, page: int, pages: int) -> str:
    """``{prefix}.png`` for a single page, else ``{prefix}_{page}.png`` (1-based)."""
    return f'{prefix}.png' if pages == 1 else f'{prefix}_{page + 1}.png'


def write_pages(pages: Iterable[Tuple[object, int]], prefix: str) -> List[str]:
    """Render and write ``(Figure, number of pages)`` pairs one by one.

    Returns:
        list[str]: The PNG files written (:func:`page_file` names).
    """
    files = []
    for number, (fig, total) in enumerate(pages):
        files.append(page_file(prefix, number, total))
        finish(fig, files[-1])
    return files
