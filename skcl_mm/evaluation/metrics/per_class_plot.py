"""Per-class accuracy from head to tail, one run or several overlaid, as a PNG.

matplotlib is imported only when drawing, through its Agg canvas, without
touching pyplot's global backend.
"""
import math
import os
from typing import List, Optional, Sequence

from .per_class_runs import (check_same_classes, group_means, group_spans,
                             head_to_tail, reference_rows, running_mean,
                             running_window)

RUN_COLOURS = ('tab:blue', 'tab:orange', 'tab:purple', 'tab:brown',
               'tab:pink', 'tab:olive', 'tab:cyan', 'black')
BAND_COLOURS = dict(many='#e2eed9', medium='#f9efd3', few='#f5dcdc')
COUNT_COLOUR = '0.45'
MAX_NAMED = 40  # up to this many classes: bars, and class names on the x axis
ACC_TOP = 118  # top of the accuracy axis; 100-118 holds the group labels
DEFAULT_TITLE = 'Per-class top-1 accuracy, head (most training images) to tail'


def plot_per_class(rows: List[dict], path: str, title: str = '') -> str:
    """Save the head-to-tail PNG of one run's per-class accuracy.

    See :func:`per_class_figure` for what is drawn.

    Args:
        rows (list[dict]): C rows with the keys of ``REPORT_COLUMNS``
            (``per_class_rows`` or ``read_per_class_file``).
        path (str): Output ``.png`` file (parent folders are created).
        title (str): Figure title; empty for the default one.

    Returns:
        str: The path written.
    """
    return plot_per_class_runs([rows], path, title=title)


def plot_per_class_runs(runs: Sequence[List[dict]], path: str,
                        labels: Optional[Sequence[str]] = None,
                        title: str = '') -> str:
    """Save the head-to-tail PNG of several runs' per-class accuracy, overlaid.

    Args:
        runs (Sequence[list[dict]]): R runs, each C rows of the same classes
            in the same order; the first is drawn on top of the others.
        path (str): Output ``.png`` file (parent folders are created).
        labels (Sequence[str], optional): R legend names.
        title (str): Figure title; empty for the default one.

    Returns:
        str: The path written.
    """
    fig = per_class_figure(runs, labels, title)
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    fig.savefig(path, format='png', dpi=100)
    return path


def per_class_figure(runs: Sequence[List[dict]],
                     labels: Optional[Sequence[str]] = None, title: str = ''):
    """Draw per-class accuracy of R runs, classes sorted head to tail.

    x: classes by decreasing training count (class-index order without
    counts). Shaded spans mark the many / medium / few classes (the rows'
    ``group``), labelled with their class number and training-count range.
    The training count is a grey area on a log-scale right axis. Each run's
    accuracy: up to ``MAX_NAMED`` classes bars (class names as tick labels),
    beyond that dots and a running mean that stays inside each group. Dashed
    lines are each run's mean per group; the legend gives every run's mean
    per-class accuracy, overall and per group. A grey x at 0 marks a class
    without a test sample.

    Args:
        runs (Sequence[list[dict]]): R runs, each C rows (``REPORT_COLUMNS``)
            of the same classes in the same order.
        labels (Sequence[str], optional): R legend names (default ``run 1``,
            ... or ``accuracy`` for one run).
        title (str): Figure title; empty for the default one.

    Returns:
        matplotlib.figure.Figure: The figure; ``fig.axes[0]`` holds the
        accuracies, ``fig.axes[1]`` (with counts) the training counts.

    Raises:
        ValueError: No run, or labels that do not match the runs;
            ``PerClassFileError`` when the runs' classes differ.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    labels = _checked_labels(runs, labels)
    check_same_classes(runs, labels)
    ref = reference_rows(runs)
    order = head_to_tail(ref)
    counts = [ref[i]['train_count'] for i in order]
    has_counts = all(c is not None for c in counts)
    groups = [ref[i]['group'] for i in order]
    spans = group_spans(groups)
    named = len(order) <= MAX_NAMED
    fig = Figure(figsize=_size(len(order), len(runs), named), layout='constrained')
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    back = _draw_counts(ax, counts) if has_counts else ax
    _draw_bands(back, ax, spans, counts if has_counts else None, len(order))
    handles = [_draw_run(ax, [_acc(rows[i]) for i in order], groups, spans,
                         (index, len(runs)), label, named)
               for index, (rows, label) in enumerate(zip(runs, labels))]
    handles += _draw_shared(ax, runs, order, has_counts, named, bool(spans))
    _format_axes(ax, [ref[i]['class'] for i in order], named, has_counts)
    ax.set_title(title or DEFAULT_TITLE)
    fig.legend(handles=handles, loc='outside lower center', ncol=1, fontsize=8,
               title='mean per-class accuracy (%): all classes, then per group',
               title_fontsize=8, frameon=False)
    return fig


def _checked_labels(runs, labels) -> List[str]:
    if not runs:
        raise ValueError('per-class plot: expected at least one run of rows, got none.')
    if labels is None:
        return ['accuracy'] if len(runs) == 1 else [f'run {i + 1}' for i in range(len(runs))]
    if len(labels) != len(runs):
        raise ValueError(f'per-class plot labels: expected {len(runs)} (one per run), '
                         f'got {len(labels)}: {list(labels)}.')
    return [str(label) for label in labels]


def _acc(row: dict) -> float:
    return math.nan if row['accuracy'] is None else float(row['accuracy'])


def _size(num_classes: int, num_runs: int, named: bool):
    width = max(6.4, 2.5 + 0.2 * num_classes) if named else min(14.0, 8 + num_classes / 200)
    return width, 4.4 + 0.22 * (num_runs + 3)


def _draw_counts(ax, counts):
    """Training counts as a grey step on a log right axis, behind ``ax``.

    The largest count sits at the height of 100 % accuracy, below the
    group labels.
    """
    from matplotlib.ticker import FuncFormatter, NullLocator
    back = ax.twinx()
    ax.set_zorder(back.get_zorder() + 1)
    ax.patch.set_visible(False)
    shown = [max(c, 0.5) for c in counts]
    bottom, high = min(shown) / 2, max(shown)
    back.set_yscale('log')
    back.set_ylim(bottom, bottom * (high / bottom)**(ACC_TOP / 100))
    edges = [x - 0.5 for x in range(len(shown) + 1)]
    back.stairs(shown, edges, baseline=bottom, fill=True, color=COUNT_COLOUR,
                alpha=0.18, linewidth=0, zorder=1)
    back.stairs(shown, edges, baseline=None, color=COUNT_COLOUR, linewidth=1, zorder=2)
    ticks = [m * 10**e for e in range(8) for m in (1, 2, 5)]  # 1, 2, 5, 10, 20, ...
    back.set_yticks([t for t in ticks if bottom <= t <= high])
    back.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f'{v:g}'))
    back.yaxis.set_minor_locator(NullLocator())
    back.set_ylabel('training images (log scale)', color=COUNT_COLOUR)
    back.tick_params(axis='y', colors=COUNT_COLOUR)
    return back


def _draw_bands(back, ax, spans, counts, num_classes):
    """Shaded group spans with their label in the headroom above 100 %."""
    from matplotlib.transforms import blended_transform_factory
    on_ax = blended_transform_factory(ax.transData, ax.transAxes)
    for group, start, stop in spans:
        back.axvspan(start - 0.5, stop - 0.5, color=BAND_COLOURS.get(group, '0.9'),
                     zorder=0, linewidth=0)
        if start > 0:
            ax.axvline(start - 0.5, color='0.45', linewidth=0.8, linestyle=':')
        text = f'{group}: {stop - start} classes'
        if counts is not None:
            high, low = counts[start], counts[stop - 1]
            text += f'\n{high}–{low} train images' if high != low else f'\n{high} train images'
        if (stop - start) / num_classes < 0.12:
            text = group
        ax.text((start + stop - 1) / 2, 0.985, text, transform=on_ax, ha='center',
                va='top', fontsize=8, color='0.2')


def _draw_run(ax, accs, groups, spans, position, label, named):
    """One run: bars or dots + running mean, and a dashed mean per group."""
    from matplotlib.lines import Line2D
    index, num_runs = position
    colour, zorder = RUN_COLOURS[index % len(RUN_COLOURS)], 10 - index
    xs = range(len(accs))
    if named:
        width = 0.8 / num_runs
        offset = (index - (num_runs - 1) / 2) * width
        ax.bar([x + offset for x in xs], accs, width=width, color=colour, alpha=0.85,
               zorder=zorder)
    else:
        ax.scatter(xs, accs, s=14 if len(accs) <= 200 else 4, color=colour,
                   alpha=0.4, linewidths=0, zorder=zorder)
        smooth = running_mean(accs, spans or [('', 0, len(accs))],
                              running_window(len(accs)))
        ax.plot(xs, smooth, color=colour, linewidth=2, zorder=zorder + 10)
    means = group_means(accs, groups)
    for group, start, stop in spans:
        if means.get(group) is not None:
            ax.hlines(means[group], start - 0.45, stop - 0.55, colors=colour,
                      linestyles='--', linewidth=1.2, zorder=zorder + 10)
    text = ' · '.join(f'{name} {_pct(value)}' for name, value in means.items())
    return Line2D([], [], color=colour, marker='s' if named else 'o',
                  linewidth=0 if named else 2, label=f'{label}: {text}')


def _pct(value: Optional[float]) -> str:
    return '–' if value is None else f'{value:.1f}'


def _draw_shared(ax, runs, order, has_counts, named, has_bands):
    """Marks of classes without a test sample; legend keys of the parts all
    runs share."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    keys = []
    if has_bands:
        keys.append(Line2D([], [], color='0.3', linestyle='--', linewidth=1.2,
                           label='dashed: mean of a group'))
    if not named:
        keys.append(Line2D([], [], color='0.3', linewidth=2, label=(
            f'line: running mean of {running_window(len(order))} classes, '
            'within a group; dots: classes')))
    if has_counts:
        keys.append(Patch(facecolor=COUNT_COLOUR, alpha=0.35, edgecolor=COUNT_COLOUR,
                          label='training images per class (right axis, log scale)'))
    absent = [x for x, i in enumerate(order) if any(r[i]['accuracy'] is None for r in runs)]
    if absent:
        ax.scatter(absent, [0] * len(absent), marker='x', color='0.35', zorder=20,
                   clip_on=False)
        keys.append(Line2D([], [], color='0.35', marker='x', linewidth=0,
                           label='no test sample (left out of the means)'))
    return keys


def _format_axes(ax, names, named, has_counts):
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylim(0, ACC_TOP)
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel('test accuracy (%)')
    ax.grid(axis='y', color='0.85', linewidth=0.6)
    ax.set_axisbelow(True)
    order_text = ('most to fewest training images (head to tail)' if has_counts
                  else 'class-index order (no training counts)')
    if named:
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels([n if len(n) <= 14 else n[:13] + '…' for n in names],
                           rotation=60, ha='right', rotation_mode='anchor', fontsize=8)
        ax.set_xlabel(f'class, {order_text}')
    else:
        ax.set_xlabel(f'class rank, {order_text}')
