"""All-gather of contrastive features across ranks, with gradient."""
from typing import Tuple

import torch
import torch.distributed as dist
from torch import Tensor


def world_size() -> int:
    """Number of ranks of the default process group (1 when not distributed)."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return 1


def gather_with_grad(features: Tensor,
                     labels: Tensor) -> Tuple[Tensor, Tensor, int, int]:
    """Concatenate every rank's features (differentiably) and labels.

    Ranks may hold different numbers of rows: rows are padded to the largest
    count for the collective and trimmed afterwards. The features go through
    torch's functional collective ``all_gather_single_autograd``, whose
    backward reduce-scatters with a sum: the gradients that all ranks send to
    a rank's rows add up there, so the loss of rank r reaches the features of
    every rank. (``torch.distributed.nn.functional.all_gather`` and
    ``all_gather_tensor_autograd`` do the same and are deprecated.)

    Args:
        features (Tensor): (n_r, d) this rank's features.
        labels (Tensor): (n_r,) this rank's labels.

    Returns:
        tuple: ``(all_features (n, d), all_labels (n,), offset, n)`` where rows
        ``offset .. offset + n_r`` of the result are this rank's and
        ``n = sum_r n_r``.
    """
    import torch.distributed._functional_collectives as collectives

    # The current name; older torch releases have only the deprecated one.
    all_gather = getattr(collectives, 'all_gather_single_autograd', None) or \
        collectives.all_gather_tensor_autograd

    rank, num_ranks = dist.get_rank(), dist.get_world_size()
    size = torch.tensor([features.shape[0]], device=features.device)
    sizes = [torch.zeros_like(size) for _ in range(num_ranks)]
    dist.all_gather(sizes, size)
    sizes = [int(s.item()) for s in sizes]
    pad = max(sizes) - features.shape[0]
    padded = torch.cat([features, features.new_zeros(pad, features.shape[1])])
    padded_labels = torch.cat([labels, labels.new_zeros(pad)])
    # (R * max n_r, d): rank r's padded rows at r * max n_r.
    gathered = all_gather(padded.contiguous(), gather_dim=0,
                          group=dist.group.WORLD).chunk(num_ranks)
    label_list = [torch.zeros_like(padded_labels) for _ in range(num_ranks)]
    dist.all_gather(label_list, padded_labels.contiguous())
    all_features = torch.cat([g[:n] for g, n in zip(gathered, sizes)])
    all_labels = torch.cat([g[:n] for g, n in zip(label_list, sizes)])
    return all_features, all_labels, sum(sizes[:rank]), sum(sizes)
