"""TrainCountsHook inside real mmengine Runners (train + val, test only, DDP)."""
import csv
import json
import os

import pytest
import torch
from mmengine.runner import Runner

from skcl_mm.engine.hooks import TrainCountsHook
from tests.fixtures.small_runner import (CLASSES, LEVEL_COUNTS, TRAIN_COUNTS,
                                         make_cfg, read_log)
from tests.tools_runner import free_port


def as_lists(level_counts):
    """What the head received (the record's tuples), as lists."""
    return None if level_counts is None else [list(level) for level in level_counts]


def test_train_with_val_hands_counts_to_head_and_metric(tmp_path):
    runner = Runner.from_cfg(make_cfg(tmp_path, 'tch_train', per_class_file='pc.csv'))
    runner.train()
    assert as_lists(runner.model.head.received_counts) == LEVEL_COUNTS
    metric = runner.val_evaluator.metrics[0]
    assert metric.train_counts == TRAIN_COUNTS
    assert metric.out_dir == runner.log_dir
    hub = runner.message_hub
    for key in ('top1', 'many', 'medium', 'few', 'level0_top1'):
        assert 0.0 <= hub.get_scalar(f'val/long_tail/{key}').current() <= 100.0
    with open(os.path.join(runner.log_dir, 'pc.csv'), newline='') as f:
        rows = list(csv.DictReader(f))
    assert [int(r['train_count']) for r in rows] == TRAIN_COUNTS
    assert [r['group'] for r in rows] == ['many', 'medium', 'few']
    log = read_log(runner)
    assert '10 training images in 3 classes, 2 level(s) [2, 3]' in log
    assert 'many/medium/few = 1/1/1' in log  # the metric's thresholds 4 / 2
    assert log.count('training counts from') == 1  # once per run


def test_test_only_run_builds_train_dataset_without_metainfo_counts(tmp_path):
    # No class_counts in the train metainfo: counted from get_gt_labels().
    cfg = make_cfg(tmp_path, 'tch_test', train_meta=dict(classes=CLASSES))
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    assert runner.test_evaluator.metrics[0].train_counts == TRAIN_COUNTS
    assert as_lists(runner.model.head.received_counts) == [TRAIN_COUNTS]
    assert {'long_tail/many', 'long_tail/medium', 'long_tail/few'} <= set(metrics)


def test_test_only_run_without_train_data_keeps_metric_counts(tmp_path):
    cfg = make_cfg(tmp_path, 'tch_fallback', train_meta=None,
                   train_counts=[5, 3, 1])
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    assert runner.test_evaluator.metrics[0].train_counts == [5, 3, 1]
    assert runner.model.head.received_counts is None
    assert 'long_tail/few' in metrics
    log = read_log(runner)
    assert 'no train_dataloader' in log and 'uses its own train_counts' in log


def test_failed_train_dataset_build_falls_back(tmp_path):
    cfg = make_cfg(tmp_path, 'tch_broken')
    cfg.train_dataloader.dataset.type = 'NoSuchDatasetForTrainCountsHook'
    runner = Runner.from_cfg(cfg)
    runner.test()
    assert runner.test_evaluator.metrics[0].train_counts is None
    assert 'building the train_dataloader dataset failed' in read_log(runner)


def test_test_only_run_with_the_real_wrapper_and_hierarchy(tmp_path):
    tree = tmp_path / 'tree.json'
    tree.write_text(json.dumps(dict(x=['a', 'b'], y=['c'])))
    cfg = make_cfg(tmp_path, 'tch_wrapper')
    cfg.train_dataloader.dataset = dict(
        type='LongTailHierarchyDataset', imbalance_factor=4, hierarchy=str(tree),
        dataset=dict(type='TrainCountsTestDataset', counts=[8, 8, 8],
                     metainfo=dict(classes=CLASSES),
                     pipeline=[dict(type='PackInputs')]))
    cfg.train_dataloader.dataset.update(many_thr=4, few_thr=2)
    cfg.test_evaluator = dict(type='LongTailAccuracy')  # follows the dataset
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    metric = runner.test_evaluator.metrics[0]
    assert metric.train_counts == [8, 4, 2]
    assert (metric.many_thr, metric.few_thr) == (4, 2)
    assert as_lists(runner.model.head.received_counts) == [[12, 2], [8, 4, 2]]
    # counts 8 / 4 / 2 with thresholds > 4 / < 2: many, medium, medium.
    assert {'long_tail/level0_top1', 'long_tail/many', 'long_tail/medium'} <= set(metrics)
    assert 'long_tail/few' not in metrics


def test_train_run_writes_counts_file_that_a_test_run_reads(tmp_path):
    """tools/test.py without the training data: the work dir's
    train_counts.json gives the same counts, thresholds and groups."""
    tree = tmp_path / 'tree.json'
    tree.write_text(json.dumps(dict(x=['a', 'b'], y=['c'])))
    cfg = make_cfg(tmp_path, 'tch_file')
    cfg.train_dataloader.dataset = dict(
        type='LongTailHierarchyDataset', imbalance_factor=4, hierarchy=str(tree),
        many_thr=4, few_thr=2,
        dataset=dict(type='TrainCountsTestDataset', counts=[8, 8, 8],
                     metainfo=dict(classes=CLASSES),
                     pipeline=[dict(type='PackInputs')]))
    cfg.test_evaluator = dict(type='LongTailAccuracy')
    runner = Runner.from_cfg(cfg)
    runner.train()
    with_hook = runner.test()
    path = os.path.join(str(tmp_path), 'train_counts.json')
    with open(path) as f:
        record = json.load(f)
    fingerprint = record.pop('subset_fingerprint')
    assert record == dict(classes=list(CLASSES), class_counts=[8, 4, 2],
                          level_counts=[[12, 2], [8, 4, 2]], many_thr=4, few_thr=2)
    assert fingerprint == runner.train_dataloader.dataset.metainfo['subset_fingerprint']
    assert (fingerprint['num_images'], fingerprint['imbalance_factor'],
            fingerprint['hierarchy']) == (14, 4.0, 'tree.json')
    assert (f'wrote {path}; tools/test.py without the training data reads it with '
            '--cfg-options custom_hooks.0.build_train_dataset=False') in read_log(runner)

    cfg = make_cfg(tmp_path, 'tch_file_test', train_meta=None)
    cfg.custom_hooks = [dict(type='TrainCountsHook', build_train_dataset=False)]
    cfg.test_evaluator = dict(type='LongTailAccuracy', train_counts=path)
    cfg.load_from = None
    test_runner = Runner.from_cfg(cfg)
    test_runner.model.load_state_dict(runner.model.state_dict())
    from_file = test_runner.test()
    metric = test_runner.test_evaluator.metrics[0]
    assert (metric.many_thr, metric.few_thr) == (4, 2)
    for key in ('long_tail/top1', 'long_tail/many', 'long_tail/medium'):
        assert from_file[key] == pytest.approx(with_hook[key]), key
    assert 'long_tail/few' not in from_file


def test_val_set_in_another_class_order_stops_training(tmp_path):
    cfg = make_cfg(tmp_path, 'tch_order')
    cfg.val_dataloader.dataset.metainfo = dict(classes=CLASSES[::-1])
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ValueError, match="index 0 is 'c' there and 'a' in training"):
        runner.train()


def _ddp_worker(rank, world_size, port, work_dir):
    from skcl_mm.utils.distributed import setup_distributed
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world_size),
                      MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    cfg = make_cfg(work_dir, 'tch_ddp', per_class_file='pc.json')
    cfg.launcher = 'pytorch'
    runner = Runner.from_cfg(setup_distributed(cfg, 'pytorch'))
    runner.train()
    assert as_lists(runner.model.module.head.received_counts) == LEVEL_COUNTS
    assert runner.val_evaluator.metrics[0].train_counts == TRAIN_COUNTS
    if rank == 0:  # results of both ranks were collected: 6 test images
        with open(os.path.join(runner.log_dir, 'pc.json')) as f:
            rows = json.load(f)['classes']
        assert [r['test_count'] for r in rows] == [2, 2, 2]
    torch.distributed.destroy_process_group()


@pytest.mark.slow
def test_distributed_two_ranks(tmp_path):
    # fork: the workers inherit the imports (spawn would re-import everything).
    torch.multiprocessing.start_processes(
        _ddp_worker, args=(2, free_port(), str(tmp_path)), nprocs=2, join=True,
        start_method='fork')


def test_hook_registered_with_priority():
    from mmpretrain.registry import HOOKS
    hook = HOOKS.build(dict(type='TrainCountsHook'))
    assert isinstance(hook, TrainCountsHook) and hook.priority == 'ABOVE_NORMAL'


def test_listed_twice_the_first_acts_and_the_other_says_so_once(tmp_path):
    """The default hook (default_hooks.train_counts) and a config's own entry
    in custom_hooks: one record, one hand-over, one file, one hint."""
    cfg = make_cfg(tmp_path, 'tch_twice')
    cfg.default_hooks.train_counts = dict(type='TrainCountsHook')
    cfg.custom_hooks = [dict(type='TrainCountsHook', build_train_dataset=False)]
    runner = Runner.from_cfg(cfg)
    first, second = [h for h in runner.hooks if isinstance(h, TrainCountsHook)]
    assert first.build_train_dataset and not second.build_train_dataset
    runner.train()  # before_train and before_val: the duplicate speaks once
    assert as_lists(runner.model.head.received_counts) == LEVEL_COUNTS
    assert runner.val_evaluator.metrics[0].train_counts == TRAIN_COUNTS
    log = read_log(runner)
    assert log.count('training images in 3 classes') == 1
    assert log.count('training counts from') == 1
    assert log.count('is a duplicate of') == 1
    assert ('TrainCountsHook (custom_hooks.0) is a duplicate of '
            'default_hooks.train_counts, which acts; this one does nothing. Its '
            'build_train_dataset=False is ignored: set it on '
            'default_hooks.train_counts.') in log
    assert ('--cfg-options default_hooks.train_counts.build_train_dataset=False '
            'test_evaluator.train_counts=') in log
    assert os.path.isfile(os.path.join(str(tmp_path), 'train_counts.json'))


def test_test_only_run_leaves_the_train_loop_unbuilt(tmp_path):
    runner = Runner.from_cfg(make_cfg(tmp_path, 'tch_no_loop'))
    runner.test()
    assert runner.test_evaluator.metrics[0].train_counts == TRAIN_COUNTS
    # Only the dataset was built: the train loop and its loader stay configs.
    assert isinstance(runner._train_loop, dict)
    assert not os.path.exists(os.path.join(str(tmp_path), 'train_counts.json'))
