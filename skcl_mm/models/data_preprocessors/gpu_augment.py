"""GPUAugmentDataPreprocessor: the training views built on the device.

The CPU pipeline ships each image once, as uint8 (``PackInputs`` only); this
preprocessor moves the batch to the model's device and runs the configured
batch transforms (:mod:`skcl_mm.datasets.transforms.batch`) once per view, so
the GPU does the augmentation work that otherwise binds CIFAR training to the
CPU workers.
"""
from typing import List, Sequence

import torch
from mmengine.dist import all_gather, get_world_size

from mmpretrain.registry import MODELS
from skcl_mm.structures.batch_labels import BatchLabels
from .multi_view import MultiViewClsDataPreprocessor, is_multi_view
from .view_order import stack_views


def _check_views(views) -> List[dict]:
    if not isinstance(views, (list, tuple)) or not views:
        raise ValueError('GPUAugmentDataPreprocessor needs views=[dict(num_views=N, '
                         f'transforms=[...]), ...], got {views!r}.')
    for index, view in enumerate(views):
        if not isinstance(view, dict) or set(view) != {'num_views', 'transforms'}:
            raise ValueError(f'views[{index}] must be dict(num_views=N, transforms=[...])'
                             f', got {view!r}.')
        count = view['num_views']
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError(f'views[{index}].num_views must be an int >= 1, got {count!r}.')
        if not isinstance(view['transforms'], (list, tuple)):
            raise ValueError(f'views[{index}].transforms must be a list of batch '
                             f'transform configs, got {view["transforms"]!r}.')
    return list(views)


def check_ranks_draw_differently(device: torch.device,
                                 owner: str = 'GPUAugmentDataPreprocessor') -> None:
    """Raise when every rank's random stream on ``device`` is the same.

    The batch transforms draw from torch's global generator of the device.
    With one seed on every rank (mmengine's default, ``diff_rank_seed=False``),
    sample b of every GPU would get the same crop, flip and colour draws,
    unlike the dataloader pipeline, whose workers are seeded per rank. Costs
    one all_gather of 4 numbers; nothing in a single process.

    Args:
        device (torch.device): Where the transforms draw (the batch's device).
        owner (str): The preprocessor that asks, for the message.
    """
    if get_world_size() < 2:
        return
    draws = [tuple(draw.tolist()) for draw in all_gather(torch.rand(4, device=device))]
    twins = [rank for rank, draw in enumerate(draws) if draws.index(draw) != rank]
    if twins:
        raise RuntimeError(
            f'{owner}: ranks {twins} draw the same random '
            'numbers as a lower rank, so their GPU-side views would repeat. Seed '
            'the ranks differently: randomness=dict(seed=..., '
            'diff_rank_seed=True) in the config (the shipped _gpuaug, _resident, '
            '_fast and _gpudecode configs set it).')


@MODELS.register_module()
class GPUAugmentDataPreprocessor(MultiViewClsDataPreprocessor):
    """Builds V augmented views of a single-view uint8 batch on the device.

    Training input is what ``PackInputs`` gives for one image per sample: a
    (B, 3, H, W) uint8 tensor or a list of B (3, H, W) uint8 tensors, RGB.
    Each entry of ``views`` runs its batch transforms ``num_views`` times on
    the whole batch, each time with fresh per-sample randomness (torch's RNG
    on the device); the views go view-major on the batch axis, then mean/std
    as in :class:`MultiViewClsDataPreprocessor`. Validation and test batches
    (``training=False``) are only normalised. In a distributed run the first
    training batch checks that the ranks draw different random numbers
    (:func:`check_ranks_draw_differently`; the config needs
    ``randomness=dict(..., diff_rank_seed=True)``).

    Args:
        views (list[dict]): ``dict(num_views=N, transforms=[batch transform
            configs])`` per kind of view, in output order (view 0 first).
        **kwargs: :class:`MultiViewClsDataPreprocessor` arguments (``mean``,
            ``std``, ``channels_last``, ...). ``to_rgb`` must be False (the
            colour transforms take RGB) and ``batch_augments`` unset.

    Example:
        >>> preprocessor = GPUAugmentDataPreprocessor(
        ...     views=[dict(num_views=1, transforms=[
        ...         dict(type='BatchRandomFlip', prob=0.5)])],
        ...     mean=[125.3, 123.0, 113.9], std=[63.0, 62.1, 66.7])
    """

    def __init__(self, views: Sequence[dict], **kwargs):
        if kwargs.get('to_rgb'):
            raise ValueError('GPUAugmentDataPreprocessor takes RGB images (its colour '
                             'transforms assume RGB); set to_rgb=False and load RGB '
                             '(mmpretrain\'s CIFAR datasets are RGB).')
        if kwargs.get('batch_augments'):
            raise ValueError('GPUAugmentDataPreprocessor does not run batch_augments '
                             '(Mixup/CutMix across views is undefined); remove them.')
        super().__init__(**kwargs)
        self.views = _check_views(views)
        self.view_transforms = [[MODELS.build(t) for t in view['transforms']]
                                for view in self.views]
        self._ranks_checked = False

    @property
    def num_views(self) -> int:
        """V, the number of views a training batch becomes."""
        return sum(view['num_views'] for view in self.views)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Augment (training) and normalise.

        Args:
            data (dict): ``inputs`` (single-view uint8 batch) and optional
                ``data_samples`` (list of B DataSample, or a
                :class:`~skcl_mm.structures.BatchLabels`, passed on as it is).
            training (bool): Build the views (True) or only normalise.

        Returns:
            dict: ``inputs`` (V*B, 3, H, W) float in training, else (B, 3, H,
            W); ``data_samples`` as given, labels on the device.
        """
        if not training:
            return super().forward(data, training)
        images = self._device_batch(data['inputs'])
        if not self._ranks_checked:
            check_ranks_draw_differently(images.device)
            self._ranks_checked = True
        views = [self._augment(images, transforms)
                 for view, transforms in zip(self.views, self.view_transforms)
                 for _ in range(view['num_views'])]
        labels = data.get('data_samples')
        if not isinstance(labels, BatchLabels):
            return super().forward({**data, 'inputs': stack_views(views)}, training)
        # Device-resident batches: the labels are tensors already; skip the
        # per-sample label loop of ClsDataPreprocessor.
        out = super().forward({'inputs': stack_views(views)}, training)
        if labels.device != images.device:
            labels = labels.to(images.device, non_blocking=True)
        return {**out, 'data_samples': labels}

    def _device_batch(self, inputs) -> torch.Tensor:
        """(B, 3, H, W) float32 in [0, 255] on the model's device."""
        if is_multi_view(inputs):
            raise ValueError('GPUAugmentDataPreprocessor builds the views itself: '
                             'the train pipeline must ship one image per sample '
                             '(PackInputs only, no MultiView); got a multi-view batch.')
        if not isinstance(inputs, torch.Tensor):
            shapes = sorted({tuple(img.shape) for img in inputs})
            if len(shapes) != 1:
                raise ValueError('GPUAugmentDataPreprocessor needs images of one size '
                                 f'per batch, got {shapes}; resize or crop them in the '
                                 'pipeline first.')
            inputs = torch.stack(list(inputs))
        if inputs.dim() != 4 or inputs.shape[1] != 3:
            raise ValueError('GPUAugmentDataPreprocessor expects (B, 3, H, W) RGB '
                             f'images, got {tuple(inputs.shape)}.')
        images = self.cast_data(inputs)
        if images.device.type == 'mps':
            raise ValueError('GPUAugmentDataPreprocessor: the batch transforms compute '
                             'in float64 to match PIL/cv2 exactly, which Apple GPUs '
                             '(mps) do not have; train with the dataloader views '
                             '(configs/skcl_resnet32_cifar100lt.py) there.')
        return images.float()

    @staticmethod
    def _augment(images: torch.Tensor, transforms) -> torch.Tensor:
        for transform in transforms:
            images = transform(images)
        return images
