"""Tests for skcl_mm.datasets.transforms.batch.blur."""
import math

import numpy as np
import pytest
import torch
from PIL import Image, ImageFilter

from mmpretrain.registry import MODELS
from skcl_mm.datasets.transforms.batch.blur import (BatchGaussianBlur,
                                                    pil_gaussian_blur)
from tests.test_datasets.test_transforms.test_batch.batch_images import (
    build_reference, check_contract, uint8_images, within_4_se)
from tests.test_datasets.test_transforms.test_batch.distribution_checks import (
    changed_samples, pil_blur_max_diff)


def test_contract_and_arguments():
    check_contract(dict(type='BatchGaussianBlur'))
    with pytest.raises(ValueError, match='sigma'):
        MODELS.build(dict(type='BatchGaussianBlur', sigma=(0., 1.)))


@pytest.mark.parametrize('sigma', [0.1, 0.3, 0.55, 0.8, 1.0, 1.37, 1.9, 2.0])
def test_blur_matches_pil_exactly(sigma):
    sigma = float(np.float32(sigma))

    def blur(images, sigma):
        return pil_gaussian_blur(images, torch.full((len(images), ), sigma), max_sigma=2.0)

    assert pil_blur_max_diff(blur, sigma) == 0
    # the CPU view's GaussianBlur is PIL's
    imgs, _ = uint8_images(B=1)
    ref = build_reference(dict(type='GaussianBlur', radius=sigma, prob=1.0))
    assert np.array_equal(ref(dict(img=imgs[0].copy()))['img'], np.asarray(
        Image.fromarray(imgs[0]).filter(ImageFilter.GaussianBlur(radius=sigma))))


def test_blur_per_sample_sigma_and_distribution():
    imgs, images = uint8_images(B=3)
    sigmas = torch.tensor([0.1, 1.0, 2.0])
    batched = pil_gaussian_blur(images, sigmas, max_sigma=2.0)
    for i in range(3):
        single = pil_gaussian_blur(images[i:i + 1], sigmas[i:i + 1], max_sigma=2.0)
        assert torch.equal(batched[i], single[0]), i
    blur = BatchGaussianBlur(sigma=(0.1, 2.0), prob=0.5)
    torch.manual_seed(0)
    apply, sigma = blur.sample_params(4000, torch.device('cpu'))
    assert within_4_se(int(apply.sum()), 4000, 0.5)
    assert sigma.min() >= 0.1 and sigma.max() <= 2.0
    assert abs(sigma.double().mean() - 1.05) <= 4 * 1.9 / math.sqrt(12 * 4000)
    changed = changed_samples(blur, rounds=10)
    assert within_4_se(changed, 640, 0.5), changed
