"""Own batch transforms against kornia's equivalents: time per op and per view.

The ops and views are those of configs/_base_/datasets/pipelines/cifar_gpu_views.py.
Every op config gets the kornia transform with the same parameters
(:func:`kornia_transform`) wrapped as a delegating batch transform would run it
on (B, 3, H, W) float [0, 255] RGB images: scaled to [0, 1] and back where
kornia's op clamps to or assumes [0, 1] (colour jitter, AutoAugment), and
rounded (floored where the CPU reference truncates) so that the output keeps
the batch-transform contract of integer values. A whole view scales once on the
way in (before its first op that needs it) and once on the way out, as a
kornia pipeline would.

kornia is optional: :func:`import_kornia` says how to install it.
"""
import math
import os.path as osp
import statistics
import time
from typing import Callable, Dict, List, Sequence

import torch
from torch import Tensor, nn

from .benchmark import device_info, synchronize

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
VIEWS_CONFIG = 'configs/_base_/datasets/pipelines/cifar_gpu_views.py'


KORNIA_INSTALL = ('pip install kornia (0.9.0 measured; `pip install kornia --no-deps '
                  'kornia-rs` keeps the installed torch)')


def import_kornia():
    """``kornia.augmentation``, or an error that says how to install it."""
    try:
        import kornia.augmentation as K
    except ImportError as error:
        raise ModuleNotFoundError('tools/benchmark.py --batch-transforms runs kornia, '
                                  f'which is not installed ({error}); '
                                  f'{KORNIA_INSTALL}.') from None
    return K


class KorniaOp:
    """A kornia module run on [0, 255] images as a delegating batch transform.

    Args:
        module (nn.Module): The kornia augmentation.
        scaled (bool): Divide by 255 before and multiply after.
        rounding (Callable): ``torch.round`` or ``torch.floor`` on the output,
            or None where kornia only moves pixels (crop, flip).
    """

    def __init__(self, module: nn.Module, scaled: bool = False, rounding=torch.round):
        self.module = module
        self.scaled = scaled
        self.rounding = rounding

    def __call__(self, images: Tensor) -> Tensor:
        """(B, 3, H, W) float [0, 255] -> (B, 3, H', W') float [0, 255]."""
        x = images / 255. if self.scaled else images
        out = self.module(x)
        out = out * 255. if self.scaled else out
        return out if self.rounding is None else self.rounding(out).clamp(0., 255.)

    def __repr__(self) -> str:
        return f'KorniaOp({self.module.__class__.__name__})'


class KorniaView:
    """A view's kornia ops in a row: scaled to [0, 1] once, before the first op
    that needs it, and back at the end; no rounding in between."""

    def __init__(self, ops: Sequence[KorniaOp]):
        self.ops = list(ops)

    def __call__(self, images: Tensor) -> Tensor:
        x, scaled = images, False
        for op in self.ops:
            if op.scaled and not scaled:
                x, scaled = x / 255., True
            x = op.module(x)
        return x * 255. if scaled else x


def _jitter_args(cfg: dict) -> dict:
    return {key: cfg.get(key, 0.4 if key != 'hue' else 0.1)
            for key in ('brightness', 'contrast', 'saturation', 'hue')}


def kornia_transform(cfg: dict, K) -> KorniaOp:
    """kornia's transform with the parameters of one batch-transform config.

    Args:
        cfg (dict): A batch-transform config (``type`` and its arguments).
        K (module): ``kornia.augmentation``.

    Returns:
        KorniaOp: Callable on (B, 3, H, W) float [0, 255] images.
    """
    kind = cfg['type']
    if kind == 'BatchRandomCrop':
        size, fill = cfg.get('size', 32), cfg.get('pad_val', 0)
        fill = [float(v) for v in fill] if isinstance(fill, Sequence) else float(fill)
        return KorniaOp(K.RandomCrop((size, size), padding=cfg.get('padding', 4),
                                     fill=fill), rounding=None)
    if kind == 'BatchRandomFlip':
        return KorniaOp(K.RandomHorizontalFlip(p=cfg.get('prob', 0.5)), rounding=None)
    if kind == 'BatchRandomResizedCrop':
        size = cfg.get('size', 32)
        return KorniaOp(K.RandomResizedCrop(
            (size, size), scale=tuple(cfg.get('scale', (0.2, 1.0))),
            ratio=tuple(cfg.get('ratio', (3. / 4., 4. / 3.)))))
    if kind == 'BatchColorJitter':  # PIL's blends truncate
        return KorniaOp(K.ColorJitter(**_jitter_args(cfg), p=1.), True, torch.floor)
    if kind == 'BatchRandomApply' and [t['type'] for t in cfg['transforms']] == [
            'BatchColorJitter']:
        return KorniaOp(K.ColorJitter(**_jitter_args(cfg['transforms'][0]),
                                      p=cfg.get('prob', 0.5)), True, torch.floor)
    if kind == 'BatchRandomGrayscale':  # mmcv truncates (astype uint8)
        weights = torch.tensor(cfg.get('channel_weights', (0.299, 0.587, 0.114)))
        return KorniaOp(K.RandomGrayscale(rgb_weights=weights / weights.sum(),
                                          p=cfg.get('prob', 0.2)), rounding=torch.floor)
    if kind == 'BatchGaussianBlur':  # 3 sigma each side; PIL replicates edges
        sigma = tuple(cfg.get('sigma', (0.1, 2.0)))
        kernel = 2 * math.ceil(3 * sigma[1]) + 1
        return KorniaOp(K.RandomGaussianBlur((kernel, kernel), sigma, border_type='replicate',
                                             p=cfg.get('prob', 0.5)))
    if kind == 'BatchCifarAutoAugment' and cfg.get('policies') is None:
        from kornia.augmentation.auto import AutoAugment
        return KorniaOp(AutoAugment('cifar10'), scaled=True)
    raise ValueError(f'No kornia equivalent is defined for {cfg}; the comparison covers '
                     'the ops of cifar_gpu_views.py (BatchCutout has none: kornia\'s '
                     'RandomErasing draws the hole size and keeps it inside the image).')


def config_views() -> Dict[str, List[dict]]:
    """The regular and sim views of cifar_gpu_views.py: name -> op configs."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, VIEWS_CONFIG))
    return dict(regular=[dict(t) for t in cfg.gpu_regular_view],
                sim=[dict(t) for t in cfg.gpu_sim_view])


def time_pair(ours: Callable, theirs: Callable, images: Tensor, iters: int,
              warmup: int, device: torch.device) -> Dict[str, float]:
    """Median ms of both callables on ``images``, run alternately.

    Each repeat runs both, in an order that alternates between repeats, so
    that load changes of a shared machine hit both alike; ``ratio`` is the
    median of the per-repeat ratios kornia / own.

    Returns:
        dict: ``own_ms``, ``kornia_ms``, ``ratio``.
    """
    if iters < 1 or warmup < 0:
        raise ValueError(f'need iters >= 1 and warmup >= 0, got {iters}, {warmup}.')
    fns = dict(own=ours, kornia=theirs)
    for _ in range(warmup):
        for fn in fns.values():
            fn(images)
    times = {name: [] for name in fns}
    for repeat in range(iters):
        for name in (list(fns) if repeat % 2 == 0 else list(fns)[::-1]):
            synchronize(device)
            start = time.perf_counter()
            fns[name](images)
            synchronize(device)
            times[name].append(time.perf_counter() - start)
    ratios = [k / o for k, o in zip(times['kornia'], times['own'])]
    return dict(own_ms=1e3 * statistics.median(times['own']),
                kornia_ms=1e3 * statistics.median(times['kornia']),
                ratio=statistics.median(ratios))


def _label(cfg: dict) -> str:
    args = ', '.join(f'{k}={v}' for k, v in cfg.items() if k not in ('type', 'transforms'))
    inner = ''.join(f'{t["type"]}, ' for t in cfg.get('transforms', []))
    return f"{cfg['type']}({inner}{args})"


def batch_transform_timing(batch_size: int = 256, iters: int = 15, warmup: int = 3,
                           device: torch.device = torch.device('cpu'),
                           seed: int = 0) -> Dict:
    """Own vs kornia, per op of the two views and per whole view.

    Args:
        batch_size (int): B of the (B, 3, 32, 32) float [0, 255] batch.
        iters (int): Timed repeats (medians).
        warmup (int): Untimed repeats first.
        device (torch.device): Where the images and transforms run.
        seed (int): Of the random images and of torch's RNG.

    Returns:
        dict: device info, versions, settings and ``rows`` (one per op, then
        ``view:regular`` and ``view:sim``) with ``own_ms``, ``kornia_ms`` and
        ``ratio`` (the adoption rule is in docs/pipelines.md).
    """
    K = import_kornia()
    import kornia

    from mmpretrain.registry import MODELS
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (batch_size, 3, 32, 32), generator=generator)
    images = images.float().to(device)
    views = config_views()
    rows, seen = [], []
    for view, cfgs in views.items():
        for cfg in cfgs:
            if cfg in seen:
                continue
            seen.append(cfg)
            timing = time_pair(MODELS.build(cfg), kornia_transform(cfg, K), images,
                               iters, warmup, device)
            rows.append(dict(op=_label(cfg), view=view, **timing))
    for view, cfgs in views.items():
        own = [MODELS.build(cfg) for cfg in cfgs]
        theirs = KorniaView([kornia_transform(cfg, K) for cfg in cfgs])
        timing = time_pair(lambda x, ops=own: _chain(ops, x), theirs, images, iters,
                           warmup, device)
        rows.append(dict(op=f'view:{view}', view=view, **timing))
    return dict(device_info(device), kornia_version=kornia.__version__,
                batch_size=batch_size, iters=iters, warmup=warmup, seed=seed, rows=rows)


def _chain(ops: Sequence[Callable], images: Tensor) -> Tensor:
    for op in ops:
        images = op(images)
    return images


def format_table(res: Dict) -> str:
    """The printed report of :func:`batch_transform_timing`."""
    lines = [f"device {res['device']} ({res['device_name']}), torch {res['torch_version']}, "
             f"kornia {res['kornia_version']}, {res['num_threads']} threads, "
             f"{res['cpu_cores']} CPU cores",
             f"batch ({res['batch_size']}, 3, 32, 32) float [0, 255], median of "
             f"{res['iters']} (warmup {res['warmup']}), own and kornia alternating",
             '| op | own ms | kornia ms | kornia / own |',
             '|---|---|---|---|']
    for row in res['rows']:
        lines.append(f"| {row['op']} | {row['own_ms']:.2f} | {row['kornia_ms']:.2f} | "
                     f"{row['ratio']:.2f} |")
    return '\n'.join(lines)
