"""Tests for skcl_mm.models.backbones.cifar_resnet."""
import pytest
import torch
import torch.nn as nn

import skcl_mm  # noqa: F401  (registers CifarResNet)
from mmpretrain.registry import MODELS
from skcl_mm.models.backbones import CifarResNet
from skcl_mm.models.backbones.cifar_resnet import option_a_shortcut


def num_params(module):
    return sum(p.numel() for p in module.parameters())


def expected_params(n):
    """Hand count: stem 3x3 conv + BN, then per stage n blocks of 2 convs + 2 BNs.

    Option-A shortcuts add nothing; the first block of stages 2 and 3 widens.
    """
    stem = 3 * 16 * 9 + 2 * 16
    total = stem
    in_ch = 16
    for width in (16, 32, 64):
        for _ in range(n):
            total += 9 * in_ch * width + 9 * width * width + 4 * width
            in_ch = width
    return total


@pytest.mark.parametrize('depth, n, approx', [(20, 3, 0.27e6), (32, 5, 0.46e6),
                                              (44, 7, 0.66e6), (56, 9, 0.85e6),
                                              (110, 18, 1.73e6)])
def test_param_count_per_depth(depth, n, approx):
    model = CifarResNet(depth=depth)
    count = num_params(model)
    assert count == expected_params(n)
    # He et al. Table 6 counts (with a 10-way fc of 650 parameters).
    assert abs(count + 650 - approx) / approx < 0.02


def test_resnet32_exact_count_and_layout():
    model = CifarResNet(depth=32)
    assert num_params(model) == 463_504
    assert [len(model.layer1), len(model.layer2), len(model.layer3)] == [5] * 3
    assert model.out_channels == 64
    assert not any(isinstance(m, nn.Linear) for m in model.modules())


def test_output_shape_and_gap_neck():
    torch.manual_seed(0)
    model = MODELS.build(dict(type='CifarResNet', depth=20))
    neck = MODELS.build(dict(type='GlobalAveragePooling'))
    feats = model(torch.randn(2, 3, 32, 32))
    assert isinstance(feats, tuple) and len(feats) == 1
    assert feats[0].shape == (2, 64, 8, 8)
    pooled = neck(feats)
    assert pooled[0].shape == (2, 64)
    assert torch.allclose(pooled[0], feats[0].mean(dim=(2, 3)), atol=1e-5)


def test_out_indices_multiple_stages():
    model = CifarResNet(depth=20, out_indices=(0, 1, -1))
    feats = model(torch.randn(1, 3, 32, 32))
    assert [tuple(f.shape) for f in feats] == [(1, 16, 32, 32), (1, 32, 16, 16),
                                               (1, 64, 8, 8)]


def test_image_classifier_end_to_end_loss():
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='ImageClassifier',
        backbone=dict(type='CifarResNet', depth=20),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=10, in_channels=64)))
    model.init_weights()
    x = torch.randn(4, 3, 32, 32)
    logits = model(x, mode='tensor')
    assert logits.shape == (4, 10) and torch.isfinite(logits).all()


def test_option_a_shortcut_values():
    x = torch.arange(2 * 4 * 4 * 4, dtype=torch.float32).view(2, 4, 4, 4)
    out = option_a_shortcut(x, out_channels=8, stride=2)
    assert out.shape == (2, 8, 2, 2)
    assert torch.equal(out[:, 2:6], x[:, :, ::2, ::2])
    assert torch.count_nonzero(out[:, :2]) == 0
    assert torch.count_nonzero(out[:, 6:]) == 0
    assert torch.equal(option_a_shortcut(x, 4, 1), x)


def test_kaiming_init_fan_in():
    torch.manual_seed(0)
    model = CifarResNet(depth=110)
    weights = torch.cat([m.weight.flatten() for m in model.modules()
                         if isinstance(m, nn.Conv2d) and m.in_channels == 64])
    fan_in = 64 * 9
    # kaiming_normal_(fan_in, relu): std = sqrt(2 / fan_in).
    assert weights.std().item() == pytest.approx((2 / fan_in) ** 0.5, rel=0.02)
    assert abs(weights.mean().item()) < 0.005
    assert all(torch.all(m.weight == 1) and torch.all(m.bias == 0)
               for m in model.modules() if isinstance(m, nn.BatchNorm2d))


def test_channels_last_matches_contiguous():
    torch.manual_seed(0)
    model = CifarResNet(depth=20).eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        ref = model(x)[0]
        model_cl = model.to(memory_format=torch.channels_last)
        out = model_cl(x.contiguous(memory_format=torch.channels_last))[0]
    assert out.is_contiguous(memory_format=torch.channels_last)
    assert torch.allclose(out, ref, rtol=1e-4, atol=1e-4 * ref.abs().max())


def test_frozen_stages_and_norm_eval():
    model = CifarResNet(depth=20, frozen_stages=1, norm_eval=True)
    model.train()
    assert not any(p.requires_grad for p in model.conv1.parameters())
    assert not any(p.requires_grad for p in model.layer1.parameters())
    assert all(p.requires_grad for p in model.layer2.parameters())
    assert not model.bn1.training and not model.layer1.training
    assert all(not m.training for m in model.modules()
               if isinstance(m, nn.BatchNorm2d))

    trainable = CifarResNet(depth=20, frozen_stages=0)
    trainable.train()
    assert not any(p.requires_grad for p in trainable.bn1.parameters())
    assert trainable.layer1.training
    assert all(p.requires_grad for p in trainable.layer1.parameters())


@pytest.mark.parametrize('depth', [18, 33, 34, 2, 0, '32', True, 32.0])
def test_invalid_depth_message(depth):
    with pytest.raises(ValueError, match=r'6n\+2.*got ' + repr(depth)):
        CifarResNet(depth=depth)


@pytest.mark.parametrize('kwargs, error, pattern', [
    (dict(out_indices=(3, )), ValueError, r'out_indices .* got \(3,\)'),
    (dict(out_indices=(True, )), ValueError, r'out_indices .* got \(True,\)'),
    (dict(out_indices='2'), TypeError, r"out_indices must be a sequence .* got '2'"),
    (dict(frozen_stages=4), ValueError,
     r'frozen_stages must be an int >= -1 and <= 3, got 4 \(int\)\. -1 trains'),
    (dict(frozen_stages=True), TypeError, r'frozen_stages .* got True \(bool\)'),
    (dict(in_channels=0), ValueError, r'in_channels must be an int >= 1, got 0'),
    (dict(norm_eval='no'), TypeError, r"norm_eval must be True or False, got 'no'"),
])
def test_invalid_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        CifarResNet(**kwargs)


def test_input_of_the_wrong_rank_or_channels_names_the_fix():
    model = CifarResNet(depth=8)
    with pytest.raises(ValueError, match=r'got shape \(3, 2, 3, 8, 8\)\. A MultiView '
                                         r'pipeline needs .*MultiViewClsDataPreprocessor'):
        model(torch.zeros(3, 2, 3, 8, 8))
    with pytest.raises(ValueError, match=r'in_channels=3 but the images have 1 '
                                         r'channels .* set in_channels=1'):
        model(torch.zeros(2, 1, 8, 8))
    assert CifarResNet(depth=8, in_channels=1)(torch.zeros(2, 1, 8, 8))[0].shape == (
        2, 64, 2, 2)
