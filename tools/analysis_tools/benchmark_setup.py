"""Synthetic inputs and ready-to-train models for tools/benchmark.py."""
import copy
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from torch import Tensor

AMP_DTYPES = {'none': None, 'fp16': torch.float16, 'bf16': torch.bfloat16}


def long_tail_counts(num_classes: int, max_count: int = 500,
                     imbalance: float = 100.0) -> List[int]:
    """The dataset wrapper's CIFAR-LT profile, at least 1 image per class."""
    from skcl_mm.datasets.long_tail_hierarchy import \
        long_tail_counts as profile
    return [max(1, n) for n in profile(max_count, num_classes, imbalance)]


def random_graph(num_fine: int, num_nodes: int, k: int,
                 generator: torch.Generator) -> Tensor:
    """A valid (n_fine, K) neighbour table: K distinct node ids != y per row.

    Args:
        num_fine (int): fine classes (node ids 0..n_fine-1).
        num_nodes (int): all nodes; K <= num_nodes - 1.
        k (int): neighbours per class.
        generator (torch.Generator): source of randomness.

    Returns:
        Tensor: (num_fine, k) long.
    """
    if k > num_nodes - 1:
        raise ValueError(f'K={k} needs at least {k + 1} nodes, got {num_nodes}.')
    scores = torch.rand(num_fine, num_nodes, generator=generator)
    scores[torch.arange(num_fine), torch.arange(num_fine)] = -1.0  # never y
    return scores.topk(k, dim=1).indices


def level_num_classes(head) -> List[int]:
    """Classes per level, coarsest first (one level for a plain ClsHead)."""
    if hasattr(head, 'level_num_classes'):
        return list(head.level_num_classes)
    return [int(head.num_classes)]


def prepare_head(head, seed: int = 0) -> None:
    """Give an SKCLHead a random graph and long-tailed counts (no-op otherwise)."""
    generator = torch.Generator().manual_seed(seed)
    levels = level_num_classes(head)
    if hasattr(head, 'set_class_counts'):
        head.set_class_counts([long_tail_counts(n) for n in levels])
    request = (head.semantic_graph_request()
               if hasattr(head, 'semantic_graph_request') else None)
    if request is not None:
        table = random_graph(levels[-1], sum(levels), request.num_neighbours,
                             generator)
        head.set_semantic_graph(table)


def synthetic_labels(batch: int, levels: Sequence[int],
                     generator: torch.Generator) -> Tensor:
    """(B, n_levels) labels, coarsest first; level l label = fine % size_l."""
    fine = torch.randint(levels[-1], (batch, ), generator=generator)
    return torch.stack([fine % n for n in levels[:-1]] + [fine], dim=1)


def synthetic_batch(batch: int, views: int, img_size: int,
                    levels: Sequence[int], seed: int = 0, pin: bool = False) -> Dict:
    """A collated batch as the train dataloader gives it (default_collate).

    Args:
        batch (int): B samples.
        views (int): V views per sample (1: a single (B, 3, H, W) tensor).
        img_size (int): H = W.
        levels (Sequence[int]): classes per level, coarsest first.
        seed (int): Defaults to 0.
        pin (bool): Page-locked images, as the tools' GPU dataloaders give
            (``pin_memory=True``), so host-to-device copies are timed as in
            training. Needs CUDA. Defaults to False.

    Returns:
        dict: ``inputs`` (a uint8 (B, 3, H, W) tensor, or a list of V of
        them) and ``data_samples`` (B DataSample with ``gt_label`` and
        ``gt_level_labels``).
    """
    from mmpretrain.structures import DataSample
    generator = torch.Generator().manual_seed(seed)
    shape = (batch, 3, img_size, img_size)
    images = [torch.randint(0, 256, shape, generator=generator,
                            dtype=torch.uint8) for _ in range(views)]
    if pin:
        images = [image.pin_memory() for image in images]
    labels = synthetic_labels(batch, levels, generator)
    samples = []
    for row in labels:
        sample = DataSample().set_gt_label(int(row[-1]))
        sample.set_field(row.clone(), 'gt_level_labels')
        samples.append(sample)
    inputs = images if views > 1 else images[0]
    return dict(inputs=inputs, data_samples=samples)


def model_config(cfg) -> dict:
    """The config's model with its data preprocessor, as the Runner merges it."""
    model = copy.deepcopy(cfg.model)
    if model.get('data_preprocessor') is None and cfg.get('data_preprocessor'):
        model['data_preprocessor'] = copy.deepcopy(cfg.data_preprocessor)
    return model


def resolve_compile(cfg, mode: Optional[str] = None) -> Optional[dict]:
    """``torch.compile`` options of a benchmark run.

    Args:
        cfg (Config): the config; its ``compile`` key is the Runner's switch
            (bool or a dict of ``torch.compile`` arguments).
        mode (str, optional): ``--compile``: ``'none'``, ``'default'`` or a
            ``torch.compile`` mode; wins over the config.

    Returns:
        dict | None: keyword arguments of ``torch.compile``; None for eager.
    """
    if mode is not None:
        if mode == 'none':
            return None
        return {} if mode == 'default' else dict(mode=mode)
    option = cfg.get('compile')
    if option is None or option is False:
        return None
    if option is True:
        return {}
    if not isinstance(option, dict):
        raise ValueError(f'config compile must be a bool or a dict of '
                         f'torch.compile arguments, got {option!r}.')
    return dict(option)


def preprocessor_views(model: dict) -> Optional[int]:
    """Views the data preprocessor builds on the device (GPUAugmentDataPreprocessor), else None."""
    views = (model.get('data_preprocessor') or {}).get('views')
    return sum(int(view['num_views']) for view in views) if views else None


def ce_model_config(model: dict, num_classes: int) -> dict:
    """Same backbone, neck and preprocessor with a LinearClsHead (CE, one view;
    a preprocessor that builds views on the device builds only view 0)."""
    ce = copy.deepcopy(model)
    views = (ce.get('data_preprocessor') or {}).get('views')
    if views:
        ce['data_preprocessor']['views'] = [dict(views[0], num_views=1)]
    in_channels = model['head'].get('in_channels')
    if in_channels is None:
        raise ValueError('the CE baseline needs model.head.in_channels (the '
                         'neck width) in the config; got none.')
    ce['head'] = dict(type='LinearClsHead', num_classes=num_classes,
                      in_channels=in_channels,
                      loss=dict(type='CrossEntropyLoss', loss_weight=1.0))
    return ce


def build_model(model_cfg: dict, device: torch.device,
                channels_last: bool = False):
    """Build a classifier from ``model_cfg`` in train mode on ``device``."""
    from mmengine.registry import init_default_scope

    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    model_cfg = copy.deepcopy(model_cfg)
    if channels_last:
        preprocessor = model_cfg.setdefault(
            'data_preprocessor', dict(type='MultiViewClsDataPreprocessor'))
        preprocessor['channels_last'] = True
    model = MODELS.build(model_cfg)
    prepare_head(model.head)
    return model.to(device).train()


def optim_wrapper_config(optim_cfg: Optional[dict], device: torch.device,
                         amp: str = 'none') -> dict:
    """The optimiser wrapper config a benchmark step runs with.

    ``AmpOptimWrapper`` for ``amp`` on a GPU: fp16 keeps the config's loss
    scale (dynamic by default); bf16 needs none, and a GradScaler would read
    its inf check back to the host every step, so it is disabled
    (``loss_scale=dict(enabled=False)``, the switch the README gives for bf16
    training). On a CPU the wrapper stays plain: the caller autocasts.
    """
    optim_cfg = copy.deepcopy(optim_cfg or dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9)))
    optim_cfg.pop('type', None)
    if amp != 'none' and device.type == 'cuda':
        optim_cfg.update(type='AmpOptimWrapper',
                         dtype='float16' if amp == 'fp16' else 'bfloat16')
        if amp == 'bf16':
            optim_cfg['loss_scale'] = dict(enabled=False)
    else:
        optim_cfg['type'] = 'OptimWrapper'
        optim_cfg.pop('dtype', None)
        optim_cfg.pop('loss_scale', None)
    return optim_cfg


def build_optim_wrapper(model, optim_cfg: Optional[dict],
                        device: torch.device, amp: str = 'none'):
    """The config's optimiser, wrapped as :func:`optim_wrapper_config` says."""
    from mmengine.optim import build_optim_wrapper as build
    return build(model, optim_wrapper_config(optim_cfg, device, amp))


def random_images(num: int, size: Union[int, Sequence[int]],
                  seed: int = 0) -> List[np.ndarray]:
    """``num`` uint8 (H, W, 3) RGB images.

    Uniform noise up to 32x32 (CIFAR-size inputs); larger images are smooth
    (bicubic upsampling of a coarse noise grid), so that their JPEG files
    come near natural photos' size.

    Args:
        num (int): Number of images.
        size (int | Sequence[int]): H = W, or (H, W).
        seed (int): Defaults to 0.
    """
    h, w = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    rng = np.random.default_rng(seed)
    if max(h, w) <= 32:
        return [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for _ in range(num)]
    from PIL import Image
    coarse = (max(2, w // 16), max(2, h // 16))
    return [np.asarray(Image.fromarray(
        rng.integers(0, 256, (coarse[1], coarse[0], 3), dtype=np.uint8)).resize(
            (w, h), Image.BICUBIC)) for _ in range(num)]
