"""Tests for skcl_mm.datasets.transforms.batch.color."""
import math
from fractions import Fraction

import numpy as np
import pytest
import torch
from PIL import ImageEnhance

from mmpretrain.registry import MODELS
from skcl_mm.datasets.transforms.batch.color import (BatchColorJitter,
                                                     BatchRandomGrayscale,
                                                     adjust_brightness,
                                                     adjust_contrast,
                                                     adjust_hue,
                                                     adjust_saturation,
                                                     split_weight)
from skcl_mm.datasets.transforms.hue_safe_color_jitter import shift_hue
from tests.test_datasets.test_transforms.test_batch.batch_images import (
    build_reference, check_contract, to_hwc, uint8_images, within_4_se)
from tests.test_datasets.test_transforms.test_batch.distribution_checks import (
    changed_samples, counts_uniform, grey_mismatches, pil_step_max_diff)

DEFAULT_WEIGHTS = (0.299, 0.587, 0.114)


@pytest.mark.parametrize('cfg', [
    dict(type='BatchColorJitter'),
    dict(type='BatchColorJitter', brightness=0., hue=0.5),
    dict(type='BatchRandomGrayscale'),
], ids=str)
def test_contract(cfg):
    check_contract(cfg)


@pytest.mark.parametrize('cfg, match', [
    (dict(type='BatchColorJitter', brightness=-0.1), 'brightness'),
    (dict(type='BatchColorJitter', hue=0.6), 'hue'),
    (dict(type='BatchRandomGrayscale', channel_weights=(1, 1)), 'channel_weights'),
])
def test_invalid_arguments(cfg, match):
    with pytest.raises(ValueError, match=match):
        MODELS.build(cfg)


@pytest.mark.parametrize('fn, enhancer', [(adjust_brightness, ImageEnhance.Brightness),
                                          (adjust_contrast, ImageEnhance.Contrast),
                                          (adjust_saturation, ImageEnhance.Color)])
def test_enhance_steps_match_pil_exactly(fn, enhancer):
    assert pil_step_max_diff(fn, enhancer, factors=(0., 0.3, 0.6, 0.97, 1., 1.23, 1.4, 2.5)) == 0


def test_hue_matches_pil_exactly_on_all_colours():
    """A 32nd of all RGB colours (32 blue planes of 256 x 256) for 9 hue shifts.

    (The full 2^24 colours, 256 planes, also match exactly; 20 s is too slow
    for the suite.)"""
    v = np.arange(256, dtype=np.uint8)
    rg = np.stack(np.meshgrid(v, v, indexing='ij'), -1)
    factors = np.float32([-0.5, -0.37, -0.1, -0.004, 0., 0.003, 0.1, 0.26, 0.5])
    for blue in [*range(0, 255, 8), 255]:
        img = np.concatenate([rg, np.full((256, 256, 1), blue, np.uint8)], -1)
        f = float(factors[blue % len(factors)])
        ref = shift_hue(img, f)
        ours = adjust_hue(torch.from_numpy(img).permute(2, 0, 1)[None].float(),
                          torch.tensor([f]))
        assert np.array_equal(to_hwc(ours)[0], ref), f'blue {blue} hue {f}'


def test_jitter_matches_hue_safe_color_jitter():
    """Same factors and order as the real CPU transform give the same image."""
    imgs, images = uint8_images(B=4)
    cpu = build_reference(dict(type='HueSafeColorJitter', brightness=0.4, contrast=0.4,
                               saturation=0.4, hue=0.1, channel_order='rgb'))
    jitter = BatchColorJitter()
    mismatched = 0
    for seed in range(40):
        i = seed % 4
        np.random.seed(seed)
        order, b, c, s, h = cpu._rand_params()
        # PIL blends with float32 factors; hue uses int(h * 255) of the double
        factors = torch.tensor([[b, c, s, h]], dtype=torch.float32)
        np.random.seed(seed)
        ref = cpu.transform(dict(img=imgs[i].copy()))['img']
        ours = jitter.apply(images[i:i + 1], torch.from_numpy(order)[None], factors)
        if int(h * 255) != int(np.float32(h) * 255):
            mismatched += 1  # the float32 hue factor truncates to another shift
            continue
        assert np.array_equal(to_hwc(ours)[0], ref), f'seed {seed} order {order}'
    assert mismatched <= 2


def test_jitter_parameter_distribution():
    jitter = BatchColorJitter(brightness=0.4, contrast=0.8, saturation=1.5, hue=0.1)
    torch.manual_seed(0)
    order, factors = jitter.sample_params(4000, torch.device('cpu'))
    assert torch.equal(order.sort(dim=1).values, torch.arange(4).expand(4000, 4))
    firsts = torch.bincount(order[:, 0], minlength=4)
    assert counts_uniform(firsts), firsts
    for k, (lo, hi) in enumerate([(0.6, 1.4), (0.2, 1.8), (0., 2.5), (-0.1, 0.1)]):
        f = factors[:, k].double()
        assert f.min() >= lo and f.max() <= hi, k
        assert abs(f.mean() - (lo + hi) / 2) <= 4 * (hi - lo) / math.sqrt(12 * 4000), k
        assert f.min() < lo + 0.02 * (hi - lo) and f.max() > hi - 0.02 * (hi - lo), k


def test_grayscale_matches_mmcv_and_rate():
    """Which samples: mmcv greys where ``random.random() < prob``, so prob 1
    greys every sample and prob 0 none."""
    assert grey_mismatches(BatchRandomGrayscale(prob=1.0)) == 0
    _, images = uint8_images(B=6)
    assert torch.equal(BatchRandomGrayscale(prob=0.)(images), images)
    grey = changed_samples(BatchRandomGrayscale(prob=0.2))
    assert within_4_se(grey, 64 * 20, 0.2), grey


@pytest.mark.parametrize('weights', [DEFAULT_WEIGHTS, (1, 2, 1),
                                     (0.2126, 0.7152, 0.0722), (3, 0, 1e-9)])
def test_grayscale_equals_mmcv_formula_on_2_20_colours(weights):
    """mmcv's float64 formula, truncated, on 2^20 random colours and all 256
    greys: equal on every one (kornia's float32 sums missed 35 of them)."""
    rng = np.random.default_rng(0)
    colours = np.concatenate([rng.integers(0, 256, (1 << 20, 3)),
                              np.repeat(np.arange(256)[:, None], 3, 1)]).astype(np.uint8)
    w = np.array(weights) / sum(weights)  # mmcv RandomGrayscale.transform
    ref = (w * colours).sum(axis=1).astype('uint8')
    images = torch.from_numpy(colours.T.astype(np.float32)).reshape(1, 3, -1, 1)
    ours = BatchRandomGrayscale(prob=1.0, channel_weights=weights)(images)[0, :, :, 0]
    assert (ours.numpy() == ref).all(), int((ours.numpy() != ref).sum())


@pytest.mark.parametrize('weight', [*(w / sum(DEFAULT_WEIGHTS) for w in DEFAULT_WEIGHTS),
                                    1 / 3, 0.25, 1e-9, 0.])
def test_split_weight_makes_every_product_exact(weight):
    """x * high and x * low are exact for x in [0, 255], so a fused
    multiply-add of them rounds x * weight once, as numpy does."""
    high, low = split_weight(weight)
    assert high + low == weight and Fraction(high) + Fraction(low) == Fraction(weight)
    for x in range(256):
        assert Fraction(x * high) == x * Fraction(high), (x, 'high')
        assert Fraction(x * low) == x * Fraction(low), (x, 'low')
        assert x * high + x * low == x * weight, x
