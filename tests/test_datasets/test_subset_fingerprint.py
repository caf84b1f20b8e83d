"""The training subset's fingerprint: same config, same fingerprint, on any machine."""
import io
import json
import os
import shutil

import pytest
import torch

from skcl_mm.datasets import (IMAGENET_LT_CLASSES, LongTailHierarchyDataset,
                              subset_differences)
from tests.fixtures.imagenet_lt import write_imagenet_lt

PACK = [dict(type='PackInputs')]
CLASSES = list(IMAGENET_LT_CLASSES[:5])


def _cifar10(root, **kwargs):
    inner = dict(type='CIFAR10Fixture', data_root=root, split='train', pipeline=PACK)
    return LongTailHierarchyDataset(inner, **kwargs).metainfo['subset_fingerprint']


def test_two_builds_agree_and_the_record_is_plain(cifar10_root):
    first = _cifar10(cifar10_root, imbalance_factor=4, seed=0, hierarchy='cifar10')
    second = _cifar10(cifar10_root, imbalance_factor=4, seed=0, hierarchy='cifar10')
    assert first == second and subset_differences(first, second) == []
    assert json.loads(json.dumps(first)) == first
    buffer = io.BytesIO()
    torch.save(dict(meta=first), buffer)
    buffer.seek(0)
    assert torch.load(buffer, weights_only=True)['meta'] == first
    assert (first['num_images'], first['imbalance_factor'], first['hierarchy']) == (
        sum(int(20 * 0.25**(c / 9)) for c in range(10)), 4.0, 'cifar10')


@pytest.mark.parametrize('changed,expected', [
    (dict(seed=1), 'seed (of the long-tailed selection): recorded 0, this run 1'),
    (dict(imbalance_factor=2), 'imbalance_factor: recorded 4.0, this run 2.0'),
    (dict(hierarchy=None), "hierarchy: recorded 'cifar10', this run None"),
])
def test_a_changed_setting_is_named(cifar10_root, changed, expected):
    base = dict(imbalance_factor=4, seed=0, hierarchy='cifar10')
    recorded = _cifar10(cifar10_root, **base)
    current = _cifar10(cifar10_root, **dict(base, **changed))
    assert recorded['image_ids_sha256'] != current['image_ids_sha256'] or 'hierarchy' in changed
    assert expected in subset_differences(recorded, current)


def _imagenet_lt(root, hierarchy=None, ann_file=''):
    inner = dict(type='ImageNetLT', data_root=root, split='train', ann_file=ann_file,
                 metainfo=dict(classes=CLASSES), pipeline=PACK)
    return LongTailHierarchyDataset(inner, hierarchy=hierarchy).metainfo['subset_fingerprint']


@pytest.fixture(scope='module')
def two_roots(tmp_path_factory):
    """The same ImageNet-LT tree at two different absolute paths (two machines)."""
    roots = [str(tmp_path_factory.mktemp(name)) for name in ('machine_a', 'machine_b')]
    for root in roots:
        assert write_imagenet_lt(root) == CLASSES
    return roots


def test_no_absolute_path_so_two_machines_agree(two_roots, tmp_path):
    tree = tmp_path / 'lt_tree.json'
    tree.write_text(json.dumps(dict(first=CLASSES[:2], rest=CLASSES[2:])))
    prints = [_imagenet_lt(root, hierarchy=str(tree)) for root in two_roots]
    assert prints[0] == prints[1]
    text = json.dumps(prints[0])
    assert not any(part in text for part in (*two_roots, str(tmp_path), '/tmp'))
    assert prints[0]['hierarchy'] == 'lt_tree.json'
    assert prints[0]['split'] == 'train, ann_file=ImageNet_LT_train.txt, img_path=.'


def test_the_image_list_is_hashed_not_only_indices(two_roots, tmp_path):
    root = two_roots[0]
    lines = open(os.path.join(root, 'ImageNet_LT_train.txt')).read().splitlines()
    shutil.copy(os.path.join(root, lines[0].split()[0]), os.path.join(root, 'renamed.JPEG'))
    edited = tmp_path / 'edited.txt'
    edited.write_text('\n'.join(['renamed.JPEG 0'] + lines[1:]) + '\n')
    recorded = _imagenet_lt(root)
    current = _imagenet_lt(root, ann_file=str(edited))
    assert recorded['image_ids_sha256'] != current['image_ids_sha256']
    assert any(line.startswith("split: recorded 'train, ann_file=ImageNet_LT_train.txt")
               for line in subset_differences(recorded, current))
    same_settings = dict(current, split=recorded['split'])
    assert subset_differences(recorded, same_settings) == [
        'the selected images differ under the same settings (the data on disk changed, '
        'or the wrapped dataset lists its images in another order)']
