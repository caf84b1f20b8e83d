"""Turn a config and the tools' command line into a Runner-ready config.

tools/train.py and tools/test.py share these steps: mmpretrain's command-line
semantics (work dir, launcher, --cfg-options, dataloader defaults) plus the
fixes of :mod:`skcl_mm.utils.distributed` (gloo on CPU) and
:func:`fix_dataloader_workers`.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config

from skcl_mm.utils.cfg_options import add_cfg_options_arg
from skcl_mm.utils.config_file import load_config, merge_cfg_options
from skcl_mm.utils.distributed import cuda_available, setup_distributed
from skcl_mm.utils.run_config_checks import (check_amp_device,
                                             check_class_orders,
                                             check_launcher, check_loaders,
                                             check_loop_parts,
                                             check_multi_view_preprocessor,
                                             check_seed, make_work_dir)
from skcl_mm.utils.schedule_scaling import NOTE_KEY, fit_schedule
from skcl_mm.utils.stop_with_launcher import stop_with_launcher
from skcl_mm.utils.train_length import (check_validation, drop_unset_lengths,
                                        run_length, validation_note)

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def add_runner_args(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Arguments common to tools/train.py and tools/test.py."""
    parser.add_argument('--work-dir', help='directory for logs, checkpoints and pictures')
    parser.add_argument('--amp', action='store_true',
                        help='mixed precision (needs a GPU)')
    parser.add_argument('--no-pin-memory', action='store_true',
                        help='disable pin_memory in the dataloaders')
    add_cfg_options_arg(parser)
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser


def prepare_config(args, loaders=LOADERS) -> Config:
    """Load ``args.config`` and apply the command line, as mmpretrain's tools do.

    A training run (``'train_dataloader'`` in ``loaders``) gets its schedule
    scaled to ``train_cfg``'s length (:mod:`skcl_mm.utils.schedule_scaling`) and
    stops on a length or validation setting mmengine would fail on. Distributed
    ranks watch their launcher (:mod:`skcl_mm.utils.stop_with_launcher`). A bad
    config file or ``--cfg-options`` key (:mod:`skcl_mm.utils.config_file`), a
    launcher without its environment and the checks of :func:`check_run_config`
    stop before any work.

    Work dir: ``--work-dir`` > the config's ``work_dir`` > ``work_dirs/<config name>``.
    Dataloaders get ``pin_memory`` (off with ``--no-pin-memory`` or without CUDA),
    ``persistent_workers`` only where ``num_workers > 0``, and a gloo process
    group replaces nccl on a machine without CUDA.
    """
    training = 'train_dataloader' in loaders
    check_launcher(args.launcher, gpus=_gpu_count())
    if args.amp and not cuda_available():
        raise SystemExit('--amp needs a CUDA GPU (mmengine\'s AmpOptimWrapper); '
                         'drop --amp to train in float32 on the CPU.')
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    if args.launcher != 'none':
        stop_with_launcher()  # a rank ends with its torchrun / srun / mpirun
    cfg = load_config(args.config)
    file_train_cfg = dict(cfg.get('train_cfg') or {})
    merge_cfg_options(cfg, args.cfg_options, {'optim_wrapper.type': 'AmpOptimWrapper'}
                      if args.amp and training else None)
    if training:
        prepare_training_length(cfg, file_train_cfg, getattr(args, 'no_validate', False))
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    check_run_config(cfg, loaders)
    for field in loaders:
        loader = cfg.get(field)
        if not loader:
            continue
        loader.setdefault('pin_memory', cuda_available() and not args.no_pin_memory)
        loader.setdefault('persistent_workers', True)
        loader.setdefault('collate_fn', dict(type='default_collate'))
        if args.no_pin_memory:
            loader['pin_memory'] = False
    fix_dataloader_workers(cfg)
    setup_distributed(cfg, args.launcher)
    return cfg


def _gpu_count() -> int:
    import torch
    return torch.cuda.device_count() if cuda_available() else 0


def check_run_config(cfg, loaders=LOADERS):
    """Seed, dataloader, view and class-order checks of a train or test config."""
    check_seed(cfg)
    check_loaders(cfg, loaders)
    if 'train_dataloader' in loaders:
        check_multi_view_preprocessor(cfg)
    check_class_orders(cfg, LOADERS)


def check_before_run(cfg, tool: str, work_dir_option=None) -> None:
    """The last checks of tools/train.py or tools/test.py before the Runner.

    Args:
        cfg (Config): The prepared config (``--no-validate`` applied).
        tool (str): ``'train'`` or ``'test'``.
        work_dir_option (str, optional): ``--work-dir`` as given, for messages.
    """
    if tool == 'train':
        check_amp_device(cfg)
        check_loop_parts(cfg, ['train'], 'tools/train.py')
        check_loop_parts(cfg, ['val', 'test'])
    else:
        check_loop_parts(cfg, ['test'], 'tools/test.py')
    make_work_dir(cfg.work_dir, 'work_dir' if work_dir_option is None else '--work-dir')


def prepare_training_length(cfg, file_train_cfg=None, no_validate=False):
    """Check ``train_cfg`` and fit ``param_scheduler`` to its length, before any work.

    Args:
        cfg (Config): The config after ``--cfg-options`` (changed in place).
        file_train_cfg (dict, optional): ``train_cfg`` as the file set it, to
            name its length in the fix of an undeclared schedule.
        no_validate (bool): ``--no-validate`` (skips the validation checks).

    Returns:
        str: The scaling's log line ('' when nothing was scaled).
    """
    where = cfg.filename or 'the config'
    found = run_length(drop_unset_lengths(cfg.get('train_cfg')), where)
    if found is None:
        return ''
    unit, length = found
    if not no_validate and cfg.get('val_cfg') is not None and cfg.get('val_dataloader'):
        check_validation(cfg.train_cfg, unit, length, where)
    return fit_schedule(cfg, unit, length, (file_train_cfg or {}).get(unit))


def check_resume(cfg, resume: str) -> str:
    """Stop before work when ``--resume`` cannot resume; else a log note.

    Args:
        cfg (Config): The prepared config (``work_dir`` set).
        resume (str): ``'auto'`` (the latest checkpoint of the work dir) or a
            checkpoint path.

    Returns:
        str: A note for the log ('' when there is nothing to say).
    """
    if resume == 'auto':
        marker = osp.join(cfg.work_dir, 'last_checkpoint')
        if not osp.isfile(marker):
            return (f'--resume: nothing to resume in {cfg.work_dir} (no '
                    'last_checkpoint there); training starts from the first epoch.')
        with open(marker) as f:
            latest = f.read().strip()
        here = osp.join(cfg.work_dir, osp.basename(latest))
        if '://' not in latest and not osp.isfile(latest):
            hint = (f' it is here: --resume {here}' if osp.isfile(here)
                    else ' resume from a checkpoint that exists: --resume PATH')
            raise SystemExit(f'--resume: {marker} names {latest}, which does not '
                             f'exist (a moved or renamed work dir?);{hint}.')
        return ''
    if '://' in resume:
        return ''  # a remote checkpoint: mmengine's file backends read it
    if not osp.isfile(resume):
        raise SystemExit(f'--resume {resume}: no such checkpoint file.')
    import torch
    try:
        try:
            state = torch.load(resume, map_location='cpu', weights_only=True, mmap=True)
        except RuntimeError:  # mmap needs the zip format; older files load whole
            state = torch.load(resume, map_location='cpu', weights_only=True)
    except Exception:  # noqa: BLE001  (the Runner's own loading reports it)
        return ''
    if 'optimizer' not in state:
        raise SystemExit(
            f'--resume {resume}: the checkpoint has no optimizer or scheduler '
            'state (mmengine saves best_* checkpoints without them), so the run '
            'would restart its learning-rate schedule. Resume from an '
            'epoch_N.pth checkpoint (or --resume alone for the latest), or start '
            f'a new run from these weights with --cfg-options load_from={resume}.')
    return ''


def world_batch_size(cfg) -> str:
    """'GPUS x per-GPU batch = effective batch' for the log."""
    from mmengine.dist import get_world_size
    per_device = cfg.train_dataloader.batch_size
    world = get_world_size()
    return f'{world} process(es) x {per_device} per process = {world * per_device}'


def same_val_and_test(cfg) -> bool:
    """True when validation runs on the test data (CIFAR-LT has no val split)."""
    val, test = cfg.get('val_dataloader'), cfg.get('test_dataloader')
    return bool(val and test) and val.get('dataset') == test.get('dataset')


def _resumes_a_checkpoint(cfg) -> bool:
    """--resume with a checkpoint to resume (a given one, or the work dir's)."""
    return bool(cfg.get('resume')) and bool(
        cfg.get('load_from') or osp.isfile(osp.join(cfg.work_dir, 'last_checkpoint')))


def protocol_notes(cfg) -> list:
    """Lines for the start of a training log that a reader of results needs."""
    notes = [f'Effective batch size: {world_batch_size(cfg)}']
    if cfg.get(NOTE_KEY):
        notes.append(cfg[NOTE_KEY] + (
            ' (--resume: mmengine then restores the schedule saved in the '
            'checkpoint)' if _resumes_a_checkpoint(cfg) else ''))
    if validation_note(cfg):
        notes.append(validation_note(cfg))
    if cfg.get('val_cfg') is not None and same_val_and_test(cfg):
        notes.append(
            'Validation and test use the same data (the LT literature has no '
            'separate CIFAR validation split): the best checkpoint is chosen on '
            'the test set, so report the last epoch beside the best.')
    return notes


def fix_dataloader_workers(cfg):
    """Turn off ``persistent_workers`` for every dataloader without workers
    (``persistent_workers=True`` with ``num_workers=0`` makes DataLoader raise)."""
    for field in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(field)
        if loader and loader.get('num_workers', 0) == 0:
            loader['persistent_workers'] = False
    return cfg
