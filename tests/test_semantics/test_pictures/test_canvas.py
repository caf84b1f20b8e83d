"""Shared drawing parts: rendering, colour ranges, the link scale, pages."""
import numpy as np
from PIL import Image

from skcl_mm.semantics.pictures.canvas import (EdgeScale, figure, finish,
                                               masked_diagonal, matrix_colours,
                                               pack_pages, page_file,
                                               write_pages)


def test_finish_renders_rgb_and_writes_a_palette_png(tmp_path):
    fig = figure(3.0, 2.0)
    fig.add_subplot(1, 1, 1).plot([0, 1], [1, 0])
    image = finish(fig, str(tmp_path / 'a.png'))
    assert image.shape == (200, 300, 3) and image.dtype == np.uint8
    with Image.open(tmp_path / 'a.png') as png:
        assert png.size == (300, 200) and png.mode == 'P'
        np.testing.assert_allclose(np.asarray(png.convert('RGB'), float), image, atol=40)


def test_matrix_range_leaves_out_the_diagonal_and_robust_cuts_outliers():
    sim = np.full((50, 50), 0.2)
    sim[0, 1] = sim[1, 0] = 0.9
    np.fill_diagonal(sim, 1.0)
    _, (low, high) = matrix_colours(sim)
    assert (low, high) == (0.2, 0.9)
    _, (low, high) = matrix_colours(sim, robust=True)
    assert high < 0.9


def test_masked_diagonal_hides_a_node_against_itself_only():
    sim = np.arange(16.0).reshape(4, 4)
    out = masked_diagonal(sim, np.array([1, 2]), np.array([2, 1, 3]))
    assert np.isnan(out[0, 1]) and np.isnan(out[1, 0])
    assert out[0, 0] == sim[1, 2] and out[1, 2] == sim[2, 3]


def test_edge_scale_grows_with_similarity():
    scale = EdgeScale([0.2, 0.5, 0.8])
    low, high = scale.style(0.2), scale.style(0.8)
    assert high['linewidth'] > low['linewidth'] and high['alpha'] > low['alpha']
    assert high['color'] != low['color']


def test_pages_cover_every_panel_once_within_the_page_size():
    sizes = [5] * 7 + [40] * 3

    def inches(size):
        return 1.0 + 0.2 * size, 1.0 + 0.2 * size

    pages = pack_pages(sizes, inches, max_page=(10.0, 10.0))
    seen = sorted(i for panels, _, _ in pages for i in panels)
    assert seen == list(range(10))
    for panels, rows, cols in pages:
        width, height = inches(max(sizes[i] for i in panels))
        assert len(panels) <= rows * cols
        assert cols * width <= 10.0 or cols == 1
        assert rows * height <= 10.0 or rows == 1
    assert len(pages) == 4  # three 9-inch panels alone, seven small ones together


def test_page_files_are_numbered_only_when_there_are_several(tmp_path):
    assert page_file('x/p', 0, 1) == 'x/p.png' and page_file('x/p', 1, 3) == 'x/p_2.png'
    files = write_pages(((figure(1, 1), 2) for _ in range(2)), str(tmp_path / 'p'))
    assert [f.rsplit('/', 1)[1] for f in files] == ['p_1.png', 'p_2.png']
