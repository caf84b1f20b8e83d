"""Tests for skcl_mm.datasets.transforms.batch.resized_crop_list."""
import numpy as np
import pytest
import torch
from PIL import Image

import skcl_mm  # noqa: F401
from mmpretrain.registry import MODELS, TRANSFORMS
from skcl_mm.datasets.transforms.batch import (BatchListRandomResizedCrop,
                                               BatchListResizeCenterCrop,
                                               BatchRandomResizedCrop)
from skcl_mm.datasets.transforms.batch.resized_crop_list import (resize_box,
                                                                 sample_boxes)
from tests.fixtures.jpegs import textured

RATIO = (3. / 4., 4. / 3.)


def _chw(pixels):
    return torch.from_numpy(pixels).permute(2, 0, 1).contiguous()


def test_boxes_follow_the_rule_of_batch_random_resized_crop():
    """Same sizes, same seed: the per-image sampler draws the very boxes of
    BatchRandomResizedCrop.sample_boxes (one rule, torchvision's/mmpretrain's)."""
    sizes = torch.full((64, ), 30), torch.full((64, ), 50)
    torch.manual_seed(3)
    ours = sample_boxes(*sizes, (0.08, 1.0), RATIO, 10)
    torch.manual_seed(3)
    theirs = BatchRandomResizedCrop(size=8, scale=(0.08, 1.0)).sample_boxes(
        64, 30, 50, torch.device('cpu'))
    torch.testing.assert_close(ours, theirs)


def test_box_statistics_per_image_size():
    """Area fraction within scale, aspect within ratio (up to the rounding of
    the sides), the box inside its own image; uniform-ish area fractions."""
    torch.manual_seed(0)
    heights = torch.tensor([375, 500, 32, 333] * 500)
    widths = torch.tensor([500, 375, 32, 500] * 500)
    top, left, h, w = sample_boxes(heights, widths, (0.08, 1.0), RATIO, 10).unbind(1)
    assert bool(((top >= 0) & (left >= 0) & (top + h <= heights)
                 & (left + w <= widths)).all())
    big = heights > 32  # rounding to whole pixels is negligible there
    area = (h * w / (heights * widths))[big]
    aspect = (w / h)[big]
    assert area.min() >= 0.08 * 0.97 and area.max() <= 1.0
    assert aspect.min() >= RATIO[0] * 0.98 and aspect.max() <= RATIO[1] * 1.02
    assert 0.4 < float(area.median()) < 0.6  # uniform in [0.08, 1]: 0.54
    assert 0.9 < float(torch.log(aspect).mean().exp()) < 1.1  # log-uniform


def test_fallback_is_the_centred_box_of_the_clipped_ratio():
    """A 10 x 400 strip has no box of aspect <= 4/3 covering >= 90 %: every
    sample falls back to the centred 10 x 13 box (round(10 * 4/3))."""
    boxes = sample_boxes(torch.tensor([10, 400]), torch.tensor([400, 10]),
                         (0.9, 1.0), RATIO, 10)
    assert boxes.tolist() == [[0., 193., 10., 13.], [193., 0., 13., 10.]]


def test_resize_matches_pil_bilinear_within_one_grey_level():
    pixels = textured(375, 500)
    image = Image.fromarray(pixels)
    for top, left, h, w in [(10, 20, 300, 400), (0, 0, 375, 500), (100, 100, 60, 50)]:
        ours = resize_box(_chw(pixels), (top, left, h, w), (224, 224))[0]
        ref = np.asarray(image.crop((left, top, left + w, top + h)).resize(
            (224, 224), Image.BILINEAR)).transpose(2, 0, 1)
        diff = (ours - torch.from_numpy(ref.astype(np.float32))).abs()
        assert float(diff.max()) <= 1 and float(diff.mean()) < 0.3, (top, left, h, w)


def test_random_crop_batch_shape_range_and_per_sample_draws():
    crop = MODELS.build(dict(type='BatchListRandomResizedCrop', size=24))
    assert isinstance(crop, BatchListRandomResizedCrop)
    same = _chw(textured(60, 80))
    images = [same] * 16 + [_chw(textured(30, 20, seed=1))]
    torch.manual_seed(0)
    out = crop(images)
    assert out.shape == (17, 3, 24, 24) and out.dtype == torch.float32
    assert float(out.min()) >= 0 and float(out.max()) <= 255
    assert torch.equal(out, out.round())
    distinct = {out[i].numpy().tobytes() for i in range(16)}
    assert len(distinct) == 16  # one image, 16 different crops


def test_resize_center_crop_matches_mmpretrain_pillow_path():
    """ResizeEdge(256, short, pillow, bilinear) + CenterCrop(224) of the CPU
    test pipeline: the same sizes and offsets, values within 1 grey level."""
    resize = TRANSFORMS.build(dict(type='ResizeEdge', scale=256, edge='short',
                                   backend='pillow', interpolation='bilinear'))
    center = TRANSFORMS.build(dict(type='CenterCrop', crop_size=224))
    crop = BatchListResizeCenterCrop(edge=256, size=224)
    for size in [(375, 500), (500, 333), (300, 300), (257, 900)]:
        pixels = textured(*size)
        ref = center(resize(dict(img=pixels.copy())))['img']
        ours = crop([_chw(pixels)])[0].permute(1, 2, 0).numpy()
        assert ours.shape == ref.shape == (224, 224, 3)
        diff = np.abs(ours - ref)
        assert diff.max() <= 1 and diff.mean() < 0.3, size


@pytest.mark.parametrize('kwargs, match', [
    (dict(size=0), 'size must be a positive int'),
    (dict(scale=(0., 1.)), 'scale must be'),
    (dict(ratio=(2., 1.)), 'ratio must be'),
])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        BatchListRandomResizedCrop(**kwargs)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match='size .* must be <= edge'):
        BatchListResizeCenterCrop(edge=200, size=224)
    with pytest.raises(ValueError, match=r'must be \(3, H, W\) RGB'):
        BatchListRandomResizedCrop(size=8)([torch.zeros(1, 10, 10)])
    with pytest.raises(ValueError, match='non-empty list'):
        BatchListRandomResizedCrop(size=8)(torch.zeros(2, 3, 10, 10))
