"""SKCL loss (Liu et al., ICCV 2025): prototype term + class-balanced sample term."""
import warnings
from typing import Dict, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from mmpretrain.registry import MODELS
from skcl_mm.semantics.graph_contract import (GraphRequest, normalize_mode,
                                              resolve_num_neighbours)
from skcl_mm.utils.checks import check_number
from .balanced_contrastive import balanced_contrastive_term
from .gathered_contrastive import GatheredContrastiveLoss


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


@MODELS.register_module()
class SKCLLoss(GatheredContrastiveLoss):
    """SKCL loss module: ``loss_weight * (prototype term + sample term)``.

    Every argument is checked at construction (type and range; a bool is
    not a number), with a message that names it and the fix. Mode and K are
    resolved by :mod:`skcl_mm.semantics.graph_contract`; the loss states them
    to ``SemanticGraphHook`` through :meth:`graph_request`.

    Args:
        loss_weight (float): lambda (>= 0). Defaults to 0.6 (BCL's weighting).
        temperature (float): tau of the sample term. Defaults to 0.1.
        proto_temperature (float): tau' of the prototype term. Defaults to 0.2.
            The paper has tau' > tau; a value <= ``temperature`` warns (once,
            at construction).
        mode (str): neighbour candidates of the graph: ``'both'`` (every other
            node), ``'F-F'`` (fine level), ``'C-F'`` (other levels) or
            ``'C-F-parent'`` (the own ancestors only, from the label tree; K =
            number of coarser levels takes them all). Defaults to ``'both'``.
            (The BCL baseline is :class:`BCLLoss`.)
        num_neighbours (int, optional): K. Defaults to 2. Clamped (with a
            warning) to the candidate set size when ``level_num_classes`` is
            given.
        level_num_classes (Sequence[int], optional): classes per level,
            coarsest first (the head passes its own).
        gather_distributed (bool, optional): all-gather features and labels
            across ranks (with gradient). ``None`` turns it on when the world
            size is > 1. Defaults to None.
        equal_rank_batches (bool): every rank's batch has the same size,
            so the gather needs no per-step row-count exchange (no host
            sync; checked once). See :class:`GatheredContrastiveLoss`.
            Defaults to False.
    """
    name = 'SKCLLoss'

    def __init__(self, loss_weight: float = 0.6, temperature: float = 0.1,
                 proto_temperature: float = 0.2, mode: str = 'both',
                 num_neighbours: Optional[int] = None,
                 level_num_classes: Optional[Sequence[int]] = None,
                 gather_distributed: Optional[bool] = None,
                 equal_rank_batches: bool = False):
        mode = normalize_mode(mode, 'SKCLLoss mode')
        super().__init__(loss_weight, temperature, level_num_classes,
                         gather_distributed, equal_rank_batches)
        self.mode = mode
        self.proto_temperature = check_number(
            'SKCLLoss proto_temperature', proto_temperature, minimum=0,
            open_minimum=True,
            fix="It is tau' of the prototype term (the paper: 0.2).")
        if self.proto_temperature <= self.temperature:
            warnings.warn(
                f"SKCLLoss: proto_temperature (tau') = {proto_temperature} is "
                f'not above temperature (tau) = {temperature}; the paper uses '
                "tau' > tau (tau = 0.1, tau' = 0.2). Training goes on with these "
                'values: swap them if they were exchanged.', UserWarning)
        self.num_neighbours = resolve_num_neighbours(
            num_neighbours, self.mode, self.level_num_classes,
            'SKCLLoss num_neighbours')

    def graph_request(self) -> GraphRequest:
        """The graph this loss reads: its mode, K and the head's levels."""
        if self.level_num_classes is None:
            raise ValueError('SKCLLoss needs level_num_classes to state its '
                             'semantic graph (SKCLHead passes its own).')
        return GraphRequest(self.mode, self.num_neighbours,
                            tuple(self.level_num_classes))

    def anchor_terms(self, anchors, labels, self_index, keys, key_labels,
                     prototypes, neighbours) -> Dict[str, Tensor]:
        """``loss_skcl_proto`` and ``loss_skcl_sample``, each (N,)."""
        terms = skcl_loss_terms(anchors, labels, self_index, keys, key_labels,
                                prototypes, neighbours, self.temperature,
                                self.proto_temperature)
        return dict(loss_skcl_proto=terms['proto'],
                    loss_skcl_sample=terms['sample'])
