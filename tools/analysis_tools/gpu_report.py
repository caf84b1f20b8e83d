"""Every figure of the one-GPU afternoon (issue 18) in one run: JSON + Markdown.

    bash tools/gpu_report.sh OUT_DIR [--small] [--device cuda|cpu]
        [--parts step epoch jobs decode] [--budget 480] [--jobs 4]

Runs the project's measurement tools one after another as subprocesses, each
with a time limit taken from what is left of ``--budget`` seconds, on generated
data of the real sizes, and writes ``OUT_DIR/report.json``,
``OUT_DIR/report.md`` and every tool's own JSON and log:

* ``step``: ``tools/benchmark.py`` on configs/skcl_resnet32_cifar100lt_fast.py
  (256 x 3 views built on the device, bf16, channels_last on a GPU): the
  training step eager, compiled (``torch.compile`` default) and as CUDA graphs
  (``mode='reduce-overhead'``), compiled as ``CompileTrainStepHook`` does
  (``--compile-target parts``); the head + loss fraction of each;
* ``epoch``: ``tools/analysis_tools/resident_epoch_time.py``: CIFAR-100-LT
  IF100 epoch time, dataloader workers vs device-resident data (real Runner);
* ``jobs``: ``tools/run_seeds.py --jobs N``: N seeds of the fast config at once
  on one device (real runs on generated CIFAR-100), aggregate throughput;
* ``decode``: ``tools/analysis_tools/decode_throughput.py``: ImageNet-LT
  training images/s with CPU decoding (8 workers) vs decoding on the device.

``--small`` shrinks every size so that the whole report runs on a laptop CPU
in a few minutes (the test of this tool does that); its numbers say nothing
about a GPU. A part that fails or runs out of time is recorded with its log
and the report goes on.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PARTS = ('step', 'epoch', 'jobs', 'decode')
FAST = 'configs/skcl_resnet32_cifar100lt_fast.py'
RESIDENT = 'configs/skcl_resnet32_cifar100lt_resident.py'
COMPILE_MODES = ('none', 'default', 'reduce-overhead')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='The GPU report of issue 18 (skcl_mm)')
    parser.add_argument('out_dir')
    parser.add_argument('--device', default=None, help='cuda or cpu (default: cuda '
                        'when available)')
    parser.add_argument('--small', action='store_true',
                        help='tiny sizes, for a CPU check of the whole report')
    parser.add_argument('--parts', nargs='+', choices=PARTS, default=list(PARTS))
    parser.add_argument('--budget', type=float, default=480.0,
                        help='seconds for all parts together (default 480)')
    parser.add_argument('--jobs', type=int, default=4, help='concurrent seeds')
    parser.add_argument('--compile-modes', nargs='+', choices=COMPILE_MODES,
                        help='step part (default: all; --small: none)')
    args = parser.parse_args(argv)
    if args.budget <= 0 or args.jobs < 1:
        parser.error('--budget must be > 0 and --jobs >= 1.')
    return args


def step_commands(args, out: str) -> List[Dict]:
    """One benchmark run per compile mode."""
    modes = args.compile_modes or (['none'] if args.small else list(COMPILE_MODES))
    size = (['--batch-size', '8', '--iters', '1', '--warmup', '1', '--amp', 'none',
             '--cfg-options', 'model.backbone.depth=8'] if args.small else
            ['--batch-size', '256', '--iters', '20', '--warmup', '5'])
    return [dict(name=f'step_{mode}', json=osp.join(out, f'step_{mode}.json'),
                 argv=['tools/benchmark.py', FAST, '--device', args.device,
                       '--skip-pipeline', '--skip-ce', '--compile', mode,
                       '--compile-target', 'parts', *size,
                       '--json', osp.join(out, f'step_{mode}.json')])
            for mode in modes]


def epoch_commands(args, out: str) -> List[Dict]:
    size = (['--epochs', '1', '--train-images', '300', '--imbalance', '3',
             '--batch-size', '16', '--num-workers', '1', '--amp', 'none',
             '--backbone-depth', '8', '--paths', 'worker', 'resident']
            if args.small else ['--epochs', '3'])
    return [dict(name='epoch', json=osp.join(out, 'epoch.json'),
                 argv=['tools/analysis_tools/resident_epoch_time.py', '--device',
                       args.device, *size, '--work-dir', osp.join(out, 'epoch_runs'),
                       '--json', osp.join(out, 'epoch.json')])]


def jobs_commands(args, out: str) -> List[Dict]:
    """``run_seeds --jobs N`` on generated CIFAR-100 (written when the part runs)."""
    data = osp.join(out, 'cifar100')

    def write_data():
        sys.path.insert(0, osp.join(REPO, 'tools'))
        from analysis_tools.generated_cifar import write_cifar100
        write_cifar100(data, 3 if args.small else 500, 1 if args.small else 100)

    config, epochs = (RESIDENT, 1) if args.small else (FAST, 3)
    options = ["custom_imports.imports=[skcl_mm,analysis_tools.generated_cifar]",
               f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}',
               'default_hooks.checkpoint.interval=-1']
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options += [f'{loader}.dataset.dataset.type=GeneratedCIFAR100',
                    f'{loader}.dataset.dataset.data_root={data}']
    if args.small:
        options += ['model.backbone.depth=8', 'train_dataloader.batch_size=16',
                    'train_dataloader.dataset.imbalance_factor=3',
                    'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False',
                    'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False']
    report = osp.join(out, 'jobs', 'results.md')
    seeds = [str(seed) for seed in range(args.jobs)]
    return [dict(name='jobs', json=report[:-3] + '.json', prepare=write_data,
                 argv=['tools/run_seeds.py', config, '--seeds', *seeds, '--jobs',
                       str(args.jobs), '--work-dir', osp.join(out, 'jobs'),
                       '--out', report, '--', '--cfg-options', *options])]


def decode_commands(args, out: str) -> List[Dict]:
    size = (['--images', '8', '--batch-size', '4', '--workers', '1', '--iters', '1',
             '--warmup', '0', '--crop-size', '32', '--height', '48', '--width', '64']
            if args.small else ['--images', '512', '--batch-size', '64',
                                '--workers', '8', '--seconds', '15'])
    return [dict(name='decode', json=osp.join(out, 'decode.json'),
                 argv=['tools/analysis_tools/decode_throughput.py', '--device',
                       args.device, *size, '--json', osp.join(out, 'decode.json')])]


def run_part(command: Dict, out: str, seconds_left: float) -> Dict:
    """Run one tool; its stdout and stderr go to ``out/<name>.log``."""
    log = osp.join(out, f'{command["name"]}.log')
    start = time.time()
    if command.get('prepare'):
        command['prepare']()  # the part's data, counted in its seconds
    with open(log, 'w') as f:
        try:
            code = subprocess.run([sys.executable, *command['argv']], cwd=REPO,
                                  stdout=f, stderr=subprocess.STDOUT,
                                  timeout=max(seconds_left - (time.time() - start), 1)
                                  ).returncode
        except subprocess.TimeoutExpired:
            code = 'timeout'
    result = dict(name=command['name'], seconds=round(time.time() - start, 1),
                  exit=code, log=log, command=' '.join(['python', *command['argv']]))
    if code == 0 and osp.isfile(command['json']):
        with open(command['json']) as f:
            result['result'] = json.load(f)
    return result


def main(argv=None) -> Dict:
    args = parse_args(argv)
    if args.device is None:
        import torch
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    out = osp.abspath(args.out_dir)
    os.makedirs(out, exist_ok=True)
    builders = dict(step=step_commands, epoch=epoch_commands, jobs=jobs_commands,
                    decode=decode_commands)
    deadline = time.time() + args.budget
    parts = []
    for part in args.parts:
        for command in builders[part](args, out):
            left = deadline - time.time()
            if left <= 0:
                parts.append(dict(name=command['name'], exit='not run: budget spent'))
                continue
            print(f'[gpu_report] {command["name"]} ({left:.0f} s left)', file=sys.stderr)
            parts.append(run_part(command, out, left))
    sys.path.insert(0, osp.join(REPO, 'tools'))
    from analysis_tools.gpu_report_markdown import environment, markdown
    report = dict(environment(args.device), small=args.small, budget_s=args.budget,
                  parts=parts)
    with open(osp.join(out, 'report.json'), 'w') as f:
        json.dump(report, f, indent=2)
    with open(osp.join(out, 'report.md'), 'w') as f:
        f.write(markdown(report))
    print(markdown(report))
    return report


if __name__ == '__main__':
    main()
