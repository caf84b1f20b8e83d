"""tools/reproduce.py on the digits quickstart: a real table of real runs,
interrupted with Ctrl-C, resumed two runs at once (--jobs 2), reported against
hand-computed statistics and throughput."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.tools_runner import (REPO, run_tool, run_tool_failing,
                                terminal_sigint, tool_env)

SKCL, CE = 'skcl_resnet32_digitslt', 'ce_resnet32_digitslt'
# Two configs, two seeds, 2 epochs of 4 iterations: the smallest real table.
TINY = ['--cfg-options', 'train_cfg.max_epochs=2', 'train_dataloader.batch_size=128']


def reproduce_args(work_dir, *more, extra=TINY):
    return ['tools/reproduce.py', 'quickstart', '--seeds', '0', '1', '--only', SKCL,
            CE, '--work-dir', str(work_dir), *more, '--', *extra]


def interrupt_after_first_checkpoint(work_dir, timeout_s=400):
    """Start the table, press Ctrl-C (SIGINT to its process group, as a
    terminal does) once the first run saved its epoch-1 checkpoint."""
    first = work_dir / SKCL / 'seed_0'
    proc = subprocess.Popen([sys.executable, *reproduce_args(work_dir)], cwd=REPO,
                            env=tool_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, preexec_fn=terminal_sigint)
    deadline = time.monotonic() + timeout_s
    while not (first / 'last_checkpoint').is_file():
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, 'no checkpoint in time'
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)
    output, _ = proc.communicate(timeout=120)
    return proc.returncode, output


@pytest.fixture(scope='module')
def table(tmp_path_factory):
    """The interrupted table, its resumption (2 runs at once), and a third call."""
    work_dir = tmp_path_factory.mktemp('reproduce')
    code, output = interrupt_after_first_checkpoint(work_dir)
    record = json.loads((work_dir / SKCL / 'seed_0' / 'reproduce_run.json').read_text())
    interrupted = (code, output, record, (work_dir / CE).exists())
    resumed = run_tool(reproduce_args(work_dir, '--jobs', '2'))
    again = run_tool(reproduce_args(work_dir))
    return work_dir, interrupted, resumed.stdout + resumed.stderr, again.stdout


def test_ctrl_c_keeps_the_checkpoint_and_the_run_unfinished(table):
    work_dir, (code, output, record, ce_started), _, _ = table
    assert code == 130
    assert (f'[reproduce] interrupted during {SKCL} seed 0; its checkpoints stay in '
            f'{work_dir / SKCL / "seed_0"}. Run the same command again') in output
    assert 'Traceback' not in output
    assert record['finished'] is False and record['seed'] == 0
    assert record['extra'] == TINY and record['processes'] == 1
    assert record['effective_config']['train_cfg.max_epochs'] == '20'  # the file's
    assert not ce_started  # nothing after the interrupted run


def test_rerun_resumes_the_interrupted_run_and_trains_the_rest(table):
    work_dir, _, resumed, _ = table
    assert '[reproduce] 4 runs, 0 finished, 4 to train, 2 at once' in resumed
    assert (f'[reproduce] {SKCL} seed 0: resuming (1 running), log in '
            f'{work_dir / SKCL / "seed_0" / "train.out"}') in resumed
    assert f'[reproduce] {CE} seed 0: training (2 running), log in' in resumed
    starts = [resumed.index(f'{name} seed {seed}: ') for name, seed in
              ((SKCL, 0), (CE, 0), (SKCL, 1), (CE, 1))]
    assert starts == sorted(starts)  # seed-major, as with one run at a time
    for name in (SKCL, CE):
        for seed in (0, 1):
            assert f'[reproduce] {name} seed {seed}: finished in ' in resumed
    train_out = (work_dir / SKCL / 'seed_0' / 'train.out').read_text()
    assert '--resume' in train_out and 'resumed epoch: 1' in train_out
    for name in (SKCL, CE):
        for seed in (0, 1):
            record = json.loads(
                (work_dir / name / f'seed_{seed}' / 'reproduce_run.json').read_text())
            assert record['finished'] is True


def test_a_finished_table_trains_nothing(table):
    work_dir, _, _, again = table
    assert '[reproduce] 4 runs, 4 finished, 0 to train' in again
    assert 'training, log in' not in again and 'resuming' not in again
    # the report of a call that trained nothing has no throughput
    assert 'throughput' not in json.loads((work_dir / 'quickstart.json').read_text())
    assert '## Throughput' not in again


def test_jobs_throughput_counts_the_resumed_part_only(table):
    work_dir, _, resumed, _ = table
    # The second call trained (and reported) the batch; the third rewrote the
    # report without it: the batch's figures are in the second call's output.
    section = resumed[resumed.index('## Throughput'):]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip('|').split('|')]
        if len(cells) == 6 and cells[0].endswith(('seed 0', 'seed 1')):
            rows[cells[0]] = cells
    assert len(rows) == 4 and '4 run(s) trained in this call, 2 at once' in section
    for name in (SKCL, CE):
        for seed in (0, 1):
            counts = json.loads((work_dir / name / f'seed_{seed}' /
                                 'train_counts.json').read_text())['class_counts']
            epochs = 1 if (name, seed) == (SKCL, 0) else 2  # resumed after epoch 1
            start, end, seconds, images, rate = rows[f'{name} seed {seed}'][1:]
            assert int(images) == epochs * sum(counts)
            assert float(seconds) == pytest.approx(float(end) - float(start), abs=0.11)
            assert float(rate) == pytest.approx(int(images) / float(seconds), rel=0.02)
    intervals = sorted((float(r[1]), float(r[2])) for r in rows.values())
    # two at once: some run starts before an earlier-started one ended
    assert any(b[0] < a[1] for a, b in zip(intervals, intervals[1:]))


def _by_hand(values):
    n = len(values)
    mean = sum(values) / n
    return mean, (sum((v - mean)**2 for v in values) / (n - 1))**0.5


def test_report_statistics_match_the_runs(table):
    work_dir = table[0]
    report = json.loads((work_dir / 'quickstart.json').read_text())
    markdown = (work_dir / 'quickstart.md').read_text()
    assert report['seeds'] == [0, 1] and set(report['models']) >= {SKCL, CE}
    tops = {}
    for name in (SKCL, CE):
        measured = report['models'][name]['measured']
        tops[name] = {int(s): row['last']['top1']
                      for s, row in measured['per_seed'].items()}
        assert all(row['last']['at'] == 'epoch 2' for row in measured['per_seed'].values())
        mean, std = _by_hand(list(tops[name].values()))
        agg = measured['aggregate']['last']['top1']
        assert agg['mean'] == pytest.approx(mean) and agg['std'] == pytest.approx(std)
        assert f'| {name} | top1 | {mean:.2f} ± {std:.2f} | {mean:.2f} ± {std:.2f} |' \
            in markdown  # no paper columns: the quickstart has no paper numbers
    pair = next(p for p in report['pairs'] if (p['a'], p['b']) == (SKCL, CE))
    diffs = [tops[SKCL][s] - tops[CE][s] for s in (0, 1)]
    mean, std = _by_hand(diffs)
    half = 12.7062 * std / 2**0.5  # t(0.975, 1 dof) * s / sqrt(n)
    last = pair['last']['top1']
    assert last['mean'] == pytest.approx(mean)
    assert last['ci'] == pytest.approx([mean - half, mean + half], abs=1e-3)
    assert f'### {SKCL} − {CE} (paired by seed)' in markdown
    assert 'bcl_resnet32_digitslt' not in markdown  # not in --only


def test_other_settings_for_the_same_runs_stop_before_training(table):
    work_dir = table[0]
    output = run_tool_failing(reproduce_args(
        work_dir, extra=['--cfg-options', 'train_cfg.max_epochs=3']))
    assert f'{work_dir / SKCL / "seed_0"} was started with other settings' in output
    assert "extra: ['--cfg-options', 'train_cfg.max_epochs=2', " in output
    assert 'Use another --work-dir for these settings' in output
    assert 'training, log in' not in output


def test_dry_run_lists_every_run_and_the_papers_number(tmp_path):
    proc = run_tool(['tools/reproduce.py', 'table2', '--work-dir', str(tmp_path),
                     '--dry-run'])
    out = proc.stdout
    assert 'Table 2: many / medium / few on CIFAR-100-LT, imbalance 100' in out
    assert '6 runs (6 to train or resume)' in out
    assert ('skcl_resnet32_cifar100lt seed 2: new; compared with top1 54.00, many '
            '68.30, medium 54.10, few 37.20 (paper, Table 2)') in out
    assert 'configs/baselines/bcl_resnet32_cifar100lt.py --work-dir' in out
    assert not any(tmp_path.iterdir())  # a dry run writes nothing


def test_dry_run_of_the_other_launchers(tmp_path):
    out = run_tool(['tools/reproduce.py', 'table3', '--seeds', '0', '--work-dir',
                    str(tmp_path), '--dry-run', '--slurm', 'gpu', '--gpus', '8']).stdout
    assert ('env GPUS=8 bash ' + os.path.join(REPO, 'tools', 'slurm_train.sh')
            + ' gpu skcl_resnet50_imagenetlt_s0 configs/skcl_resnet50_imagenetlt.py') in out
    assert 'concutmix_resnet50_imagenetlt (ConCutMix): not trained here' in out
    out = run_tool(['tools/reproduce.py', 'table4', '--seeds', '0', '--work-dir',
                    str(tmp_path), '--dry-run', '--gpus', '2']).stdout
    assert 'dist_train.sh configs/skcl_resnet32_cifar100lt_ff_only.py 2 --work-dir' in out


@pytest.mark.parametrize('args,message', [
    (['table1', '--only', 'skcl_resnet32_digitslt'],
     "--only ['skcl_resnet32_digitslt']: not a config of table1"),
    (['table5'], "invalid choice: 'table5'"),
    (['table1', '--seeds', '1', '1'], '--seeds must be distinct'),
    (['table1', '--', '--resume'], '"--resume" after "--"'),
    (['table1', '--', '--cfg-options', 'randomness.seed=3'],
     '"randomness.seed=3" after "--"'),
])
def test_mistakes(tmp_path, args, message):
    output = run_tool_failing(['tools/reproduce.py', *args, '--work-dir', str(tmp_path),
                               '--dry-run'])
    assert message in output


def test_a_run_dir_it_did_not_start_stops_it(tmp_path):
    (tmp_path / SKCL / 'seed_0').mkdir(parents=True)
    (tmp_path / SKCL / 'seed_0' / 'epoch_3.pth').write_text('')
    output = run_tool_failing(reproduce_args(tmp_path, '--dry-run'))
    assert ('holds files that tools/reproduce.py did not start (no '
            'reproduce_run.json)') in output
