"""Test a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [--work-dir DIR]``.

Prints the config's test metrics (for skcl_mm configs: top-1 and many /
medium / few). ``--out FILE`` dumps the predictions (or metrics with
``--out-item metrics``); ``--launcher pytorch`` through tools/dist_test.sh.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import skcl_mm  # noqa: E402,F401  (registers components, safe globals)
import mmengine  # noqa: E402
from mmengine.evaluator import DumpResults  # noqa: E402
from mmengine.registry import RUNNERS  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from skcl_mm.engine.checkpoint_file import check_checkpoint_file  # noqa: E402
from skcl_mm.engine.hooks.checkpoint_guard_hook import (  # noqa: E402
    CheckpointMismatchError, ensure_checkpoint_guard)
from skcl_mm.utils import add_runner_args, prepare_config  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a checkpoint (skcl_mm)')
    parser.add_argument('config', help='test config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='dump predictions or metrics to this .pkl/.json file')
    parser.add_argument('--out-item', choices=['metrics', 'pred'], default='pred',
                        help='what --out holds (default: predictions)')
    return add_runner_args(parser).parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    check_checkpoint_file(args.checkpoint, 'checkpoint')
    cfg = prepare_config(args, loaders=('test_dataloader', ))
    cfg.load_from = args.checkpoint
    ensure_checkpoint_guard(cfg)
    if args.amp:
        cfg.test_cfg.fp16 = True
    if args.out and args.out_item == 'pred':
        if not args.out.endswith(('.pkl', '.pickle')):
            raise SystemExit('--out for predictions must be a .pkl file.')
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    if args.out and args.out_item == 'pred':
        runner.test_evaluator.metrics.append(DumpResults(out_file_path=args.out))
    try:
        metrics = runner.test()
    except CheckpointMismatchError as err:
        raise SystemExit(f'error: {err}') from None
    if args.out and args.out_item == 'metrics':
        mmengine.dump(metrics, args.out)
    return metrics


if __name__ == '__main__':
    main()
