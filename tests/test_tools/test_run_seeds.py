"""tools/run_seeds.py: two real 2-iteration runs (at once, --jobs 2), one more
config one seed after the other, then collection, errors and Ctrl-C."""
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest

from tests import tools_runner
from tests.tools_runner import REPO, run_tool, terminal_sigint, tool_env

CONFIG = 'tests/data/configs/linear_cifar10_lt.py'


def load_tool():
    return tools_runner.load_tool('run_seeds')


@pytest.fixture(scope='module')
def env(cifar10_root):
    return dict(SKCL_TEST_CIFAR10=cifar10_root)


@pytest.fixture(scope='module')
def two_seeds(tmp_path_factory, env):
    """Seeds 0 and 1 of the test config, 2 iterations each, validated at 2,
    trained at once (--jobs 3 > 2 runs: clamped to 2)."""
    root = tmp_path_factory.mktemp('seeds')
    out = root / 'report' / 'table.md'
    proc = run_tool(['tools/run_seeds.py', CONFIG, '--seeds', '0', '1', '--work-dir',
                     str(root), '--out', str(out), '--jobs', '3', '--',
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
    assert '[run_seeds] 2 runs, 2 at once (--jobs 3, but only 2 runs)' in lines
    for seed in (0, 1):
        train_out = root / f'seed_{seed}' / 'train.out'
        assert f'[run_seeds] seed {seed}: training ({seed + 1} running), log in ' \
            f'{train_out}' in lines
        progress = [line for line in lines
                    if line.startswith(f'[run_seeds] seed {seed}: iter 2/2, long_tail/top1 ')]
        assert len(progress) == 1, lines
        assert any(line.startswith(f'[run_seeds] seed {seed}: finished in ')
                   and line.endswith(f' s, log in {train_out}') for line in lines)
    assert 'Iter(train)' not in log and 'mmengine - INFO' not in log
    # Besides the tables: 3 lines per seed, the batch line and the "wrote" line.
    tables = set(out.read_text().splitlines())
    others = [line for line in lines if line.strip() and line not in tables]
    assert len(others) == 2 * 3 + 2, others


def _folder_start(work_dir):
    """When mmengine's Runner of ``work_dir`` started: its timestamp folder."""
    (folder,) = [p.name for p in work_dir.iterdir() if p.name[:8].isdigit()]
    return time.mktime(time.strptime(folder, '%Y%m%d_%H%M%S'))


def test_jobs_run_at_once_and_the_throughput_adds_up(two_seeds):
    root, out, _ = two_seeds
    batch = json.loads(out.with_suffix('.json').read_text())['throughput']
    runs = {r['label']: r for r in batch['per_run']}
    assert set(runs) == {'seed 0', 'seed 1'} and batch['jobs'] == 2
    a, b = runs['seed 0'], runs['seed 1']
    assert a['start_s'] < b['end_s'] and b['start_s'] < a['end_s']  # overlap
    # The runs' own files agree: each Runner started before the other's
    # last checkpoint was written (1 s resolution of the folder names).
    for one, other in ((0, 1), (1, 0)):
        assert _folder_start(root / f'seed_{one}') <= \
            (root / f'seed_{other}' / 'iter_2.pth').stat().st_mtime
    total = a['seconds'] + b['seconds']
    assert batch['run_s_sum'] == pytest.approx(total)
    assert max(a['end_s'], b['end_s']) <= batch['wall_s'] < total
    assert batch['speedup'] == pytest.approx(total / batch['wall_s'])
    assert batch['runs_per_hour'] == pytest.approx(2 * 3600 / batch['wall_s'])
    # iteration-based: 2 iterations x batch 4 (the "--" cfg-options), 1 process
    assert a['images'] == b['images'] == 8 and batch['images'] == 16
    assert batch['images_per_s_sum'] == pytest.approx(8 / a['seconds'] + 8 / b['seconds'])
    assert batch['images_per_s_batch'] == pytest.approx(16 / batch['wall_s'])
    markdown = out.read_text()
    assert (f'2 run(s) trained in this call, 2 at once: wall time {batch["wall_s"]:.1f} s, '
            f'sum of run times {total:.1f} s, concurrency speed-up '
            f'{batch["speedup"]:.2f}') in markdown
    assert f'| seed 1 | {b["start_s"]:.1f} | {b["end_s"]:.1f} | {b["seconds"]:.1f} | 8 |' \
        in markdown


def test_a_failed_run_among_jobs_lets_the_others_finish(tmp_path, env):
    # seed 1 cannot dump its config (a folder has that name): it fails at once
    (tmp_path / 'seed_1' / 'linear_cifar10_lt.py').mkdir(parents=True)
    proc = run_tool(['tools/run_seeds.py', CONFIG, '--seeds', '0', '1', '2', '--jobs',
                     '2', '--work-dir', str(tmp_path), '--', '--cfg-options',
                     'train_dataloader.batch_size=4'], env, check=False)
    log = proc.stdout + proc.stderr
    failed_log = tmp_path / 'seed_1' / 'train.out'
    assert proc.returncode == 1 and 'Traceback (most recent call last)' not in proc.stderr
    assert '[run_seeds] seed 1 failed (exit 1) after ' in proc.stdout
    assert f's; the end of {failed_log}:' in proc.stdout
    assert 'IsADirectoryError' in failed_log.read_text()
    assert '[run_seeds] starting no new runs; the running ones finish' in proc.stdout
    assert (tmp_path / 'seed_0' / 'iter_2.pth').is_file()  # the running one finished
    assert '[run_seeds] seed 0: finished in ' in proc.stdout
    assert not (tmp_path / 'seed_2').exists() and 'seed 2' not in log
    assert f'[run_seeds] failed: seed 1 (exit 1, log {failed_log})' in proc.stderr


def _processes_with(text):
    """Ids of processes whose command line holds ``text``."""
    found = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                if text.encode() in f.read():
                    found.append(int(pid))
        except OSError:  # ended meanwhile
            pass
    return found


def test_ctrl_c_stops_every_job_and_keeps_checkpoints(tmp_path, env):
    # A checkpoint every 25 iterations: Ctrl-C lands between two saves (mmengine
    # deletes the old checkpoint before it writes the next one).
    long = ['--cfg-options', 'train_dataloader.batch_size=4', 'train_cfg.max_iters=5000',
            'train_cfg.val_interval=5000', 'default_hooks.checkpoint.interval=25']
    proc = subprocess.Popen([sys.executable, 'tools/run_seeds.py', CONFIG, '--seeds', '0',
                             '1', '--jobs', '2', '--work-dir', str(tmp_path), '--', *long],
                            cwd=REPO, env=tool_env(env), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            preexec_fn=terminal_sigint)
    deadline = time.monotonic() + 300
    while not all((tmp_path / f'seed_{s}' / 'last_checkpoint').is_file() for s in (0, 1)):
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, 'no checkpoints in time'
        time.sleep(0.1)
    assert len(_processes_with(str(tmp_path / 'seed_'))) == 2  # both runs train
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the tool's group only
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, output
    assert '[run_seeds] stopping 2 running run(s) (SIGINT): seed 0, seed 1' in output
    assert '[run_seeds] interrupted: the running seeds were stopped, their checkpoints ' \
        'stay.' in output
    assert 'Traceback' not in output
    assert _processes_with(str(tmp_path / 'seed_')) == []
    for seed in (0, 1):
        marker = (tmp_path / f'seed_{seed}' / 'last_checkpoint').read_text().strip()
        assert osp.isfile(marker), marker
        assert 'KeyboardInterrupt' in (tmp_path / f'seed_{seed}' / 'train.out').read_text()


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
                ['--seeds', '1', '--', '--cfg-options', 'randomness.seed=4'],
                ['--seeds', '1', '--jobs', '0'], ['--seeds', '1', '--jobs', '2', '--gpus', '2']):
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
    trained = run_tool(['tools/run_seeds.py', LOW_LR, '--seeds', '0', '1', '--work-dir',
                        str(root / 'linear_cifar10_lt_low_lr'), '--', '--cfg-options',
                        'train_dataloader.batch_size=4'], env)
    proc = run_tool(['tools/run_seeds.py', '--compare', CONFIG, LOW_LR, '--seeds', '0',
                     '1', '--work-dir', str(root), '--collect-only'], env)
    return root, proc.stdout, trained.stdout + trained.stderr


def test_one_job_prints_one_seed_after_the_other(compared):
    root, _, log = compared
    lines = log.splitlines()
    starts = []
    for seed in (0, 1):
        train_out = root / 'linear_cifar10_lt_low_lr' / f'seed_{seed}' / 'train.out'
        starts.append(lines.index(f'[run_seeds] seed {seed}: training, log in {train_out}'))
        assert sum(line.startswith(f'[run_seeds] seed {seed}: iter 2/2, long_tail/top1 ')
                   for line in lines) == 1
        assert lines.index(next(line for line in lines if line.startswith(
            f'[run_seeds] seed {seed}: finished in '))) > starts[-1]
    finished_0 = next(i for i, line in enumerate(lines)
                      if line.startswith('[run_seeds] seed 0: finished in '))
    assert starts[0] < finished_0 < starts[1]  # seed 1 starts after seed 0 ended
    assert not any(line.startswith('[run_seeds] 2 runs') for line in lines)
    assert '2 run(s) trained in this call, 1 at once' in log


def test_compare_layout_is_one_dir_per_config(compared):
    root, log, _ = compared
    for name in ('linear_cifar10_lt', 'linear_cifar10_lt_low_lr'):
        for seed in (0, 1):
            assert (root / name / f'seed_{seed}' / 'iter_2.pth').is_file()
    dumped = (root / 'linear_cifar10_lt_low_lr' / 'seed_1' /
              'linear_cifar10_lt_low_lr.py').read_text()
    assert 'lr=0.01' in dumped and 'seed=1' in dumped
    assert 'training' not in log and 'Throughput' not in log  # --collect-only
    tool = load_tool()
    args = tool.parse_args(['--compare', CONFIG, LOW_LR, '--seeds', '0', '--work-dir', 'W'])
    assert tool.build_command(LOW_LR, 0, tool.seed_dir(tool.config_work_dir(
        args, LOW_LR), 0))[3:5] == ['--work-dir', osp.join('W', 'linear_cifar10_lt_low_lr',
                                                        'seed_0')]


def test_compare_reports_the_paired_difference_by_hand(compared, env):
    root, log, _ = compared
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


def test_jobs_with_several_processes_per_run_is_refused(capsys):
    with pytest.raises(SystemExit):
        load_tool().parse_args(['a.py', '--seeds', '0', '1', '--jobs', '2', '--gpus', '2'])
    assert ('--jobs 2 runs one-process runs side by side; with --gpus 2 use --jobs 1'
            in capsys.readouterr().err)
