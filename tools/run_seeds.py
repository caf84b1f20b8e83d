"""Train a config over several seeds and report mean ± std of the results.

    python tools/run_seeds.py CONFIG --seeds 0 1 2 [--work-dir DIR] [--gpus N]
        [--jobs N] [--collect-only] [--metric-prefix long_tail] [--out results.md]
        [-- extra tools/train.py arguments]
    python tools/run_seeds.py --compare CONFIG_A CONFIG_B --seeds 0 1 2 [...]

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

``--jobs N`` trains N seeds at once on the same machine and device (separate
processes, started in seed order; tools/analysis_tools/run_pool.py): one line
per start, validation, finish and failure; after a failure the running seeds
finish, no new one starts and the tool exits non-zero naming the failed runs
and their logs. Whenever the tool trained, the report ends with the batch's
throughput (tools/analysis_tools/batch_throughput.py: wall time, sum of run
times, concurrency speed-up, runs per hour, training images per second),
also in the JSON copy under ``throughput``.

``--compare A B`` trains both configs with the same seeds (into
``DIR/<config name>/seed_<s>``, DIR defaulting to ``work_dirs``: the layout of
tools/reproduce.py, whose runs it can collect) and adds the paired per-seed
difference A - B of every metric with its 95 % t interval
(tools/analysis_tools/paired_stats.py); default report
``DIR/compare_<A>_vs_<B>.md``.
"""
import argparse
import os.path as osp
import sys
import time

TOOLS = osp.dirname(osp.abspath(__file__))
sys.path.insert(0, osp.dirname(TOOLS))

from analysis_tools.batch_throughput import (summarize_batch,
                                             throughput_markdown, timed_runs)
from analysis_tools.comparison import compare, comparison_markdown
from analysis_tools.report_file import write_report
from analysis_tools.run_launch import (RunFailed, build_command,
                                       exit_on_sigterm, split_train_args,
                                       train_run)
from analysis_tools.run_pool import Job, Timed, run_pool_or_exit
from analysis_tools.seed_results import format_markdown, summarize

from skcl_mm.utils.config_file import check_config_path


def parse_args(argv=None):
    argv, extra = split_train_args(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        description='Run a config over several seeds; mean ± std of the results',
        epilog='Arguments after "--" go to tools/train.py (e.g. -- --amp).')
    parser.add_argument('config', nargs='?', help='train config file')
    parser.add_argument('--compare', nargs=2, metavar=('CONFIG_A', 'CONFIG_B'),
                        help='train / collect two configs with the same seeds and '
                        'report the paired difference A - B with a 95 %% interval')
    parser.add_argument('--seeds', type=int, nargs='+', required=True,
                        help='seeds, one run each (randomness.seed)')
    parser.add_argument('--work-dir', help='parent of the seed_<s> run folders '
                        '(default: work_dirs/<config name>); with --compare the '
                        'parent of the <config name>/seed_<s> folders (default: '
                        'work_dirs)')
    parser.add_argument('--gpus', type=int, default=1,
                        help='processes per run: 1 -> tools/train.py, N > 1 -> '
                        'tools/dist_train.sh (GPUs, or gloo processes on a CPU)')
    parser.add_argument('--jobs', type=int, default=1,
                        help='seeds trained at once on this machine (separate '
                        'processes sharing the device; one process per run)')
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
    if (args.config is None) == (args.compare is None):
        parser.error('give one CONFIG, or --compare CONFIG_A CONFIG_B (not both)')
    if args.compare and args.compare[0] == args.compare[1]:
        parser.error(f'--compare needs two different configs, got {args.compare[0]} '
                     'twice')
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
    if args.jobs < 1:
        parser.error(f'--jobs must be >= 1, got {args.jobs}')
    if args.jobs > 1 and args.gpus > 1:
        parser.error(f'--jobs {args.jobs} runs one-process runs side by side; '
                     f'with --gpus {args.gpus} use --jobs 1 (a multi-process run '
                     'already fills its devices)')
    check_extra(parser, extra)
    if args.work_dir is None and not args.compare:
        args.work_dir = osp.join('work_dirs', config_name(args.config))
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


def config_name(config: str) -> str:
    return osp.splitext(osp.basename(config))[0]


def config_work_dir(args, config: str) -> str:
    """Parent of the seed folders of ``config``: ``--work-dir`` itself for one
    config, ``<--work-dir or work_dirs>/<config name>`` with --compare."""
    if not args.compare:
        return args.work_dir
    return osp.join(args.work_dir or 'work_dirs', config_name(config))


def seed_job(args, config: str, seed: int) -> Job:
    work_dir = seed_dir(config_work_dir(args, config), seed)
    label = f'{config_name(config)} seed {seed}' if args.compare else f'seed {seed}'
    return Job(label, build_command(config, seed, work_dir, args.gpus, args.extra),
               work_dir)


def train_seeds(args, configs) -> dict:
    """Train every seed of every config (one config after the other), one
    run at a time or ``--jobs`` at once; the batch's throughput figures."""
    jobs = [seed_job(args, config, seed) for config in configs for seed in args.seeds]
    n = min(args.jobs, len(jobs))
    start = time.time()
    timed = [train_seed(args, job) for job in jobs] if n == 1 else train_pool(args, jobs, n)
    return summarize_batch(timed_runs(timed, args.gpus), start, time.time(), n)


def train_seed(args, job: Job) -> Timed:
    """Train one seed, its output in ``seed_<s>/train.out``, printing a line
    per validation; on a failure print the log's end and stop."""
    say(f'{job.label}: training, log in {job.log}')
    start = time.time()
    try:
        seconds = train_run(job.cmd, job.work_dir, job.label, say,
                            f'{args.metric_prefix}/top1')
    except RunFailed as err:
        raise SystemExit(f'[run_seeds] {err}. Fix it and rerun that seed, then '
                         'use --collect-only.') from None
    say(f'{job.label}: finished in {seconds:.0f} s')
    return Timed(job, start, time.time(), 0)


def train_pool(args, jobs, n: int):
    """Train ``jobs`` ``n`` at once; stop (naming the failed runs and their
    logs) when one failed."""
    clamped = f' (--jobs {args.jobs}, but only {len(jobs)} runs)' if args.jobs > n else ''
    say(f'{len(jobs)} runs, {n} at once{clamped}')
    return run_pool_or_exit(
        jobs, n, say, 'run_seeds',
        'interrupted: the running seeds were stopped, their checkpoints stay. '
        'Resume one with run_seeds.py CONFIG --seeds S -- --resume.',
        '. Fix it and rerun those seeds, then use --collect-only.',
        f'{args.metric_prefix}/top1')


def say(message):
    print(f'[run_seeds] {message}', flush=True)


def collect(args, config: str) -> dict:
    root = config_work_dir(args, config)
    work_dirs = {s: seed_dir(root, s) for s in args.seeds}
    try:
        summary = summarize(work_dirs, args.metric_prefix, args.allow_unfinished)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f'[run_seeds] {err}') from None
    summary['config'] = config
    return summary


def main(argv=None):
    args = parse_args(argv)
    exit_on_sigterm()
    configs = args.compare or [args.config]
    throughput = None
    if not args.collect_only:
        for config in configs:
            check_config_path(config)
        throughput = train_seeds(args, configs)
    summaries = [collect(args, config) for config in configs]
    markdown = ''.join(format_markdown(summary, title=osp.basename(summary['config']))
                       for summary in summaries)
    report = summaries[0]
    if args.compare:
        names = [config_name(c) for c in configs]
        result = compare(*summaries)
        markdown += '\n' + '\n'.join(comparison_markdown(*names, result))
        report = dict(configs=dict(zip(names, summaries)),
                      comparison=dict(a=names[0], b=names[1], **result))
        out = args.out or osp.join(args.work_dir or 'work_dirs',
                                   f'compare_{names[0]}_vs_{names[1]}.md')
    else:
        out = args.out or osp.join(args.work_dir, 'results.md')
    if throughput is not None:
        report = dict(report, throughput=throughput)
        markdown += '\n' + throughput_markdown(throughput)
    print(markdown, flush=True)
    json_path = write_report(report, markdown, out)
    print(f'[run_seeds] wrote {out} and {json_path}')


if __name__ == '__main__':
    main()
