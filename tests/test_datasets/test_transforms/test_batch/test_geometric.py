"""Tests for skcl_mm.datasets.transforms.batch.geometric (crop, flip, cutout)."""
import math

import mmcv
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from mmpretrain.registry import MODELS, TRANSFORMS
from skcl_mm.datasets.transforms.batch.geometric import (BatchCutout,
                                                         BatchRandomCrop,
                                                         BatchRandomFlip)
from tests.test_datasets.test_transforms.test_batch.batch_images import (
    check_contract, to_hwc, uint8_images, within_4_se)
from tests.test_datasets.test_transforms.test_batch.distribution_checks import (
    changed_samples, chi_square_uniform, counts_uniform)

CONFIGS = [
    dict(type='BatchRandomCrop'),
    dict(type='BatchRandomCrop', size=32, padding=4, pad_val=(1, 2, 3)),
    dict(type='BatchRandomFlip'),
    dict(type='BatchCutout'),
]


def reference(cfg, img, seed):
    """Run one real mmpretrain/mmcv transform on an (H, W, 3) uint8 image."""
    np.random.seed(seed)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return TRANSFORMS.build(cfg)(dict(img=img.copy()))['img']


@pytest.mark.parametrize('cfg', CONFIGS, ids=str)
def test_contract(cfg):
    check_contract(cfg, size=cfg.get('size', 32))


@pytest.mark.parametrize('cfg, match', [
    (dict(type='BatchRandomCrop', size=0), 'size'),
    (dict(type='BatchRandomCrop', pad_val=(1, 2)), 'pad_val'),
    (dict(type='BatchRandomFlip', prob=1.5), 'prob'),
    (dict(type='BatchCutout', shape=(16, 0)), 'shape'),
])
def test_invalid_arguments(cfg, match):
    with pytest.raises(ValueError, match=match):
        MODELS.build(cfg)


def test_random_crop_matches_mmpretrain_exactly():
    """Same offsets as mmpretrain's two ``np.random.randint`` draws, same image."""
    imgs, images = uint8_images(B=4)
    crop = BatchRandomCrop(size=32, padding=4, pad_val=(7, 8, 9))
    for seed in range(20):
        i = seed % 4
        ref = reference(dict(type='RandomCrop', crop_size=32, padding=4,
                             pad_val=(7, 8, 9)), imgs[i], seed)
        np.random.seed(seed)
        top, left = np.random.randint(0, 9), np.random.randint(0, 9)  # offset_h, offset_w
        ours = crop.crop(images[i:i + 1], torch.tensor([top]), torch.tensor([left]))
        assert np.array_equal(to_hwc(ours[0]), ref), f'seed {seed}'


def test_random_crop_windows_equal_a_loop_over_samples():
    """The batched gather against slicing the padded image sample by sample,
    on a non-square batch (rows and columns have different ranges)."""
    torch.manual_seed(0)
    images = torch.randint(0, 256, (16, 3, 12, 20)).float()
    crop = BatchRandomCrop(size=10, padding=3, pad_val=(1, 2, 3))
    top, left = torch.randint(0, 9, (16, )), torch.randint(0, 17, (16, ))
    out = crop.crop(images, top, left)
    canvas = torch.tensor([1., 2., 3.]).view(1, 3, 1, 1).repeat(16, 1, 18, 26)
    canvas[:, :, 3:15, 3:23] = images
    for b in range(16):
        t, x = int(top[b]), int(left[b])
        assert torch.equal(out[b], canvas[b, :, t:t + 10, x:x + 10]), b
    assert out.is_contiguous() and out.shape == (16, 3, 10, 10)


def test_random_crop_offsets_uniform():
    rows = torch.arange(32.).view(1, 1, 32, 1).expand(64, 1, 32, 32)
    cols = torch.arange(32.).view(1, 1, 1, 32).expand(64, 1, 32, 32)
    images = torch.cat([rows + 100, cols + 100, torch.zeros(64, 1, 32, 32)], 1)
    crop = BatchRandomCrop(size=32, padding=4)
    torch.manual_seed(0)
    tops, lefts = [], []
    for _ in range(32):
        out = crop(images)
        # output pixel (16, 16) is input pixel (12 + top, 12 + left)
        tops.append(out[:, 0, 16, 16] - 112)
        lefts.append(out[:, 1, 16, 16] - 112)
    for offsets in (torch.cat(tops), torch.cat(lefts)):
        counts = torch.bincount(offsets.long(), minlength=9)
        assert counts.numel() == 9, f'offsets outside [0, 8]: {counts}'
        assert counts_uniform(counts), counts
    # rows and columns independent: the 81 (top, left) pairs uniform
    # (chi-square, 80 degrees of freedom, below its 0.999 quantile)
    pairs = torch.cat(tops).long() * 9 + torch.cat(lefts).long()
    assert chi_square_uniform(pairs, 81) < 124.8


def test_flip_matches_mmcv_and_rate():
    imgs, images = uint8_images(B=2)
    ref = reference(dict(type='RandomFlip', prob=1.0, direction='horizontal'), imgs[0], 0)
    assert np.array_equal(to_hwc(BatchRandomFlip(prob=1.0)(images)[0]), ref)
    assert torch.equal(BatchRandomFlip(prob=0.0)(images), images)
    flipped = changed_samples(BatchRandomFlip(prob=0.3))
    assert within_4_se(flipped, 64 * 20, 0.3), flipped


def test_cutout_matches_mmcv():
    imgs, images = uint8_images(B=1)
    cutout = BatchCutout(shape=16, pad_val=(125, 123, 114), prob=1.0)
    for seed in range(20):
        ref = reference(dict(type='Cutout', shape=16, pad_val=(125, 123, 114), prob=1.0),
                        imgs[0], seed)
        np.random.seed(seed)
        np.random.rand()  # Cutout's random_disable draw
        y0, x0 = np.random.uniform(32), np.random.uniform(32)
        ours = cutout.cut(images, torch.tensor([True]), torch.tensor([y0], dtype=torch.float64),
                          torch.tensor([x0], dtype=torch.float64))
        assert np.array_equal(to_hwc(ours[0]), ref), f'seed {seed}'


def test_cutout_hole_distribution():
    cutout = BatchCutout(shape=16, pad_val=0, prob=0.5)
    images = torch.full((64, 3, 32, 32), 200.)
    torch.manual_seed(0)
    holes = torch.cat([(cutout(images)[:, 0] == 0).flatten(1).sum(1) for _ in range(20)])
    cut = holes > 0
    assert within_4_se(int(cut.sum()), holes.numel(), 0.5)
    np.random.seed(0)
    ref = np.array([(mmcv.cutout(np.full((32, 32), 200, np.uint8), 16, 0) == 0).sum()
                    for _ in range(2000)], dtype=float)
    ours = holes[cut].double().numpy()
    se = math.sqrt(ours.var() / ours.size + ref.var() / ref.size)
    assert abs(ours.mean() - ref.mean()) <= 4 * se, (ours.mean(), ref.mean())
    assert ours.max() == 256 and ours.min() >= 64
