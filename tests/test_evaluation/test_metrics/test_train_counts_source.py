"""LongTailAccuracy's counts and thresholds: from the argument or a record."""
import json

import numpy as np
import pytest
import torch

from skcl_mm.evaluation.metrics import counts_from_argument
from skcl_mm.evaluation.metrics.train_counts_source import effective_thresholds
from skcl_mm.structures import TrainCounts
from tests.fixtures.log_capture import logged_messages


def test_counts_from_sequences():
    assert counts_from_argument(None) == (None, None)
    for given in ([5, 3, 1], np.array([5, 3, 1]), torch.tensor([5, 3, 1]), [5.0, 3.0, 1.0]):
        counts, source = counts_from_argument(given)
        assert counts == TrainCounts(class_counts=[5, 3, 1])
        assert source == 'the train_counts argument'


def test_counts_from_a_file_keep_its_names_and_thresholds(tmp_path):
    path = tmp_path / 'train_counts.json'
    path.write_text(json.dumps(dict(classes=['a', 'b'], class_counts=[9, 4],
                                    many_thr=8, few_thr=5)))
    for given in (path, str(path)):
        counts, source = counts_from_argument(given)
        assert counts.classes == ('a', 'b') and counts.thresholds == (8, 5)
        assert source == f'train_counts={str(path)!r}'


@pytest.mark.parametrize('bad, message', [
    ([], 'train_counts: expected a flat, non-empty'), ([[1, 2]], 'flat'),
    ([1.5, 2], 'whole numbers'), ([3, -1], '>= 0')])
def test_bad_counts_name_the_argument(bad, message):
    with pytest.raises(ValueError, match=message):
        counts_from_argument(bad)


def test_thresholds_own_then_the_records_then_the_defaults():
    with logged_messages('thresholds_source') as messages:
        bare = TrainCounts(class_counts=[3, 1])
        assert effective_thresholds((None, None), None, None, 'M') == (100, 20)
        assert effective_thresholds((None, 5), bare, 'src', 'M') == (100, 5)
        dataset = TrainCounts(class_counts=[3, 1], many_thr=40, few_thr=8)
        assert effective_thresholds((None, None), dataset, 'src', 'M') == (40, 8)
        assert not messages
        assert effective_thresholds((60, 8), dataset, 'the set', 'M') == (60, 8)
    assert messages == ['M: own thresholds many_thr=60 (dataset: 40) differ from the '
                        'set; the metric uses its own. Leave them unset to follow the '
                        'dataset.']
    with pytest.raises(ValueError, match='Thresholds inverted: few_thr=50 > many_thr=40'):
        effective_thresholds((None, 50), dataset, 'src', 'M')
