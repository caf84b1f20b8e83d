"""End-to-end training images/s of the ImageNet-LT views: CPU decoding vs device decoding.

    python tools/analysis_tools/decode_throughput.py [--device cuda] [--images 512]
        [--batch-size 64] [--workers 8] [--iters 10 --warmup 2 | --seconds 30]
        [--crop-size 224] [--height 375 --width 500 --quality 90] [--json FILE]

Writes ``--images`` JPEGs of ImageNet's typical size (375 x 500, quality 90,
textured noise) into a temporary folder, then measures, for each path, how
many training images per second become model input on ``--device`` (one
image = all its views, normalised, on the device):

* ``cpu``: configs/skcl_resnet50_imagenetlt.py's ``multi_view_train_pipeline``
  (decode + 3 views in ``--workers`` DataLoader workers) and its
  MultiViewClsDataPreprocessor;
* ``gpu``: configs/skcl_resnet50_imagenetlt_gpudecode.py: the workers read
  bytes (LoadImageBytes), GPUDecodeDataPreprocessor decodes and builds the
  views on ``--device``.

Each path also reports ``worker_images_per_s`` (one process running the
pipeline on one image at a time: what one worker delivers), the
preprocessor's own rate on a ready batch (``preprocessor_images_per_s``) and,
on CUDA, the peak device memory. ``--crop-size`` shrinks the views (and
nothing else) for quick runs on a CPU.
"""
import argparse
import json
import os.path as osp
import statistics
import sys
import tempfile
import time
from typing import Dict, List

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {'cpu': 'configs/skcl_resnet50_imagenetlt.py',
           'gpu': 'configs/skcl_resnet50_imagenetlt_gpudecode.py'}


def write_jpegs(folder: str, num: int, height: int, width: int, quality: int) -> List[str]:
    """``num`` textured RGB JPEGs (gradients + noise, so they compress like photos)."""
    from PIL import Image
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:height, 0:width]
    paths = []
    for index in range(num):
        base = np.stack([(x * 0.5 + y * 0.2 + index) % 256, (y * 0.6) % 256,
                         128 + 60 * np.sin((x + index) / 13.)], -1)
        pixels = (base + rng.normal(0, 25, base.shape)).clip(0, 255).astype(np.uint8)
        path = osp.join(folder, f'img_{index:05d}.JPEG')
        Image.fromarray(pixels).save(path, quality=quality)
        paths.append(path)
    return paths


def load_path_config(path: str, crop_size: int):
    """Train pipeline and preprocessor config of ``path`` with views of ``crop_size``."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, CONFIGS[path]))
    pipeline = cfg.train_dataloader.dataset.pipeline
    for view in pipeline[1].transforms if path == 'cpu' else []:
        for transform in view:
            if transform['type'] == 'RandomResizedCrop':
                transform['scale'] = crop_size
    pre = cfg.data_preprocessor
    for view in pre.get('views', []):
        view.crop.size = crop_size
    return pipeline, pre


class FileDataset:
    """Samples ``dict(img_path, gt_label)`` through an mmcv pipeline."""

    def __init__(self, paths: List[str], pipeline: list):
        from mmcv.transforms import Compose
        from mmengine.registry import DefaultScope
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            self.pipeline = Compose(pipeline)
        self.paths = paths

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> dict:
        return self.pipeline(dict(img_path=self.paths[index], gt_label=index % 10))


def worker_rate(dataset: FileDataset, count: int) -> float:
    """Images/s of one process running the pipeline image by image."""
    start = time.perf_counter()
    for index in range(count):
        dataset[index % len(dataset)]
    return count / (time.perf_counter() - start)


def _loader(dataset, args, device):
    import torch
    from mmengine.dataset import pseudo_collate
    return torch.utils.data.DataLoader(
        dataset, batch_size=args.batch_size, shuffle=True, drop_last=True,
        num_workers=args.workers, collate_fn=pseudo_collate,
        persistent_workers=args.workers > 0, pin_memory=device.type == 'cuda')


def _batches(loader):
    while True:
        yield from loader


def run_loop(loader, pre, args, device, synchronize) -> Dict:
    """Images/s from the loader to normalised views on the device."""
    batches = _batches(loader)
    for _ in range(args.warmup):
        pre(next(batches), training=True)
    synchronize(device)
    start, images, steps = time.perf_counter(), 0, 0
    while (steps < args.iters if args.seconds is None
           else time.perf_counter() - start < args.seconds):
        out = pre(next(batches), training=True)
        images += len(out['data_samples'])
        steps += 1
    synchronize(device)
    elapsed = time.perf_counter() - start
    return dict(images_per_s=images / elapsed, steps=steps, seconds=elapsed,
                views_shape=list(out['inputs'].shape))


def measure_path(path: str, files: List[str], args, device) -> Dict:
    """Throughput, per-worker rate, preprocessor rate and peak memory of one path."""
    import torch
    from analysis_tools.benchmark import synchronize

    from mmpretrain.registry import MODELS
    pipeline, pre_cfg = load_path_config(path, args.crop_size)
    dataset = FileDataset(files, pipeline)
    pre = MODELS.build(pre_cfg).to(device)
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
    result = run_loop(_loader(dataset, args, device), pre, args, device, synchronize)
    result['worker_images_per_s'] = worker_rate(dataset, min(len(files), 32))
    from mmengine.dataset import pseudo_collate
    batch = pseudo_collate([dataset[i] for i in range(args.batch_size)])
    times = []
    for _ in range(3):
        synchronize(device)
        start = time.perf_counter()
        pre(batch, training=True)
        synchronize(device)
        times.append(time.perf_counter() - start)
    result['preprocessor_images_per_s'] = args.batch_size / statistics.median(times)
    if device.type == 'cuda':
        result['peak_memory_mib'] = torch.cuda.max_memory_allocated(device) / 2**20
    result.update(config=CONFIGS[path], workers=args.workers, batch_size=args.batch_size)
    return result


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--device', default='cpu', help="'cpu', 'cuda', 'cuda:1'")
    parser.add_argument('--images', type=int, default=128)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--iters', type=int, default=3, help='timed batches per path')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--seconds', type=float, default=None,
                        help='time each path this long instead of --iters batches')
    parser.add_argument('--crop-size', type=int, default=224)
    parser.add_argument('--height', type=int, default=375)
    parser.add_argument('--width', type=int, default=500)
    parser.add_argument('--quality', type=int, default=90)
    parser.add_argument('--paths', nargs='+', default=['cpu', 'gpu'], choices=['cpu', 'gpu'])
    parser.add_argument('--json', default=None, help='write the results here')
    args = parser.parse_args(argv)
    for name in ('images', 'batch_size', 'iters', 'crop_size', 'height', 'width'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be >= 1, got {getattr(args, name)}')
    if args.workers < 0 or args.warmup < 0:
        parser.error('--workers and --warmup must be >= 0')
    if args.batch_size > args.images:
        parser.error(f'--batch-size ({args.batch_size}) must be <= --images '
                     f'({args.images}): the loader drops incomplete batches')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch
    from analysis_tools.benchmark import device_info

    import skcl_mm  # noqa: F401  (registers the transforms and preprocessors)
    device = torch.device(args.device)
    report = dict(info=device_info(device), args=vars(args), paths={})
    with tempfile.TemporaryDirectory() as folder:
        files = write_jpegs(folder, args.images, args.height, args.width, args.quality)
        for path in args.paths:
            report['paths'][path] = measure_path(path, files, args, device)
            rates = report['paths'][path]
            print(f"{path}: {rates['images_per_s']:.1f} images/s end to end, one worker "
                  f"{rates['worker_images_per_s']:.1f}, preprocessor "
                  f"{rates['preprocessor_images_per_s']:.1f} ({CONFIGS[path]})", flush=True)
    if len(report['paths']) == 2:
        report['gpu_over_cpu'] = (report['paths']['gpu']['images_per_s']
                                  / report['paths']['cpu']['images_per_s'])
        print(f"gpu / cpu: {report['gpu_over_cpu']:.2f}x")
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.path[:0] = [REPO, osp.join(REPO, 'tools')]
    sys.exit(main())
