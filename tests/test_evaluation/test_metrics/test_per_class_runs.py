"""Per-class rows of several runs: same-class check, head-to-tail order, means."""
import math

import pytest

from skcl_mm.evaluation.metrics.per_class_runs import (PerClassFileError,
                                                       check_same_classes,
                                                       group_means,
                                                       group_spans,
                                                       head_to_tail,
                                                       reference_rows,
                                                       running_mean,
                                                       running_window)


def rows(names, counts=None, groups=None, accs=None):
    n = len(names)
    return [dict(index=i, **{'class': names[i]},
                 group=None if groups is None else groups[i],
                 train_count=None if counts is None else counts[i],
                 test_count=1, accuracy=50.0 if accs is None else accs[i])
            for i in range(n)]


def test_same_classes_pass_and_first_difference_is_named():
    a = rows(['cat', 'dog', 'fox'], [9, 5, 1], ['many', 'medium', 'few'])
    check_same_classes([a, rows(['cat', 'dog', 'fox'])], ['a.json', 'b.csv'])  # no counts: ok
    with pytest.raises(PerClassFileError,
                       match=r"class index 1, 'owl' in b.csv but 'dog' in a.json"):
        check_same_classes([a, rows(['cat', 'owl', 'fox'])], ['a.json', 'b.csv'])
    with pytest.raises(PerClassFileError,
                       match=r"class index 2, '\(no class\)' in b.csv but 'fox' in "
                       r'a.json \(2 vs 3 classes\)'):
        check_same_classes([a, rows(['cat', 'dog'])], ['a.json', 'b.csv'])
    with pytest.raises(PerClassFileError,
                       match=r"train_count at class 'fox' \(index 2\): 2 vs 1.*"
                       'different training subsets'):
        check_same_classes([a, rows(['cat', 'dog', 'fox'], [9, 5, 2],
                                    ['many', 'medium', 'few'])], ['a.json', 'b.csv'])
    with pytest.raises(PerClassFileError, match=r"group at class 'dog'.*thresholds"):
        check_same_classes([a, rows(['cat', 'dog', 'fox'], [9, 5, 1],
                                    ['many', 'few', 'few'])], ['a.json', 'b.csv'])


def test_order_reference_and_spans():
    no_counts = rows(['a', 'b', 'c'])
    counted = rows(['a', 'b', 'c'], [5, 50, 5], ['few', 'medium', 'few'])
    assert reference_rows([no_counts, counted]) is counted
    assert reference_rows([no_counts]) is no_counts
    assert head_to_tail(counted) == [1, 0, 2]  # ties keep class-index order
    assert head_to_tail(no_counts) == [0, 1, 2]
    assert group_spans(['many', 'many', 'medium', None, 'few', 'few']) == [
        ('many', 0, 2), ('medium', 2, 3), ('few', 4, 6)]
    assert group_spans([None, None]) == []


def test_group_means_leave_out_absent_classes():
    means = group_means([80.0, math.nan, 40.0, 20.0], ['many', 'many', 'few', 'few'])
    assert means == {'all': pytest.approx(140 / 3), 'many': 80.0, 'few': 30.0}
    assert group_means([math.nan], ['few']) == {'all': None, 'few': None}


def test_running_mean_stays_inside_a_span():
    values = [10.0, 20.0, 30.0, 100.0, math.nan, 200.0]
    out = running_mean(values, [('many', 0, 3), ('few', 3, 6)], 3)
    assert out == pytest.approx([15.0, 20.0, 25.0, 100.0, 150.0, 200.0])
    assert math.isnan(running_mean([1.0, 2.0], [('many', 1, 2)], 3)[0])
    assert [running_window(c) for c in (10, 100, 1000)] == [3, 5, 41]
