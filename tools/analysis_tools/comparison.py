"""Paired comparison of two configs' seed summaries (run_seeds --compare,
reproduce.py): per split and per evaluation (best / last) the per-seed
difference with its confidence interval (:mod:`.paired_stats`)."""
from typing import List

from .paired_stats import describe, paired_difference, per_seed


def compare(summary_a: dict, summary_b: dict, confidence: float = 0.95) -> dict:
    """``a - b`` for every split both summaries logged, at best and last.

    Args:
        summary_a (dict): :func:`seed_results.summarize` of the first config.
        summary_b (dict): The same for the second.
        confidence (float): Interval level.

    Returns:
        dict: ``splits`` and ``{best|last: {split: paired_difference(...)}}``.
    """
    splits = [s for s in summary_a['splits'] if s in summary_b['splits']]
    result = dict(splits=splits)
    for kind in ('best', 'last'):
        result[kind] = {split: paired_difference(per_seed(summary_a, kind, split),
                                                 per_seed(summary_b, kind, split),
                                                 confidence)
                        for split in splits}
    return result


def comparison_markdown(name_a: str, name_b: str, result: dict) -> List[str]:
    """Markdown lines: a table of ``a - b`` per split, best and last, then
    the per-seed differences of top-1 at the last evaluation."""
    splits = result['splits']
    lines = [f'### {name_a} − {name_b} (paired by seed)', '',
             '| evaluation | ' + ' | '.join(splits) + ' |',
             '|---|' + '---|' * len(splits)]
    for kind in ('best', 'last'):
        lines.append(f'| {kind} | ' + ' | '.join(_cell(result[kind][s])
                                                 for s in splits) + ' |')
    split = 'top1' if 'top1' in splits else splits[0]
    last = result['last'][split]
    per = ', '.join(f'seed {s}: {d:+.2f}' for s, d in last['differences'].items())
    lines += ['', f'Last-epoch {split}: {describe(last)}. Per seed: {per}.', '']
    return lines


def _cell(diff: dict) -> str:
    if diff['ci'] is None:
        return f'{diff["mean"]:+.2f}'
    low, high = diff['ci']
    return f'{diff["mean"]:+.2f} [{low:+.2f}, {high:+.2f}]'
