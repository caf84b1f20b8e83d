"""Train a config over several seeds and report mean ± std of the results.

    python tools/run_seeds.py CONFIG --seeds 0 1 2 [--work-dir DIR] [--gpus N]
        [--collect-only] [--metric-prefix long_tail] [--out results.md]
        [-- extra tools/train.py arguments]

Seed ``s`` trains into ``DIR/seed_<s>`` with ``--cfg-options randomness.seed=<s>``,
one seed after the other (``--gpus 1``: tools/train.py; ``--gpus N``:
tools/dist_train.sh with N processes). A run's output goes to
``DIR/seed_<s>/train.out``; the tool prints one line per validation while it
runs (``seed 1: epoch 5/20, long_tail/top1 71.20``), and on a failure the end
of that log and where it is. Then every run's validations are read
from its scalars.json (see tools/analysis_tools/seed_results.py) and the best
(highest top1) and last evaluation are reported: mean ± sample std over seeds of
top1 / many / medium / few and a table per seed, printed as Markdown and written
to ``--out`` (default ``DIR/results.md``) with a JSON copy next to it.
``--collect-only`` skips training and only reads existing runs.
"""
import argparse
import collections
import json
import os
import os.path as osp
import subprocess
import sys
import time

TOOLS = osp.dirname(osp.abspath(__file__))
sys.path.insert(0, osp.dirname(TOOLS))

from analysis_tools.run_progress import RunFollower
from analysis_tools.seed_results import format_markdown, summarize

from skcl_mm.utils.config_file import check_config_path


def parse_args(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = []
    if '--' in argv:
        cut = argv.index('--')
        argv, extra = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(
        description='Run a config over several seeds; mean ± std of the results',
        epilog='Arguments after "--" go to tools/train.py (e.g. -- --amp).')
    parser.add_argument('config', help='train config file')
    parser.add_argument('--seeds', type=int, nargs='+', required=True,
                        help='seeds, one run each (randomness.seed)')
    parser.add_argument('--work-dir', help='parent of the seed_<s> run folders '
                        '(default: work_dirs/<config name>)')
    parser.add_argument('--gpus', type=int, default=1,
                        help='processes per run: 1 -> tools/train.py, N > 1 -> '
                        'tools/dist_train.sh (GPUs, or gloo processes on a CPU)')
    parser.add_argument('--collect-only', action='store_true',
                        help='do not train; read the existing runs')
    parser.add_argument('--metric-prefix', default='long_tail',
                        help='metric prefix of the evaluator: long_tail '
                        '(LongTailAccuracy) or accuracy (Accuracy, top1 only)')
    parser.add_argument('--allow-unfinished', action='store_true',
                        help='report runs that stopped before their last epoch '
                        '(by default they stop the report, named)')
    parser.add_argument('--out', help='Markdown report (default DIR/results.md); '
                        'a .json copy is written next to it')
    args = parser.parse_args(argv)
    args.extra = extra
    if len(set(args.seeds)) != len(args.seeds):
        parser.error(f'--seeds has repeats: {args.seeds}')
    out_of_range = [s for s in args.seeds if not 0 <= s < 2**32]
    if out_of_range:
        parser.error(f'--seeds {out_of_range} out of range: a seed is a whole number '
                     'from 0 to 2**32 - 1 (numpy\'s range)')
    if args.out and osp.isdir(args.out):
        parser.error(f'--out {args.out} is a folder; give the report file, e.g. '
                     f'{osp.join(args.out, "results.md")} (a .json copy is written '
                     'next to it)')
    if args.gpus < 1:
        parser.error(f'--gpus must be >= 1, got {args.gpus}')
    check_extra(parser, extra)
    if args.work_dir is None:
        args.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(args.config))[0])
    return args


def check_extra(parser, extra):
    """Refuse train.py arguments that would fight the tool's own."""
    if any(a == '--work-dir' or a.startswith('--work-dir=') for a in extra):
        parser.error('give the work dir as run_seeds.py --work-dir DIR (each seed '
                     'trains in DIR/seed_<s>), not after "--"')
    if any(a.startswith('randomness.seed=') for a in extra):
        parser.error('randomness.seed is set per run from --seeds; remove it '
                     'from the arguments after "--"')


def seed_dir(work_dir: str, seed: int) -> str:
    return osp.join(work_dir, f'seed_{seed}')


def build_command(config, seed, work_dir, gpus=1, extra=()):
    """The command line that trains ``config`` with ``seed`` into ``work_dir``."""
    if gpus == 1:
        cmd = [sys.executable, osp.join(TOOLS, 'train.py'), config]
    else:
        cmd = ['bash', osp.join(TOOLS, 'dist_train.sh'), config, str(gpus)]
    # DictAction merges repeated --cfg-options; the seed comes last and wins.
    return cmd + ['--work-dir', work_dir, *extra,
                  '--cfg-options', f'randomness.seed={seed}']


def train_seeds(args):
    for seed in args.seeds:
        train_seed(args, seed)


def train_seed(args, seed, poll_s=2.0):
    """Train one seed, its output in ``seed_<s>/train.out``, printing a line
    per validation; on a failure print the log's end and stop."""
    work_dir = seed_dir(args.work_dir, seed)
    cmd = build_command(args.config, seed, work_dir, args.gpus, args.extra)
    log_path = osp.join(work_dir, 'train.out')
    os.makedirs(work_dir, exist_ok=True)
    metric = f'{args.metric_prefix}/top1'
    follower = RunFollower(work_dir, metric)
    say(f'seed {seed}: training, log in {log_path}')
    start = time.monotonic()
    with open(log_path, 'a') as log:
        log.write(f'[run_seeds] {" ".join(cmd)}\n')
        log.flush()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        try:
            while proc.poll() is None:
                time.sleep(poll_s)
                report_progress(seed, follower, metric)
        except BaseException as err:  # the run ends with the tool
            if not isinstance(err, KeyboardInterrupt):  # (Ctrl-C reached it too)
                proc.terminate()
            wait_or_kill(proc)
            raise
    report_progress(seed, follower, metric)
    if proc.returncode != 0:
        say(f'seed {seed} failed (exit {proc.returncode}); the end of {log_path}:')
        print(log_tail(log_path), flush=True)
        raise SystemExit(f'[run_seeds] seed {seed} failed; its full log is {log_path}. '
                         'Fix it and rerun that seed, then use --collect-only.')
    say(f'seed {seed}: finished in {time.monotonic() - start:.0f} s')


def report_progress(seed, follower, metric):
    for validation in follower.poll():
        say(f'seed {seed}: {validation["at"]}, {metric} {validation["value"]:.2f}')


def wait_or_kill(proc, timeout_s=30):
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def log_tail(path, lines=25):
    with open(path, errors='replace') as f:
        return ''.join(collections.deque(f, maxlen=lines)).rstrip()


def say(message):
    print(f'[run_seeds] {message}', flush=True)


def write_report(summary, markdown, out):
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, 'w') as f:
        f.write(markdown)
    json_path = osp.splitext(out)[0] + '.json'
    with open(json_path, 'w') as f:
        json.dump(summary, f, indent=2)
    return json_path


def main(argv=None):
    args = parse_args(argv)
    if not args.collect_only:
        check_config_path(args.config)
        train_seeds(args)
    work_dirs = {s: seed_dir(args.work_dir, s) for s in args.seeds}
    try:
        summary = summarize(work_dirs, args.metric_prefix, args.allow_unfinished)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f'[run_seeds] {err}') from None
    summary['config'] = args.config
    markdown = format_markdown(summary, title=osp.basename(args.config))
    print(markdown, flush=True)
    out = args.out or osp.join(args.work_dir, 'results.md')
    json_path = write_report(summary, markdown, out)
    print(f'[run_seeds] wrote {out} and {json_path}')


if __name__ == '__main__':
    main()
