"""Checks of skcl_mm/utils/launch.py that stop a run before any work."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from skcl_mm.utils.launch import LOADERS, check_resume, fix_dataloader_workers
from tests.tools_runner import REPO

SHIPPED = sorted(f for f in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
                 if '_base_' not in f)


def test_resume_auto_without_a_checkpoint_says_it_starts_over(tmp_path):
    cfg = Config(dict(work_dir=str(tmp_path)))
    assert 'nothing to resume' in check_resume(cfg, 'auto')
    torch.save(dict(optimizer={}), tmp_path / 'epoch_3.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_3.pth'))
    assert check_resume(cfg, 'auto') == ''


def test_resume_from_a_best_checkpoint_names_load_from(tmp_path):
    """mmengine saves best_* checkpoints without optimizer and scheduler state:
    resuming from one would silently restart the learning-rate schedule."""
    cfg = Config(dict(work_dir=str(tmp_path)))
    best, full = tmp_path / 'best_top1_epoch_2.pth', tmp_path / 'epoch_2.pth'
    torch.save(dict(meta=dict(epoch=2), state_dict={}), best)
    torch.save(dict(meta=dict(epoch=2), state_dict={}, optimizer={},
                    param_schedulers=[]), full)
    with pytest.raises(SystemExit, match='no optimizer or scheduler state.*'
                                         f'load_from={best}'):
        check_resume(cfg, str(best))
    assert check_resume(cfg, str(full)) == ''
    with pytest.raises(SystemExit, match='no such checkpoint file'):
        check_resume(cfg, str(tmp_path / 'missing.pth'))


def test_remote_or_unreadable_checkpoints_are_left_to_the_runner(tmp_path):
    cfg = Config(dict(work_dir=str(tmp_path)))
    assert check_resume(cfg, 's3://bucket/run/epoch_3.pth') == ''
    broken = tmp_path / 'broken.pth'
    broken.write_bytes(b'not a checkpoint')
    assert check_resume(cfg, str(broken)) == ''  # mmengine's loading reports it


def test_resume_auto_with_a_moved_work_dir_names_the_checkpoint_here(tmp_path):
    """mmengine writes an absolute path into last_checkpoint."""
    cfg = Config(dict(work_dir=str(tmp_path)))
    torch.save(dict(optimizer={}), tmp_path / 'epoch_3.pth')
    (tmp_path / 'last_checkpoint').write_text('/old/place/run/epoch_3.pth')
    with pytest.raises(SystemExit, match=f'does not exist.*--resume {tmp_path}/epoch_3.pth'):
        check_resume(cfg, 'auto')


def test_old_format_best_checkpoint_is_refused_too(tmp_path):
    cfg = Config(dict(work_dir=str(tmp_path)))
    best = tmp_path / 'best.pth'
    torch.save(dict(state_dict={}), best, _use_new_zipfile_serialization=False)
    with pytest.raises(SystemExit, match='no optimizer or scheduler state'):
        check_resume(cfg, str(best))


@pytest.mark.filterwarnings('ignore:This DataLoader will create')
@pytest.mark.parametrize('config', SHIPPED, ids=lambda p: osp.relpath(p, REPO))
def test_shipped_loaders_work_under_mmpretrains_own_train_py(config):
    """mmpretrain's tools/train.py fills in persistent_workers=True unless the
    config says otherwise; torch refuses it without workers."""
    cfg = Config.fromfile(config)
    for field in LOADERS:
        loader = dict(pin_memory=True, persistent_workers=True)  # mmpretrain's defaults
        loader.update(cfg[field])
        torch.utils.data.DataLoader(
            [0], num_workers=loader['num_workers'],
            persistent_workers=loader['persistent_workers'])  # raises ValueError


def test_fix_dataloader_workers():
    cfg = Config(dict(train_dataloader=dict(num_workers=0, persistent_workers=True),
                      val_dataloader=dict(num_workers=2, persistent_workers=True)))
    fix_dataloader_workers(cfg)
    assert cfg.train_dataloader.persistent_workers is False
    assert cfg.val_dataloader.persistent_workers is True
