"""Test a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [--work-dir DIR]``.

Prints the config's test metrics (for skcl_mm configs: top-1 and many /
medium / few). ``--out FILE`` dumps the predictions (or metrics with
``--out-item metrics``); ``--launcher pytorch`` through tools/dist_test.sh.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import mmengine
from mmengine.evaluator import DumpResults
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import skcl_mm  # noqa: F401  (registers components, safe globals)
from skcl_mm.engine.checkpoint_file import check_checkpoint_file
from skcl_mm.engine.hooks.checkpoint_guard_hook import (
    CheckpointMismatchError, ensure_checkpoint_guard)
from skcl_mm.quiet import quiet_known_noise
from skcl_mm.utils import add_runner_args, prepare_config
from skcl_mm.utils.cli import run_main
from skcl_mm.utils.distributed import exit_distributed_rank, finish_distributed
from skcl_mm.utils.launch import check_before_run

DUMP_SUFFIXES = ('.json', '.yaml', '.yml', '.pkl', '.pickle')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a checkpoint (skcl_mm)')
    parser.add_argument('config', help='test config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='dump predictions or metrics to this .pkl/.json file')
    parser.add_argument('--out-item', choices=['metrics', 'pred'], default='pred',
                        help='what --out holds (default: predictions)')
    return add_runner_args(parser).parse_args(argv)


def check_out(out, item):
    """Stop before testing when ``--out`` cannot be written as asked."""
    if out is None:
        return
    suffixes = ('.pkl', '.pickle') if item == 'pred' else DUMP_SUFFIXES
    if not out.endswith(suffixes):
        what = ('predictions (--out-item pred, the default)' if item == 'pred'
                else 'metrics (--out-item metrics)')
        raise SystemExit(f'--out {out}: {what} are written as {" / ".join(suffixes)}; '
                         f'give a file name ending in {suffixes[0]}'
                         f'{" (or --out-item metrics for JSON)" if item == "pred" else ""}.')
    if osp.isdir(out):
        raise SystemExit(f'--out {out} is a folder; give a file name, e.g. '
                         f'{osp.join(out, "metrics" + suffixes[0])}.')


def main(argv=None):
    args = parse_args(argv)
    check_out(args.out, args.out_item)
    if args.checkpoint.endswith(('.py', '.json', '.yaml', '.yml')):
        swapped = args.config.endswith(('.pth', '.pt', '.ckpt'))
        raise SystemExit(f'checkpoint {args.checkpoint} is a config file; the order is '
                         'tools/test.py CONFIG CHECKPOINT' + (
                             f': tools/test.py {args.checkpoint} {args.config}'
                             if swapped else '.'))
    check_checkpoint_file(args.checkpoint, 'checkpoint')
    cfg = prepare_config(args, loaders=('test_dataloader', ))
    check_before_run(cfg, 'test', args.work_dir)
    cfg.load_from = args.checkpoint
    ensure_checkpoint_guard(cfg)
    if args.amp:
        cfg.test_cfg.fp16 = True
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    quiet_known_noise(runner.logger)
    if args.out and args.out_item == 'pred':
        runner.test_evaluator.metrics.append(DumpResults(out_file_path=args.out))
    try:
        metrics = runner.test()
    except CheckpointMismatchError as err:
        raise SystemExit(f'error: {err}') from None
    finish_distributed()  # every rank ends together
    if args.out and args.out_item == 'metrics':
        mmengine.dump(metrics, args.out)
    return metrics


if __name__ == '__main__':
    run_main(main)
    exit_distributed_rank()  # after the work: no C++ teardown abort
