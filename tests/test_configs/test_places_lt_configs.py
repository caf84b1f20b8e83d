"""The Places-LT configs: OLTR's recipe as written, and two training iterations each.

The runs use a generated Places-LT tree in the released format (every class
has a training image, tests/fixtures/places_lt.py) with the full 365-class
hierarchy and the shipped descriptions; the ResNet-152 is replaced by a narrow
ResNet-18 (128-d, no pretrained weights: nothing is downloaded) and AMP by
float32, as for ImageNet-LT in test_configs.py, whose two-iteration runner
this reuses. The real ResNet-152 is built (without its checkpoint) and fed
once to check its 2048-d output fits the head.
"""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmpretrain.registry import MODELS
from tests.fixtures.places_lt import shared_graph_cache, write_places_lt
from tests.test_configs.test_configs import REPO, _two_iterations

SKCL = 'configs/skcl_resnet152_placeslt.py'
BCL = 'configs/baselines/bcl_resnet152_placeslt.py'
CHECKPOINT = ('https://download.openmmlab.com/mmclassification/v0/resnet/'
              'resnet152_8xb32_in1k_20210901-4d7582fa.pth')


def _config(name):
    return Config.fromfile(osp.join(REPO, name))


def test_oltr_recipe_as_written():
    cfg = _config(SKCL)
    assert cfg.model.backbone.depth == 152
    assert cfg.model.backbone.init_cfg == dict(type='Pretrained', checkpoint=CHECKPOINT,
                                               prefix='backbone')
    assert cfg.model.head.level_num_classes == [3, 16, 365]
    assert cfg.train_cfg.max_epochs == 30
    assert cfg.train_dataloader.batch_size * 4 == cfg.auto_scale_lr.base_batch_size == 128
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.lr, optimizer.momentum, optimizer.weight_decay) == (0.1, 0.9, 5e-4)
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys == {'backbone': dict(lr_mult=0.01)}
    assert cfg.param_scheduler == [dict(type='MultiStepLR', by_epoch=True,
                                        milestones=[10, 20], gamma=0.1)]
    train = cfg.train_dataloader.dataset
    assert train.hierarchy == 'places365' and train.descriptions == 'places365'
    assert [loader.dataset.dataset.split for loader in
            (cfg.train_dataloader, cfg.val_dataloader, cfg.test_dataloader)] == [
                'train', 'val', 'test']
    bcl = _config(BCL)
    assert bcl.model.head.contrastive_loss == dict(type='BCLLoss', loss_weight=0.35,
                                                   temperature=0.1)
    assert bcl.model.head.level_num_classes == [365]
    assert bcl.val_dataloader.dataset.hierarchy is None
    assert bcl.test_dataloader.dataset.hierarchy is None


def test_resnet152_output_fits_the_head():
    cfg = _config(SKCL)
    backbone = dict(cfg.model.backbone)
    backbone.pop('init_cfg')  # no download: the architecture only
    model = MODELS.build(backbone)
    model.eval()  # (mmpretrain's ResNet.train returns None: no chaining)
    with torch.no_grad():
        feats = model(torch.zeros(1, 3, 64, 64))
    assert feats[-1].shape[1] == cfg.model.head.in_channels == 2048


@pytest.fixture(scope='module')
def places_root(tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv('SKCL_MM_CACHE', shared_graph_cache(tmp_path_factory))
    root = str(tmp_path_factory.mktemp('places365_standard'))
    write_places_lt(root)
    return root


@pytest.fixture(scope='module')
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _shrink(cfg, root):
    """The fixture tree, a narrow ResNet-18 without pretrained weights, float32."""
    for field in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[field].dataset.dataset.data_root = root
    cfg.model.backbone = dict(type='ResNet', depth=18, base_channels=16, stem_channels=16)
    cfg.model.head.update(in_channels=128, mlp_hidden_channels=64, feat_channels=32)
    cfg.optim_wrapper.type = 'OptimWrapper'
    cfg.optim_wrapper.pop('loss_scale', None)
    return cfg


@pytest.mark.parametrize('name', [SKCL, BCL])
def test_config_trains_two_iterations(name, places_root, tmp_path):
    cfg = _shrink(_config(name), places_root)
    runner = _two_iterations(cfg, {}, str(tmp_path))
    runner.train()
    assert runner.iter == 2
    metrics = runner.message_hub.log_scalars
    assert 'val/long_tail/top1' in metrics, sorted(metrics)
    head = runner.model.head
    if name == SKCL:
        assert 'val/long_tail/level0_top1' in metrics and 'val/long_tail/level1_top1' in metrics
        assert head.has_semantic_graph
        assert tuple(head.semantic_neighbours.shape) == (365, 4)
    else:
        assert head.semantic_graph_request() is None
    assert osp.isfile(osp.join(str(tmp_path), 'iter_2.pth'))
