"""kornia's equivalents of the batch transforms against the same checks.

docs/pipelines.md, "Batch transforms: own code vs kornia": every batch
transform is own code. Here the checks of the own ops' tests run on the kornia
transform that tools/benchmark.py --batch-transforms times
(``kornia_transform``): the failed checks with the measured gap, and the
checks that kornia's flip and resized crop pass (own code for speed). Crop and
greyscale ran kornia until the views had to be captured in a CUDA graph:
kornia draws their parameters from torch's CPU generator, whatever the images'
device. After a kornia upgrade a failure here means: measure again.
"""
import importlib.util
import math

import numpy as np
import pytest
import torch
from analysis_tools.batch_transform_timing import kornia_transform

from tests.test_datasets.test_transforms.test_batch.batch_images import (
    build_reference, to_hwc, uint8_images, within_4_se)
from tests.test_datasets.test_transforms.test_batch.distribution_checks import (
    box_agreement, changed_samples, chi_square_uniform, counts_uniform,
    cv2_resize_gap, grey_mismatches, hue_max_diff, pil_blur_max_diff,
    pil_step_max_diff)

pytestmark = pytest.mark.skipif(importlib.util.find_spec('kornia') is None, reason=(
    'kornia is not installed: pip install kornia (in setup.py extras "tests")'))


@pytest.fixture(scope='module')
def K():
    """``kornia.augmentation``."""
    import kornia.augmentation
    return kornia.augmentation


@pytest.mark.parametrize('cfg', [dict(type='BatchRandomCrop', size=8, padding=2),
                                 dict(type='BatchRandomGrayscale', prob=0.5)], ids=str)
def test_crop_and_grey_fail_device_side_randomness(K, cfg):
    """The check of test_capture.py: images on another device than the CPU
    (``meta``) leave torch's CPU generator untouched. kornia's draw from it."""
    images = torch.empty(4, 3, 8, 8, device='meta')
    state = torch.random.get_rng_state()
    kornia_transform(cfg, K)(images)
    assert not torch.equal(torch.random.get_rng_state(), state)


def test_grey_passes_test_images_fails_exactness_on_2_20_colours(K):
    """kornia's float32 sums: exact on the test images, but over 2^20 random
    colours and all 256 greys 35 colours floor to one grey level less than
    mmcv's float64 formula (the own op: 0); greys stay exact."""
    grey = kornia_transform(dict(type='BatchRandomGrayscale', prob=1.0), K)
    assert grey_mismatches(grey) == 0
    rng = np.random.default_rng(0)
    colours = np.concatenate([rng.integers(0, 256, (1 << 20, 3)),
                              np.repeat(np.arange(256)[:, None], 3, 1)]).astype(np.uint8)
    weights = np.array([0.299, 0.587, 0.114])
    ref = (weights / weights.sum() * colours).sum(axis=1).astype('uint8')  # mmcv's formula
    images = torch.from_numpy(colours.T.astype(np.float32)).reshape(1, 3, -1, 1)
    gap = ref.astype(int) - grey(images)[0, 0, :, 0].numpy().astype(int)
    assert (gap > 0).sum() == 35 and gap.min() == 0 and gap.max() == 1, (gap > 0).sum()
    assert (gap[-256:] == 0).all()


def test_flip_passes_exactness_and_rate_checks(K):
    """Kept for speed only (1.22-1.48x the own op's time, median 1.33x): the
    flip equals mmcv's, and a prob of 0.3 flips 30 % of the samples."""
    imgs, images = uint8_images(B=2)
    mmcv_flip = build_reference(dict(type='RandomFlip', prob=1.0, direction='horizontal'))
    flip = kornia_transform(dict(type='BatchRandomFlip', prob=1.0), K)
    assert (to_hwc(flip(images)[0]) == mmcv_flip(dict(img=imgs[0].copy()))['img']).all()
    flipped = changed_samples(kornia_transform(dict(type='BatchRandomFlip', prob=0.3), K))
    assert within_4_se(flipped, 64 * 20, 0.3), flipped


def test_resized_crop_passes_box_and_resampling_checks(K):
    """Kept for speed only (2.5-3.1x the own op's time): kornia's boxes follow
    mmpretrain's sampler and its slice-and-resize is within 1 grey level of cv2."""
    from kornia.geometry.transform import crop_by_indices
    op = kornia_transform(dict(type='BatchRandomResizedCrop', size=32, scale=(0.2, 1.0)), K)
    torch.manual_seed(0)
    op(torch.zeros(4000, 1, 32, 32))
    corners = op.module._params['src']  # (N, 4, 2) box corners (x, y)
    top, left = corners[:, 0, 1], corners[:, 0, 0]
    boxes = torch.stack([top, left, corners[:, 2, 1] - top + 1, corners[:, 2, 0] - left + 1], 1)
    agreement = box_agreement(boxes)
    assert agreement['inside'] and agreement['z'] <= 4, agreement
    own, ref = agreement['full']
    assert abs(own - ref) <= 4 * math.sqrt(own + ref + 1), agreement

    def resize(images, box):
        top, left, h, w = box
        corners = torch.tensor([[[left, top], [left + w - 1, top], [left + w - 1, top + h - 1],
                                 [left, top + h - 1]]], dtype=torch.float32)
        return torch.round(crop_by_indices(images, corners, (32, 32)))

    for box in [(0, 0, 32, 32), (3, 5, 14, 20), (10, 2, 22, 17), (0, 0, 7, 9)]:
        gap, share = cv2_resize_gap(resize, box)
        assert gap <= 1 and share <= 0.2, (box, gap, share)


def test_colour_jitter_fails_per_sample_order_and_pil_hue(K):
    """kornia draws one step order per call for the whole batch (the check:
    each sample's first step uniform over the 4), and its float HSV hue is up
    to 14 grey levels from the CPU views' PIL 8-bit HSV (the check: exact)."""
    from kornia.enhance import (adjust_brightness_accumulative, adjust_hue,
                                adjust_saturation_with_gray_subtraction)
    from PIL import ImageEnhance
    op = kornia_transform(dict(type='BatchColorJitter'), K)
    torch.manual_seed(0)
    op(torch.rand(4000, 3, 2, 2) * 255)
    order = op.module._params['order']
    assert order.shape == (4, )  # one permutation for all 4000 samples
    assert not counts_uniform(torch.bincount(order.expand(4000, 4)[:, 0], minlength=4))

    def on_255(step, scale=1.):  # as the delegating op would run it: [0, 1], floored
        return lambda x, f: torch.floor((step(x / 255., f * scale) * 255.).clamp(0., 255.))

    assert hue_max_diff(on_255(adjust_hue, 2 * math.pi)) >= 10
    assert pil_step_max_diff(on_255(adjust_saturation_with_gray_subtraction),
                             ImageEnhance.Color) == 1
    assert pil_step_max_diff(on_255(adjust_brightness_accumulative),
                             ImageEnhance.Brightness) == 0


@pytest.mark.parametrize('sigma, gap', [(0.3, 34), (2.0, 21)])
def test_gaussian_blur_fails_pil_match(K, sigma, gap):
    """kornia samples a Gaussian kernel (3 sigma each side, replicated edges);
    the CPU views blur with PIL's three box passes, which keep the variance
    sigma^2 also at small sigma. The check: exact (the own op's gap is 0)."""
    def blur(images, sigma):
        cfg = dict(type='BatchGaussianBlur', sigma=(sigma, sigma), prob=1.0)
        return kornia_transform(cfg, K)(images)

    assert pil_blur_max_diff(blur, sigma) == gap


def test_auto_augment_fails_per_sample_sub_policy_draw():
    """kornia's AutoAugment draws one sub-policy per call for the whole batch.
    The check of the own op: brightness sub-policies whose output levels do not
    overlap tell which one each sample got; chi-square against uniform below
    the 0.999 quantile (16.3 with 3 degrees of freedom)."""
    from kornia.augmentation.auto import AutoAugment

    # kornia's brightness bin b adds 255 * (f - 1), f in [0.1, 1.9] split in 10:
    # bins 3..6 move 127.5 into [35.7, 81.6], [81.6, 127.5], [127.5, 173.4], [173.4, 219.3]
    policy = AutoAugment([[('brightness', 1.0, b)] for b in (3, 4, 5, 6)])
    torch.manual_seed(0)
    level = policy(torch.full((2500, 3, 2, 2), 0.5))[:, 0, 0, 0] * 255
    index = torch.floor((level - 35.7) / 45.9).long().clamp(0, 3)
    assert len(index.unique()) == 1
    assert chi_square_uniform(index, 4) > 16.3


def test_auto_augment_preset_fills_0_and_keeps_the_sign_of_its_bins():
    """kornia's 'cifar10' preset is not the CIFAR policy of the CPU views
    either: Translate fills 0 (the policy: 128), and a magnitude bin is an
    interval of one sign (Contrast bin 6 only raises contrast; the policy's
    Contrast 6 lowers it for half the samples, random_negative_prob 0.5)."""
    from kornia.augmentation.auto import AutoAugment
    translate = AutoAugment([[('translate_x', 1.0, 9)]])
    assert (translate(torch.full((2, 3, 8, 8), 0.8))[..., 0] == 0).all()
    torch.manual_seed(0)
    images = torch.rand(200, 3, 4, 4)
    contrast = AutoAugment([[('contrast', 1.0, 6)]])
    assert (contrast(images).flatten(1).std(1) > images.flatten(1).std(1)).all()
