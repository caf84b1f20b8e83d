"""Training counts from lists and JSON files, and their errors."""
import json

import numpy as np
import pytest
import torch

from skcl_mm.evaluation.metrics import load_train_counts
from skcl_mm.evaluation.metrics.train_counts import check_counts_length


def test_counts_from_sequences():
    assert load_train_counts(None) is None
    assert load_train_counts([5, 3, 1]) == [5, 3, 1]
    assert load_train_counts(np.array([5, 3])) == [5, 3]
    assert load_train_counts(torch.tensor([7, 0])) == [7, 0]
    assert load_train_counts([5.0, 2.0]) == [5, 2]


def test_counts_from_json_list_and_metainfo(tmp_path):
    listed = tmp_path / 'counts.json'
    listed.write_text(json.dumps([500, 50, 5]))
    assert load_train_counts(str(listed)) == [500, 50, 5]
    meta = tmp_path / 'meta.json'
    meta.write_text(json.dumps(dict(classes=['a', 'b'], class_counts=[9, 4])))
    assert load_train_counts(meta) == [9, 4]
    nested = tmp_path / 'nested.json'
    nested.write_text(json.dumps(dict(metainfo=dict(class_counts=[3, 2]))))
    assert load_train_counts(str(nested)) == [3, 2]


def test_json_without_counts_names_the_key(tmp_path):
    path = tmp_path / 'meta.json'
    path.write_text(json.dumps(dict(classes=['a'])))
    with pytest.raises(ValueError, match='class_counts'):
        load_train_counts(str(path))
    with pytest.raises(FileNotFoundError, match='does not exist'):
        load_train_counts(str(tmp_path / 'missing.json'))


@pytest.mark.parametrize('bad, message', [
    ([], 'non-empty'), ([[1, 2]], 'flat'), ([1.5, 2], 'whole numbers'),
    ([3, -1], '>= 0')])
def test_bad_counts_rejected(bad, message):
    with pytest.raises(ValueError, match=message):
        load_train_counts(bad)


def test_length_error_gives_expected_and_actual():
    with pytest.raises(ValueError, match=r'has 2 entries .* has 3 classes'):
        check_counts_length([1, 2], 3, 'train_counts', 'dataset_meta')
    check_counts_length([1, 2, 3], 3, 'train_counts', 'dataset_meta')


def test_counts_file_round_trip_with_classes_and_thresholds(tmp_path):
    from skcl_mm.evaluation.metrics.train_counts import (read_train_counts_file,
                                                         write_train_counts_file)
    path = str(tmp_path / 'train_counts.json')
    write_train_counts_file(path, ['a', 'b'], [9, 4], [[13], [9, 4]], (8, 5))
    assert read_train_counts_file(path) == dict(
        class_counts=[9, 4], classes=['a', 'b'], thresholds=(8, 5), subset_fingerprint=None)
    record = json.loads(open(path).read())
    assert record['level_counts'] == [[13], [9, 4]] and 'subset_fingerprint' not in record
    write_train_counts_file(path, None, [3], [[3]], None)
    assert read_train_counts_file(path) == dict(
        class_counts=[3], classes=None, thresholds=None, subset_fingerprint=None)
    assert not (tmp_path / 'train_counts.json.tmp').exists()


def test_counts_file_carries_the_subset_fingerprint(tmp_path):
    from skcl_mm.evaluation.metrics.train_counts import (read_train_counts_file,
                                                         write_train_counts_file)
    fingerprint = dict(version=1, dataset='CIFAR100', split='train', imbalance_factor=100.0,
                       seed=0, hierarchy='cifar100', level_classes_sha256='ab',
                       num_images=10847, image_ids_sha256='cd')
    path = str(tmp_path / 'train_counts.json')
    write_train_counts_file(path, ['a'], [3], [[3]], None, fingerprint)
    assert json.loads(open(path).read())['subset_fingerprint'] == fingerprint
    assert read_train_counts_file(path)['subset_fingerprint'] == fingerprint
    assert load_train_counts(path) == [3]


def test_a_hand_edited_fingerprint_that_is_not_an_object(tmp_path):
    path = tmp_path / 'train_counts.json'
    path.write_text(json.dumps(dict(class_counts=[3], subset_fingerprint='abc')))
    with pytest.raises(ValueError, match=r'"subset_fingerprint" must be a JSON object '
                                         r'\(as TrainCountsHook writes it\), got str'):
        load_train_counts(str(path))
