"""configs/_base_/default_runtime.py's hooks in real (distributed) Runners."""
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

import skcl_mm  # noqa: F401  (safe globals for weights_only loading)
from tests.tools_runner import REPO, free_port

RUNTIME = osp.join(REPO, 'configs', '_base_', 'default_runtime.py')


def _epoch_cfg(work_dir):
    from tests.fixtures.small_runner import make_cfg
    cfg = make_cfg(work_dir, 'runtime_ddp')
    cfg.model.backbone = dict(type='CifarResNet', depth=8)  # BatchNorm buffers
    cfg.model.head.in_channels = 64
    cfg.train_dataloader.sampler.shuffle = False  # ranks see different images
    cfg.train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=1)
    cfg.default_hooks = Config.fromfile(RUNTIME).default_hooks  # TrainCountsHook too
    cfg.custom_hooks = []
    cfg.default_hooks.checkpoint.update(save_best='long_tail/top1')
    return cfg


def _worker(rank, world_size, port, work_dir):
    from skcl_mm.utils.distributed import setup_distributed
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world_size),
                      MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    cfg = _epoch_cfg(work_dir)
    cfg.launcher = 'pytorch'
    runner = Runner.from_cfg(setup_distributed(cfg, 'pytorch'))
    runner.train()
    buffers = {name: b.clone() for name, b in runner.model.module.named_buffers()
               if 'running' in name}
    torch.save(buffers, osp.join(work_dir, f'buffers{rank}.pt'))
    torch.distributed.destroy_process_group()


@pytest.mark.slow
def test_ranks_validate_and_save_the_same_batchnorm_statistics(tmp_path):
    """Each rank's BatchNorm statistics come from its own images; before the
    validation (and the checkpoint) SyncBuffersHook averages them, so the
    validated model is the saved one."""
    torch.multiprocessing.start_processes(
        _worker, args=(2, free_port(), str(tmp_path)), nprocs=2, join=True,
        start_method='fork')
    ranks = [torch.load(tmp_path / f'buffers{r}.pt') for r in range(2)]
    assert len(ranks[0]) > 10
    for name, value in ranks[0].items():
        torch.testing.assert_close(ranks[1][name], value, msg=name)
    saved = torch.load(tmp_path / 'epoch_1.pth', weights_only=True)['state_dict']
    for name, value in ranks[0].items():
        torch.testing.assert_close(saved[name], value, msg=name)


def test_runtime_hooks_are_registered(tmp_path):
    """TrainCountsHook comes with the runtime (no custom_hooks entry needed)."""
    from tests.fixtures.small_runner import make_cfg
    cfg = make_cfg(tmp_path, 'runtime_hooks')
    cfg.default_hooks = Config.fromfile(RUNTIME).default_hooks
    cfg.custom_hooks = []
    names = [type(hook).__name__ for hook in Runner.from_cfg(cfg).hooks]
    assert {'SyncBuffersHook', 'OwnBestCheckpointHook', 'CheckpointHook'} <= set(names)
    assert names.count('TrainCountsHook') == 1
    assert names.index('OwnBestCheckpointHook') < names.index('CheckpointHook')
    # before any validation and before the SKCL graph hook (NORMAL priority)
    assert names.index('TrainCountsHook') < names.index('IterTimerHook')


def test_previous_checkpoint_is_kept_while_the_next_is_written(tmp_path):
    """mmengine deletes the oldest kept checkpoint before it saves the next one;
    the runtime keeps two, so a crash during a save leaves the previous epoch's."""
    from tests.fixtures.small_runner import make_cfg
    cfg = make_cfg(tmp_path, 'runtime_keep')
    cfg.train_cfg = dict(by_epoch=True, max_epochs=3, val_interval=10)
    cfg.default_hooks = Config.fromfile(RUNTIME).default_hooks
    cfg.default_hooks.checkpoint.save_best = None
    cfg.custom_hooks = []
    Runner.from_cfg(cfg).train()
    kept = sorted(name for name in os.listdir(tmp_path) if name.startswith('epoch_'))
    assert kept == ['epoch_2.pth', 'epoch_3.pth']
    with open(tmp_path / 'last_checkpoint') as f:
        assert f.read().strip().endswith('epoch_3.pth')
