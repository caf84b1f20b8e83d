"""Shared helpers of the batch-transform tests: images, references, rates."""
import math

import numpy as np
import torch
from mmengine.registry import DefaultScope

import skcl_mm  # noqa: F401  (registers HueSafeColorJitter and the batch transforms)
from mmpretrain.registry import MODELS, TRANSFORMS


def uint8_images(B=8, seed=0):
    """(B, 32, 32, 3) uint8 images (noise, flat areas, greys) and their
    (B, 3, 32, 32) float tensor."""
    rng = np.random.default_rng(seed)
    imgs = rng.integers(0, 256, (B, 32, 32, 3), dtype=np.uint8)
    imgs[0, :16] = imgs[0, :16] // 64 * 64  # ties between channels
    imgs[min(1, B - 1), ..., 1] = imgs[min(1, B - 1), ..., 0]
    imgs[-1, :, :8] = imgs[-1, :, :8, :1]  # grey pixels
    return imgs, torch.from_numpy(imgs).permute(0, 3, 1, 2).float()


def to_hwc(batch):
    """(B, 3, H, W) -> (B, H, W, 3) numpy, or (3, H, W) -> (H, W, 3)."""
    return batch.permute(*range(batch.dim() - 3), -2, -1, -3).numpy()


def build_reference(cfg):
    """A real mmpretrain/mmcv/skcl_mm CPU transform."""
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return TRANSFORMS.build(cfg)


def within_4_se(count, n, p):
    """``count`` of ``n`` Bernoulli(p) draws is within 4 standard errors."""
    return abs(count - n * p) <= 4 * math.sqrt(n * p * (1 - p))


def check_contract(cfg, size=32, integers=True):
    """The batch-transform contract of docs/pipelines.md for one config."""
    _, images = uint8_images(B=6)
    before = images.clone()
    transform = MODELS.build(cfg)
    torch.manual_seed(3)
    out = transform(images)
    torch.manual_seed(3)
    again = transform(images)
    assert out.shape == (6, 3, size, size) and out.dtype == torch.float32
    assert out.device == images.device
    assert out.min() >= 0 and out.max() <= 255
    if integers:
        assert torch.equal(out, out.round()), 'PIL/mmcv give integers'
    assert torch.equal(images, before), 'input was modified'
    assert torch.equal(out, again), 'not reproducible under manual_seed'
    assert repr(transform).startswith(cfg['type'] + '(') and '=' in repr(transform)
