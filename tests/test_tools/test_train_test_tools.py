"""tools/train.py, tools/test.py and tools/dist_train.sh as real processes."""
import glob
import json
import os.path as osp
import shutil

import pytest
import torch

from tests.tools_runner import free_port, run_tool

CONFIG = 'tests/data/configs/linear_cifar10_lt.py'


@pytest.fixture(scope='module')
def env(cifar10_root):
    return dict(SKCL_TEST_CIFAR10=cifar10_root)


@pytest.fixture(scope='module')
def trained(tmp_path_factory, env):
    """Two iterations of a stock LinearClsHead on the long-tailed wrapper."""
    work_dir = str(tmp_path_factory.mktemp('train'))
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', work_dir], env)
    # The resume test later trains on in this work dir and the checkpoint hook
    # keeps one periodic checkpoint: keep a copy for the tests that read it.
    shutil.copy(osp.join(work_dir, 'iter_2.pth'), osp.join(work_dir, 'trained.pth'))
    return work_dir, proc.stdout + proc.stderr


def test_train_two_iterations(trained):
    work_dir, log = trained
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    assert 'Iter(train) [2/2]' in log
    assert 'long_tail/many' in log and 'long_tail/few' in log
    assert 'Effective batch size: 1 process(es) x 8 per process = 8' in log
    # LongTailHierarchyDataset(CIFAR10, IF 4): 20 -> 5 images per class.
    assert '105 images, 10 classes, 2 level(s) [2, 10], max/min per class 20/5' in log


def test_checkpoint_loads_with_weights_only(trained):
    import skcl_mm  # noqa: F401  (registers the safe globals)
    ckpt = torch.load(osp.join(trained[0], 'trained.pth'), weights_only=True)
    assert ckpt['meta']['iter'] == 2
    assert 'message_hub' in ckpt and 'optimizer' in ckpt


def test_resume_continues_from_checkpoint(trained, env):
    work_dir = trained[0]
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', work_dir, '--resume',
                     '--cfg-options', 'train_cfg.max_iters=4'], env)
    log = proc.stdout + proc.stderr
    assert 'resumed epoch: 0, iter: 2' in log
    assert 'Iter(train) [3/4]' in log and 'Iter(train) [1/4]' not in log
    assert osp.isfile(osp.join(work_dir, 'iter_4.pth'))


def test_test_tool_prints_metrics(trained, env, tmp_path):
    out = tmp_path / 'metrics.json'
    proc = run_tool(['tools/test.py', CONFIG, osp.join(trained[0], 'trained.pth'),
                     '--work-dir', str(tmp_path), '--out', str(out),
                     '--out-item', 'metrics'], env)
    log = proc.stdout + proc.stderr
    assert 'long_tail/top1' in log
    metrics = json.loads(out.read_text())
    # Training counts come from the train set (20 -> 5 per class, IF 4):
    # many (> 15) 2 classes, medium 4, few (< 8) 4.
    for key in ('top1', 'many', 'medium', 'few'):
        assert 0 <= metrics[f'long_tail/{key}'] <= 100


def test_test_tool_missing_checkpoint(env, tmp_path):
    proc = run_tool(['tools/test.py', CONFIG, str(tmp_path / 'nope.pth')], env,
                    check=False)
    assert proc.returncode != 0 and 'does not exist' in proc.stderr


def test_dist_train_two_cpu_processes(env, tmp_path):
    proc = run_tool(['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir',
                     str(tmp_path)], dict(env, PORT=str(free_port())))
    log = proc.stdout + proc.stderr
    assert 'Effective batch size: 2 process(es) x 8 per process = 16' in log
    assert "backend='gloo'" in log or 'gloo' in log
    assert osp.isfile(osp.join(str(tmp_path), 'iter_2.pth'))
    logs = glob.glob(osp.join(str(tmp_path), '*', '*.log'))
    assert logs, 'rank 0 wrote no log file'
