"""tools/train.py and tools/test.py stop on a checkpoint that cannot be right,
with one message and no traceback (real processes, a real checkpoint)."""
import os.path as osp
import shutil

from tests.tools_runner import run_tool

CONFIG = 'tests/data/configs/linear_cifar10_lt.py'


def test_test_tool_on_an_empty_checkpoint(cifar10_root, tmp_path):
    path = tmp_path / 'epoch_9.pth'
    path.write_bytes(b'')
    proc = run_tool(['tools/test.py', CONFIG, str(path)],
                    dict(SKCL_TEST_CIFAR10=cifar10_root), check=False)
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr
    assert f"error: checkpoint '{path}' is empty (0 bytes)" in proc.stderr


def test_resume_on_another_subset_stops_and_can_be_allowed(linear_cifar10_trained,
                                                           cifar10_root, tmp_path):
    work_dir = tmp_path / 'resumed'
    work_dir.mkdir()
    checkpoint = str(work_dir / 'iter_2.pth')
    shutil.copy(osp.join(linear_cifar10_trained[0], 'trained.pth'), checkpoint)
    args = ['tools/train.py', CONFIG, '--work-dir', str(work_dir), '--resume', checkpoint,
            '--cfg-options', 'train_dataloader.dataset.imbalance_factor=2',
            'train_cfg.max_iters=3']
    env = dict(SKCL_TEST_CIFAR10=cifar10_root)
    proc = run_tool(args, env, check=False)
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr
    assert 'error: The checkpoint does not fit this run:' in proc.stderr
    assert 'training subset: imbalance_factor: recorded 4.0, this run 2.0' in proc.stderr
    assert not osp.exists(work_dir / 'iter_3.pth')
    proc = run_tool(args + ['--allow-other-subset'], env)
    assert 'as allowed (allow_other_subset=True)' in proc.stdout + proc.stderr
    assert osp.isfile(work_dir / 'iter_3.pth')
