"""Epoch time of CIFAR-100-LT training: dataloader workers vs device-resident data.

    python tools/analysis_tools/resident_epoch_time.py [--device cuda|cpu]
        [--method skcl|bcl] [--epochs 3] [--train-images 50000] [--imbalance 100]
        [--num-workers 8] [--batch-size 256] [--amp bf16|none]
        [--paths worker resident fast] [--backbone-depth 8] [--json FILE]

The paths train the same recipe through mmengine's Runner (real epochs, hooks
included, validation and checkpoints off) on generated CIFAR-100 pickles in the
real format (``--train-images`` balanced images, 500 per class = the full
50,000, long-tailed by the config's wrapper: IF100 keeps 10,847):

* ``worker``: the config with mmengine's ``EpochBasedTrainLoop`` and a DataLoader
  (``--num-workers``; for SKCL this is configs/skcl_resnet32_cifar100lt_gpuaug.py
  with ``drop_last=True``);
* ``resident``: the config as shipped (``DeviceResidentEpochBasedTrainLoop``):
  configs/skcl_resnet32_cifar100lt_resident.py or its BCL twin;
* ``fast`` (default on CUDA): configs/skcl_resnet32_cifar100lt_fast.py or its
  BCL twin: resident, channels_last, the step compiled into CUDA graphs by
  ``CompileTrainStepHook`` (on a CPU with the ``aot_eager`` backend).

Per epoch: the sum of mmengine's per-iteration ``time`` (step plus waiting for
data) and ``data_time``, and images/s (samples, each with all its views).
``steady`` is the mean over the epochs after the first (which holds start-up
costs). Peak device memory on CUDA. Progress goes to the log; stdout holds the
report.
"""
import argparse
import contextlib
import json
import os
import os.path as osp
import sys
import tempfile
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {'skcl': 'configs/skcl_resnet32_cifar100lt_resident.py',
           'bcl': 'configs/baselines/bcl_resnet32_cifar100lt_resident.py'}
FAST_CONFIGS = {'skcl': 'configs/skcl_resnet32_cifar100lt_fast.py',
                'bcl': 'configs/baselines/bcl_resnet32_cifar100lt_fast.py'}
PATHS = ('worker', 'resident', 'fast')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--device', choices=['cuda', 'cpu'], default=None,
                        help='default: cuda when available, else cpu')
    parser.add_argument('--method', choices=sorted(CONFIGS), default='skcl')
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--train-images', type=int, default=50000,
                        help='balanced CIFAR-100 training images before the '
                        'long-tail subset (a multiple of 100; 50000 = the real size)')
    parser.add_argument('--imbalance', type=float, default=100.0)
    parser.add_argument('--num-workers', type=int, default=8)
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument('--amp', choices=['bf16', 'none'], default=None,
                        help='default: bf16 on cuda, none on cpu')
    parser.add_argument('--paths', nargs='+', choices=PATHS,
                        help='default: worker resident (and fast on cuda)')
    parser.add_argument('--backbone-depth', type=int,
                        help="ResNet depth (default: the config's 32; 8 for quick checks)")
    parser.add_argument('--json', help='write the results here')
    parser.add_argument('--work-dir', help='data and logs (default: a temporary dir)')
    args = parser.parse_args(argv)
    per_class, rest = divmod(args.train_images, 100)
    if rest or per_class < 1:
        parser.error(f'--train-images={args.train_images}: give a multiple of 100 '
                     '(CIFAR-100 is balanced; 50000 is the real size).')
    if args.epochs < 1 or args.batch_size < 1 or args.num_workers < 0:
        parser.error('--epochs and --batch-size must be >= 1, --num-workers >= 0.')
    if args.amp == 'bf16' and args.device == 'cpu':
        parser.error("--amp bf16 needs CUDA (mmengine's AmpOptimWrapper); use --amp none.")
    return args


def epoch_time_hook():
    """A hook that sums mmengine's per-iteration ``time`` / ``data_time`` per epoch."""
    from mmengine.hooks import Hook

    class EpochTimes(Hook):
        priority = 'LOWEST'  # after IterTimerHook wrote this iteration's times

        def __init__(self):
            self.epochs = []

        def before_train_epoch(self, runner):
            self.epochs.append(dict(time=0.0, data_time=0.0, iters=0,
                                    start=time.perf_counter()))

        def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
            hub, epoch = runner.message_hub, self.epochs[-1]
            epoch['time'] += hub.get_scalar('train/time').current()
            epoch['data_time'] += hub.get_scalar('train/data_time').current()
            epoch['iters'] += 1

        def after_train_epoch(self, runner):
            epoch = self.epochs[-1]
            epoch['wall'] = time.perf_counter() - epoch.pop('start')
    return EpochTimes()


def path_config(args, path: str, data_root: str, work_dir: str):
    """The method's config for ``path`` on the generated data, nothing but training."""
    from mmengine.config import Config
    configs = FAST_CONFIGS if path == 'fast' else CONFIGS
    cfg = Config.fromfile(osp.join(REPO, configs[args.method]))
    if args.backbone_depth:
        cfg.model.backbone.depth = args.backbone_depth
    loader = cfg.train_dataloader
    loader.dataset.dataset.update(type='GeneratedCIFAR100', data_root=data_root)
    loader.dataset.imbalance_factor = args.imbalance
    loader.update(batch_size=args.batch_size, num_workers=args.num_workers,
                  persistent_workers=args.num_workers > 0,
                  pin_memory=args.device == 'cuda', collate_fn=dict(type='default_collate'))
    epochs = dict(max_epochs=args.epochs, val_interval=args.epochs + 1)
    cfg.train_cfg = (dict(by_epoch=True, **epochs) if path == 'worker'
                     else dict(cfg.train_cfg, **epochs))
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0)]
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=-1, save_last=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=50)
    for hook in cfg.get('custom_hooks', []):
        if hook['type'] == 'SemanticGraphHook':
            hook['save_figures'] = False
    if args.amp == 'bf16':
        cfg.optim_wrapper = dict(cfg.optim_wrapper, type='AmpOptimWrapper', dtype='bfloat16')
    else:  # the _fast configs' AmpOptimWrapper needs CUDA
        cfg.optim_wrapper = dict(type='OptimWrapper', optimizer=cfg.optim_wrapper.optimizer)
    if path == 'fast' and args.device == 'cpu':  # no C++ build on a CPU check
        for hook in cfg.custom_hooks:
            if hook['type'] == 'CompileTrainStepHook':
                hook['backend'] = 'aot_eager'
    cfg.work_dir = work_dir
    cfg.experiment_name = f'resident_epoch_time_{path}_{time.time_ns()}'
    return cfg


def time_path(args, path: str, data_root: str, work_dir: str) -> dict:
    """Train ``args.epochs`` epochs of ``path``; the per-epoch seconds."""
    import torch
    from mmengine.runner import Runner
    cfg = path_config(args, path, data_root, osp.join(work_dir, path))
    hook = epoch_time_hook()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(hook)
    if args.device == 'cuda':
        torch.cuda.reset_peak_memory_stats()
    runner.train()
    images = len(runner.train_dataloader) * args.batch_size
    seconds = [e['time'] for e in hook.epochs]
    steady = sum(seconds[1:]) / len(seconds[1:]) if len(seconds) > 1 else seconds[0]
    result = dict(epoch_s=seconds, data_time_s=[e['data_time'] for e in hook.epochs],
                  wall_s=[e['wall'] for e in hook.epochs], iters_per_epoch=hook.epochs[0]['iters'],
                  images_per_epoch=images, dataset_images=len(runner.train_dataloader.dataset),
                  steady_epoch_s=steady, images_per_s=images / steady)
    if args.device == 'cuda':
        result['peak_memory_mib'] = torch.cuda.max_memory_allocated() / 2**20
    return result


def report(result: dict) -> str:
    """The Markdown table of the two paths."""
    lines = ['| path | s/epoch (each) | data s/epoch | steady s/epoch | images/s |'
             + (' peak MiB |' if result['device'] == 'cuda' else ''),
             '|---|---|---|---|---|' + ('---|' if result['device'] == 'cuda' else '')]
    for path in result['paths']:
        r = result['paths'][path]
        row = (f"| {path} | {', '.join(f'{s:.2f}' for s in r['epoch_s'])} | "
               f"{', '.join(f'{s:.2f}' for s in r['data_time_s'])} | "
               f"{r['steady_epoch_s']:.2f} | {r['images_per_s']:.0f} |")
        lines.append(row + (f" {r['peak_memory_mib']:.0f} |" if 'peak_memory_mib' in r else ''))
    speed = ', '.join(f'{p} x{v:.2f}' for p, v in result['speed_over_worker'].items())
    lines.append(f"speed over the worker path: {speed} ({result['method']}, "
                 f"{result['device_name']}, {result['dataset_images']} images, batch "
                 f"{result['batch_size']}, {result['num_workers']} workers, amp {result['amp']})")
    return '\n'.join(lines)


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.device == 'cpu':
        os.environ['CUDA_VISIBLE_DEVICES'] = ''  # before torch touches CUDA
    import torch
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    from analysis_tools.benchmark import device_info

    import skcl_mm  # noqa: F401  (registers the components)
    args.device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('--device cuda: no CUDA device here; use --device cpu.')
    args.amp = args.amp or ('bf16' if args.device == 'cuda' else 'none')
    if args.amp == 'bf16' and args.device != 'cuda':
        raise SystemExit("--amp bf16 needs CUDA (mmengine's AmpOptimWrapper); use --amp none.")
    # importing it registers GeneratedCIFAR100
    from analysis_tools.generated_cifar import write_cifar100
    args.paths = args.paths or (list(PATHS) if args.device == 'cuda' else list(PATHS[:2]))
    work_dir = args.work_dir or tempfile.mkdtemp(prefix='resident_epoch_time_')
    data_root = write_cifar100(osp.join(work_dir, 'cifar100'), args.train_images // 100)
    with contextlib.redirect_stdout(sys.stderr):  # the runners' logs
        paths = {path: time_path(args, path, data_root, work_dir) for path in args.paths}
    info = device_info(torch.device(args.device))
    result = dict(info, method=args.method, config=CONFIGS[args.method], amp=args.amp,
                  epochs=args.epochs, train_images=args.train_images,
                  imbalance=args.imbalance, batch_size=args.batch_size,
                  num_workers=args.num_workers,
                  dataset_images=paths['resident']['dataset_images'], paths=paths,
                  speed_over_worker={
                      path: paths['worker']['steady_epoch_s'] / r['steady_epoch_s']
                      for path, r in paths.items() if path != 'worker' and 'worker' in paths})
    print(report(result))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
