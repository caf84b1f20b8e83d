"""TrainCounts: made from datasets, lists and files; checked; written back."""
import dataclasses
import inspect
import json
import os
import pickle

import numpy as np
import pytest
import torch

from skcl_mm.datasets import split_many_medium_few as from_datasets
from skcl_mm.datasets.long_tail_hierarchy import LongTailHierarchyDataset
from skcl_mm.structures import (DEFAULT_FEW_THR, DEFAULT_MANY_THR, TrainCounts,
                                split_many_medium_few)
from tests.fixtures.small_runner import CLASSES

FINGERPRINT = dict(version=1, dataset='CIFAR100', split='train', imbalance_factor=100.0,
                   seed=0, hierarchy='cifar100', level_classes_sha256='ab',
                   num_images=10847, image_ids_sha256='cd')


def test_counts_from_sequences_are_stored_as_tuples():
    for given in ([5, 3, 1], np.array([5, 3, 1]), torch.tensor([5, 3, 1]), [5.0, 3.0, 1.0]):
        counts = TrainCounts(class_counts=given)
        assert counts.class_counts == (5, 3, 1) and counts.level_counts == ((5, 3, 1), )
        assert all(type(c) is int for c in counts.class_counts)
    assert counts.classes is None and counts.thresholds is None and counts.num_classes == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        counts.many_thr = 5
    with pytest.raises(TypeError):
        TrainCounts([5, 3])  # keyword arguments only
    full = TrainCounts(class_counts=[5, 3], classes=['a', 'b'], subset_fingerprint=FINGERPRINT)
    assert pickle.loads(pickle.dumps(full)) == full == dataclasses.replace(full)
    assert full.subset_fingerprint is not FINGERPRINT  # a copy


@pytest.mark.parametrize('fields, error, message', [
    (dict(class_counts=[]), ValueError, 'class_counts: expected a flat, non-empty'),
    (dict(class_counts=[[1, 2]]), ValueError, r'flat, non-empty .* shape \(1, 2\)'),
    (dict(class_counts=[1.5, 2]), ValueError, 'whole numbers'),
    (dict(class_counts=[3, -1]), ValueError, r'>= 0, got -1 for class 1'),
    (dict(class_counts=[3, 1], classes=['a']), ValueError, '1 names for 2 class_counts'),
    (dict(class_counts=[3, 1], level_counts=[[3, 1], [4]]), ValueError,
     r'coarsest first.*level sizes \[2, 1\]'),
    (dict(class_counts=[3, 1], level_counts=[[5], [3, 1]]), ValueError,
     r'summing to 4 images.*sums \[5, 4\]'),
    (dict(class_counts=[3], many_thr=10), ValueError, 'many_thr=10 without the other'),
    (dict(class_counts=[3], many_thr=10, few_thr=20), ValueError,
     'Thresholds inverted: few_thr=20 > many_thr=10'),
    (dict(class_counts=[3], many_thr=10.0, few_thr=2), TypeError,
     r'many_thr must be an int >= 0, got 10\.0 \(float\)'),
    (dict(class_counts=[3], many_thr=10, few_thr=-1), ValueError, 'few_thr must be an int >= 0'),
    (dict(class_counts=[3], subset_fingerprint='abc'), ValueError,
     'subset_fingerprint must be a dict'),
])
def test_bad_fields_stop_with_the_field_named(fields, error, message):
    with pytest.raises(error, match=message):
        TrainCounts(**fields)


def test_split_and_defaults_have_one_home():
    assert (DEFAULT_MANY_THR, DEFAULT_FEW_THR) == (100, 20)
    assert from_datasets is split_many_medium_few  # re-exported, not a copy
    assert split_many_medium_few([101, 100, 20, 19]) == dict(
        many=[0], medium=[1, 2], few=[3])
    assert TrainCounts(class_counts=[101, 100, 20, 19]).many_medium_few() == dict(
        many=[0], medium=[1, 2], few=[3])
    own = TrainCounts(class_counts=[101, 100, 20, 19], many_thr=50, few_thr=20)
    assert own.many_medium_few() == dict(many=[0, 1], medium=[2], few=[3])
    params = inspect.signature(LongTailHierarchyDataset).parameters
    assert (params['many_thr'].default, params['few_thr'].default) == (100, 20)


def test_from_dataset_with_the_real_wrapper():
    wrapped = dict(type='TrainCountsTestDataset', counts=[8, 8, 8],
                   metainfo=dict(classes=CLASSES))
    dataset = LongTailHierarchyDataset(wrapped, imbalance_factor=4, lazy_init=True,
                                       many_thr=4, few_thr=2)
    counts = TrainCounts.from_dataset(dataset)  # full_init of the lazy wrapper
    assert counts.class_counts == (8, 4, 2)  # int(8 * (1/4) ** (c / 2))
    assert counts.level_counts == ((8, 4, 2), ) and counts.classes == CLASSES
    assert counts.thresholds == (4, 2)
    assert counts.subset_fingerprint == dataset.metainfo['subset_fingerprint']


def test_from_dataset_without_counts_in_the_metainfo_counts_the_labels():
    from mmpretrain.registry import DATASETS
    dataset = DATASETS.build(dict(type='TrainCountsTestDataset', counts=[2, 0, 5],
                                  metainfo=dict(classes=CLASSES)))
    counts = TrainCounts.from_dataset(dataset)
    assert counts.class_counts == (2, 0, 5) and counts.thresholds is None
    assert counts.subset_fingerprint is None


def test_file_round_trip(tmp_path):
    path = str(tmp_path / 'train_counts.json')
    counts = TrainCounts(classes=['a', 'b'], class_counts=[9, 4], level_counts=[[13], [9, 4]],
                         many_thr=8, few_thr=5, subset_fingerprint=FINGERPRINT)
    counts.to_file(path)
    assert TrainCounts.from_file(path) == counts
    assert json.loads(open(path).read()) == dict(
        classes=['a', 'b'], class_counts=[9, 4], level_counts=[[13], [9, 4]],
        many_thr=8, few_thr=5, subset_fingerprint=FINGERPRINT)
    TrainCounts(class_counts=[3]).to_file(path)  # replaces the file
    record = json.loads(open(path).read())
    assert record == dict(classes=None, class_counts=[3], level_counts=[[3]],
                          many_thr=None, few_thr=None)  # no fingerprint key
    assert TrainCounts.from_file(path) == TrainCounts(class_counts=[3])
    assert os.listdir(tmp_path) == ['train_counts.json']  # no temporary file left


def test_every_file_form_read_today(tmp_path):
    forms = {'list.json': [500, 50, 5],
             'meta.json': dict(classes=['a', 'b'], class_counts=[9, 4]),
             'nested.json': dict(metainfo=dict(class_counts=[3, 2], many_thr=4.0, few_thr=1)),
             'one_thr.json': dict(class_counts=[3, 2], many_thr=4, few_thr=None)}
    for name, data in forms.items():
        (tmp_path / name).write_text(json.dumps(data))
    assert TrainCounts.from_file(str(tmp_path / 'list.json')).class_counts == (500, 50, 5)
    assert TrainCounts.from_file(tmp_path / 'meta.json').classes == ('a', 'b')
    nested = TrainCounts.from_file(tmp_path / 'nested.json')
    assert nested.class_counts == (3, 2) and nested.thresholds == (4, 1)
    assert TrainCounts.from_file(tmp_path / 'one_thr.json').thresholds is None


@pytest.mark.parametrize('data, error, message', [
    (dict(classes=['a']), ValueError, r'without a "class_counts" key \(keys: \[.classes.\]\)'),
    (dict(class_counts=[3], subset_fingerprint='abc'), ValueError,
     r'"subset_fingerprint" must be a JSON object \(as TrainCountsHook writes it\), got str'),
    ([1.5, 2], ValueError, r"bad\.json: counts must be whole numbers"),
    (dict(class_counts=[3, 1], classes=['a']), ValueError,
     r"train_counts file .*bad\.json.: TrainCounts classes: 1 names for 2"),
    (dict(class_counts=[3], many_thr='lots', few_thr=1), ValueError,
     r'"many_thr" must be a whole number of training images, got .lots.'),
])
def test_bad_files_name_the_file_and_the_problem(tmp_path, data, error, message):
    path = tmp_path / 'bad.json'
    path.write_text(json.dumps(data))
    with pytest.raises(error, match=message):
        TrainCounts.from_file(str(path))


def test_missing_file_says_which_file_to_give(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist; give the train_counts.json'):
        TrainCounts.from_file(str(tmp_path / 'missing.json'))


def test_checks_against_the_evaluated_classes():
    counts = TrainCounts(classes=['a', 'b', 'c'], class_counts=[3, 2, 1])
    with pytest.raises(ValueError, match=r'src has 3 entries .* has 2 classes \(meta\)'):
        counts.check_num_classes(2, 'src', 'meta')
    counts.check_num_classes(3, 'src', 'meta')
    with pytest.raises(ValueError, match=r"index 1 is 'c' there and 'b' in training "
                                         r'\(2 of 3 indices differ\)'):
        counts.check_class_order(['a', 'c', 'b'], 'src')
    counts.check_class_order(['a', 'b', 'c'], 'src')
    counts.check_class_order(None, 'src')  # nothing to compare
    numbered = TrainCounts(classes=['0', '1'], class_counts=[3, 2])
    numbered.check_class_order([0, 1], 'src')  # names compare as text
