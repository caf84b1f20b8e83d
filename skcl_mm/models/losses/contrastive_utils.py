"""Masks, masked log-sum-exp and float32 casting shared by the contrastive losses."""
import torch
from torch import Tensor


def label_match_mask(anchor_labels: Tensor, key_labels: Tensor) -> Tensor:
    """Which keys share each anchor's label.

    Args:
        anchor_labels (Tensor): (N,) integer labels of the anchors.
        key_labels (Tensor): (M,) integer labels of the keys.

    Returns:
        Tensor: (N, M) bool, ``True`` where ``anchor_labels[i] == key_labels[k]``.
    """
    return anchor_labels[:, None] == key_labels[None, :]


def self_key_mask(self_index: Tensor, num_keys: int) -> Tensor:
    """Mark each anchor's own entry among the keys.

    Args:
        self_index (Tensor): (N,) position of anchor i among the keys, or -1 if
            the anchor is not a key.
        num_keys (int): M, the number of keys.

    Returns:
        Tensor: (N, M) bool, ``True`` at ``(i, self_index[i])``.
    """
    keys = torch.arange(num_keys, device=self_index.device)
    return keys[None, :] == self_index[:, None]


def masked_logsumexp(values: Tensor, mask: Tensor) -> Tensor:
    """Row-wise ``log sum_k exp(values[i, k])`` over the entries where ``mask``.

    A row without any selected entry returns the finite value
    ``finfo.min + log(M)`` (never NaN, and its gradient is finite), so callers
    can discard such rows with ``torch.where`` without poisoning the backward.

    Args:
        values (Tensor): (N, M) floating values.
        mask (Tensor): (N, M) bool, entries to include.

    Returns:
        Tensor: (N,) the masked log-sum-exp.
    """
    lowest = torch.finfo(values.dtype).min
    filled = values.masked_fill(~mask, lowest)
    # max-subtraction happens inside torch.logsumexp
    return torch.logsumexp(filled, dim=1)


def to_float32(*tensors: Tensor):
    """Cast floating tensors to float32 (the losses run outside autocast)."""
    return tuple(t.float() if t.is_floating_point() else t for t in tensors)
