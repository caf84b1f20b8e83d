"""Paired per-seed differences of two configs with a t confidence interval.

Two configs trained with the same seeds share the long-tailed subset and the
initialisation stream of each seed, so ``d_s = a_s - b_s`` removes what the
seed does to both. Over n seeds: mean ``d``, sample std ``s`` (ddof=1) and the
two-sided interval ``d ± t_{1-alpha/2, n-1} * s / sqrt(n)``. An interval that
contains 0 means the seeds do not show a difference at that level.
"""
import math
from typing import Dict, Mapping, Optional

from scipy import stats


def t_quantile(confidence: float, dof: int) -> float:
    """The two-sided ``confidence`` quantile of Student's t with ``dof``."""
    return float(stats.t.ppf(0.5 + confidence / 2, dof))


def paired_difference(a: Mapping[int, float], b: Mapping[int, float],
                      confidence: float = 0.95) -> dict:
    """``a - b`` over the seeds both have.

    Args:
        a (Mapping[int, float]): seed -> value of the first config.
        b (Mapping[int, float]): seed -> value of the second config.
        confidence (float): Interval level. Defaults to 0.95.

    Returns:
        dict: ``seeds`` (shared, sorted), ``differences`` (per seed),
        ``n``, ``mean``, ``std`` (None for n < 2), ``confidence``,
        ``ci`` ([low, high]; None for n < 2), ``t`` (the quantile used).

    Raises:
        ValueError: no seed in common, or a confidence outside (0, 1).
    """
    if not 0 < confidence < 1:
        raise ValueError(f'confidence must be in (0, 1), got {confidence}.')
    seeds = sorted(set(a) & set(b))
    if not seeds:
        raise ValueError(f'No common seed: the first config has seeds {sorted(a)}, '
                         f'the second {sorted(b)}; a paired difference needs runs '
                         'with the same seeds.')
    diffs = [a[s] - b[s] for s in seeds]
    n = len(diffs)
    mean = sum(diffs) / n
    std: Optional[float] = None
    ci, t = None, None
    if n > 1:
        std = math.sqrt(sum((d - mean)**2 for d in diffs) / (n - 1))
        t = t_quantile(confidence, n - 1)
        half = t * std / math.sqrt(n)
        ci = [mean - half, mean + half]
    return dict(seeds=seeds, differences=dict(zip(seeds, diffs)), n=n, mean=mean,
                std=std, confidence=confidence, ci=ci, t=t)


def describe(diff: dict) -> str:
    """``+1.20 [-0.40, +2.80] (95 % CI, n=3)`` and what the interval says."""
    if diff['ci'] is None:
        return (f'{diff["mean"]:+.2f} (n={diff["n"]}: one seed, no interval; '
                'run more seeds)')
    low, high = diff['ci']
    level = f'{diff["confidence"] * 100:g} %'
    if low > 0 or high < 0:
        what = f'the {level} interval excludes 0'
    else:
        what = f'the {level} interval contains 0: no difference shown'
    return (f'{diff["mean"]:+.2f} [{low:+.2f}, {high:+.2f}] ({level} CI, '
            f'n={diff["n"]}; {what})')


def per_seed(summary: dict, kind: str, split: str) -> Dict[int, float]:
    """seed -> value of ``split`` at the ``kind`` (best|last) evaluation of a
    :func:`seed_results.summarize` summary (seed keys as ints, also from JSON)."""
    return {int(seed): row[kind][split]
            for seed, row in summary['per_seed'].items()}
