"""configs/skcl_resnet50_imagenetlt_wordnet12.py: the one-level ImageNet-LT
recipe plus the 13 WordNet subtree nodes as coarse graph nodes whose classifier
gets no CE. It differs from its base only there; it trains two iterations with
a two-level graph (six real ImageNet classes from three subtrees and 'other
object', the shipped tree cut to them, the real MiniLM model, a narrow
ResNet-18); the coarse weights get no CE gradient, only the contrastive one."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

import skcl_mm  # noqa: F401
from skcl_mm.datasets.hierarchies import load_hierarchy
from skcl_mm.datasets.imagenet_lt import IMAGENET_LT_CLASSES
from skcl_mm.utils.launch import fix_dataloader_workers
from tests.fixtures.imagenet_subtrees import (cut_hierarchy,
                                              write_subtree_imagenet_lt)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs/skcl_resnet50_imagenetlt_wordnet12.py')
BASE = osp.join(REPO, 'configs/skcl_resnet50_imagenetlt.py')
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def test_differs_from_the_one_level_recipe_only_in_the_coarse_level():
    variant, base = Config.fromfile(CONFIG), Config.fromfile(BASE)
    for loader in LOADERS:
        assert variant[loader].dataset.pop('hierarchy') == 'imagenet_wordnet12'
        assert 'hierarchy' not in base[loader].dataset
    head, base_head = variant.model.head, base.model.head
    assert head.pop('level_num_classes') == [13, 1000]
    assert base_head.pop('level_num_classes') == [1000]
    assert head.pop('level_loss_weights') == [0.0, 1.0]
    assert base_head.pop('level_loss_weights') == [1.0]
    assert variant.pop('hierarchy') == 'imagenet_wordnet12'
    assert variant.to_dict() == base.to_dict()
    hierarchy = load_hierarchy('imagenet_wordnet12', IMAGENET_LT_CLASSES)
    assert [len(names) for names in hierarchy.level_classes] == [13, 1000]


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """The config, two iterations on six classes of four subtree nodes."""
    root = str(tmp_path_factory.mktemp('imagenet_subtrees'))
    classes = write_subtree_imagenet_lt(root)
    tree = osp.join(root, 'imagenet_wordnet12_cut.yaml')
    levels = cut_hierarchy(classes, tree)
    cfg = Config.fromfile(CONFIG)
    for field in LOADERS:
        loader = cfg[field]
        loader.update(batch_size=4 if field == 'train_dataloader' else 100,
                      num_workers=0)
        loader.dataset.hierarchy = tree
        loader.dataset.dataset.update(data_root=root, metainfo=dict(classes=classes))
    fix_dataloader_workers(cfg)
    cfg.model.backbone = dict(type='ResNet', depth=18, base_channels=16,
                              stem_channels=16)
    cfg.model.head.update(in_channels=128, level_num_classes=levels,
                          mlp_hidden_channels=64, feat_channels=32)
    cfg.optim_wrapper = dict(type='OptimWrapper', optimizer=cfg.optim_wrapper.optimizer)
    cfg.train_cfg = dict(by_epoch=False, max_iters=2, val_interval=2)
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=2)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.log_processor = dict(by_epoch=False)
    cfg.custom_hooks = [dict(type='SemanticGraphHook', save_figures=False,
                             cache_dir=str(tmp_path_factory.mktemp('graphs')))]
    cfg.work_dir = str(tmp_path_factory.mktemp('work_dir'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner, levels


def test_trains_two_iterations_with_the_two_level_graph(trained):
    runner, levels = trained
    head = runner.model.head
    assert runner.iter == 2 and levels == [4, 6]
    assert head.level_num_classes == [4, 6]
    metainfo = runner.train_dataloader.dataset.metainfo
    assert metainfo['level_classes'][0] == ['fish', 'bird', 'other object', 'vehicle']
    # Top-4 of 9 candidates over 6 fine + 4 coarse nodes (ids 6-9), real MiniLM
    table = head.semantic_neighbours
    assert tuple(table.shape) == (6, 4)
    assert table.min() >= 0 and table.max() < 10
    assert (table >= 6).any(), table  # some class has a subtree node as positive
    scalars = runner.message_hub.log_scalars
    assert scalars['train/loss_ce_level0'].data[0].tolist() == [0.0, 0.0]
    assert min(scalars['train/loss_ce_level1'].data[0]) > 0
    assert 'val/long_tail/level0_top1' in scalars, sorted(scalars)
    (log_file, ) = glob.glob(osp.join(runner.log_dir, '*.log'))
    with open(log_file) as f:
        assert 'loss_ce_level0: 0.0000' in f.read()  # as docs/imagenet_subtrees.md says


def test_coarse_weights_get_no_ce_gradient_only_the_contrastive_one(trained):
    runner, _ = trained
    model = runner.model
    model.train()
    data = model.data_preprocessor(next(iter(runner.train_dataloader)), True)
    losses = model.head.loss(model.extract_feat(data['inputs']), data['data_samples'])
    coarse = model.head.classifiers[0].weight  # (4, 128): the coarse prototypes' input
    ce_grad, = torch.autograd.grad(losses['loss_ce_level0'], coarse, retain_graph=True)
    assert not ce_grad.any()
    contrastive = [value for key, value in losses.items() if 'ce_level' not in key]
    assert contrastive, sorted(losses)
    grad, = torch.autograd.grad(sum(contrastive), coarse)
    assert (grad.abs().sum(dim=1) > 0).all()  # every coarse node is trained
