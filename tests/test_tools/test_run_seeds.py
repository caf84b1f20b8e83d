"""tools/run_seeds.py: two real 2-iteration runs, then collection and errors."""
import json
import os.path as osp
import sys

import pytest

from tests import tools_runner
from tests.tools_runner import REPO, run_tool

CONFIG = 'tests/data/configs/linear_cifar10_lt.py'


def load_tool():
    return tools_runner.load_tool('run_seeds')


@pytest.fixture(scope='module')
def env(cifar10_root):
    return dict(SKCL_TEST_CIFAR10=cifar10_root)


@pytest.fixture(scope='module')
def two_seeds(tmp_path_factory, env):
    """Seeds 0 and 1 of the test config, 2 iterations each, validated at 2."""
    root = tmp_path_factory.mktemp('seeds')
    out = root / 'report' / 'table.md'
    proc = run_tool(['tools/run_seeds.py', CONFIG, '--seeds', '0', '1', '--work-dir',
                     str(root), '--out', str(out), '--',
                     '--cfg-options', 'train_dataloader.batch_size=4'], env)
    return root, out, proc.stdout + proc.stderr


def test_each_seed_trains_into_its_own_dir(two_seeds):
    root, _, log = two_seeds
    for seed in (0, 1):
        wd = root / f'seed_{seed}'
        assert (wd / 'iter_2.pth').is_file()
        dumped = (wd / 'linear_cifar10_lt.py').read_text()
        # randomness.seed reached the config the run used
        assert f'randomness = dict(deterministic=False, seed={seed})' in dumped
        train_log = (wd / 'train.out').read_text()
        assert 'Iter(train) [2/2]' in train_log
        # the arguments after "--" reached train.py
        assert '1 process(es) x 4 per process = 4' in train_log
        # tools/train.py imports skcl_mm's warning filter before mmpretrain.models
        assert 'MultiScaleDeformableAttention' not in train_log


def test_prints_progress_not_training_logs(two_seeds):
    root, out, log = two_seeds
    lines = log.splitlines()
    for seed in (0, 1):
        assert f'[run_seeds] seed {seed}: training, log in {root / f"seed_{seed}" / "train.out"}' \
            in lines
        progress = [line for line in lines
                    if line.startswith(f'[run_seeds] seed {seed}: iter 2/2, long_tail/top1 ')]
        assert len(progress) == 1, lines
        assert any(line.startswith(f'[run_seeds] seed {seed}: finished in ') for line in lines)
    assert 'Iter(train)' not in log and 'mmengine - INFO' not in log
    # Besides the tables: 3 lines per seed and the closing "wrote" line.
    tables = set(out.read_text().splitlines())
    others = [line for line in lines if line.strip() and line not in tables]
    assert len(others) == 2 * 3 + 1, others


def test_a_failed_run_shows_its_log_end_and_stops(tmp_path, env):
    proc = run_tool(['tools/run_seeds.py', CONFIG, '--seeds', '0', '1', '--work-dir',
                     str(tmp_path), '--', '--cfg-options', 'model.backbone.depth=7'],
                    env, check=False)
    log = proc.stdout + proc.stderr
    train_out = tmp_path / 'seed_0' / 'train.out'
    assert proc.returncode != 0
    assert f'[run_seeds] seed 0 failed (exit 1); the end of {train_out}:' in proc.stdout
    assert 'CifarResNet depth must be 6n+2' in proc.stdout  # the run's own error
    assert f'its full log is {train_out}' in proc.stderr
    assert 'seed 1' not in log and not (tmp_path / 'seed_1').exists()
    assert len(log.splitlines()) < 40


def test_report_tables_and_json(two_seeds):
    root, out, log = two_seeds
    markdown = out.read_text()
    assert markdown in log  # printed and written
    assert 'Seeds 0, 1 (n=2)' in markdown
    assert '| evaluation | top1 | many | medium | few |' in markdown
    summary = json.loads(out.with_suffix('.json').read_text())
    assert summary['seeds'] == [0, 1] and summary['absent'] == []
    for seed in ('0', '1'):
        for kind in ('best', 'last'):
            row = summary['per_seed'][seed][kind]
            assert row['at'] == 'iter 2' and 0 <= row['top1'] <= 100
    tops = [summary['per_seed'][s]['last']['top1'] for s in ('0', '1')]
    agg = summary['aggregate']['last']['top1']
    assert agg['mean'] == pytest.approx(sum(tops) / 2)
    assert agg['std'] == pytest.approx(abs(tops[0] - tops[1]) / 2**0.5)
    row = (f'| 1 | last | iter 2 | {tops[1]:.2f} |')
    assert row in markdown


def test_collect_only_wrong_prefix_names_work_dir(two_seeds, env):
    root = two_seeds[0]
    runs_before = sorted(root.glob('seed_*/*/vis_data'))
    proc = run_tool(['tools/run_seeds.py', CONFIG, '--seeds', '0', '1', '--work-dir',
                     str(root), '--collect-only', '--metric-prefix', 'accuracy'],
                    env, check=False)
    assert proc.returncode != 0
    expected = f'No evaluation with "accuracy/top1" in {root / "seed_0"}'
    assert expected in proc.stderr
    assert "metric prefixes logged there: ['long_tail']" in proc.stderr
    assert sorted(root.glob('seed_*/*/vis_data')) == runs_before  # nothing trained
    assert len(runs_before) == 2


def test_commands_for_one_and_many_processes():
    tool = load_tool()
    one = tool.build_command('cfg.py', 3, 'w/seed_3', 1, ['--amp'])
    assert one == [sys.executable, osp.join(REPO, 'tools', 'train.py'), 'cfg.py',
                   '--work-dir', 'w/seed_3', '--amp', '--cfg-options',
                   'randomness.seed=3']
    dist = tool.build_command('cfg.py', 0, 'w/seed_0', 4)
    assert dist[:4] == ['bash', osp.join(REPO, 'tools', 'dist_train.sh'), 'cfg.py', '4']
    assert dist[4:] == ['--work-dir', 'w/seed_0', '--cfg-options', 'randomness.seed=0']


def test_arguments():
    tool = load_tool()
    args = tool.parse_args(['configs/x/a_b.py', '--seeds', '1', '2', '--', '--amp',
                            '--cfg-options', 'train_cfg.max_epochs=3'])
    assert args.seeds == [1, 2] and args.gpus == 1
    assert args.work_dir == osp.join('work_dirs', 'a_b')
    assert args.extra == ['--amp', '--cfg-options', 'train_cfg.max_epochs=3']
    for bad in (['--seeds', '1', '1'], ['--seeds', '1', '--gpus', '0'],
                ['--seeds', '1', '--', '--work-dir', 'x'],
                ['--seeds', '1', '--', '--cfg-options', 'randomness.seed=4']):
        with pytest.raises(SystemExit):
            tool.parse_args(['a.py', *bad])


LOW_LR = 'tests/data/configs/linear_cifar10_lt_low_lr.py'


@pytest.fixture(scope='module')
def compared(tmp_path_factory, env, two_seeds):
    """run_seeds.py --compare CONFIG LOW_LR, seeds 0 and 1: CONFIG's runs are
    two_seeds' (copied into the compare layout), LOW_LR's trained by
    run_seeds.py, then --compare collects and pairs them."""
    import shutil
    root = tmp_path_factory.mktemp('compare')
    for seed in (0, 1):
        shutil.copytree(two_seeds[0] / f'seed_{seed}',
                        root / 'linear_cifar10_lt' / f'seed_{seed}')
    run_tool(['tools/run_seeds.py', LOW_LR, '--seeds', '0', '1', '--work-dir',
              str(root / 'linear_cifar10_lt_low_lr'), '--', '--cfg-options',
              'train_dataloader.batch_size=4'], env)
    proc = run_tool(['tools/run_seeds.py', '--compare', CONFIG, LOW_LR, '--seeds', '0',
                     '1', '--work-dir', str(root), '--collect-only'], env)
    return root, proc.stdout


def test_compare_layout_is_one_dir_per_config(compared):
    root, log = compared
    for name in ('linear_cifar10_lt', 'linear_cifar10_lt_low_lr'):
        for seed in (0, 1):
            assert (root / name / f'seed_{seed}' / 'iter_2.pth').is_file()
    dumped = (root / 'linear_cifar10_lt_low_lr' / 'seed_1' /
              'linear_cifar10_lt_low_lr.py').read_text()
    assert 'lr=0.01' in dumped and 'seed=1' in dumped
    assert 'training' not in log  # --collect-only
    tool = load_tool()
    args = tool.parse_args(['--compare', CONFIG, LOW_LR, '--seeds', '0', '--work-dir', 'W'])
    assert tool.build_command(LOW_LR, 0, tool.seed_dir(tool.config_work_dir(
        args, LOW_LR), 0))[3:5] == ['--work-dir', osp.join('W', 'linear_cifar10_lt_low_lr',
                                                        'seed_0')]


def test_compare_reports_the_paired_difference_by_hand(compared, env):
    root, log = compared
    out = root / 'compare_linear_cifar10_lt_vs_linear_cifar10_lt_low_lr.md'
    report = json.loads(out.with_suffix('.json').read_text())
    a, b = (report['configs'][n]['per_seed'] for n in
            ('linear_cifar10_lt', 'linear_cifar10_lt_low_lr'))
    diffs = [a[s]['last']['top1'] - b[s]['last']['top1'] for s in ('0', '1')]
    mean = sum(diffs) / 2
    half = 12.7062 * abs(diffs[0] - diffs[1]) / 2**0.5 / 2**0.5  # t * s / sqrt(n)
    top1 = report['comparison']['last']['top1']
    assert top1['mean'] == pytest.approx(mean)
    assert top1['ci'] == pytest.approx([mean - half, mean + half], abs=1e-3)
    markdown = out.read_text()
    assert '### linear_cifar10_lt − linear_cifar10_lt_low_lr (paired by seed)' in markdown
    assert f'| last | {mean:+.2f} [{mean - half:+.2f}, {mean + half:+.2f}] |' in markdown
    assert markdown in log  # printed and written


def test_compare_mistakes():
    tool = load_tool()
    for bad in (['--compare', 'a.py', 'a.py', '--seeds', '1'],
                ['a.py', '--compare', 'a.py', 'b.py', '--seeds', '1'],
                ['--seeds', '1']):
        with pytest.raises(SystemExit):
            tool.parse_args(bad)
    args = tool.parse_args(['--compare', 'x/a.py', 'y/b.py', '--seeds', '0'])
    assert args.work_dir is None
    assert tool.config_work_dir(args, 'y/b.py') == osp.join('work_dirs', 'b')
