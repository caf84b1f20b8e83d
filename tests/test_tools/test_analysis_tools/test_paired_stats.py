"""analysis_tools.paired_stats: values checked against hand computation."""
import pytest
from analysis_tools.paired_stats import (describe, paired_difference, per_seed,
                                         t_quantile)


def test_t_quantiles_match_the_printed_table():
    # Student's t, two-sided 95 %: the values every statistics table prints.
    assert t_quantile(0.95, 1) == pytest.approx(12.706, abs=1e-3)
    assert t_quantile(0.95, 2) == pytest.approx(4.303, abs=1e-3)
    assert t_quantile(0.95, 4) == pytest.approx(2.776, abs=1e-3)
    assert t_quantile(0.90, 2) == pytest.approx(2.920, abs=1e-3)


def test_three_seeds_by_hand():
    a = {0: 55.0, 1: 53.0, 2: 54.5}
    b = {0: 52.0, 1: 52.5, 2: 51.0, 7: 40.0}  # seed 7 has no partner
    diff = paired_difference(a, b)
    # d = 3.0, 0.5, 3.5; mean 7/3; s^2 = (0.6667^2 + 1.8333^2 + 1.1667^2) / 2
    #   = 5.1667 / 2 = 2.5833, s = 1.6073; half width 4.3027 * 1.6073 / sqrt(3)
    #   = 3.9927
    assert diff['seeds'] == [0, 1, 2] and diff['n'] == 3
    assert diff['differences'] == {0: 3.0, 1: 0.5, 2: 3.5}
    assert diff['mean'] == pytest.approx(2.3333, abs=1e-4)
    assert diff['std'] == pytest.approx(1.6073, abs=1e-4)
    assert diff['ci'] == pytest.approx([2.3333 - 3.9927, 2.3333 + 3.9927], abs=1e-4)
    assert describe(diff) == ('+2.33 [-1.66, +6.33] (95 % CI, n=3; the 95 % '
                              'interval contains 0: no difference shown)')


def test_an_interval_that_excludes_zero_says_so():
    diff = paired_difference({0: 5.0, 1: 6.0, 2: 5.5}, {0: 1.0, 1: 1.5, 2: 1.0})
    # d = 4.0, 4.5, 4.5: mean 4.3333, s = 0.2887, half = 4.3027 * 0.2887 / 1.7321
    assert diff['ci'] == pytest.approx([4.3333 - 0.7171, 4.3333 + 0.7171], abs=1e-4)
    assert 'the 95 % interval excludes 0' in describe(diff)


def test_one_seed_has_no_interval_and_no_seed_in_common_is_an_error():
    one = paired_difference({3: 70.0}, {3: 68.5})
    assert one['ci'] is None and one['std'] is None and one['mean'] == 1.5
    assert describe(one) == '+1.50 (n=1: one seed, no interval; run more seeds)'
    with pytest.raises(ValueError, match=r'No common seed: the first config has '
                       r'seeds \[0, 1\], the second \[2\]'):
        paired_difference({0: 1.0, 1: 2.0}, {2: 1.0})
    with pytest.raises(ValueError, match='confidence'):
        paired_difference({0: 1.0}, {0: 1.0}, confidence=95)


def test_per_seed_reads_summaries_also_after_json():
    summary = {'per_seed': {'0': {'last': {'top1': 50.0}, 'best': {'top1': 51.0}},
                            '2': {'last': {'top1': 49.0}, 'best': {'top1': 49.5}}}}
    assert per_seed(summary, 'last', 'top1') == {0: 50.0, 2: 49.0}
    assert per_seed(summary, 'best', 'top1') == {0: 51.0, 2: 49.5}
