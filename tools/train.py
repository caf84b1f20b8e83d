"""Train a model with a config: ``python tools/train.py CONFIG [--work-dir DIR]``.

The command line is mmpretrain's (``--resume [CKPT]``, ``--amp``,
``--auto-scale-lr``, ``--cfg-options``, ``--launcher``); distributed runs go
through tools/dist_train.sh (torchrun) or tools/slurm_train.sh.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import skcl_mm  # noqa: F401  (registers components, safe globals)
from skcl_mm.engine.checkpoint_file import check_checkpoint_file
from skcl_mm.engine.hooks.checkpoint_guard_hook import (
    CheckpointMismatchError, ensure_checkpoint_guard)
from skcl_mm.quiet import quiet_known_noise
from skcl_mm.utils import add_runner_args, prepare_config, protocol_notes
from skcl_mm.utils.cli import run_main
from skcl_mm.utils.distributed import exit_distributed_rank, finish_distributed
from skcl_mm.utils.launch import LOADERS, check_before_run, check_resume
from skcl_mm.utils.run_config_checks import seed_note
from skcl_mm.utils.schedule_iterations import fit_schedule_to_epoch_length


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a model (skcl_mm)')
    parser.add_argument('config', help='train config file')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from a checkpoint, or (no value) from the latest one in '
        'the work dir')
    parser.add_argument('--no-validate', action='store_true',
                        help='do not evaluate during training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by effective batch / '
                        'auto_scale_lr.base_batch_size (the CIFAR and ImageNet-LT '
                        'configs have it on already; off: --cfg-options '
                        'auto_scale_lr.enable=False)')
    parser.add_argument('--no-persistent-workers', action='store_true',
                        help='disable persistent dataloader workers')
    parser.add_argument('--allow-other-subset', action='store_true',
                        help='resume (or load_from) a checkpoint trained on another '
                        'long-tailed subset (imbalance factor, seed, split, '
                        'hierarchy) on purpose; without it such a run stops')
    return add_runner_args(parser).parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = prepare_config(args)
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    check_before_run(cfg, 'train', args.work_dir)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    resume_note = '' if args.resume is None else check_resume(cfg, args.resume)
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        if 'base_batch_size' not in (cfg.get('auto_scale_lr') or {}):
            raise SystemExit(f'--auto-scale-lr: {args.config} has no auto_scale_lr.'
                             'base_batch_size (the batch its lr is meant for); add '
                             '--cfg-options auto_scale_lr.base_batch_size=N.')
        cfg.auto_scale_lr.enable = True
    if args.no_persistent_workers:
        for field in LOADERS:
            if cfg.get(field):
                cfg[field]['persistent_workers'] = False
    ensure_checkpoint_guard(cfg, allow_other_subset=args.allow_other_subset)
    check_checkpoint_file(_checkpoint_to_load(cfg), '--resume checkpoint'
                          if cfg.get('resume') else 'load_from checkpoint')
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    quiet_known_noise(runner.logger)
    fit_schedule_to_epoch_length(runner)  # scaled warm-ups of at least 2 iterations
    for note in (resume_note, seed_note(cfg, runner)):
        if note:
            runner.logger.warning(note)
    for note in protocol_notes(cfg):
        runner.logger.info(note)
    try:
        runner.train()
    except CheckpointMismatchError as err:
        raise SystemExit(f'error: {err}') from None
    finish_distributed()  # every rank ends together


def _checkpoint_to_load(cfg):
    """The checkpoint the Runner will load: load_from, or for --resume
    without a path the one the work dir's last_checkpoint names."""
    if cfg.get('load_from'):
        return cfg.load_from
    marker = osp.join(cfg.work_dir, 'last_checkpoint')
    if cfg.get('resume') and osp.isfile(marker):
        with open(marker) as f:
            return f.read().strip()
    return None


if __name__ == '__main__':
    run_main(main)
    exit_distributed_rank()  # after the work: no C++ teardown abort
