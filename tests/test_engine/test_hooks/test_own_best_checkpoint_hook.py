"""OwnBestCheckpointHook before mmengine's CheckpointHook, in a real Runner."""
import os

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from skcl_mm.engine.hooks import OwnBestCheckpointHook
from tests.fixtures.small_runner import make_cfg


def _runner(work_dir, name, **checkpoint):
    cfg = make_cfg(work_dir, name)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1,
                                        save_best='long_tail/top1', **checkpoint)
    cfg.default_hooks.own_best = dict(type='OwnBestCheckpointHook')
    return Runner.from_cfg(Config(cfg.to_dict()))


def _resumed_best(runner, best_path):
    runner.message_hub.update_info('best_ckpt', best_path)
    runner.message_hub.update_info('best_ckpt_long_tail/top1', best_path)
    runner.call_hook('before_train')
    checkpoint = next(h for h in runner.hooks if type(h).__name__ == 'CheckpointHook')
    return checkpoint.best_ckpt_path


def test_another_runs_best_checkpoint_is_forgotten(tmp_path):
    other = tmp_path / 'other_run' / 'best_long_tail_top1_epoch_3.pth'
    other.parent.mkdir()
    torch.save({}, other)
    runner = _runner(tmp_path, 'own_best')
    runner.message_hub.update_info('best_score', 91.0)
    assert _resumed_best(runner, str(other)) is None  # nothing to delete later
    assert other.exists()
    assert 'best_ckpt' not in runner.message_hub.runtime_info
    assert 'best_score' not in runner.message_hub.runtime_info  # its own best starts


def test_a_symlinked_work_dir_is_the_same_run(tmp_path):
    runner = _runner(tmp_path, 'own_best_link')
    link = tmp_path.parent / (tmp_path.name + '_link')
    link.symlink_to(tmp_path)
    own = os.path.join(str(link), 'best_long_tail_top1_epoch_3.pth')
    assert _resumed_best(runner, own) == own


def test_out_dir_equal_to_the_work_dir(tmp_path):
    runner = _runner(tmp_path, 'own_best_same', out_dir=str(tmp_path))
    own = os.path.join(str(tmp_path), 'best.pth')
    assert _resumed_best(runner, own) == own


def test_this_runs_best_checkpoint_is_kept(tmp_path):
    runner = _runner(tmp_path, 'own_best_kept')
    own = os.path.join(runner.work_dir, 'best_long_tail_top1_epoch_3.pth')
    assert _resumed_best(runner, own) == own


def test_out_dir_is_where_the_run_saves(tmp_path):
    out_dir = tmp_path / 'ckpts'
    runner = _runner(tmp_path, 'own_best_out', out_dir=str(out_dir))
    own = os.path.join(str(out_dir), os.path.basename(runner.work_dir), 'best.pth')
    assert _resumed_best(runner, own) == own
    assert OwnBestCheckpointHook.priority == 'VERY_HIGH'
