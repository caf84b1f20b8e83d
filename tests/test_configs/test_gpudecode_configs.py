"""The _gpudecode configs train under the mmengine Runner on generated JPEGs.

configs/skcl_resnet50_imagenetlt_gpudecode.py for one epoch + validation on
the tiny ImageNet-LT tree of tests/fixtures/imagenet_lt.py, and
configs/skcl_resnet50_inat2018_gpudecode.py for two iterations on the small
iNaturalist release of tests/fixtures/inat2018.py (test_configs.py trains
neither at this size: the ImageNet-LT one 2 iterations at 224 px, the
iNaturalist one not at all). Overrides, for speed only: a narrow ResNet-18
(16 base channels, 128-d), 32 px views (ResizeEdge 40 for evaluation),
float32, no workers, no best checkpoint. Everything else, the decoding and the device views
included, is the config's.
"""
import math
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

import skcl_mm  # noqa: F401
from skcl_mm.utils.launch import fix_dataloader_workers
from tests.fixtures.imagenet_lt import TRAIN_COUNTS, write_imagenet_lt
from tests.fixtures.inat2018 import LEVEL_SIZES, write_inat2018

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def _small(cfg, data_root, levels, work_dir, batch_size):
    for field in LOADERS:
        loader = cfg[field]
        loader.batch_size = batch_size
        loader.num_workers = 0
        loader.dataset.dataset.data_root = data_root
    fix_dataloader_workers(cfg)
    for view in cfg.data_preprocessor.views:
        view.crop.size = 32
    cfg.data_preprocessor.eval_crop = dict(type='BatchListResizeCenterCrop', edge=40,
                                           size=32)
    cfg.data_preprocessor.channels_last = False
    cfg.model.backbone = dict(type='ResNet', depth=18, base_channels=16, stem_channels=16)
    cfg.model.head.update(in_channels=128, level_num_classes=levels,
                          mlp_hidden_channels=64, feat_channels=32)
    cfg.optim_wrapper.type = 'OptimWrapper'
    cfg.optim_wrapper.pop('loss_scale', None)
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    for hook in cfg.get('custom_hooks', []):
        hook['save_figures'] = False  # drawn and checked in the hook's tests
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)  # no best
    # The recipe variables (views, pipelines, policies) were read into the
    # loaders and preprocessor above; dropped, the config text the Runner
    # dumps and saves in each checkpoint takes yapf 1 s instead of 4.
    for key in [k for k in cfg if k.endswith(('_view', '_pipeline', '_policies'))
                or k.startswith('gpu_decode_')]:
        cfg.pop(key)
    cfg.work_dir = work_dir
    return cfg


def test_imagenetlt_gpudecode_trains_one_epoch_and_validates(tmp_path, monkeypatch):
    monkeypatch.setenv('SKCL_MM_CACHE', str(tmp_path / 'cache'))
    root = str(tmp_path / 'imagenet_lt')
    classes = write_imagenet_lt(root)
    cfg = Config.fromfile(osp.join(REPO, 'configs/skcl_resnet50_imagenetlt_gpudecode.py'))
    assert cfg.randomness.diff_rank_seed and cfg.train_dataloader.num_workers <= 8
    for field in LOADERS:
        assert [t['type'] for t in cfg[field].dataset.pipeline] == [
            'LoadImageBytes', 'PackInputs'], field
        cfg[field].dataset.dataset.metainfo = dict(classes=classes)
    cfg = _small(cfg, root, [len(classes)], str(tmp_path / 'work'), batch_size=9)
    cfg.train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=1)
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == math.ceil(sum(TRAIN_COUNTS) / 9) == 2
    metrics = runner.message_hub.log_scalars
    assert 'val/long_tail/top1' in metrics, sorted(metrics)
    assert np.isfinite(metrics['train/loss'].data[0]).all()
    assert runner.model.head.has_semantic_graph
    assert osp.isfile(osp.join(cfg.work_dir, 'epoch_1.pth'))


def test_inat2018_gpudecode_trains_two_iterations(tmp_path, monkeypatch):
    monkeypatch.setenv('SKCL_MM_CACHE', str(tmp_path / 'cache'))
    root = str(tmp_path / 'inat2018')
    write_inat2018(root)
    cfg = Config.fromfile(osp.join(REPO, 'configs/skcl_resnet50_inat2018_gpudecode.py'))
    assert cfg.data_preprocessor.mean == [118.83, 120.105, 96.9]  # iNaturalist's
    assert cfg.data_preprocessor.to_rgb is False and cfg.randomness.diff_rank_seed
    cfg = _small(cfg, root, LEVEL_SIZES, str(tmp_path / 'work'), batch_size=4)
    cfg.train_cfg = dict(by_epoch=False, max_iters=2, val_interval=2)
    cfg.default_hooks.checkpoint.by_epoch = False
    cfg.log_processor = dict(by_epoch=False)
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    metrics = runner.message_hub.log_scalars
    for key in ('top1', 'many', 'medium', 'few', 'level0_top1'):
        assert f'val/long_tail/{key}' in metrics, (key, sorted(metrics))
    assert runner.model.head.level_num_classes == LEVEL_SIZES


@pytest.mark.parametrize('name', ['imagenetlt', 'inat2018'])
def test_device_views_state_the_cpu_views_parameters(name):
    """The crop, flip, jitter, grey and evaluation parameters of the device
    views are the CPU views' (imagenet_views.py), in RGB order."""
    cfg = Config.fromfile(osp.join(REPO, f'configs/skcl_resnet50_{name}_gpudecode.py'))
    regular, sim = cfg.data_preprocessor.views
    assert (regular.num_views, sim.num_views) == (1, 2)
    cpu_crop = [t for t in cfg.regular_view if t['type'] == 'RandomResizedCrop'][0]
    for view in (regular, sim):
        assert view.crop.size == cpu_crop.scale == 224
        assert view.crop.scale == (0.08, 1.0)  # RandomResizedCrop's default
    regular_types = [t['type'] for t in regular.transforms]
    assert regular_types == ['BatchRandomFlip', 'BatchColorJitter', 'BatchRandAugment']
    cpu_jitter = [t for t in cfg.regular_view if t['type'] == 'HueSafeColorJitter'][0]
    for key in ('brightness', 'contrast', 'saturation', 'hue'):
        assert regular.transforms[1][key] == cpu_jitter[key], key
    flip, apply, grey = sim.transforms
    cpu_apply = [t for t in cfg.sim_view if t['type'] == 'RandomApply'][0]
    assert apply.prob == cpu_apply.prob and apply.transforms[0].hue == 0.1
    cpu_grey = [t for t in cfg.sim_view if t['type'] == 'RandomGrayscale'][0]
    assert grey.prob == cpu_grey.prob
    assert tuple(grey.channel_weights) == tuple(cpu_grey.channel_weights)[::-1]
    resize = [t for t in cfg.test_pipeline if t['type'] == 'ResizeEdge'][0]
    centre = [t for t in cfg.test_pipeline if t['type'] == 'CenterCrop'][0]
    assert (cfg.data_preprocessor.eval_crop.edge, cfg.data_preprocessor.eval_crop.size) \
        == (resize.scale, centre.crop_size)
