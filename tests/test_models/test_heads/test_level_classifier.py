"""Tests of skcl_mm/models/heads/level_classifier.py."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from skcl_mm.models.heads import CosineLinear, build_level_classifier


def test_cosine_linear_is_scaled_cosine():
    layer = CosineLinear(4, 3, scale=5.0)
    x = torch.randn(2, 4)
    expected = 5.0 * F.cosine_similarity(x[:, None], layer.weight[None], dim=2)
    assert torch.allclose(layer(x), expected, atol=1e-6)
    assert layer.weight.shape == (3, 4)


def test_builder_returns_weight_of_classes_by_channels():
    plain = build_level_classifier(4, 3, cosine=False, scale=30.0)
    cosine = build_level_classifier(4, 3, cosine=True, scale=30.0)
    assert isinstance(plain, nn.Linear) and isinstance(cosine, CosineLinear)
    assert plain.weight.shape == cosine.weight.shape == (3, 4)
