"""Class-balanced contrastive term (BCL's denominator), shared by SKCL and BCL."""
import torch
from torch import Tensor

from .contrastive_utils import (label_match_mask, masked_logsumexp,
                                self_key_mask)


def balanced_contrastive_term(anchors: Tensor, anchor_labels: Tensor,
                              self_index: Tensor, keys: Tensor,
                              key_labels: Tensor, temperature: float) -> Tensor:
    """Per-anchor class-balanced contrastive loss (SKCL sample term, BCL).

    For anchor i with label y_i, keys k with labels y_k and s_ik = z_i.z_k / tau::

        l_i = -1/|P_i| sum_{p in P_i} [ s_ip
              - log sum_l 1/|A_l| sum_{k in A_l} exp(s_ik) ]

    P_i = keys of class y_i except i itself, A_l = keys of class l except i;
    the sum over l runs over the classes with a non-empty A_l. An anchor with
    empty P_i gets l_i = 0 (exactly, with a zero gradient).

    Args:
        anchors (Tensor): (N, d) L2-normalised anchor features.
        anchor_labels (Tensor): (N,) integer labels of the anchors.
        self_index (Tensor): (N,) position of each anchor among the keys, -1
            when the anchor is not a key.
        keys (Tensor): (M, d) L2-normalised key features (samples and, for
            BCL, class prototypes).
        key_labels (Tensor): (M,) integer labels of the keys.
        temperature (float): tau.

    Returns:
        Tensor: (N,) per-anchor loss.
    """
    num_keys = keys.shape[0]
    sim = anchors @ keys.t() / temperature  # s_ik, (N, M)
    not_self = ~self_key_mask(self_index, num_keys)
    same = label_match_mask(anchor_labels, key_labels)
    positives = same & not_self  # P_i
    # |A_l| seen from anchor i: size of key class l, minus 1 when i itself is in it
    key_class_size = label_match_mask(key_labels, key_labels).sum(dim=1)
    anchor_in_keys = (self_index >= 0)[:, None]
    class_size = key_class_size[None, :] - (same & anchor_in_keys).long()
    # log sum_l 1/|A_l| sum_{k in A_l} exp(s_ik) = logsumexp_k (s_ik - log |A_{y_k}|)
    weighted = sim - class_size.clamp_min(1).to(sim.dtype).log()
    log_denominator = masked_logsumexp(weighted, not_self)  # (N,)
    log_prob = sim - log_denominator[:, None]
    log_prob_pos = torch.where(positives, log_prob, torch.zeros_like(log_prob))
    num_pos = positives.sum(dim=1)
    return -log_prob_pos.sum(dim=1) / num_pos.clamp_min(1).to(sim.dtype)


def bcl_loss_terms(anchors: Tensor, anchor_labels: Tensor,
                   self_index: Tensor, keys: Tensor, key_labels: Tensor,
                   prototypes: Tensor, temperature: float = 0.1) -> Tensor:
    """Per-anchor BCL loss: prototypes join the keys as one extra sample per class.

    Args:
        anchors (Tensor): (N, d) L2-normalised anchor features.
        anchor_labels (Tensor): (N,) finest-class ids.
        self_index (Tensor): (N,) position of each anchor among ``keys``.
        keys (Tensor): (M, d) L2-normalised sample features (all views).
        key_labels (Tensor): (M,) finest-class ids of ``keys``.
        prototypes (Tensor): (C, d) L2-normalised class prototypes, row c =
            fine class c.
        temperature (float): the single temperature. Defaults to 0.1.

    Returns:
        Tensor: (N,) per-anchor loss.
    """
    num_classes = prototypes.shape[0]
    proto_labels = torch.arange(num_classes, device=key_labels.device)
    all_keys = torch.cat([keys, prototypes], dim=0)
    all_labels = torch.cat([key_labels, proto_labels.to(key_labels.dtype)])
    return balanced_contrastive_term(anchors, anchor_labels, self_index,
                                     all_keys, all_labels, temperature)


def bcl_loss(features: Tensor, labels: Tensor, prototypes: Tensor,
             temperature: float = 0.1) -> Tensor:
    """BCL (Zhu et al., CVPR 2022) balanced contrastive loss, mean over anchors.

    Args:
        features (Tensor): (N, d) L2-normalised features of every view.
        labels (Tensor): (N,) finest-class ids.
        prototypes (Tensor): (C, d) L2-normalised class prototypes.
        temperature (float): Defaults to 0.1.

    Returns:
        Tensor: scalar loss.
    """
    self_index = torch.arange(features.shape[0], device=features.device)
    return bcl_loss_terms(features, labels, self_index, features, labels,
                          prototypes, temperature).mean()
