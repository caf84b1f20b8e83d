"""SKCL loss (Liu et al., ICCV 2025): prototype term + class-balanced sample term."""
import warnings
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmpretrain.registry import MODELS
from skcl_mm.utils.checks import (check_bool, check_int, check_int_list,
                                  check_number)
from .balanced_contrastive import balanced_contrastive_term, bcl_loss_terms
from .contrastive_utils import to_float32
from .gather import gather_with_grad, world_size

GRAPH_MODES = ('both', 'F-F', 'C-F')
MODES = GRAPH_MODES + ('bcl', )


def prototype_term(anchors: Tensor, labels: Tensor, prototypes: Tensor,
                   neighbours: Tensor, proto_temperature: float) -> Tensor:
    """Per-anchor semantic-prototype term of L_SKCL.

    ``l_i = -1/|M_i| sum_{q in M_i} log softmax_j(z_i.c_j / tau')[q]`` with
    ``M_i = {y_i} + I_{y_i}`` and j over all n nodes.

    Args:
        anchors (Tensor): (N, d) L2-normalised features z.
        labels (Tensor): (N,) finest-class ids y (= node ids of the fine level).
        prototypes (Tensor): (n_nodes, d) L2-normalised prototypes c.
        neighbours (Tensor): (n_fine, K) node ids I_y, K may be 0.
        proto_temperature (float): tau'.

    Returns:
        Tensor: (N,) per-anchor loss.
    """
    log_prob = F.log_softmax(anchors @ prototypes.t() / proto_temperature, 1)
    targets = torch.cat([labels[:, None], neighbours[labels]], dim=1)  # M_i
    return -log_prob.gather(1, targets).mean(dim=1)


def skcl_loss_terms(anchors: Tensor, anchor_labels: Tensor,
                    self_index: Tensor, keys: Tensor, key_labels: Tensor,
                    prototypes: Tensor, neighbours: Tensor,
                    temperature: float = 0.1,
                    proto_temperature: float = 0.2) -> Dict[str, Tensor]:
    """Per-anchor prototype and sample terms of L_SKCL.

    The anchors may be a subset of the keys (one rank's rows).

    Args:
        anchors (Tensor): (N, d) L2-normalised anchor features.
        anchor_labels (Tensor): (N,) finest-class ids.
        self_index (Tensor): (N,) position of each anchor among ``keys``.
        keys (Tensor): (M, d) L2-normalised features of the whole batch.
        key_labels (Tensor): (M,) finest-class ids of ``keys``.
        prototypes (Tensor): (n_nodes, d) L2-normalised node prototypes.
        neighbours (Tensor): (n_fine, K) node ids I_y.
        temperature (float): tau of the sample term. Defaults to 0.1.
        proto_temperature (float): tau' of the prototype term. Defaults to 0.2.

    Returns:
        dict[str, Tensor]: ``proto`` and ``sample``, each (N,).
    """
    proto = prototype_term(anchors, anchor_labels, prototypes, neighbours,
                           proto_temperature)
    sample = balanced_contrastive_term(anchors, anchor_labels, self_index,
                                       keys, key_labels, temperature)
    return dict(proto=proto, sample=sample)


def skcl_loss(features: Tensor, labels: Tensor, prototypes: Tensor,
              neighbours: Tensor, temperature: float = 0.1,
              proto_temperature: float = 0.2) -> Tensor:
    """L_SKCL, mean over anchors (every row of ``features`` is an anchor).

    Args:
        features (Tensor): (N, d) L2-normalised contrastive features of every
            view of the batch, flattened; views of one image share its label.
        labels (Tensor): (N,) finest-class ids.
        prototypes (Tensor): (n_nodes, d) L2-normalised prototypes; node y =
            fine class y, then each coarser level in turn.
        neighbours (Tensor): (n_fine, K) node ids I_y (K may be 0).
        temperature (float): tau. Defaults to 0.1.
        proto_temperature (float): tau'. Defaults to 0.2.

    Returns:
        Tensor: scalar loss.
    """
    self_index = torch.arange(features.shape[0], device=features.device)
    terms = skcl_loss_terms(features, labels, self_index, features, labels,
                            prototypes, neighbours, temperature,
                            proto_temperature)
    return (terms['proto'] + terms['sample']).mean()


def check_mode(mode) -> str:
    """``mode`` if it is one of :data:`MODES`, else an error naming the closest."""
    if mode in MODES and isinstance(mode, str):
        return mode
    spelled = {m.lower().replace('-', ''): m for m in MODES}
    guess = spelled.get(str(mode).lower().replace('-', '').replace('_', ''))
    hint = f" Did you mean {guess!r}?" if guess else ''
    raise ValueError(f'SKCLLoss mode must be one of {MODES}, got {mode!r} '
                     f"({type(mode).__name__}): 'both' is the paper's SKCL, "
                     "'F-F' / 'C-F' its ablations, 'bcl' the BCL baseline."
                     + hint)


def num_candidates(mode: str, level_num_classes: Sequence[int]) -> int:
    """Size of the candidate set of I_y for ``mode`` (see docs/loss.md).

    Args:
        mode (str): ``'both'``, ``'F-F'``, ``'C-F'`` or ``'bcl'``.
        level_num_classes (Sequence[int]): classes per level, coarsest first.

    Returns:
        int: how many nodes j != y a fine class can pick neighbours from.
    """
    num_nodes, num_fine = sum(level_num_classes), level_num_classes[-1]
    sizes = {'both': num_nodes - 1, 'F-F': num_fine - 1,
             'C-F': num_nodes - num_fine, 'bcl': 0}
    return sizes[mode]


@MODELS.register_module()
class SKCLLoss(nn.Module):
    """SKCL loss module: ``loss_weight * (prototype term + sample term)``.

    Every argument is checked at construction (type and range; a bool is
    not a number), with a message that names it and the fix.

    Args:
        loss_weight (float): lambda (>= 0). Defaults to 0.6 (BCL's weighting).
        temperature (float): tau of the sample term (and BCL's only
            temperature). Defaults to 0.1.
        proto_temperature (float): tau' of the prototype term. Defaults to 0.2.
            The paper has tau' > tau; a value <= ``temperature`` warns (once,
            at construction) in the graph modes.
        mode (str): neighbour candidates of the graph: ``'both'`` (every other
            node), ``'F-F'`` (fine level), ``'C-F'`` (other levels), or
            ``'bcl'``: no graph, the fine prototypes join the balanced
            denominator as extra samples, one temperature (BCL baseline).
            Defaults to ``'both'``.
        num_neighbours (int, optional): K. Defaults to 2 for graph modes and
            0 for ``'bcl'``. Clamped (with a warning) to the candidate set
            size when ``level_num_classes`` is given.
        level_num_classes (Sequence[int], optional): classes per level,
            coarsest first (the head passes its own).
        gather_distributed (bool, optional): all-gather features and labels
            across ranks (with gradient). ``None`` turns it on when the world
            size is > 1. Defaults to None.
    """

    def __init__(self, loss_weight: float = 0.6, temperature: float = 0.1,
                 proto_temperature: float = 0.2, mode: str = 'both',
                 num_neighbours: Optional[int] = None,
                 level_num_classes: Optional[Sequence[int]] = None,
                 gather_distributed: Optional[bool] = None):
        super().__init__()
        self.mode = check_mode(mode)
        self.loss_weight = check_number(
            'SKCLLoss loss_weight', loss_weight, minimum=0,
            fix='It is lambda, the contrastive weight (0.6 for CIFAR, 0.35 '
            'for ImageNet-LT; 0 drops the contrastive branch).')
        self.temperature = check_number(
            'SKCLLoss temperature', temperature, minimum=0, open_minimum=True,
            fix='It is tau of the sample term (the paper: 0.1).')
        self.proto_temperature = check_number(
            'SKCLLoss proto_temperature', proto_temperature, minimum=0,
            open_minimum=True,
            fix="It is tau' of the prototype term (the paper: 0.2).")
        if mode != 'bcl' and self.proto_temperature <= self.temperature:
            warnings.warn(
                f"SKCLLoss: proto_temperature (tau') = {proto_temperature} is "
                f'not above temperature (tau) = {temperature}; the paper uses '
                "tau' > tau (tau = 0.1, tau' = 0.2). Training goes on with these "
                'values: swap them if they were exchanged.', UserWarning)
        if gather_distributed is not None:
            check_bool('SKCLLoss gather_distributed', gather_distributed,
                       fix='None gathers when the world size is > 1.')
        self.gather_distributed = gather_distributed
        self.level_num_classes = None if level_num_classes is None else \
            check_int_list('SKCLLoss level_num_classes', level_num_classes,
                           minimum=1, min_length=1,
                           fix='Classes per level, coarsest first, e.g. [20, 100].')
        self.num_neighbours = self._resolve_k(num_neighbours)

    def _resolve_k(self, k: Optional[int]) -> int:
        """Default K per mode; clamp K to the candidate set with a warning."""
        if k is not None:
            k = check_int('SKCLLoss num_neighbours', k, minimum=0,
                          fix='It is K, the semantic neighbours per class '
                          '(2 for CIFAR, 4 for ImageNet-LT, 0: none).')
        if self.mode == 'bcl':
            if k:
                raise ValueError('SKCLLoss mode="bcl" uses no semantic graph: '
                                 f'expected num_neighbours 0 or None, got {k}.')
            return 0
        k = 2 if k is None else k
        if self.level_num_classes is None:
            return k
        available = num_candidates(self.mode, self.level_num_classes)
        if k > available:
            warnings.warn(f'SKCLLoss: num_neighbours={k} exceeds the {available} '
                          f'candidates of mode {self.mode!r} for levels '
                          f'{self.level_num_classes}; using K={available}.')
            k = available
        return k

    def _check_inputs(self, prototypes: Tensor, neighbours: Tensor) -> None:
        """Validate the prototype count and the neighbour table against K."""
        if neighbours.ndim != 2 or neighbours.shape[1] != self.num_neighbours:
            raise ValueError('SKCLLoss: neighbours must be (n_fine, K='
                             f'{self.num_neighbours}), got '
                             f'{tuple(neighbours.shape)}; rebuild the graph '
                             'with the head\'s num_neighbours.')
        if self.level_num_classes is not None and (
                prototypes.shape[0] != sum(self.level_num_classes)):
            raise ValueError(f'SKCLLoss: expected {sum(self.level_num_classes)} '
                             f'prototypes, got {prototypes.shape[0]}.')

    def _use_gather(self) -> bool:
        if self.gather_distributed is None:
            return world_size() > 1
        return self.gather_distributed

    def forward(self, features: Tensor, labels: Tensor, prototypes: Tensor,
                neighbours: Tensor) -> Dict[str, Tensor]:
        """Weighted loss terms, in float32 (autocast off).

        Args:
            features (Tensor): (N, d) L2-normalised contrastive features of
                this rank (every view, flattened).
            labels (Tensor): (N,) finest-class ids.
            prototypes (Tensor): (n_nodes, d) L2-normalised node prototypes.
            neighbours (Tensor): (n_fine, K) node ids I_y.

        Returns:
            dict[str, Tensor]: ``loss_skcl_proto`` and ``loss_skcl_sample``
            (graph modes) or ``loss_bcl``, each scalar and weighted.
        """
        self._check_inputs(prototypes, neighbours)
        with torch.autocast(device_type=features.device.type, enabled=False):
            features, prototypes = to_float32(features, prototypes)
            keys, key_labels, offset, total = features, labels, 0, len(labels)
            num_ranks = 1
            if self._use_gather():
                keys, key_labels, offset, total = gather_with_grad(
                    features, labels)
                num_ranks = world_size()
            self_index = offset + torch.arange(
                features.shape[0], device=features.device)
            terms = self._terms(features, labels, self_index, keys, key_labels,
                                prototypes, neighbours)
            # L_r = R / n * sum over own anchors: DDP's gradient mean over the
            # R ranks is then the gradient of the mean over all n anchors.
            scale = self.loss_weight * num_ranks / total
            return {name: value.sum() * scale for name, value in terms.items()}

    def _terms(self, anchors, labels, self_index, keys, key_labels,
               prototypes, neighbours) -> Dict[str, Tensor]:
        """Per-anchor terms, keyed by their log name."""
        if self.mode == 'bcl':
            num_fine = neighbours.shape[0]
            return dict(loss_bcl=bcl_loss_terms(
                anchors, labels, self_index, keys, key_labels,
                prototypes[:num_fine], self.temperature))
        terms = skcl_loss_terms(anchors, labels, self_index, keys, key_labels,
                                prototypes, neighbours, self.temperature,
                                self.proto_temperature)
        return dict(loss_skcl_proto=terms['proto'],
                    loss_skcl_sample=terms['sample'])
