"""All-gather of contrastive features across ranks, with gradient."""
from typing import List, Tuple

import torch
import torch.distributed as dist
from torch import Tensor


def world_size() -> int:
    """Number of ranks of the default process group (1 when not distributed)."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return 1


def exchange_row_counts(rows: int, device: torch.device) -> List[int]:
    """Every rank's row count, read back to the host (a device sync).

    Args:
        rows (int): This rank's count.
        device (torch.device): Where the collective runs (the features').

    Returns:
        list[int]: The counts of ranks 0 .. R-1.
    """
    size = torch.tensor([rows], device=device)
    sizes = [torch.zeros_like(size) for _ in range(dist.get_world_size())]
    dist.all_gather(sizes, size)
    return [int(s.item()) for s in sizes]


def gather_with_grad(features: Tensor, labels: Tensor,
                     equal_rows: bool = False) -> Tuple[Tensor, Tensor, int, int]:
    """Concatenate every rank's features (differentiably) and labels.

    Ranks may hold different numbers of rows: their counts are exchanged
    (read back to the host: one device sync), rows are padded to the largest
    count for the collective and trimmed afterwards. With ``equal_rows`` the
    caller vouches that every rank holds as many rows as this one (the
    training batches of mmengine's ``DefaultSampler`` with its default
    ``round_up=True`` do, the last batch of an epoch included): no exchange,
    no padding and no host sync, so the step can be captured in a CUDA
    graph. A wrong promise is caught by the caller's one-time check
    (:class:`GatheredContrastiveLoss`), not here. The features go through
    torch's functional collective ``all_gather_single_autograd``, whose
    backward reduce-scatters with a sum: the gradients that all ranks send to
    a rank's rows add up there, so the loss of rank r reaches the features of
    every rank. (``torch.distributed.nn.functional.all_gather`` and
    ``all_gather_tensor_autograd`` do the same and are deprecated.)

    Args:
        features (Tensor): (n_r, d) this rank's features.
        labels (Tensor): (n_r,) this rank's labels.
        equal_rows (bool): Every rank holds n_r rows. Defaults to False.

    Returns:
        tuple: ``(all_features (n, d), all_labels (n,), offset, n)`` where rows
        ``offset .. offset + n_r`` of the result are this rank's and
        ``n = sum_r n_r``.
    """
    import torch.distributed._functional_collectives as collectives

    # The current name; older torch releases have only the deprecated one.
    gather_autograd = getattr(collectives, 'all_gather_single_autograd', None) or \
        collectives.all_gather_tensor_autograd
    gather_plain = getattr(collectives, 'all_gather_single', None) or \
        collectives.all_gather_tensor

    rank, num_ranks = dist.get_rank(), dist.get_world_size()
    rows = features.shape[0]
    sizes = [rows] * num_ranks if equal_rows else \
        exchange_row_counts(rows, features.device)
    pad = max(sizes) - rows
    if pad:
        features = torch.cat([features, features.new_zeros(pad, features.shape[1])])
        labels = torch.cat([labels, labels.new_zeros(pad)])
    # (R * max n_r, d): rank r's padded rows at r * max n_r.
    gathered = gather_autograd(features.contiguous(), gather_dim=0,
                               group=dist.group.WORLD).chunk(num_ranks)
    gathered_labels = gather_plain(labels.contiguous(), gather_dim=0,
                                   group=dist.group.WORLD).chunk(num_ranks)
    if pad or len(set(sizes)) > 1:
        all_features = torch.cat([g[:n] for g, n in zip(gathered, sizes)])
        all_labels = torch.cat([g[:n] for g, n in zip(gathered_labels, sizes)])
    else:
        all_features = torch.cat(gathered)
        all_labels = torch.cat(gathered_labels)
    return all_features, all_labels, sum(sizes[:rank]), sum(sizes)
