"""Tests of skcl_mm/models/heads/mlp.py."""
import torch
import torch.nn as nn

from skcl_mm.models.heads import mlp_bn


def test_mlp_bn_layers_and_shape():
    mlp = mlp_bn(6, 10, 3)
    assert [type(m) for m in mlp] == [nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Linear]
    assert mlp(torch.randn(5, 6)).shape == (5, 3)
    assert mlp[1].num_features == 10
