"""DeviceResidentLoader: a whole uint8 training set on the device, batched there.

For CIFAR-LT the training subset is small (10,847 x 3 x 32 x 32 uint8, 33 MB):
it is read once, moved to the training device, and every batch is one
``index_select`` there. The order is the sampler's (``DefaultSampler`` as
configured, so each rank of a distributed run gets its own shard, exactly as
with a DataLoader): drawn on the host once per epoch and copied to the device
once (N int64). No workers, no per-step host-to-device copies; the views are
made by :class:`~skcl_mm.models.data_preprocessors.GPUAugmentDataPreprocessor`.
Built by :class:`~skcl_mm.engine.runner.DeviceResidentEpochBasedTrainLoop`.
"""
import copy
import logging
from typing import Iterator, Optional

import torch
from mmengine.logging import print_log

from mmpretrain.registry import DATA_SAMPLERS, DATASETS
from skcl_mm.structures.batch_labels import BatchLabels
from .device_resident_data import (check_resident_pipeline,
                                   read_resident_samples)

# DataLoader settings with no meaning here (there are no workers to start).
IGNORED_KEYS = ('num_workers', 'persistent_workers', 'pin_memory', 'prefetch_factor',
                'collate_fn', 'worker_init_fn', 'timeout', 'multiprocessing_context',
                'pin_memory_device', 'in_order', 'disable_subprocess_warning')
USED_KEYS = ('dataset', 'sampler', 'batch_size', 'drop_last')


def _check_loader_cfg(cfg: dict) -> None:
    unknown = sorted(set(cfg) - set(USED_KEYS) - set(IGNORED_KEYS))
    if unknown:
        raise ValueError(
            f'DeviceResidentEpochBasedTrainLoop: train_dataloader keys {unknown} are not '
            f'supported by the device-resident loader (it uses {list(USED_KEYS)} and '
            f'ignores the worker settings); remove them, or train with the dataloader.')
    for key in ('dataset', 'sampler', 'batch_size'):
        if key not in cfg:
            raise ValueError(f'DeviceResidentEpochBasedTrainLoop: train_dataloader needs '
                             f"{key} (e.g. sampler=dict(type='DefaultSampler', "
                             'shuffle=True), batch_size=256).')
    size = cfg['batch_size']
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f'train_dataloader.batch_size must be an int >= 1, got {size!r}.')


class DeviceResidentLoader:
    """Batches of a device-resident uint8 dataset in the sampler's order.

    Args:
        dataloader_cfg (dict): The config's ``train_dataloader`` (``dataset``,
            ``sampler``, ``batch_size``, ``drop_last``; worker settings are
            ignored with one log line).
        device (torch.device | str): Where images and labels live (the model's
            device).
        seed (int, optional): The run's seed (``runner.seed``).
        diff_rank_seed (bool): ``randomness.diff_rank_seed``; as in
            ``Runner.build_dataloader`` the sampler then gets ``seed=None``
            (rank 0 draws one and broadcasts it).

    Each batch is ``dict(inputs=(B, 3, H, W) uint8, data_samples=BatchLabels)``
    on ``device``; ``len()`` counts batches per epoch (``drop_last`` honoured).
    """

    def __init__(self, dataloader_cfg: dict, device='cpu', seed: Optional[int] = None,
                 diff_rank_seed: bool = False):
        cfg = copy.deepcopy(dict(dataloader_cfg))
        _check_loader_cfg(cfg)
        dataset = cfg['dataset']
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
            if hasattr(dataset, 'full_init'):
                dataset.full_init()
        check_resident_pipeline(dataset)
        self.dataset = dataset
        self.sampler = cfg['sampler']
        if isinstance(self.sampler, dict):
            self.sampler = DATA_SAMPLERS.build(self.sampler, default_args=dict(
                dataset=dataset, seed=None if diff_rank_seed else seed))
        self.batch_size = cfg['batch_size']
        self.drop_last = bool(cfg.get('drop_last', False))
        self.device = torch.device(device)
        images, labels, levels = read_resident_samples(dataset)
        self.images = images.to(self.device)
        self.gt_label = labels.to(self.device)
        self.gt_level_labels = None if levels is None else levels.to(self.device)
        self._log(sorted(set(cfg) & set(IGNORED_KEYS)))

    def _log(self, ignored) -> None:
        num, channels, height, width = self.images.shape
        size = self.images.numel() / 2**20
        ignored = f'; ignored: {", ".join(ignored)} (no workers)' if ignored else ''
        print_log(f'DeviceResidentLoader: {num} images ({channels}x{height}x{width} uint8, '
                  f'{size:.1f} MiB) and labels on {self.device}; batches of '
                  f'{self.batch_size} drawn there in {type(self.sampler).__name__} '
                  f'order{ignored}.', logger='current', level=logging.INFO)

    def __len__(self) -> int:
        """Batches per epoch."""
        num = len(self.sampler)
        return num // self.batch_size if self.drop_last else -(-num // self.batch_size)

    def __iter__(self) -> Iterator[dict]:
        # The epoch's order: drawn on the host, one copy to the device.
        order = torch.as_tensor(list(self.sampler), dtype=torch.long).to(self.device)
        for batch in range(len(self)):
            index = order[batch * self.batch_size:(batch + 1) * self.batch_size]
            yield self.batch(index)

    def batch(self, index: torch.Tensor) -> dict:
        """The batch of dataset indices ``index`` (B, ) (on ``device``).

        Returns:
            dict: ``inputs`` (B, 3, H, W) uint8 and ``data_samples``
            (:class:`BatchLabels` of B samples).
        """
        levels = self.gt_level_labels
        labels = BatchLabels(self.gt_label.index_select(0, index),
                             None if levels is None else levels.index_select(0, index),
                             index)
        return dict(inputs=self.images.index_select(0, index), data_samples=labels)
