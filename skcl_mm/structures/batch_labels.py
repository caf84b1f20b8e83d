"""BatchLabels: the labels of a training batch as device tensors, not B objects.

The device-resident CIFAR path (:mod:`skcl_mm.datasets.device_resident_loader`)
draws a batch of 256 samples with one ``index_select``; building 256
``DataSample`` objects for it every step would cost more host time than the
step. ``BatchLabels`` keeps the batch's labels as three tensors and still reads
as a sequence of B ``DataSample``: indexing or iterating builds them on
demand, equal to what ``PackInputs`` makes for the same samples, so any stock
consumer works. The SKCL parts read the tensors directly
(``level_targets``, ``GPUAugmentDataPreprocessor``).
"""
from typing import Iterator, Optional, Sequence, Union

import torch
from torch import Tensor

from mmpretrain.structures import DataSample


class BatchLabels(Sequence):
    """The labels of B samples; a sequence of B ``DataSample`` made on demand.

    Args:
        gt_label (Tensor): (B, ) int64 fine labels.
        gt_level_labels (Tensor, optional): (B, L) int64 labels per level,
            coarsest first (the last column equals ``gt_label``); None when
            the dataset gives none.
        sample_idx (Tensor, optional): (B, ) dataset indices of the samples
            (the ``sample_idx`` metainfo of ``PackInputs``).

    Example:
        >>> labels = BatchLabels(torch.tensor([3, 1]), torch.tensor([[0, 3], [1, 1]]))
        >>> len(labels), labels[1].gt_label
        (2, tensor([1]))
    """

    def __init__(self, gt_label: Tensor, gt_level_labels: Optional[Tensor] = None,
                 sample_idx: Optional[Tensor] = None):
        if gt_label.dim() != 1:
            raise ValueError(f'BatchLabels gt_label must be (B, ), got {tuple(gt_label.shape)}.')
        batch = gt_label.shape[0]
        if gt_level_labels is not None and (gt_level_labels.dim() != 2
                                            or gt_level_labels.shape[0] != batch):
            raise ValueError(f'BatchLabels gt_level_labels must be ({batch}, L), got '
                             f'{tuple(gt_level_labels.shape)}.')
        if sample_idx is not None and tuple(sample_idx.shape) != (batch, ):
            raise ValueError(f'BatchLabels sample_idx must be ({batch}, ), got '
                             f'{tuple(sample_idx.shape)}.')
        self.gt_label = gt_label
        self.gt_level_labels = gt_level_labels
        self.sample_idx = sample_idx

    def __len__(self) -> int:
        return self.gt_label.shape[0]

    def __getitem__(self, index: Union[int, slice]):
        """Sample ``index`` as a ``DataSample`` (a slice: a ``BatchLabels``)."""
        if isinstance(index, slice):
            return BatchLabels(*(None if t is None else t[index] for t in self._tensors()))
        if not -len(self) <= index < len(self):
            raise IndexError(f'BatchLabels index {index} out of range for {len(self)} samples.')
        index = index % len(self)
        metainfo = {} if self.sample_idx is None else dict(
            sample_idx=int(self.sample_idx[index]))
        sample = DataSample(metainfo=metainfo).set_gt_label(self.gt_label[index:index + 1])
        if self.gt_level_labels is not None:
            sample.set_field(self.gt_level_labels[index], 'gt_level_labels')
        return sample

    def __iter__(self) -> Iterator[DataSample]:
        return (self[i] for i in range(len(self)))

    def _tensors(self):
        return self.gt_label, self.gt_level_labels, self.sample_idx

    def to(self, *args, **kwargs) -> 'BatchLabels':
        """A copy with every tensor moved by ``Tensor.to(*args, **kwargs)``."""
        return BatchLabels(*(None if t is None else t.to(*args, **kwargs)
                             for t in self._tensors()))

    @property
    def device(self) -> torch.device:
        return self.gt_label.device

    def __repr__(self) -> str:
        levels = 'none' if self.gt_level_labels is None else self.gt_level_labels.shape[1]
        return (f'BatchLabels(batch={len(self)}, levels={levels}, '
                f'device={self.device})')
