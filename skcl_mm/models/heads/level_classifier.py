"""Per-level linear classifiers: plain, or cosine with a scale."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class CosineLinear(nn.Module):
    """``scale * normalize(x) @ normalize(W).T`` (no bias).

    Args:
        in_channels (int): input width D.
        out_channels (int): number of classes C.
        scale (float): logit scale s. Defaults to 30.0.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 scale: float = 30.0):
        super().__init__()
        self.scale = scale
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels))
        nn.init.kaiming_uniform_(self.weight, a=5**0.5)

    def forward(self, x: Tensor) -> Tensor:
        """(B, D) features -> (B, C) logits."""
        return self.scale * F.normalize(x, dim=1) @ F.normalize(
            self.weight, dim=1).t()


def build_level_classifier(in_channels: int, num_classes: int, cosine: bool,
                           scale: float) -> nn.Module:
    """A classifier with a ``weight`` of shape (num_classes, in_channels)."""
    if cosine:
        return CosineLinear(in_channels, num_classes, scale)
    return nn.Linear(in_channels, num_classes)
