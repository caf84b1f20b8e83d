"""Tests for skcl_mm.models.data_preprocessors.gpu_decode (on the CPU)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope

import skcl_mm  # noqa: F401  (registers the preprocessor)
from mmpretrain.registry import MODELS, TRANSFORMS
from mmpretrain.structures import DataSample
from skcl_mm.datasets.transforms.batch import BatchListResizeCenterCrop
from skcl_mm.models.data_preprocessors.image_decode import decode_batch
from tests.fixtures.jpegs import byte_tensor, encode, textured, write_jpegs

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
MEAN, STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
SIZES = [(37, 50), (50, 33), (40, 40), (23, 61)]


def crop(size=16):
    return dict(type='BatchListRandomResizedCrop', size=size)


def build(views=None, **kwargs):
    views = views or [dict(num_views=1, crop=crop(), transforms=[]),
                      dict(num_views=2, crop=crop(), transforms=[])]
    return MODELS.build(dict(type='GPUDecodeDataPreprocessor', views=views, mean=MEAN,
                             std=STD, eval_crop=dict(type='BatchListResizeCenterCrop',
                                                     edge=20, size=16), **kwargs))


def byte_batch(sizes=SIZES):
    samples = []
    for i, size in enumerate(sizes):
        sample = DataSample(metainfo=dict(img_path=f'img_{i}.JPEG')).set_gt_label(i % 3)
        samples.append(dict(inputs=byte_tensor(encode(textured(*size, seed=i))),
                            data_samples=sample))
    return pseudo_collate(samples)


def denormalise(x):
    return x * torch.tensor(STD).view(1, 3, 1, 1) + torch.tensor(MEAN).view(1, 3, 1, 1)


def test_training_gives_view_major_fixed_size_views():
    pre = build(channels_last=True)
    assert pre.num_views == 3
    torch.manual_seed(0)
    out = pre(byte_batch(), training=True)
    images = out['inputs']
    assert images.shape == (12, 3, 16, 16) and images.dtype == torch.float32
    assert images.is_contiguous(memory_format=torch.channels_last)
    pixels = denormalise(images)
    assert float(pixels.min()) > -1e-3 and float(pixels.max()) < 255 + 1e-3
    torch.testing.assert_close(pixels, pixels.round(), atol=1e-3, rtol=0)
    assert [int(s.gt_label) for s in out['data_samples']] == [0, 1, 2, 0]
    views = images.view(3, 4, 3, 16, 16)
    assert not torch.equal(views[1], views[2])  # each view draws its own crops


def test_evaluation_is_the_centre_crop_of_the_decoded_images():
    data = byte_batch()
    out = build()(data, training=False)
    expected = BatchListResizeCenterCrop(edge=20, size=16)(
        decode_batch(data['inputs'], torch.device('cpu')))
    torch.testing.assert_close(denormalise(out['inputs']), expected, atol=1e-3, rtol=0)


def test_every_sample_draws_its_own_view():
    """One image 16 times: 16 different crops and flips in every view."""
    data = byte_batch([(40, 50)] * 16)
    data['inputs'] = [data['inputs'][0]] * 16
    views = [dict(num_views=1, crop=crop(),
                  transforms=[dict(type='BatchRandomFlip', prob=0.5)])]
    out = build(views)(data, training=True)['inputs']
    assert len({row.numpy().tobytes() for row in out}) == 16


def test_the_configs_views_on_real_jpegs(tmp_path):
    """The shipped views (RandAugment, colour jitter with hue, grey) run on
    variable-size JPEGs: V*B float images at the configured size (64 here)."""
    cfg = Config.fromfile(osp.join(REPO, 'configs/skcl_resnet50_imagenetlt_gpudecode.py'))
    pre_cfg = cfg.data_preprocessor
    for view in pre_cfg.views:
        view.crop.size = 32
    pre_cfg.eval_crop = dict(type='BatchListResizeCenterCrop', edge=40, size=32)
    pre = MODELS.build(pre_cfg)
    data = byte_batch()
    assert pre(data, training=True)['inputs'].shape == (12, 3, 32, 32)
    assert pre(data, training=False)['inputs'].shape == (4, 3, 32, 32)


def test_a_cpu_multi_view_pipeline_is_refused_with_the_fix(tmp_path):
    cfg = Config.fromfile(osp.join(REPO, 'configs/skcl_resnet50_imagenetlt.py'))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        pipeline = [TRANSFORMS.build(t) for t in cfg.train_dataloader.dataset.pipeline]
    samples = []
    for path in write_jpegs(str(tmp_path), SIZES[:2]):
        results = dict(img_path=path)
        for transform in pipeline:
            results = transform(results)
        samples.append(results)
    with pytest.raises(ValueError, match="MultiView pipeline.*'LoadImageBytes'"):
        build()(pseudo_collate(samples), training=True)


@pytest.mark.parametrize('kwargs, match', [
    (dict(to_rgb=True), 'decodes to RGB; set to_rgb=False'),
    (dict(views=[dict(num_views=1, transforms=[])]), r'views\[0\] must be'),
    (dict(views=[dict(num_views=0, crop=crop(), transforms=[])]), 'num_views must be'),
    (dict(batch_augments=dict(augments=[dict(type='Mixup', alpha=1.)])),
     'does not run batch_augments'),
])
def test_construction_errors_name_the_fix(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build(**kwargs)


def test_a_crop_of_fixed_size_batches_is_refused():
    views = [dict(num_views=1, crop=dict(type='BatchRandomResizedCrop'), transforms=[])]
    with pytest.raises(ValueError, match=r'views\[0\].crop must crop a list of '
                                         'variable-size images.*BatchRandomResizedCrop'):
        build(views)
