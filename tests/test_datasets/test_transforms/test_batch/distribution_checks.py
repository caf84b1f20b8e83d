"""The statistical checks of the batch transforms, as measurements of any transform.

Each function runs one check against the CPU reference (PIL, mmcv, mmpretrain)
and returns what it measured; the tests assert on it. The same functions serve
the tests of the package's transforms (test_<module>.py) and of kornia's
equivalents (test_kornia_equivalents.py, docs/pipelines.md "Batch transforms:
own code vs kornia"), so both sides meet the same checks.
"""
import math

import mmcv
import numpy as np
import torch
from mmengine.registry import DefaultScope
from PIL import Image, ImageFilter

from mmpretrain.registry import TRANSFORMS
from skcl_mm.datasets.transforms.hue_safe_color_jitter import shift_hue
from tests.test_datasets.test_transforms.test_batch.batch_images import (
    build_reference, to_hwc, uint8_images, within_4_se)


def changed_samples(transform, rounds=20, B=64, seed=1) -> int:
    """Samples that ``transform`` changes over ``rounds`` calls on B images."""
    _, many = uint8_images(B=B, seed=seed)
    torch.manual_seed(0)
    return sum(int((transform(many) != many).flatten(1).any(1).sum()) for _ in range(rounds))


def counts_uniform(counts: torch.Tensor) -> bool:
    """Every bin of ``counts`` holds its 1/k share within 4 standard errors."""
    n = int(counts.sum())
    return all(within_4_se(int(c), n, 1 / len(counts)) for c in counts)


def grey_mismatches(grey) -> int:
    """Pixels where ``grey`` (prob 1) differs from mmcv ``RandomGrayscale``."""
    imgs, images = uint8_images(B=4)
    ref_t = build_reference(dict(type='RandomGrayscale', prob=1.0, keep_channels=True,
                                 channel_weights=(0.299, 0.587, 0.114)))
    ref = np.stack([ref_t(dict(img=im.copy()))['img'] for im in imgs])
    return int((to_hwc(grey(images)) != ref).sum())


def pil_blur_max_diff(blur, sigma: float) -> float:
    """Largest grey-level gap between ``blur(images, sigma)`` and PIL's
    ``GaussianBlur(radius=sigma)`` on 4 test images."""
    imgs, images = uint8_images(B=4)
    ref = np.stack([np.asarray(Image.fromarray(im).filter(ImageFilter.GaussianBlur(sigma)))
                    for im in imgs]).astype(float)
    return float(np.abs(to_hwc(blur(images, sigma)) - ref).max())


def pil_step_max_diff(step, enhancer, factors=(0., 0.3, 0.6, 0.97, 1.23, 1.4, 2.5)) -> float:
    """Largest gap between ``step(images, factors (B,))`` and PIL's enhancer."""
    imgs, images = uint8_images()
    worst = 0.
    for factor in np.float32(factors):
        ref = np.stack([np.asarray(enhancer(Image.fromarray(im)).enhance(float(factor)))
                        for im in imgs]).astype(float)
        ours = to_hwc(step(images, torch.full((len(imgs), ), float(factor))))
        worst = max(worst, float(np.abs(ours - ref).max()))
    return worst


def hue_max_diff(hue, factors=(-0.1, -0.03, 0.04, 0.1)) -> float:
    """Largest gap between ``hue(images, factors (B,))`` and the CPU views'
    PIL 8-bit HSV shift (``shift_hue``)."""
    imgs, images = uint8_images()
    worst = 0.
    for factor in np.float32(factors):
        ref = np.stack([shift_hue(im, float(factor)) for im in imgs]).astype(float)
        ours = to_hwc(hue(images, torch.full((len(imgs), ), float(factor))))
        worst = max(worst, float(np.abs(ours - ref).max()))
    return worst


def box_agreement(boxes: torch.Tensor, scale=(0.2, 1.0)) -> dict:
    """Boxes (N, 4) ``(top, left, height, width)`` of 32x32 images against
    mmpretrain ``RandomResizedCrop``'s sampler (N draws, np.random seed 0).

    Returns:
        dict: ``z`` (largest |difference of means| / standard error over area
        fraction, aspect ratio and top), ``full`` (number of full-image boxes,
        own and reference), ``inside`` (all boxes inside the image).
    """
    n = len(boxes)
    top, left, h, w = boxes.double().unbind(1)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        ref_t = TRANSFORMS.build(dict(type='RandomResizedCrop', scale=32,
                                      crop_ratio_range=scale))
    np.random.seed(0)
    blank = np.zeros((32, 32, 3), np.uint8)
    ref = np.array([ref_t.rand_crop_params(blank) for _ in range(n)], dtype=float)
    ours = np.stack([(h * w / 1024).numpy(), (w / h).numpy(), top.numpy()], 1)
    theirs = np.stack([ref[:, 2] * ref[:, 3] / 1024, ref[:, 3] / ref[:, 2], ref[:, 0]], 1)
    z = max(abs(ours[:, k].mean() - theirs[:, k].mean()) /
            math.sqrt(ours[:, k].var() / n + theirs[:, k].var() / n) for k in range(3))
    full = (int(((h == 32) & (w == 32)).sum()),
            int(((ref[:, 2] == 32) & (ref[:, 3] == 32)).sum()))
    inside = bool((top >= 0).all() and (left >= 0).all() and (top + h <= 32).all()
                  and (left + w <= 32).all())
    return dict(z=z, full=full, inside=inside)


def cv2_resize_gap(resize, box) -> tuple:
    """Largest gap and share of differing values between ``resize(images (1,
    3, 32, 32), box)`` and mmcv's crop of ``box`` = (top, left, height, width)
    resized to 32x32 by cv2 (bilinear)."""
    imgs, images = uint8_images(B=1)
    top, left, h, w = box
    crop = mmcv.imcrop(imgs[0], np.array([left, top, left + w - 1, top + h - 1]))
    ref = mmcv.imresize(crop, (32, 32), interpolation='bilinear').astype(float)
    diff = np.abs(to_hwc(resize(images, box)[0]) - ref)
    return float(diff.max()), float((diff > 0).mean())


def chi_square_uniform(index: torch.Tensor, k: int) -> float:
    """Chi-square of the draws ``index`` (values 0..k-1) against uniform."""
    counts = torch.bincount(index, minlength=k).double()
    expected = len(index) / k
    return float(((counts - expected) ** 2 / expected).sum())
