"""tools/train.py, tools/test.py and tools/dist_train.sh as real processes."""
import glob
import json
import os
import os.path as osp
import signal

import pytest
import torch

from tests.tools_runner import REPO, free_port, run_tool, tool_env

CONFIG = 'tests/data/configs/linear_cifar10_lt.py'


@pytest.fixture(scope='module')
def env(cifar10_root):
    return dict(SKCL_TEST_CIFAR10=cifar10_root)


@pytest.fixture(scope='module')
def trained(linear_cifar10_trained):
    """Two iterations of a stock LinearClsHead on the long-tailed wrapper."""
    return linear_cifar10_trained


def test_train_two_iterations(trained):
    work_dir, log = trained
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    assert 'Iter(train) [2/2]' in log
    assert 'long_tail/many' in log and 'long_tail/few' in log
    assert 'Effective batch size: 1 process(es) x 8 per process = 8' in log
    assert 'Validation and test use the same data' in log
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


def test_auto_scale_lr_without_base_batch_names_the_fix(env, tmp_path):
    proc = run_tool(['tools/train.py', CONFIG, '--auto-scale-lr', '--work-dir',
                     str(tmp_path)], env, check=False)
    assert proc.returncode != 0
    assert '--cfg-options auto_scale_lr.base_batch_size=N' in proc.stderr
    assert 'Traceback' not in proc.stderr


def test_dist_train_two_cpu_processes(env, tmp_path):
    proc = run_tool(['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir',
                     str(tmp_path)], dict(env, PORT=str(free_port())))
    log = proc.stdout + proc.stderr
    assert 'Effective batch size: 2 process(es) x 8 per process = 16' in log
    assert "backend='gloo'" in log or 'gloo' in log
    assert osp.isfile(osp.join(str(tmp_path), 'iter_2.pth'))
    logs = glob.glob(osp.join(str(tmp_path), '*', '*.log'))
    assert logs, 'rank 0 wrote no log file'


def test_two_nodes_on_one_host(env, tmp_path):
    """NNODES=2 with NODE_RANK 0 and 1 on localhost: one process per 'node'."""
    import subprocess
    port = str(free_port())
    procs, logs = [], []
    for node_rank in (0, 1):
        node_env = tool_env(dict(env, NNODES='2', NODE_RANK=str(node_rank),
                                 MASTER_ADDR='127.0.0.1', PORT=port))
        # Output to files, not pipes: a pipe read only after the other node
        # ends could fill up and block this node, and with it the other one.
        logs.append(open(tmp_path / f'node{node_rank}.log', 'w+'))
        procs.append(subprocess.Popen(
            ['bash', 'tools/dist_train.sh', CONFIG, '1', '--work-dir',
             str(tmp_path / f'node{node_rank}')],
            cwd=REPO, env=node_env, stdout=logs[-1], stderr=subprocess.STDOUT,
            text=True, start_new_session=True))
    try:
        for proc in procs:
            proc.wait(timeout=240)
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        outputs = [open(log.name).read() for log in logs]
    for rank, (proc, out) in enumerate(zip(procs, outputs)):
        assert proc.returncode == 0, f'node {rank}:\n{out[-3000:]}'
    assert 'Effective batch size: 2 process(es) x 8 per process = 16' in outputs[0]
    assert osp.isfile(str(tmp_path / 'node0' / 'iter_2.pth'))


def _canonical_on_fixture(cifar100_root, tmp_path):
    """configs/skcl_resnet32_cifar100lt.py unchanged but for the generated
    data's dataset type, whose module a child config imports (custom_imports
    run at load time); one short epoch on 0 workers."""
    data = [f'{loader}.{key}' for loader in ('train_dataloader', 'val_dataloader')
            for key in ('dataset.dataset.type=CIFAR100Fixture',
                        f'dataset.dataset.data_root={cifar100_root}',
                        'num_workers=0', 'persistent_workers=False')]
    child = tmp_path / 'canonical_on_fixture.py'
    child.write_text(f"_base_ = '{REPO}/configs/skcl_resnet32_cifar100lt.py'\n"
                     "custom_imports = dict(imports=['skcl_mm', 'tests.fixtures.cifar'],"
                     " allow_failed_imports=False)\n")
    options = [*data, 'train_dataloader.dataset.imbalance_factor=2',
               'train_dataloader.batch_size=128', 'val_dataloader.batch_size=200',
               'train_cfg.max_epochs=1', 'train_cfg.val_interval=1']
    return str(child), options, '(100, 2)', 'epoch_1.pth'


def _quickstart_as_shipped(cifar100_root, tmp_path):
    """The quickstart config itself, its dataloaders as shipped (2 persistent
    train workers, validation in the main process): no --no-persistent-workers.
    Shorter: 3 epochs (the fewest its warm-up leaves the cosine schedule, which
    mmpretrain's train.py does not rescale), fewer images, a ResNet-8."""
    options = ['train_cfg.max_epochs=3', 'train_cfg.val_interval=3',
               'train_dataloader.dataset.imbalance_factor=100',
               'train_dataloader.batch_size=32', 'model.backbone.depth=8']
    return 'configs/quickstart/skcl_resnet32_digitslt.py', options, '(10, 2)', 'epoch_3.pth'


@pytest.mark.parametrize('case', [_canonical_on_fixture, _quickstart_as_shipped])
def test_shipped_configs_under_mmpretrains_own_train_py(case, cifar100_root, tmp_path):
    """mmpretrain's tools/train.py (its install ships it under .mim/tools) runs
    the shipped configs with no flag: it imports nothing but what the config's
    custom_imports name, and fills in pin_memory / persistent_workers=True for
    every dataloader that does not set them."""
    import mmpretrain
    mm_train = osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'tools', 'train.py')
    if not osp.isfile(mm_train):
        pytest.skip('this mmpretrain install has no .mim/tools/train.py')
    config, options, graph, checkpoint = case(cifar100_root, tmp_path)
    proc = run_tool([mm_train, config, '--work-dir', str(tmp_path), '--cfg-options',
                     *options, 'custom_hooks.0.save_figures=False'],
                    dict(SKCL_MM_CACHE=str(tmp_path / 'cache')))
    log = proc.stdout + proc.stderr
    assert f'SemanticGraphHook: set a new semantic graph, {graph}' in log
    assert 'long_tail/top1' in log and 'long_tail/level0_top1' in log
    assert osp.isfile(str(tmp_path / checkpoint))
    # custom_imports imports skcl_mm, whose filter comes before mmpretrain.models
    assert 'MultiScaleDeformableAttention' not in proc.stderr
