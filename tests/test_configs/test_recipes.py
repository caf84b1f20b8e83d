"""The configs resolve to the recipe facts of the paper and of BCL's code.

Only what a reproduction depends on and a config edit could silently change:
loss weights, temperatures, K, schedule, and the RandAugment op set of the
ImageNet-LT regular view (timm's original set, as BCL's rand-n2-m10-mstd0.5).
"""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

import skcl_mm  # noqa: F401
from mmpretrain.registry import TRANSFORMS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _config(name):
    return Config.fromfile(osp.join(REPO, 'configs', name))


def _head_weights(cfg):
    head = cfg.model.head
    return list(head.level_loss_weights), head.contrastive_loss.loss_weight


@pytest.mark.parametrize('name', ['skcl_resnet32_cifar100lt.py',
                                  'skcl_resnet32_cifar10lt.py'])
def test_cifar_recipe(name):
    cfg = _config(name)
    assert _head_weights(cfg) == ([1.0, 2.0], 0.6)  # ConCutMix's CIFAR weights
    loss = cfg.model.head.contrastive_loss
    assert (loss.temperature, loss.proto_temperature, loss.num_neighbours) == (0.1, 0.2, 2)
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.lr, optimizer.momentum, optimizer.weight_decay) == (0.15, 0.9, 5e-4)
    assert cfg.train_cfg.max_epochs == 300 and cfg.train_dataloader.batch_size == 256
    warmup, steps = cfg.param_scheduler
    assert (warmup.type, warmup.end) == ('LinearLR', 5)
    assert steps.milestones == [240, 270] and steps.gamma == 0.1  # 160/180 of 200


def test_imagenet_lt_recipe_uses_bcls_imagenet_weights():
    """BCL's ImageNet-LT main.py: CE weight (alpha) 1.0, contrastive (beta) 0.35."""
    for name in ('skcl_resnet50_imagenetlt.py', 'baselines/bcl_resnet50_imagenetlt.py'):
        cfg = _config(name)
        assert _head_weights(cfg) == ([1.0], 0.35), name
        assert cfg.model.head.contrastive_loss.temperature == 0.1, name
    loss = _config('skcl_resnet50_imagenetlt.py').model.head.contrastive_loss
    assert (loss.proto_temperature, loss.num_neighbours) == (0.2, 4)


def _regular_view_randaugment():
    cfg = _config('skcl_resnet50_imagenetlt.py')
    views = cfg.train_dataloader.dataset.pipeline[1]
    regular = views.transforms[0]
    (randaugment, ) = [t for t in regular if t['type'] == 'RandAugment']
    assert (randaugment.num_policies, randaugment.magnitude_level,
            randaugment.magnitude_std) == (2, 10, 0.5)
    return dict(randaugment, magnitude_std=0.)  # level exactly 10


def test_imagenet_randaugment_is_timms_original_op_set_at_level_10():
    """At level 10 the original set keeps 4 bits in Posterize, solarizes
    nothing and enhances by 1.9; the "increasing" set would keep 0 bits (a
    black image) and invert every pixel >= 0."""
    transform = TRANSFORMS.build(_regular_view_randaugment())
    ops = {(type(t).__name__, getattr(t, 'direction', None)): t
           for t in transform.transforms}
    assert len(ops) == len(transform.transforms) == 15
    assert all(t.prob == 0.5 for t in transform.transforms)  # timm's prob per op
    assert ops['Posterize', None].random_magnitude() == 4
    assert ops['Solarize', None].random_magnitude() == 256
    assert ops['SolarizeAdd', None].random_magnitude() == 110
    for name in ('ColorTransform', 'Contrast', 'Brightness', 'Sharpness'):
        assert ops[name, None].random_magnitude() == pytest.approx(0.9), name
        assert ops[name, None].random_negative_prob == 0, name
    geometric = {('Rotate', None): 30, ('Shear', 'horizontal'): 0.3,
                 ('Shear', 'vertical'): 0.3, ('Translate', 'horizontal'): 0.45,
                 ('Translate', 'vertical'): 0.45}
    for key, magnitude in geometric.items():
        assert ops[key].random_magnitude() == pytest.approx(magnitude), key
        assert ops[key].random_negative_prob == 0.5, key
    assert {key for key in ops if key[0] in ('AutoContrast', 'Equalize', 'Invert')} == {
        ('AutoContrast', None), ('Equalize', None), ('Invert', None)}

    image = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    for name, expected in (('Posterize', image & 0xF0), ('Solarize', image)):
        ops[name, None].prob = 1.0
        out = ops[name, None]({'img': image.copy()})['img']
        np.testing.assert_array_equal(out, expected, err_msg=name)


def test_imagenet_resizing_is_bilinear_as_in_bcl():
    cfg = _config('skcl_resnet50_imagenetlt.py')
    views = cfg.train_dataloader.dataset.pipeline[1].transforms
    resizes = [t for view in views for t in view if t['type'] == 'RandomResizedCrop']
    resizes += [t for t in cfg.test_dataloader.dataset.pipeline if t['type'] == 'ResizeEdge']
    assert len(resizes) == 3
    assert {t['interpolation'] for t in resizes} == {'bilinear'}
