"""Tests for skcl_mm.datasets.transforms.batch.resized_crop."""
import math

import numpy as np
import pytest
import torch

from mmpretrain.registry import MODELS
from skcl_mm.datasets.transforms.batch.resized_crop import (
    BatchRandomResizedCrop, resize_boxes)
from tests.test_datasets.test_transforms.test_batch.batch_images import (
    build_reference, check_contract, to_hwc, uint8_images)
from tests.test_datasets.test_transforms.test_batch.distribution_checks import (
    box_agreement, cv2_resize_gap)


@pytest.mark.parametrize('cfg', [
    dict(type='BatchRandomResizedCrop'),
    dict(type='BatchRandomResizedCrop', size=24, scale=(0.08, 1.0)),
], ids=str)
def test_contract(cfg):
    # resampling rounds like cv2: integers too
    check_contract(cfg, size=cfg.get('size', 32))


@pytest.mark.parametrize('cfg, match', [
    (dict(type='BatchRandomResizedCrop', size=0), 'size'),
    (dict(type='BatchRandomResizedCrop', scale=(0.5, 0.2)), 'scale'),
    (dict(type='BatchRandomResizedCrop', ratio=(0., 1.)), 'ratio'),
    (dict(type='BatchRandomResizedCrop', max_attempts=0), 'max_attempts'),
])
def test_invalid_arguments(cfg, match):
    with pytest.raises(ValueError, match=match):
        MODELS.build(cfg)


@pytest.mark.parametrize('box', [(0, 0, 32, 32), (3, 5, 14, 20), (10, 2, 22, 17),
                                 (0, 0, 7, 9), (1, 1, 31, 30), (16, 12, 16, 20)])
def test_resize_boxes_matches_cv2(box):
    """Bilinear resampling of a box: within 1 grey level of mmcv (cv2)."""
    def resize(images, box):
        return torch.round(resize_boxes(images, torch.tensor([box], dtype=torch.float32), 32))

    gap, share = cv2_resize_gap(resize, box)
    assert gap <= 1 and share <= 0.2, (gap, share)


def test_resized_crop_fallback_matches_mmpretrain():
    """No attempt fits: both fall back to the centred box of ratio 2."""
    imgs, images = uint8_images(B=2)
    rrc = BatchRandomResizedCrop(size=32, scale=(2.0, 3.0), ratio=(2.0, 3.0))
    out = rrc(images)
    np.random.seed(0)
    ref = build_reference(dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(2.0, 3.0),
                               aspect_ratio_range=(2.0, 3.0)))(dict(img=imgs[0].copy()))['img']
    assert np.abs(to_hwc(out[0]) - ref).max() <= 1
    boxes = rrc.sample_boxes(2, 32, 32, torch.device('cpu'))
    assert torch.equal(boxes, torch.tensor([[8., 0., 16., 32.]] * 2, dtype=boxes.dtype))


def test_resized_crop_box_distribution_matches_mmpretrain():
    """Area fraction, aspect ratio and top of our boxes follow mmpretrain's
    sampler; the full-image box (attempts near area 1) is as common."""
    rrc = BatchRandomResizedCrop(size=32, scale=(0.2, 1.0))
    torch.manual_seed(0)
    agreement = box_agreement(rrc.sample_boxes(4000, 32, 32, torch.device('cpu')))
    assert agreement['inside'] and agreement['z'] <= 4, agreement
    own, ref = agreement['full']
    assert abs(own - ref) <= 4 * math.sqrt(own + ref + 1), agreement
