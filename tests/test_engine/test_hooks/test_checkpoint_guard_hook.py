"""CheckpointGuardHook in real Runner runs on a checkpoint of a real training run."""
import copy
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from skcl_mm.engine.hooks.checkpoint_guard_hook import (
    CheckpointMismatchError, ensure_checkpoint_guard)

CONFIG = 'tests/data/configs/linear_cifar10_lt.py'


@pytest.fixture(scope='module')
def base_cfg(cifar10_root, monkeypatch_module):
    monkeypatch_module.setenv('SKCL_TEST_CIFAR10', cifar10_root)
    return Config.fromfile(CONFIG)


@pytest.fixture(scope='module')
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture
def checkpoint(linear_cifar10_trained):
    return osp.join(linear_cifar10_trained[0], 'trained.pth')


def make_runner(base_cfg, work_dir, **changes):
    cfg = copy.deepcopy(base_cfg)
    cfg.work_dir = str(work_dir)
    cfg.merge_from_dict(changes)
    return Runner.from_cfg(ensure_checkpoint_guard(cfg))


def test_training_records_the_input_shape_and_subset(checkpoint):
    meta = torch.load(checkpoint, weights_only=True)['meta']
    assert meta['input_shape'] == [3, 32, 32]
    fingerprint = meta['dataset_meta']['subset_fingerprint']
    assert fingerprint['imbalance_factor'] == 4.0 and fingerprint['seed'] == 0


def test_matching_checkpoint_tests(base_cfg, checkpoint, tmp_path):
    metrics = make_runner(base_cfg, tmp_path, load_from=checkpoint).test()
    assert 'long_tail/top1' in metrics


def test_other_class_count_stops_before_scoring(base_cfg, checkpoint, tmp_path):
    runner = make_runner(base_cfg, tmp_path, load_from=checkpoint,
                         **{'model.head.num_classes': 5})
    with pytest.raises(CheckpointMismatchError) as info:
        runner.test()
    assert ('the classifier (head.fc.weight) has 10 classes in the checkpoint and 5 '
            'in this config') in str(info.value)


def test_other_class_order_stops(base_cfg, checkpoint, tmp_path):
    state = torch.load(checkpoint, weights_only=True)
    classes = list(state['meta']['dataset_meta']['classes'])
    state['meta']['dataset_meta']['classes'] = classes[::-1]
    path = str(tmp_path / 'reversed.pth')
    torch.save(state, path)
    with pytest.raises(CheckpointMismatchError,
                       match="classes differ in order: at index 0 the checkpoint has "
                             "'truck', the test set has 'airplane'"):
        make_runner(base_cfg, tmp_path, load_from=path).test()


def test_other_input_size_stops_at_the_first_test_batch(base_cfg, checkpoint, tmp_path):
    pipeline = [dict(type='Resize', scale=16), dict(type='PackInputs')]
    runner = make_runner(base_cfg, tmp_path, load_from=checkpoint, **{
        'test_dataloader.dataset.dataset.pipeline': pipeline})
    with pytest.raises(CheckpointMismatchError,
                       match='the first test batch has 16x16 pixels .* trained on 32x32'):
        runner.test()
    runner = make_runner(base_cfg, tmp_path, load_from=checkpoint, **{
        'test_dataloader.dataset.dataset.pipeline': pipeline,
        'default_hooks.checkpoint_guard.check_input_shape': False})
    assert 'long_tail/top1' in runner.test()


@pytest.mark.parametrize('setting, named', [
    ({'train_dataloader.dataset.imbalance_factor': 2}, 'imbalance_factor: recorded 4.0, '
     'this run 2.0'),
    ({'train_dataloader.dataset.seed': 1}, 'seed (of the long-tailed selection): '
     'recorded 0, this run 1'),
])
def test_resume_on_another_subset_stops(base_cfg, checkpoint, tmp_path, setting, named):
    runner = make_runner(base_cfg, tmp_path, load_from=checkpoint, resume=True,
                         **setting, **{'train_cfg.max_iters': 3})
    with pytest.raises(CheckpointMismatchError) as info:
        runner.train()
    message = str(info.value)
    assert f'training subset: {named}' in message
    assert 'tools/train.py --allow-other-subset' in message


def test_allowed_other_subset_trains_with_a_warning(base_cfg, checkpoint, tmp_path):
    runner = make_runner(base_cfg, tmp_path, load_from=checkpoint, resume=True, **{
        'train_dataloader.dataset.seed': 1, 'train_cfg.max_iters': 3,
        'default_hooks.checkpoint_guard.allow_other_subset': True})
    runner.train()
    assert runner.iter == 3
    log = ''.join(open(path).read() for path in glob.glob(str(tmp_path / '*' / '*.log')))
    assert 'training on another subset than the checkpoint' in log
    assert 'seed (of the long-tailed selection): recorded 0, this run 1' in log


def test_hook_arguments_are_typed():
    from skcl_mm.engine.hooks import CheckpointGuardHook
    with pytest.raises(TypeError, match="allow_other_subset must be True or False, got 'yes'"):
        CheckpointGuardHook(allow_other_subset='yes')
