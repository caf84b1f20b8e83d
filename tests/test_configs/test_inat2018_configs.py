"""The iNaturalist 2018 configs build and train two iterations on the CPU.

On the small release of tests/fixtures/inat2018.py (8 species over seven
ranks, real JPEGs, the COCO-style JSONs and categories.json). Overrides, all
for speed: a narrow ResNet-18 (16 base channels, 128-d) instead of ResNet-50,
64 px crops instead of 224 (ResizeEdge 72 instead of 256), the head's levels
sized to the fixture, float32 instead of AMP, batch 4, 2 iterations. The
semantic graph is built by SemanticGraphHook with the real MiniLM, from the
taxonomy texts the dataset provides (descriptions='dataset').
"""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

import skcl_mm  # noqa: F401
from skcl_mm.datasets.inat_taxonomy import RANKS
from skcl_mm.utils.launch import fix_dataloader_workers
from tests.fixtures.inat2018 import LEVEL_SIZES, write_inat2018

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = ['configs/skcl_resnet50_inat2018.py',
           'configs/skcl_resnet50_inat2018_genus_species.py',
           'configs/baselines/bcl_resnet50_inat2018.py']
SIZE_KEYS = {'scale': 64, 'crop_size': 64}  # RandomResizedCrop / CenterCrop


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('inat2018'))
    write_inat2018(path)
    return path


def _smaller_images(node):
    """64 px crops in every pipeline (224 in the configs)."""
    if isinstance(node, list):
        for item in node:
            _smaller_images(item)
    elif isinstance(node, dict):
        if node.get('type') in ('RandomResizedCrop', 'CenterCrop'):
            node.update({k: v for k, v in SIZE_KEYS.items() if k in node})
        if node.get('type') == 'ResizeEdge':
            node['scale'] = 72
        for value in node.values():
            _smaller_images(value)


def _fixture_levels(dataset_cfg):
    """The fixture's classes per level for the config's hierarchy / levels."""
    if dataset_cfg.get('hierarchy') != 'dataset':
        return LEVEL_SIZES[-1:]
    names = dataset_cfg.get('levels') or RANKS
    return [LEVEL_SIZES[RANKS.index(name)] for name in names]


def _two_iterations(cfg, root, work_dir):
    for field in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg[field]
        loader.batch_size = 4 if field == 'train_dataloader' else 100
        loader.num_workers = 0
        loader.dataset.dataset.data_root = root
        _smaller_images(loader.dataset.pipeline)
    fix_dataloader_workers(cfg)
    cfg.model.backbone = dict(type='ResNet', depth=18, base_channels=16, stem_channels=16)
    cfg.model.head.update(in_channels=128, mlp_hidden_channels=64, feat_channels=32,
                          level_num_classes=_fixture_levels(cfg.train_dataloader.dataset))
    cfg.optim_wrapper.type = 'OptimWrapper'
    cfg.optim_wrapper.pop('loss_scale', None)
    cfg.data_preprocessor.channels_last = False
    cfg.train_cfg = dict(by_epoch=False, max_iters=2, val_interval=2)
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=2)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.log_processor = dict(by_epoch=False)
    for hook in cfg.get('custom_hooks', []):
        hook['save_figures'] = False  # drawn and checked in the hook's tests
    cfg.work_dir = work_dir
    return Runner.from_cfg(cfg)


@pytest.mark.parametrize('config', CONFIGS)
def test_inat2018_config_trains_two_iterations(config, root, tmp_path, monkeypatch):
    monkeypatch.setenv('SKCL_MM_CACHE', str(tmp_path / 'cache'))
    cfg = Config.fromfile(osp.join(REPO, config))
    # 4,412 genera are 107 pages of pictures (docs/benchmarks.md): none at start
    assert cfg.custom_hooks == [dict(type='SemanticGraphHook', save_figures=False)]
    levels = _fixture_levels(cfg.train_dataloader.dataset)
    runner = _two_iterations(cfg, root, str(tmp_path))
    runner.train()
    assert runner.iter == 2
    head = runner.model.head
    meta = runner.train_dataloader.dataset.metainfo
    assert [len(n) for n in meta['level_classes']] == levels == head.level_num_classes
    metrics = runner.message_hub.log_scalars
    expected = ['top1', 'many', 'medium', 'few'] + [
        f'level{level}_top1' for level in range(len(levels) - 1)]
    for key in expected:
        assert f'val/long_tail/{key}' in metrics, (key, sorted(metrics))
    request = head.semantic_graph_request()
    if cfg.model.head.contrastive_loss['type'] == 'SKCLLoss':
        assert request.num_nodes == sum(levels)
        assert head.has_semantic_graph
        assert tuple(head.semantic_neighbours.shape) == (8, 4)
        assert set(meta['descriptions']) == set(sum(meta['level_classes'], []))
    else:
        assert request is None and levels == [8]
    assert osp.isfile(osp.join(str(tmp_path), 'iter_2.pth'))
