"""Two-layer MLP with BatchNorm and ReLU (projection and prototype heads, as in BCL)."""
import torch.nn as nn


def mlp_bn(in_channels: int, hidden_channels: int,
           out_channels: int) -> nn.Sequential:
    """``Linear -> BatchNorm1d -> ReLU -> Linear``.

    Args:
        in_channels (int): input width D.
        hidden_channels (int): hidden width.
        out_channels (int): output width d.

    Returns:
        nn.Sequential: maps (N, D) to (N, d).
    """
    return nn.Sequential(
        nn.Linear(in_channels, hidden_channels),
        nn.BatchNorm1d(hidden_channels),
        nn.ReLU(inplace=True),
        nn.Linear(hidden_channels, out_channels),
    )
