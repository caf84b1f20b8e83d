"""Tests for configs/_base_/datasets/pipelines/cifar_views.py (views + preprocessor)."""
import os.path as osp
import random

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DefaultScope

import skcl_mm  # noqa: F401  (registers the transforms and the preprocessor)
from mmpretrain.registry import MODELS

PIECE = osp.join(osp.dirname(__file__), '..', '..', '..', 'configs', '_base_',
                 'datasets', 'pipelines', 'cifar_views.py')


@pytest.fixture(scope='module')
def cfg():
    return Config.fromfile(osp.abspath(PIECE))


def build(pipeline):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return Compose(pipeline)


def seeded(seed):
    np.random.seed(seed)
    random.seed(seed)  # RandomGrayscale draws from `random`


def random_image(rng):
    return rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)


def test_piece_defines_views_and_preprocessor(cfg):
    for key in ('regular_view', 'regular_view_cutout', 'sim_view',
                'train_pipeline', 'multi_view_train_pipeline', 'test_pipeline',
                'data_preprocessor'):
        assert key in cfg, key
    assert [t['type'] for t in cfg.regular_view] == [
        'RandomCrop', 'RandomFlip', 'CifarAutoAugment']
    assert cfg.regular_view_cutout[-1]['type'] == 'Cutout'
    assert cfg.multi_view_train_pipeline[0]['num_views'] == [1, 2]
    assert cfg.train_pipeline == [*cfg.regular_view, dict(type='PackInputs')]
    assert cfg.data_preprocessor['type'] == 'MultiViewClsDataPreprocessor'


def test_train_pipeline_gives_three_uint8_views_over_many_seeds(cfg):
    pipeline = build(cfg.multi_view_train_pipeline)
    rng = np.random.default_rng(0)
    gray_sim_views = 0
    for seed in range(150):
        seeded(seed)
        out = pipeline(dict(img=random_image(rng), gt_label=seed % 10))
        views = out['inputs']
        assert len(views) == 3
        for view in views:
            assert view.shape == (3, 32, 32) and view.dtype == torch.uint8
        gray_sim_views += sum(bool((v[0] == v[1]).all() and (v[1] == v[2]).all())
                              for v in views[1:])
        assert int(out['data_samples'].gt_label) == seed % 10
    # RandomGrayscale p=0.2 on 300 sim views: about 60.
    assert 30 <= gray_sim_views <= 95


def test_cutout_view_and_test_pipeline(cfg):
    seeded(0)
    img = np.full((32, 32, 3), 255, np.uint8)
    cut = build(cfg.regular_view_cutout[:1] + cfg.regular_view_cutout[-1:])
    out = cut(dict(img=img.copy()))['img']
    hole = (out == (125, 123, 114)).all(-1)
    assert 16 <= hole.sum() <= 256
    packed = build(cfg.test_pipeline)(dict(img=img.copy(), gt_label=1))
    assert packed['inputs'].shape == (3, 32, 32)


def test_pipeline_then_preprocessor_gives_view_major_batch(cfg):
    pipeline = build(cfg.multi_view_train_pipeline)
    pre = MODELS.build(cfg.data_preprocessor)
    rng = np.random.default_rng(1)
    samples = []
    for seed in range(8):
        seeded(100 + seed)
        samples.append(pipeline(dict(img=random_image(rng), gt_label=seed)))
    batch = pseudo_collate(samples)
    out = pre(batch, training=True)
    inputs = out['inputs']
    assert inputs.shape == (24, 3, 32, 32) and inputs.dtype == torch.float32
    assert torch.isfinite(inputs).all()
    mean = torch.tensor(cfg.data_preprocessor['mean']).view(3, 1, 1)
    std = torch.tensor(cfg.data_preprocessor['std']).view(3, 1, 1)
    for v in range(3):
        for b in range(8):
            raw = samples[b]['inputs'][v].float()
            assert torch.allclose(inputs[v * 8 + b], (raw - mean) / std,
                                  atol=1e-5)
    assert [int(s.gt_label) for s in out['data_samples']] == list(range(8))


def test_child_config_reads_base_variables(tmp_path, cfg):
    child = tmp_path / 'child.py'
    child.write_text(
        f"_base_ = [{osp.abspath(PIECE)!r}]\n"
        "extra = dict(type='RandomGrayscale', prob=1.0, keep_channels=True)\n"
        "train_pipeline = [\n"
        "    dict(type='MultiView', num_views=[1, 1],\n"
        "         transforms=[_base_.regular_view + [extra],\n"
        "                     {{_base_.sim_view}}]),\n"
        "    dict(type='PackInputs')]\n")
    child_cfg = Config.fromfile(str(child))
    views = child_cfg.train_pipeline[0]['transforms']
    assert views[0][-1]['type'] == 'RandomGrayscale'
    assert views[0][:-1] == cfg.regular_view
    assert views[1] == cfg.sim_view
    seeded(0)
    out = build(child_cfg.train_pipeline)(
        dict(img=random_image(np.random.default_rng(2))))
    assert [tuple(v.shape) for v in out['inputs']] == [(3, 32, 32)] * 2
