"""Tests for skcl_mm.datasets.transforms.hue_safe_color_jitter."""
import mmcv
import numpy as np
import pytest
import torchvision.transforms.functional as TF
from PIL import Image

import skcl_mm  # noqa: F401  (registers HueSafeColorJitter)
from mmpretrain.registry import TRANSFORMS
from skcl_mm.datasets.transforms import HueSafeColorJitter, shift_hue

FACTORS = [-0.5, -0.37, -0.1, -0.02, -0.001, 0.0, 0.004, 0.05, 0.1, 0.33, 0.5]


def random_image(seed=0, size=32):
    return np.random.default_rng(seed).integers(0, 256, (size, size, 3),
                                                dtype=np.uint8)


def hue_channel(rgb):
    return np.asarray(Image.fromarray(rgb).convert('HSV'))[..., 0].astype(int)


@pytest.mark.parametrize('factor', FACTORS)
def test_shift_hue_equals_torchvision_pil(factor):
    img = random_image(1)
    ours = shift_hue(img, factor)
    ref = np.asarray(TF.adjust_hue(Image.fromarray(img), factor))
    assert ours.dtype == np.uint8 and ours.shape == img.shape
    assert np.array_equal(ours, ref)


@pytest.mark.parametrize('factor, channel', [(1 / 3, 1), (-1 / 3, 2), (0.0, 0)])
def test_shift_hue_turns_red_into_expected_primary(factor, channel):
    red = np.zeros((4, 4, 3), np.uint8)
    red[..., 0] = 255
    out = shift_hue(red, factor)
    assert np.all(out.argmax(-1) == channel)
    # Hue moves by int(f * 255) mod 256 on PIL's 8-bit circle (saturated pixels).
    shift = (hue_channel(out) - hue_channel(red)) % 256
    assert np.all(np.abs(shift - int(factor * 255) % 256) <= 1)


def test_shift_hue_zero_is_the_hsv_round_trip_and_gray_untouched():
    img = random_image(2)
    # Only PIL's 8-bit HSV quantisation remains at factor 0.
    round_trip = np.asarray(Image.fromarray(img).convert('HSV').convert('RGB'))
    assert np.array_equal(shift_hue(img, 0.0), round_trip)
    assert np.abs(round_trip.astype(int) - img).mean() < 1
    gray = img[..., 0]
    assert shift_hue(gray, 0.3) is gray
    with pytest.raises(ValueError, match=r'\[-0.5, 0.5\]'):
        shift_hue(img, 0.7)


def test_stock_mmcv_hue_overflows_under_numpy2():
    """The trap this transform exists for; drop the transform once mmcv fixes it."""
    if int(np.__version__.split('.')[0]) < 2:
        pytest.skip('numpy < 2 wraps the cast silently')
    with pytest.raises(OverflowError):
        mmcv.adjust_hue(random_image(), -0.05, backend='pillow')


def test_many_seeds_never_crash_where_stock_does():
    ours = TRANSFORMS.build(dict(type='HueSafeColorJitter', brightness=0.4,
                                 contrast=0.4, saturation=0.4, hue=0.1))
    stock = TRANSFORMS.build(dict(type='ColorJitter', brightness=0.4,
                                  contrast=0.4, saturation=0.4, hue=0.1))
    img = random_image(3)
    stock_crashes = 0
    changed_hue = 0
    for seed in range(300):
        np.random.seed(seed)
        out = ours(dict(img=img.copy()))['img']
        assert out.shape == img.shape and out.dtype == np.uint8
        assert out.flags.c_contiguous
        changed_hue += not np.array_equal(hue_channel(out), hue_channel(img))
        np.random.seed(seed)
        try:
            stock(dict(img=img.copy()))
        except OverflowError:
            stock_crashes += 1
    assert stock_crashes > 50  # about half the draws have a negative factor
    assert changed_hue > 250


def test_hue_zero_is_identity():
    img = random_image(4)
    for hue in (0, 0.0, (0.0, 0.0)):
        t = HueSafeColorJitter(hue=hue)
        assert np.array_equal(t(dict(img=img.copy()))['img'], img)


def test_without_hue_matches_stock_color_jitter():
    img = random_image(5)
    cfg = dict(brightness=0.4, contrast=0.4, saturation=0.4)
    for seed in range(20):
        np.random.seed(seed)
        ours = HueSafeColorJitter(**cfg)(dict(img=img.copy()))['img']
        np.random.seed(seed)
        ref = TRANSFORMS.build(dict(type='ColorJitter', backend='pillow',
                                    **cfg))(dict(img=img.copy()))['img']
        assert np.array_equal(ours, ref)


def test_rgb_order_is_bgr_order_mirrored():
    img = random_image(6)
    cfg = dict(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1)
    for seed in range(10):
        np.random.seed(seed)
        rgb = HueSafeColorJitter(channel_order='rgb', **cfg)(
            dict(img=img.copy()))['img']
        np.random.seed(seed)
        bgr = HueSafeColorJitter(channel_order='bgr', **cfg)(
            dict(img=np.ascontiguousarray(img[..., ::-1])))['img']
        assert np.array_equal(rgb, bgr[..., ::-1])


def test_invalid_channel_order():
    with pytest.raises(ValueError, match="channel_order.*'rgb'.*'RGB'"):
        HueSafeColorJitter(hue=0.1, channel_order='RGB')


@pytest.mark.parametrize('seed', range(6))
def test_with_hue_equals_torchvision_pil_ops_in_the_drawn_order(seed):
    """The whole jitter is torchvision's PIL ColorJitter step for step."""
    jitter = HueSafeColorJitter(0.4, 0.4, 0.4, 0.1, channel_order='rgb')
    img = random_image(seed)
    np.random.seed(seed)
    ours = jitter(dict(img=img.copy()))['img']
    np.random.seed(seed)
    order, *factors = jitter._rand_params()
    ops = (TF.adjust_brightness, TF.adjust_contrast, TF.adjust_saturation,
           TF.adjust_hue)
    ref = Image.fromarray(img)
    for index in order:
        ref = ops[index](ref, factors[index])
    assert np.array_equal(ours, np.asarray(ref))
