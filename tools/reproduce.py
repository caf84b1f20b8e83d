"""Reproduce a table of the paper: every config of it, over seeds, one command.

    python tools/reproduce.py TABLE [--seeds 0 1 2] [--work-dir work_dirs/reproduce]
        [--gpus N | --slurm PARTITION --gpus N | --jobs N] [--only NAME ...] [--dry-run]
        [--collect-only] [--allow-unfinished] [--out REPORT.md]
        [-- extra tools/train.py arguments]

TABLE is one of table1 (CIFAR-LT, imbalance 100/50/10, SKCL and BCL), table2
(many/medium/few, CIFAR-100-LT), table3 (ImageNet-LT), table4 (graph-link
ablation) or quickstart (the offline digits). The configs of a table, the
paper's numbers and which configs are compared with which are read from the
metafiles (model-index.yml). Each run trains through the normal tools
(tools/train.py, tools/dist_train.sh with --gpus N, tools/slurm_train.sh with
--slurm) into ``WORK_DIR/<config name>/seed_<s>``, seed-major (seed 0 of every
config first). The tool is resumable: a finished run is skipped, an
interrupted one resumes from its last checkpoint; a run dir that was started
with other settings (config contents, extra arguments, processes) stops the
tool before any training, naming what differs. ``--dry-run`` lists every run,
its state and the paper's number it will be compared with. ``--jobs N``
trains N runs at once on this machine and device (separate one-process runs,
started in the same seed-major order; tools/analysis_tools/run_pool.py);
after a failure the running ones finish and no new one starts.

The report (Markdown, with a JSON copy next to it; default
``WORK_DIR/<table>.md``): per config mean ± sample std at the best and the
last evaluation beside the paper's number and the difference, and per compared
pair the paired per-seed difference with a 95 % t interval; when the call
trained, the batch's throughput (wall time, sum of run times, concurrency
speed-up, runs per hour, training images per second; JSON ``throughput``).
"""
import argparse
import os
import os.path as osp
import sys
import time

TOOLS = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(TOOLS)
sys.path.insert(0, REPO)

from analysis_tools.batch_throughput import (summarize_batch,
                                             throughput_markdown, timed_runs)
from analysis_tools.metafile import (TABLE_TITLES, MetafileError, load_models,
                                     table_models, table_pairs)
from analysis_tools.report_file import write_report
from analysis_tools.reproduce_report import build_report, report_markdown
from analysis_tools.run_launch import (RunFailed, build_command,
                                       exit_on_sigterm, split_train_args,
                                       train_run)
from analysis_tools.run_pool import Job, Timed, run_pool_or_exit
from analysis_tools.run_record import (differences, expected_record,
                                       read_record, run_state, write_record)
from analysis_tools.seed_results import summarize


def parse_args(argv=None):
    argv, extra = split_train_args(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        description='Train every config of a paper table over seeds; report '
        'against the paper with paired statistics',
        epilog='Arguments after "--" go to tools/train.py for every run.')
    parser.add_argument('table', choices=sorted(TABLE_TITLES))
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--work-dir', default=osp.join('work_dirs', 'reproduce'),
                        help='runs go to WORK_DIR/<config name>/seed_<s> '
                        '(shared by tables: table2 reuses table1\'s runs)')
    parser.add_argument('--gpus', type=int, default=1,
                        help='processes per run (tools/dist_train.sh for N > 1, or '
                        'GPUS=N for --slurm); the total batch grows with N')
    parser.add_argument('--slurm', metavar='PARTITION',
                        help='train each run with tools/slurm_train.sh on PARTITION')
    parser.add_argument('--jobs', type=int, default=1,
                        help='runs trained at once on this machine (separate '
                        'one-process runs sharing the device)')
    parser.add_argument('--only', nargs='+', metavar='NAME',
                        help='only these configs of the table (metafile names)')
    parser.add_argument('--dry-run', action='store_true',
                        help='list the runs, their state and the paper\'s numbers')
    parser.add_argument('--collect-only', action='store_true',
                        help='train nothing; report the runs that are there')
    parser.add_argument('--allow-unfinished', action='store_true',
                        help='report runs that stopped before their last epoch')
    parser.add_argument('--out', help='report file (default WORK_DIR/<table>.md)')
    args = parser.parse_args(argv)
    args.extra = extra
    if len(set(args.seeds)) != len(args.seeds) or min(args.seeds) < 0:
        parser.error(f'--seeds must be distinct whole numbers >= 0, got {args.seeds}')
    if args.gpus < 1:
        parser.error(f'--gpus must be >= 1, got {args.gpus}')
    if args.jobs < 1:
        parser.error(f'--jobs must be >= 1, got {args.jobs}')
    if args.jobs > 1 and (args.gpus > 1 or args.slurm):
        parser.error(f'--jobs {args.jobs} runs one-process runs side by side on this '
                     'machine; with ' + ('--slurm' if args.slurm else f'--gpus {args.gpus}')
                     + ' use --jobs 1 (Slurm queues the runs; a multi-process run '
                     'already fills its devices)')
    for arg in extra:
        if arg.split('=')[0] in ('--work-dir', '--resume') or \
                arg.startswith('randomness.seed='):
            parser.error(f'"{arg}" after "--": the tool sets the work dir, the seed '
                         'and resuming of every run itself; remove it')
    return args


def planned_runs(args, models):
    """``[(model, seed, run_dir)]`` of the trained configs, seed-major."""
    trained = [m for m in models if m.config]
    if args.only:
        unknown = sorted(set(args.only) - {m.name for m in trained})
        if unknown:
            raise SystemExit(f'[reproduce] --only {unknown}: not a config of '
                             f'{args.table}; its configs: {[m.name for m in trained]}')
        trained = [m for m in trained if m.name in args.only]
    return [(m, seed, osp.join(args.work_dir, m.name, f'seed_{seed}'))
            for seed in args.seeds for m in trained]


def check_runs(args, runs):
    """Each run's state; stops (naming the differences) when a run dir holds a
    run of other settings or something the tool did not start."""
    states, clashes = [], []
    for model, seed, run_dir in runs:
        record = expected_record(model.config, seed, args.extra, args.gpus)
        old = read_record(run_dir)
        if old is None and osp.isdir(run_dir) and os.listdir(run_dir):
            clashes.append(f'{run_dir} holds files that tools/reproduce.py did not '
                           'start (no reproduce_run.json)')
        elif old is not None and (diff := differences(old, record)):
            clashes.append(f'{run_dir} was started with other settings: '
                           + '; '.join(diff))
        states.append((model, seed, run_dir, record, run_state(run_dir)))
    if clashes:
        raise SystemExit('[reproduce] ' + '\n  '.join(clashes) + '\nUse another '
                         '--work-dir for these settings, or move those run dirs away.')
    return states


def say(message):
    print(f'[reproduce] {message}', flush=True)


def dry_run(args, models, states):
    todo = sum(state != 'finished' for *_, state in states)
    at_once = f', up to {args.jobs} at once' if args.jobs > 1 else ''
    print(f'{TABLE_TITLES[args.table]}\n{len(states)} runs ({todo} to train or '
          f'resume{at_once}) under {args.work_dir}:')
    for model, seed, run_dir, _, state in states:
        paper = model.paper(args.table)
        numbers = ('no paper number' if paper is None else ', '.join(
            f'{k} {v:.2f}' for k, v in paper.metrics.items()) + f' ({paper.source})')
        cmd = build_command(model.config, seed, run_dir, args.gpus, args.extra,
                            args.slurm, resume=state == 'resume')
        print(f'{model.name} seed {seed}: {state}; compared with {numbers}\n'
              f'    {" ".join(cmd)}')
    for model in models:
        paper = model.paper(args.table)
        if model.config is None and paper is not None:
            print(f'{model.name} ({model.collection}): not trained here, reported '
                  f'beside the table: {paper.metrics} ({paper.source})')


def run_job(args, model, seed, run_dir, record, state) -> Job:
    """The run as a pool job: its record written at the start, finished at the end."""
    resume = state == 'resume'
    return Job(f'{model.name} seed {seed}',
               build_command(model.config, seed, run_dir, args.gpus, args.extra,
                             args.slurm, resume=resume),
               run_dir, 'resuming' if resume else 'training',
               on_start=lambda: write_record(run_dir, record),
               on_success=lambda: write_record(run_dir, dict(record, finished=True)))


def train_all(args, states):
    """Train the unfinished runs; the batch's throughput (None: nothing to train)."""
    jobs = [run_job(args, *s) for s in states if s[4] != 'finished']
    n = min(args.jobs, len(jobs))
    at_once = f', {n} at once' if n > 1 else ''
    clamped = f' (--jobs {args.jobs})' if jobs and args.jobs > n else ''
    say(f'{len(states)} runs, {len(states) - len(jobs)} finished, '
        f'{len(jobs)} to train{at_once}{clamped}')
    if not jobs:
        return None
    start = time.time()
    timed = train_one_by_one(jobs) if n == 1 else train_at_once(jobs, n)
    return summarize_batch(timed_runs(timed, args.gpus), start, time.time(), n)


def train_one_by_one(jobs):
    """One run after the other, a line per validation; a failure or Ctrl-C stops."""
    timed = []
    for i, job in enumerate(jobs, 1):
        say(f'[{i}/{len(jobs)}] {job.label}: {job.verb}, log in {job.log}')
        job.on_start()
        start = time.time()
        try:
            seconds = train_run(job.cmd, job.work_dir, job.label, say)
        except RunFailed as err:
            raise SystemExit(f'[reproduce] {err}. Fix it and run the same command '
                             'again: finished runs are kept, this one resumes.') from None
        except KeyboardInterrupt:
            say(f'interrupted during {job.label}; its checkpoints stay in '
                f'{job.work_dir}. Run the same command again to resume it and '
                'train the rest.')
            raise SystemExit(130) from None
        job.on_success()
        say(f'{job.label}: finished in {seconds:.0f} s')
        timed.append(Timed(job, start, time.time(), 0))
    return timed


def train_at_once(jobs, n: int):
    """``n`` runs at once (run_pool); stop naming the failed runs and their logs."""
    return run_pool_or_exit(
        jobs, n, say, 'reproduce',
        'interrupted; the stopped runs keep their checkpoints. Run the same '
        'command again to resume them and train the rest.',
        '. Fix it and run the same command again: finished runs are kept, '
        'the others resume.')


def collect(args, runs):
    by_model = {}
    for model, seed, run_dir in runs:
        by_model.setdefault(model.name, {})[seed] = run_dir
    try:
        return {name: dict(summarize(dirs, 'long_tail', args.allow_unfinished),
                           config=next(m.config for m, _, _ in runs if m.name == name))
                for name, dirs in by_model.items()}
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f'[reproduce] {err}') from None


def main(argv=None):
    args = parse_args(argv)
    exit_on_sigterm()
    try:
        index = load_models()
        models, pairs = table_models(index, args.table), table_pairs(index, args.table)
    except MetafileError as err:
        raise SystemExit(f'[reproduce] {err}') from None
    runs = planned_runs(args, models)
    throughput = None
    if not args.collect_only:
        states = check_runs(args, runs)
        if args.dry_run:
            return dry_run(args, models, states)
        throughput = train_all(args, states)
    summaries = collect(args, runs)
    report = build_report(args.table, models, summaries, pairs, args.seeds,
                          args.work_dir)
    markdown = report_markdown(report)
    if throughput is not None:
        report['throughput'] = throughput
        markdown += '\n' + throughput_markdown(throughput)
    print(markdown, flush=True)
    out = args.out or osp.join(args.work_dir, f'{args.table}.md')
    json_path = write_report(report, markdown, out)
    say(f'wrote {out} and {json_path}')


if __name__ == '__main__':
    main()
