"""Throughput of a config's training step, its parts and its data pipeline.

    python tools/benchmark.py CONFIG [--batch-size 256] [--iters 5] [--warmup 2]
        [--device auto|cpu|cuda] [--amp none|fp16|bf16] [--channels-last]
        [--compile none|default|reduce-overhead|max-autotune|...]
        [--compile-target train_step|parts]
        [--skip-pipeline] [--json FILE] [--cfg-options k=v ...]
    python tools/benchmark.py --loss-scaling [--batches 128 ... 2048]
        [--dims 128 1024] [--json FILE]
    python tools/benchmark.py --batch-transforms [--batch-size 256] [--iters 5]
        [--warmup 2] [--device ...] [--json FILE]   (needs kornia)

Synthetic inputs of the config's shape (uint8 images, random labels, a random
semantic graph, long-tailed counts). "images/s" counts training samples (one
dataset image with all its views): epoch time = dataset size / images/s.
What each row times: docs/benchmarks.md. Progress lines go to stderr, so
stdout holds only the report.
"""
import argparse
import json
import math
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import torch
from analysis_tools import benchmark as bm
from analysis_tools import benchmark_setup as setup

import skcl_mm  # noqa: F401  (registers components)
from skcl_mm.utils.cfg_options import add_cfg_options_arg
from skcl_mm.utils.cli import run_main
from skcl_mm.utils.config_file import load_config

COMPILE_MODES = ('none', 'default', 'reduce-overhead', 'max-autotune',
                 'max-autotune-no-cudagraphs')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Benchmark a config (skcl_mm)')
    parser.add_argument('config', nargs='?', help='train config file')
    parser.add_argument('--batch-size', type=int,
                        help='samples per step (default: the config\'s)')
    parser.add_argument('--iters', type=int, default=5, help='timed repeats')
    parser.add_argument('--warmup', type=int, default=2, help='untimed repeats')
    parser.add_argument('--device', default='auto', help='auto, cpu, cuda, cuda:1')
    parser.add_argument('--amp', choices=sorted(setup.AMP_DTYPES),
                        help="autocast dtype; default: the config's optim_wrapper "
                             '(AmpOptimWrapper dtype), else none')
    parser.add_argument('--channels-last', action='store_true',
                        help='data_preprocessor.channels_last=True')
    parser.add_argument('--compile', choices=COMPILE_MODES,
                        help='torch.compile mode of the timed train_step and '
                             "parts; default: the config's `compile` key (the "
                             "Runner's switch), else none")
    parser.add_argument('--compile-target', choices=('train_step', 'parts'),
                        default='train_step',
                        help="what --compile compiles: the whole train_step (the "
                        "Runner's switch) or, after one eager step, the "
                        'preprocessor and forward + loss with the update eager '
                        '(CompileTrainStepHook)')
    parser.add_argument('--img-size', type=int,
                        help='H = W of the model inputs (default: what the '
                             "config's train pipeline outputs)")
    parser.add_argument('--source-size', type=int, nargs=2, metavar=('H', 'W'),
                        help='size of the images fed to the pipeline (default: '
                             'the model input size; 375 500 when the pipeline '
                             'loads files, written as JPEGs)')
    parser.add_argument('--threads', type=int, help='torch.set_num_threads')
    parser.add_argument('--skip-pipeline', action='store_true')
    parser.add_argument('--pipeline-samples', type=int,
                        help='images per timed pipeline round (default: batch)')
    parser.add_argument('--skip-ce', action='store_true',
                        help='no CE baseline (no ce_* keys)')
    parser.add_argument('--json', help='write the results here too')
    add_cfg_options_arg(parser)
    parser.add_argument('--loss-scaling', action='store_true',
                        help='time/memory of skcl_loss vs batch and nodes')
    parser.add_argument('--batches', type=int, nargs='+',
                        default=[128, 256, 512, 1024, 2048])
    parser.add_argument('--dims', type=int, nargs='+', default=[128, 1024])
    parser.add_argument('--batch-transforms', action='store_true',
                        help='time the batch transforms of cifar_gpu_views.py '
                             'against kornia with the same parameters (needs kornia)')
    args = parser.parse_args(argv)
    if args.config is None and not (args.loss_scaling or args.batch_transforms):
        parser.error('give a CONFIG, or --loss-scaling, or --batch-transforms')
    check_counts(parser, args)
    return args


# option: smallest value (None: the option may be left out)
COUNTS = {'batch_size': 1, 'iters': 1, 'warmup': 0, 'threads': 1, 'img_size': 1,
          'source_size': 1, 'pipeline_samples': 1, 'batches': 1, 'dims': 1}


def check_counts(parser, args) -> None:
    """Stop on counts that would be ignored (0 = the default) or fail after the work."""
    for name, low in COUNTS.items():
        value = getattr(args, name)
        for item in value if isinstance(value, list) else [value]:
            if item is not None and item < low:
                parser.error(f'--{name.replace("_", "-")} must be >= {low}, got {item}')
    if args.json and (osp.isdir(args.json) or not osp.isdir(
            osp.dirname(osp.abspath(args.json)))):
        parser.error(f'--json {args.json}: give a file in an existing folder')


def resolve_device(name: str) -> torch.device:
    if name == 'auto':
        return torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    device = torch.device(name)
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise SystemExit(f'--device {name}: no CUDA GPU here; use --device cpu.')
    return device


def say(message: str) -> None:
    """A progress line on stderr (stdout holds only the report)."""
    print(f'[benchmark] {message}', file=sys.stderr, flush=True)


def part_progress(model: str, args):
    """``progress`` of bm.model_timings: one line as each part starts."""
    def progress(part: str) -> None:
        repeats = (f' ({args.warmup} warm-up + {args.iters} timed)'
                   if part in bm.PARTS.values() else '')
        say(f'{model}: {part}{repeats}')
    return progress


def time_models(cfg, args, device, views):
    """SKCL and CE-baseline timings, images/s and ratios.

    ``views`` is what the dataloader ships per sample (1 when the data
    preprocessor builds the views on the device).
    """
    model_cfg = setup.model_config(cfg)
    model = setup.build_model(model_cfg, device, args.channels_last)
    levels = setup.level_num_classes(model.head)
    optim = setup.build_optim_wrapper(model, cfg.get('optim_wrapper'), device,
                                      args.amp)
    pin = device.type == 'cuda'  # the tools pin dataloader memory on GPUs
    data = setup.synthetic_batch(args.batch_size, views, args.img_size, levels, pin=pin)
    out = {f'skcl_{k}': v for k, v in bm.model_timings(
        model, optim, data, args.iters, args.warmup, device, args.amp,
        args.compile_options, part_progress('SKCL', args), args.compile_target).items()}
    if not args.skip_ce:
        ce = setup.build_model(setup.ce_model_config(model_cfg, levels[-1]),
                               device, args.channels_last)
        ce_optim = setup.build_optim_wrapper(ce, cfg.get('optim_wrapper'),
                                             device, args.amp)
        ce_data = setup.synthetic_batch(args.batch_size, 1, args.img_size, levels,
                                        pin=pin)
        out.update({f'ce_{k}': v for k, v in bm.model_timings(
            ce, ce_optim, ce_data, args.iters, args.warmup, device, args.amp,
            args.compile_options, part_progress('CE', args), args.compile_target).items()})
    for key in [k for k in out if k.endswith('_s') and 'first_call' not in k]:
        out[key[:-2] + '_images_per_s'] = args.batch_size / out[key]
    out['step_images_per_s'] = out['skcl_step_images_per_s']
    out['head_loss_fraction'] = out['skcl_head_loss_s'] / out['skcl_step_s']
    if not args.skip_ce:
        out['step_time_ratio_skcl_over_ce'] = out['skcl_step_s'] / out['ce_step_s']
    return out


def time_pipelines(pipeline, source, args):
    """Per-worker samples/s: config pipeline, its first view alone, and BCL's
    torchvision/PIL views for in-memory CIFAR-size pipelines."""
    single = bm.single_view_pipeline(pipeline)
    items = source.items(args.pipeline_samples or args.batch_size)
    runs = dict(pipeline=lambda item: pipeline(source.sample(item)),
                ce_pipeline=lambda item: single(source.sample(item)))
    if not source.loads_files:
        from analysis_tools.bcl_reference_pipeline import BCLCifarViews
        runs['bcl_pipeline'] = BCLCifarViews(args.img_size,
                                             num_sim=args.total_views - 1)
    names = dict(pipeline='config', ce_pipeline='one view (CE)',
                 bcl_pipeline='torchvision/PIL BCL')
    say(f'pipeline per worker ({", ".join(names[name] for name in runs)}): '
        f'{args.warmup} warm-up + {args.iters} timed rounds of {len(items)} images')
    seconds = bm.measure_pipelines(runs, items, args.iters, args.warmup)
    out = {f'{name}_images_per_s_per_worker': len(items) / value
           for name, value in seconds.items()}
    out['pipeline_source_size'] = list(source.source_size)
    out['pipeline_loads_files'] = source.loads_files
    if 'bcl_pipeline' in runs:
        out['pipeline_speedup_over_bcl'] = (
            out['pipeline_images_per_s_per_worker'] /
            out['bcl_pipeline_images_per_s_per_worker'])
    return out


def report(res) -> str:
    """Human-readable table of a benchmark result dict."""
    lines = [f"device {res['device']} ({res['device_name']}), torch "
             f"{res['torch_version']}, {res['num_threads']} threads, "
             f"{res['cpu_cores']} CPU cores, amp {res['amp']}, channels_last "
             f"{res['channels_last']}, compile {compile_label(res['compile'])}",
             f"config {res['config']}: batch {res['batch_size']} x {res['views']} "
             f"views{' (built on the device)' if res.get('views_on_device') else ''}, "
             f"{res['img_size']}px, median of {res['iters']} "
             f"(warmup {res['warmup']})",
             '| part | SKCL s | SKCL images/s | CE s | CE images/s | SKCL/CE time |',
             '|---|---|---|---|---|---|']
    for part, name in bm.PARTS.items():
        skcl_s = res[f'skcl_{part}_s']
        ce_s = res.get(f'ce_{part}_s', math.nan)
        lines.append(f'| {name} | {skcl_s:.4f} | {images_per_s_cell(res, "skcl", part)} | '
                     f'{ce_s:.4f} | {images_per_s_cell(res, "ce", part)} | '
                     f'{skcl_s / ce_s:.2f} |')
    lines.append(f"{bm.PARTS['step']}: model.train_step (data preprocessor, forward, "
                 'loss, backward, optimiser update); the two parts above are timed '
                 'alone, without the update.')
    if res['compile'] is not None:
        first = [f"{name} {res[f'{model}_step_first_call_s']:.1f} s"
                 for model, name in (('skcl', 'SKCL'), ('ce', 'CE'))
                 if f'{model}_step_first_call_s' in res]
        lines.append('first (compiling) step: ' + ', '.join(first))
    lines.append(f"head+loss fwd+bwd as a fraction of the SKCL whole train step: "
                 f"{res['head_loss_fraction']:.2%}")
    if 'pipeline_images_per_s_per_worker' in res:
        h, w = res['pipeline_source_size']
        source = 'JPEG files' if res['pipeline_loads_files'] else 'arrays'
        shipped = ('1 image, views built on the device' if res.get('views_on_device')
                   else f"{res['views']} views")
        line = (f"pipeline per worker (1 thread, {h}x{w} {source}), images/s: "
                f"config {res['pipeline_images_per_s_per_worker']:.1f} "
                f"({shipped}); one view (CE) "
                f"{res['ce_pipeline_images_per_s_per_worker']:.1f}")
        if 'pipeline_speedup_over_bcl' in res:
            ratio = res['pipeline_speedup_over_bcl']
            line += (f"; torchvision/PIL BCL "
                     f"{res['bcl_pipeline_images_per_s_per_worker']:.1f} (config / BCL "
                     f"{ratio:.2f})")
        lines.append(line)
    return '\n'.join(lines)


def compile_label(options) -> str:
    if options is None:
        return 'off'
    return options.get('mode', 'default') if set(options) <= {'mode'} else str(options)


def images_per_s_cell(res, model, part) -> str:
    value = res.get(f'{model}_{part}_images_per_s')
    return 'n/a' if value is None else f'{value:.1f}'


def apply_config_switches(cfg, args) -> None:
    """The config's own AMP / channels_last switches unless --amp is given."""
    optim = cfg.get('optim_wrapper') or {}
    if args.amp is None:
        args.amp = 'none'
        if optim.get('type') == 'AmpOptimWrapper':
            # dtype may be the string 'bfloat16' or the object torch.bfloat16
            args.amp = 'bf16' if 'bfloat16' in str(optim.get('dtype')) else 'fp16'
    preprocessor = setup.model_config(cfg).get('data_preprocessor') or {}
    args.channels_last = args.channels_last or bool(
        preprocessor.get('channels_last', False))


def run_config(args) -> dict:
    device = resolve_device(args.device)
    cfg = load_config(args.config, args.cfg_options)
    if not cfg.get('train_dataloader'):
        raise SystemExit(f'{args.config} has no train_dataloader: the benchmark times '
                         'its training pipeline and batch; give a training config.')
    args.batch_size = args.batch_size or cfg.train_dataloader.batch_size
    apply_config_switches(cfg, args)
    bm.check_amp(device, args.amp)
    args.compile_options = setup.resolve_compile(cfg, args.compile)
    if args.compile_options is not None:
        # the first calls compile; the optimiser's second step recompiles
        args.warmup = max(args.warmup, 2)
    pipeline = bm.build_pipeline(cfg.train_dataloader.dataset.pipeline)
    loader_views = bm.count_views(pipeline)
    device_views = setup.preprocessor_views(setup.model_config(cfg))
    args.total_views = device_views or loader_views
    source = bm.PipelineSource(pipeline, args.source_size, args.img_size)
    args.img_size = args.img_size or source.output_size
    res = dict(bm.device_info(device), config=args.config, amp=args.amp,
               channels_last=args.channels_last, compile=args.compile_options,
               compile_target=args.compile_target if args.compile_options else None,
               batch_size=args.batch_size,
               views=args.total_views, views_on_device=bool(device_views),
               img_size=args.img_size, iters=args.iters, warmup=args.warmup)
    res.update(time_models(cfg, args, device, loader_views))
    if not args.skip_pipeline:
        res.update(time_pipelines(pipeline, source, args))
    source.cleanup()
    print(report(res))
    return res


def run_loss_scaling(args) -> dict:
    from analysis_tools.loss_scaling import (format_estimate, loss_scaling,
                                             peak_estimate)
    device = resolve_device(args.device)
    points = loss_scaling(args.batches, dims=args.dims, iters=args.iters,
                          warmup=args.warmup, device=device,
                          progress=lambda point: say(f'skcl_loss {point}'))
    print('| B x V | N | nodes | d | ms fwd+bwd | peak MiB | N x N MiB | N x n MiB |')
    print('|---|---|---|---|---|---|---|---|')
    for p in points:
        print(f"| {p['batch']} x {p['views']} | {p['anchors']} | {p['num_nodes']} | "
              f"{p['dim']} | {p['ms']:.1f} | {p['peak_mib']:.1f} | "
              f"{p['nxn_mib']:.1f} | {p['nxnodes_mib']:.1f} |")
    # B = 1024 x 2 views with iNaturalist 2018's 8142 species (docs/benchmarks.md)
    estimate = peak_estimate(1024, 2, 8142, points)
    print(format_estimate(estimate))
    return dict(bm.device_info(device), points=points, estimate_b1024_8142_nodes=estimate)


def run_batch_transforms(args) -> dict:
    from analysis_tools.batch_transform_timing import (batch_transform_timing,
                                                       format_table)
    say('batch transforms, own and kornia, op by op')
    res = batch_transform_timing(args.batch_size or 256, args.iters, args.warmup,
                                 resolve_device(args.device))
    print(format_table(res))
    return res


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.batch_transforms:
        res = run_batch_transforms(args)
    else:
        res = run_loss_scaling(args) if args.loss_scaling else run_config(args)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(res, f, indent=2)
    return res


if __name__ == '__main__':
    run_main(main)
