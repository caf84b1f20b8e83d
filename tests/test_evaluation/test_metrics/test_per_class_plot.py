"""The head-to-tail per-class picture: what the figure holds, at 10 / 100 / 1000 classes."""
import math
import random

import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.image import imread

from skcl_mm.datasets import long_tail_counts
from skcl_mm.evaluation.metrics import plot_per_class
from skcl_mm.evaluation.metrics.per_class_plot import (BAND_COLOURS,
                                                       per_class_figure,
                                                       plot_per_class_runs)
from skcl_mm.evaluation.metrics.per_class_runs import PerClassFileError
from skcl_mm.structures.train_counts import split_many_medium_few


def long_tail_rows(num_classes, seed=0, counts=True, names=None):
    """Rows of the LDAM profile 500 -> 5, classes listed tail first (so the
    picture must reorder them), accuracies random."""
    train = long_tail_counts(500, num_classes, 100)[::-1]
    group_of = {c: g for g, members in split_many_medium_few(train).items() for c in members}
    rng = random.Random(seed)
    return [dict(index=c, **{'class': names[c] if names else f'class_{c}'},
                 group=group_of[c] if counts else None,
                 train_count=train[c] if counts else None, test_count=100,
                 accuracy=float(rng.randrange(0, 101)))
            for c in range(num_classes)]


def texts(ax):
    return [t.get_text() for t in ax.texts]


def legend_texts(fig):
    return [t.get_text() for t in fig.legends[0].get_texts()]


def group_mean(rows, group):
    accs = [r['accuracy'] for r in rows if r['group'] == group]
    return sum(accs) / len(accs)


def test_ten_classes_two_runs_bars_bands_counts_and_legend():
    names = ['bottle', 'bicycle', 'beetle', 'bee', 'bed', 'beaver', 'bear', 'baby',
             'aquarium_fish', 'apple']
    skcl, bcl = long_tail_rows(10, 0, names=names), long_tail_rows(10, 1, names=names)
    fig = per_class_figure([skcl, bcl], ['SKCL', 'BCL'], 'ten')
    ax, back = fig.axes
    assert ax.get_title() == 'ten' and back.get_yscale() == 'log'
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle',
        'bicycle', 'bottle']  # head (500 images) to tail (5)
    skcl_bars, bcl_bars = ax.containers
    assert [b.get_height() for b in skcl_bars] == [r['accuracy'] for r in skcl[::-1]]
    assert [b.get_height() for b in bcl_bars] == [r['accuracy'] for r in bcl[::-1]]
    assert texts(ax) == ['many: 4 classes\n500–107 train images',
                         'medium: 3 classes\n64–23 train images',
                         'few: 3 classes\n13–5 train images']
    spans = [p for p in back.patches if p.get_facecolor() in
             [to_rgba(c) for c in BAND_COLOURS.values()]]
    assert len(spans) == 3
    assert [p.get_x() for p in spans] == [-0.5, 3.5, 6.5]  # group borders in class rank
    dashed = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(dashed) == 6  # a mean per group and run
    legend = legend_texts(fig)
    assert legend[0].startswith('SKCL: all ') and legend[1].startswith('BCL: all ')
    assert f'many {group_mean(skcl, "many"):.1f}' in legend[0]
    assert f'few {group_mean(bcl, "few"):.1f}' in legend[1]
    assert 'training images per class (right axis, log scale)' in legend


@pytest.mark.parametrize('num_classes, window', [(100, 5), (1000, 41)])
def test_many_classes_dots_running_mean_and_no_class_names(num_classes, window):
    rows = long_tail_rows(num_classes)
    fig = per_class_figure([rows])
    fig.canvas.draw()
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert len(ticks) < 15 and not any(t.startswith('class_') for t in ticks)
    lines = [line for line in ax.get_lines() if line.get_linewidth() == 2]
    assert len(lines) == 1  # the running mean
    smooth = lines[0].get_ydata()
    head = [r['accuracy'] for r in rows[::-1][:window // 2 + 1]]
    assert smooth[0] == pytest.approx(sum(head) / len(head))
    assert f'line: running mean of {window} classes, within a group; dots: classes' \
        in legend_texts(fig)
    assert [t.split(':')[0] for t in texts(ax)] == ['many', 'medium', 'few']
    assert fig.get_size_inches()[0] <= 14


def test_without_counts_class_index_order_no_bands_no_count_axis(tmp_path):
    rows = long_tail_rows(5, counts=False)
    rows[2]['accuracy'], rows[2]['test_count'] = None, 0
    fig = per_class_figure([rows])
    assert len(fig.axes) == 1 and texts(fig.axes[0]) == []
    bars = fig.axes[0].containers[0]
    assert math.isnan(bars[2].get_height()) and bars[0].get_height() == rows[0]['accuracy']
    legend = legend_texts(fig)
    assert legend[0].startswith('accuracy: all ') and 'many' not in legend[0]
    assert 'no test sample (left out of the means)' in legend
    assert fig.axes[0].get_xlabel() == 'class, class-index order (no training counts)'


def test_bad_runs_stop_before_drawing(tmp_path):
    rows = long_tail_rows(10)
    with pytest.raises(ValueError, match=r'expected at least one run'):
        per_class_figure([])
    with pytest.raises(ValueError, match=r"labels: expected 2 \(one per run\), got 1: \['A'\]"):
        per_class_figure([rows, rows], ['A'])
    other = [dict(r) for r in rows]
    other[7]['class'] = 'otter'
    with pytest.raises(PerClassFileError, match=r"class index 7, 'otter' in B but 'class_7' in A"):
        plot_per_class_runs([rows, other], str(tmp_path / 'x.png'), ['A', 'B'])
    assert not (tmp_path / 'x.png').exists()


def test_png_files(tmp_path):
    small = plot_per_class(long_tail_rows(10), str(tmp_path / 'sub' / 'ten.png'))
    large = plot_per_class_runs([long_tail_rows(1000, 0), long_tail_rows(1000, 1)],
                                str(tmp_path / 'thousand.png'), ['SKCL', 'BCL'])
    assert open(small, 'rb').read(8) == b'\x89PNG\r\n\x1a\n'
    assert imread(small).shape[:2] == (528, 640)  # 6.4 x 5.28 in at 100 dpi
    assert imread(large).shape[1] == 1300
