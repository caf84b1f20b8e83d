"""Tests for skcl_mm.datasets.transforms.batch.random_apply."""
import pytest
import torch

from mmpretrain.registry import MODELS
from skcl_mm.datasets.transforms.batch import (BatchRandomApply,
                                               BatchRandomGrayscale)
from tests.test_datasets.test_transforms.test_batch.batch_images import (
    check_contract, uint8_images, within_4_se)


def test_contract_and_arguments():
    check_contract(dict(type='BatchRandomApply', prob=0.8,
                        transforms=[dict(type='BatchColorJitter')]))
    with pytest.raises(ValueError, match='at least one'):
        MODELS.build(dict(type='BatchRandomApply', transforms=[], prob=0.5))
    with pytest.raises(ValueError, match='prob'):
        MODELS.build(dict(type='BatchRandomApply', prob=2,
                          transforms=[dict(type='BatchRandomFlip')]))


def test_random_apply_subset_and_builds_inner():
    apply = MODELS.build(dict(type='BatchRandomApply', prob=0.8,
                              transforms=[dict(type='BatchRandomGrayscale', prob=1.0)]))
    assert isinstance(apply.transforms[0], BatchRandomGrayscale)
    _, many = uint8_images(B=64, seed=1)
    torch.manual_seed(0)
    outs = [apply(many) for _ in range(20)]
    grey = BatchRandomGrayscale(prob=1.0)(many)
    for out in outs:
        per_sample = (out == grey).flatten(1).all(1) | (out == many).flatten(1).all(1)
        assert per_sample.all(), 'each sample is either transformed or untouched'
    changed = sum(int((o != many).flatten(1).any(1).sum()) for o in outs)
    assert within_4_se(changed, 64 * 20, 0.8), changed


def test_random_apply_rejects_size_change():
    apply = BatchRandomApply([dict(type='BatchRandomCrop', size=24, padding=0)], prob=0.5)
    with pytest.raises(ValueError, match='shape'):
        apply(uint8_images(B=2)[1])
