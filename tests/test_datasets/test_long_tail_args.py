"""LongTailHierarchyDataset's arguments: typed, range-checked, refused before any work."""
import math
import pathlib

import numpy as np
import pytest

import tests.fixtures.small_runner  # noqa: F401 (registers TrainCountsTestDataset)
from skcl_mm.datasets import LongTailHierarchyDataset
from tests.fixtures.log_capture import logged_messages

CLASSES = ('a', 'b', 'c')
INNER = dict(type='TrainCountsTestDataset', counts=[8, 8, 8], metainfo=dict(classes=CLASSES))
# Built, this config fails (no CIFAR files there): an argument error must come first.
UNBUILDABLE = dict(type='CIFAR10', data_root='/nonexistent/cifar10')


@pytest.mark.parametrize('kwargs,error,message', [
    (dict(seed=None), TypeError, r'seed must be an int >= 0 .*got None \(NoneType\).*seed=0'),
    (dict(seed=1.0), TypeError, r'seed must be an int .*got 1\.0 \(float\)'),
    (dict(seed='0'), TypeError, r"seed must be an int .*got '0' \(str\)"),
    (dict(seed=True), TypeError, r'seed must be an int .*got True \(bool\)'),
    (dict(seed=-1), ValueError, r'seed must be an int >= 0 .*got -1 \(int\)'),
    (dict(imbalance_factor=True), TypeError,
     r'imbalance_factor got True \(bool\).*True is not 1.*imbalance_factor=100'),
    (dict(imbalance_factor='100'), TypeError,
     r"imbalance_factor got the string '100' \(str\); write a number, not text: "
     r'imbalance_factor=100 \(no quotes\)'),
    (dict(imbalance_factor='high'), TypeError, r"string 'high'.*e\.g\. imbalance_factor=100"),
    (dict(imbalance_factor=math.nan), ValueError, r'>= 1 and finite .*got nan \(float\)'),
    (dict(imbalance_factor=math.inf), ValueError, r'>= 1 and finite .*got inf \(float\)'),
    (dict(imbalance_factor=[100]), TypeError, r'imbalance_factor got \[100\] \(list\)'),
    (dict(imbalance_factor=0.5), ValueError, r'must be >= 1 .*got 0\.5 \(float\)'),
    (dict(many_thr=True), TypeError,
     r'many_thr must be an int >= 0 .*got True \(bool\).*many_thr=100'),
    (dict(many_thr=100.0), TypeError, r'many_thr must be an int .*got 100\.0 \(float\)'),
    (dict(few_thr='20'), TypeError, r"few_thr must be an int .*got '20' \(str\).*few_thr=20"),
    (dict(few_thr=-1), ValueError, r'few_thr must be an int >= 0 .*got -1 \(int\)'),
    (dict(few_thr=50, many_thr=10), ValueError,
     r'few_thr \(50\) must not exceed many_thr \(10\)'),
    (dict(hierarchy=3), TypeError, r"hierarchy must be None .*'cifar100'.*got 3 \(int\)"),
    (dict(hierarchy=['cifar10']), TypeError,
     r"hierarchy must be None .*got \['cifar10'\] \(list\)"),
    (dict(levels='species'), TypeError,
     r"levels must be None .*levels=\['genus', 'species'\], got 'species' \(str\)"),
    (dict(levels=[]), TypeError, r'levels must be None .*got \[\] \(list\)'),
    (dict(levels=['genus', '']), TypeError, r"levels must be None .*got \['genus', ''\]"),
    (dict(levels=['genus', 'genus', 'species']), ValueError,
     r"levels=\['genus', 'genus', 'species'\] repeats \['genus'\]"),
    (dict(pipeline=dict(type='PackInputs')), TypeError,
     r"pipeline must be a list of transform dicts, got dict; write e\.g\. pipeline=\[dict"),
])
def test_bad_arguments_stop_before_the_dataset_is_built(kwargs, error, message):
    with pytest.raises(error, match=message):
        LongTailHierarchyDataset(UNBUILDABLE, **kwargs)


@pytest.mark.parametrize('kwargs', [
    dict(seed=np.int64(3), imbalance_factor=np.float32(2.0)),
    dict(imbalance_factor=2, many_thr=np.int32(5), few_thr=0),
    dict(imbalance_factor=1.0)])
def test_numpy_numbers_and_edge_values_are_accepted(kwargs):
    ds = LongTailHierarchyDataset(INNER, **kwargs)
    assert isinstance(ds.seed, int) and isinstance(ds.many_thr, int)
    assert len(ds) == sum(ds.metainfo['class_counts'])


@pytest.mark.parametrize('dataset,error,message', [
    (dict(type='TrainCountTestDataset', counts=[1]), ValueError,
     r"dataset type 'TrainCountTestDataset' is not a registered dataset; did you "
     r"mean \['TrainCountsTestDataset'"),
    (dict(type='NoSuchThing'), ValueError, r"'NoSuchThing' is not a registered .*custom_imports"),
    (dict(counts=[1]), ValueError, r"config has no \"type\" \(keys: \['counts'\]\)"),
    ('CIFAR100', TypeError, r"got str 'CIFAR100'; write e\.g\. dataset=dict\(type='CIFAR100'"),
    (dict(type='TrainCountsTestDataset', counts=[8, 8, 8]), ValueError,
     r'wrapped TrainCountsTestDataset has no class names .*metainfo=dict\(classes='),
])
def test_bad_wrapped_dataset(dataset, error, message):
    with pytest.raises(error, match=message):
        LongTailHierarchyDataset(dataset)


def test_a_wrapper_inside_a_wrapper_is_refused():
    inner = LongTailHierarchyDataset(INNER)
    with pytest.raises(TypeError, match='do not wrap a LongTailHierarchyDataset in another'):
        LongTailHierarchyDataset(inner)


def test_a_dataset_without_labels_api_names_what_it_lacks():
    from mmengine.dataset import BaseDataset

    class Plain(BaseDataset):  # mmengine's: no get_gt_labels
        METAINFO = dict(classes=CLASSES)

        def load_data_list(self):
            return [dict(gt_label=0)]

    with pytest.raises(TypeError, match=r"wrapped Plain lacks \['get_gt_labels'\]"):
        LongTailHierarchyDataset(Plain(ann_file=''))


def test_hierarchy_as_a_path_object(tmp_path):
    tree = tmp_path / 'tree.yaml'
    tree.write_text('x: [a, b]\ny: [c]\n')
    ds = LongTailHierarchyDataset(INNER, hierarchy=pathlib.Path(tree))
    assert ds.metainfo['level_classes'] == [['x', 'y'], list(CLASSES)]
    assert ds.hierarchy_source == str(tree)


def test_a_class_absent_before_the_profile_names_it():
    counts = dict(INNER, counts=[8, 0, 8])
    with pytest.raises(ValueError, match=r"imbalance_factor=2 needs images of every "
                                         r"class.*none of 1 classes: \['b'\]"):
        LongTailHierarchyDataset(counts, imbalance_factor=2)


def test_a_long_tailed_test_set_warns():
    with logged_messages('skcl_test_long_tail_args') as messages:
        LongTailHierarchyDataset(dict(INNER, test_mode=True), imbalance_factor=2)
    assert any('imbalance_factor=2 on a test_mode TrainCountsTestDataset' in m
               and 'imbalance_factor=None for val/test' in m for m in messages)
