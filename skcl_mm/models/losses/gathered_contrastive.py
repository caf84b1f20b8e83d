"""What the SKCL and BCL loss modules share: arguments, the gather across
ranks, float32 outside autocast, and the scaling of the per-anchor terms."""
from abc import ABCMeta, abstractmethod
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor

from skcl_mm.utils.checks import check_bool, check_int_list, check_number
from .contrastive_utils import to_float32
from .gather import exchange_row_counts, gather_with_grad, world_size


class GatheredContrastiveLoss(nn.Module, metaclass=ABCMeta):
    """Base of the contrastive loss modules: ``loss_weight * mean_i l_i``.

    A subclass gives the per-anchor terms (:meth:`anchor_terms`); this class
    gathers the keys across ranks (with gradient), runs the terms in float32
    with autocast off, and scales their sums so that DDP's gradient mean over
    R ranks is the gradient of the mean over all n anchors
    (``L_r = lambda * R / n * sum over own anchors``).

    Args:
        loss_weight (float): lambda (>= 0).
        temperature (float): tau of the sample term (> 0).
        level_num_classes (Sequence[int], optional): Classes per level,
            coarsest first (the head passes its own).
        gather_distributed (bool, optional): All-gather features and labels
            across ranks; None: when the world size is > 1.
        equal_rank_batches (bool): Every rank's batch has as many rows as
            every other rank's (true for mmengine's ``DefaultSampler``, whose
            default ``round_up=True`` gives each rank the same number of
            samples, the last batch included). The gather then skips the
            row-count exchange, the one host sync of the loss, so the step
            can be captured in a CUDA graph. Checked once, at the first
            gathered step (one exchange); a mismatch stops training with
            the fix. Defaults to False (counts exchanged every step).
    """
    name = 'contrastive loss'  # how messages name the subclass

    def __init__(self, loss_weight: float, temperature: float,
                 level_num_classes: Optional[Sequence[int]] = None,
                 gather_distributed: Optional[bool] = None,
                 equal_rank_batches: bool = False):
        super().__init__()
        self.loss_weight = check_number(
            f'{self.name} loss_weight', loss_weight, minimum=0,
            fix='It is lambda, the contrastive weight (0.6 for CIFAR, 0.35 '
            'for ImageNet-LT; 0 drops the contrastive branch).')
        self.temperature = check_number(
            f'{self.name} temperature', temperature, minimum=0,
            open_minimum=True, fix='It is tau of the sample term (the paper: 0.1).')
        if gather_distributed is not None:
            check_bool(f'{self.name} gather_distributed', gather_distributed,
                       fix='None gathers when the world size is > 1.')
        self.gather_distributed = gather_distributed
        self.equal_rank_batches = check_bool(
            f'{self.name} equal_rank_batches', equal_rank_batches,
            fix='True skips the per-step row-count exchange of the gather '
            '(every rank holds the same batch size, as with DefaultSampler).')
        self._equal_rows_checked = False
        self.level_num_classes = None if level_num_classes is None else \
            check_int_list(f'{self.name} level_num_classes', level_num_classes,
                           minimum=1, min_length=1,
                           fix='Classes per level, coarsest first, e.g. [20, 100].')

    def graph_request(self):
        """The semantic graph this loss reads (a ``GraphRequest``), or None."""
        return None

    def _use_gather(self) -> bool:
        if self.gather_distributed is None:
            return world_size() > 1
        return self.gather_distributed

    def forward(self, features: Tensor, labels: Tensor, prototypes: Tensor,
                neighbours: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Weighted loss terms, in float32 (autocast off).

        Args:
            features (Tensor): (N, d) L2-normalised contrastive features of
                this rank (every view, flattened).
            labels (Tensor): (N,) finest-class ids.
            prototypes (Tensor): (n_nodes, d) L2-normalised node prototypes,
                fine nodes first.
            neighbours (Tensor, optional): (n_fine, K) node ids I_y, for the
                losses that read a semantic graph.

        Returns:
            dict[str, Tensor]: The subclass's terms, each scalar and weighted.
        """
        with torch.autocast(device_type=features.device.type, enabled=False):
            features, prototypes = to_float32(features, prototypes)
            keys, key_labels, offset, total = features, labels, 0, len(labels)
            num_ranks = 1
            if self._use_gather():
                if self.equal_rank_batches and not self._equal_rows_checked:
                    self._check_equal_rows(features)
                keys, key_labels, offset, total = gather_with_grad(
                    features, labels, equal_rows=self.equal_rank_batches)
                num_ranks = world_size()
            self_index = offset + torch.arange(
                features.shape[0], device=features.device)
            terms = self.anchor_terms(features, labels, self_index, keys,
                                      key_labels, prototypes, neighbours)
            scale = self.loss_weight * num_ranks / total
            return {name: value.sum() * scale for name, value in terms.items()}

    @torch.compiler.disable
    def _check_equal_rows(self, features: Tensor) -> None:
        """Once: every rank holds as many rows as this one (else raise)."""
        counts = exchange_row_counts(features.shape[0], features.device)
        if len(set(counts)) > 1:
            raise RuntimeError(
                f'{self.name} equal_rank_batches=True, but the ranks hold '
                f'{counts} rows (views x batch) at this step: the gather '
                'would mix up rows. Set equal_rank_batches=False (the counts '
                'are then exchanged every step) or give every rank the same '
                'batch size (mmengine DefaultSampler with round_up=True, the '
                'default).')
        self._equal_rows_checked = True

    @abstractmethod
    def anchor_terms(self, anchors: Tensor, labels: Tensor, self_index: Tensor,
                     keys: Tensor, key_labels: Tensor, prototypes: Tensor,
                     neighbours: Optional[Tensor]) -> Dict[str, Tensor]:
        """Per-anchor terms ``(N,)``, keyed by their log name (each subclass
        gives its own: :class:`SKCLLoss`, :class:`BCLLoss`)."""
