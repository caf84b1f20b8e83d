import random

import numpy as np
import pytest
import torch
from PIL import Image

from mmpretrain.datasets import BaseDataset
from skcl_mm.datasets import LongTailHierarchyDataset, long_tail_counts
from skcl_mm.datasets.hierarchies import CIFAR100_FINE_TO_COARSE
from tests.fixtures.cifar import (CIFAR10Fixture, CIFAR100Fixture,
                                  write_cifar10, write_cifar100)

PACK = [dict(type='PackInputs')]


@pytest.fixture(scope='module')
def full_cifar100(tmp_path_factory):
    """The real CIFAR-100 train size: 500 images per class."""
    root = write_cifar100(str(tmp_path_factory.mktemp('c100full')), 500, 1)
    return CIFAR100Fixture(data_root=root, split='train', pipeline=PACK)


@pytest.mark.parametrize('factor,total', [(100, 10847), (50, 12608), (10, 19573)])
def test_cifar100_lt_counts(full_cifar100, factor, total):
    ds = LongTailHierarchyDataset(full_cifar100, imbalance_factor=factor,
                                  hierarchy='cifar100')
    meta = ds.metainfo
    expected = [int(500 * (1 / factor)**(c / 99)) for c in range(100)]
    assert meta['class_counts'] == expected == long_tail_counts(500, 100, factor)
    assert len(ds) == total == sum(expected)
    assert np.bincount(ds.get_gt_labels(), minlength=100).tolist() == expected
    coarse = [0] * 20
    for fine, count in enumerate(expected):
        coarse[CIFAR100_FINE_TO_COARSE[fine]] += count
    assert meta['level_counts'] == [coarse, expected]
    split = meta['many_medium_few']
    assert sorted(split['many'] + split['medium'] + split['few']) == list(range(100))
    assert all(expected[c] > 100 for c in split['many'])
    assert all(expected[c] < 20 for c in split['few'])
    if factor == 100:  # the split every CIFAR-100-LT paper reports
        assert [len(split[k]) for k in ('many', 'medium', 'few')] == [35, 35, 30]


def test_cifar10_lt_counts(tmp_path):
    root = write_cifar10(str(tmp_path), 5000, 1)
    inner = CIFAR10Fixture(data_root=root, split='train', pipeline=PACK)
    ds = LongTailHierarchyDataset(inner, imbalance_factor=100, hierarchy='cifar10')
    assert len(ds) == 12406
    assert ds.metainfo['class_counts'][0] == 5000
    assert ds.metainfo['class_counts'][-1] == 50


def _subset_signature(ds):
    return [(ds.get_data_info(i)['gt_label'], ds.get_data_info(i)['img'].tobytes())
            for i in range(0, len(ds), 97)]


def test_subset_independent_of_global_seed(full_cifar100):
    signatures = []
    for global_seed in (0, 12345):
        random.seed(global_seed)
        np.random.seed(global_seed)
        torch.manual_seed(global_seed)
        ds = LongTailHierarchyDataset(full_cifar100, imbalance_factor=100, seed=0)
        signatures.append(_subset_signature(ds))
    assert signatures[0] == signatures[1]
    other = LongTailHierarchyDataset(full_cifar100, imbalance_factor=100, seed=1)
    assert _subset_signature(other) != signatures[0]


def test_samples_carry_level_labels(cifar100_root):
    ds = LongTailHierarchyDataset(
        dict(type='CIFAR100Fixture', data_root=cifar100_root, split='test',
             pipeline=PACK), hierarchy='cifar100')
    assert ds.metainfo['class_counts'] == [2] * 100  # test sets stay balanced
    for idx in range(0, len(ds), 17):
        sample = ds[idx]['data_samples']
        fine = int(sample.gt_label)
        assert sample.gt_level_labels.tolist() == [CIFAR100_FINE_TO_COARSE[fine], fine]
        assert ds.get_data_info(idx)['gt_level_labels'].dtype == np.int64
        assert sample.gt_level_labels.dtype == torch.int64


def test_pack_inputs_algorithm_keys_also_work(cifar10_root):
    pipeline = [dict(type='PackInputs', algorithm_keys=['gt_level_labels'])]
    ds = LongTailHierarchyDataset(
        dict(type='CIFAR10Fixture', data_root=cifar10_root, split='train',
             pipeline=pipeline), imbalance_factor=4, hierarchy='cifar10')
    assert ds.metainfo['class_counts'] == long_tail_counts(20, 10, 4)
    sample = ds[0]['data_samples']
    assert sample.gt_level_labels[-1] == sample.gt_label[0]


def test_single_level_without_hierarchy(cifar10_root):
    ds = LongTailHierarchyDataset(
        dict(type='CIFAR10Fixture', data_root=cifar10_root, split='train',
             pipeline=PACK), imbalance_factor=2)
    meta = ds.metainfo
    assert meta['level_classes'] == [meta['classes']]
    assert meta['level_counts'] == [meta['class_counts']]
    assert ds[3]['data_samples'].gt_level_labels.shape == (1, )


def _write_list_dataset(root, labels):
    lines = []
    for i, label in enumerate(labels):
        path = root / f'img_{i}.png'
        Image.fromarray(np.full((8, 8, 3), 30 * label % 256, np.uint8)).save(path)
        lines.append(f'{path.name} {label}')
    (root / 'train.txt').write_text('\n'.join(lines) + '\n')
    return dict(type='CustomDataset', data_root=str(root), ann_file='train.txt',
                data_prefix='', metainfo=dict(classes=['a', 'b', 'c']),
                pipeline=[dict(type='LoadImageFromFile'), *PACK])


def test_annotation_list_taken_as_given(tmp_path):
    cfg = _write_list_dataset(tmp_path, [0, 0, 0, 1, 1, 2])
    ds = LongTailHierarchyDataset(cfg)
    assert ds.metainfo['class_counts'] == [3, 2, 1]
    assert ds[5]['inputs'].shape == (3, 8, 8)


def test_unknown_label_in_list(tmp_path):
    cfg = _write_list_dataset(tmp_path, [0, 1, 7])
    with pytest.raises(ValueError, match='label outside \\[0, 3\\)'):
        LongTailHierarchyDataset(cfg)


def test_class_without_training_images(tmp_path):
    cfg = _write_list_dataset(tmp_path, [0, 0, 1])
    with pytest.raises(ValueError, match="0 images: \\['c'\\].*test_mode=True"):
        LongTailHierarchyDataset(cfg)
    test_set = LongTailHierarchyDataset(dict(cfg, test_mode=True))  # a warning only
    assert test_set.metainfo['class_counts'] == [2, 1, 0]


@pytest.mark.parametrize('pipeline', [PACK, [dict(type='RandomCrop', crop_size=4), *PACK]],
                         ids=['pack_only', 'transform_first'])
def test_image_files_without_a_loader_name_the_fix(tmp_path, pipeline):
    cfg = _write_list_dataset(tmp_path, [0, 1, 2])
    ds = LongTailHierarchyDataset(dict(cfg, pipeline=pipeline))
    with pytest.raises(KeyError, match="no image: start the pipeline with "
                                       "dict\\(type='LoadImageFromFile'\\)"):
        ds[0]


def test_a_loading_pipeline_without_packing_is_fine(tmp_path):
    cfg = _write_list_dataset(tmp_path, [0, 1, 2])
    ds = LongTailHierarchyDataset(dict(cfg, pipeline=[dict(type='LoadImageFromFile')]))
    assert ds[0]['img'].shape == (8, 8, 3)


@pytest.mark.parametrize('factor', [0.5, 0, -3])
def test_imbalance_factor_below_one(cifar10_root, factor):
    with pytest.raises(ValueError, match='imbalance_factor must be >= 1'):
        LongTailHierarchyDataset(dict(type='CIFAR10Fixture', data_root=cifar10_root),
                                 imbalance_factor=factor)


def test_imbalance_factor_empties_a_class(cifar10_root):
    with pytest.raises(ValueError, match=r"leaves 3 classes with 0 images.*'truck'.*at most 20"):
        LongTailHierarchyDataset(
            dict(type='CIFAR10Fixture', data_root=cifar10_root, pipeline=PACK),
            imbalance_factor=50)


def test_hierarchy_must_match_classes(cifar10_root):
    with pytest.raises(ValueError, match='missing from the hierarchy'):
        LongTailHierarchyDataset(
            dict(type='CIFAR10Fixture', data_root=cifar10_root, pipeline=PACK),
            hierarchy='cifar100')


def test_pipeline_on_the_wrapper_replaces_the_inner_one(cifar10_root):
    ds = LongTailHierarchyDataset(
        dict(type='CIFAR10Fixture', data_root=cifar10_root, split='test',
             pipeline=[dict(type='RandomCrop', crop_size=8), *PACK]),
        pipeline=PACK)
    assert ds[0]['inputs'].shape == (3, 32, 32)  # the wrapper's pipeline ran
    assert ds[0]['data_samples'].gt_level_labels.tolist() == [int(ds[0]['data_samples'].gt_label)]


class _Named(BaseDataset):
    """``per_class`` samples per class, named ``img_<class>_<i>.png``."""
    METAINFO = dict(classes=('a', 'b', 'c'))

    def __init__(self, per_class, **kwargs):
        self.per_class = per_class
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self):
        return [dict(img_path=f'img_{label}_{i:02d}.png', gt_label=label)
                for label in range(3) for i in range(self.per_class)]


@pytest.mark.parametrize('seed,tail', [
    (0, ['img_1_04', 'img_1_05', 'img_1_09', 'img_1_10', 'img_2_04', 'img_2_05']),
    (1, ['img_1_00', 'img_1_01', 'img_1_03', 'img_1_06', 'img_2_03', 'img_2_11'])])
def test_selected_images_are_pinned(seed, tail):
    """The subset is a function of the config: numpy's default_rng(seed) with one
    permutation per class in class order. A change of numpy's generator (or of
    the selection) changes these names and fails here."""
    ds = LongTailHierarchyDataset(_Named(12), imbalance_factor=6, seed=seed)
    names = [ds.get_data_info(i)['img_path'][:-4] for i in range(len(ds))]
    assert ds.metainfo['class_counts'] == [12, 4, 2]  # int(12 / 6 ** (c / 2))
    assert names == [f'img_0_{i:02d}' for i in range(12)] + tail


def test_metainfo_holds_the_fingerprint_of_the_selection():
    ds = LongTailHierarchyDataset(_Named(12), imbalance_factor=6, seed=0)
    fingerprint = ds.metainfo['subset_fingerprint']
    assert type(fingerprint) is dict
    assert (fingerprint['num_images'], fingerprint['seed'], fingerprint['imbalance_factor'],
            fingerprint['dataset']) == (18, 0, 6.0, '_Named')
    as_given = LongTailHierarchyDataset(_Named(12)).metainfo['subset_fingerprint']
    assert as_given['num_images'] == 36 and as_given['imbalance_factor'] is None
