"""Every shipped config loads, builds its model and data, and trains 2 iterations.

CIFAR configs run on generated CIFAR files in the real pickle format (the
fixture datasets skip only the md5 check); ImageNet-LT configs on a generated
tree of tiny JPEGs with split lists (5 classes, a narrow ResNet-18 in place of
ResNet-50, float32 on the CPU); the digits quickstart on its real data.
Schedules are replaced by 2 iterations; everything else is the config's.
The stock-head example (a LinearClsHead on the CIFAR-100-LT dataset base) has
its own test below, with thresholds that give the tiny data all three groups.
"""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

import skcl_mm  # noqa: F401
from skcl_mm.utils.launch import fix_dataloader_workers
from tests.device_support import needs_cpu_compiler

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
STOCK_HEAD_EXAMPLE = 'configs/examples/linear_resnet32_cifar100lt.py'
SHIPPED = sorted(
    osp.relpath(p, REPO)
    for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)
# Trained two iterations by their own test modules, on their own fixtures.
OWN_TESTS = {'placeslt': 'tests/test_configs/test_places_lt_configs.py',
             'inat2018': 'tests/test_configs/test_inat2018_configs.py',
             'wordnet12': 'tests/test_configs/test_imagenetlt_wordnet12.py',
             '_gpudecode': 'tests/test_configs/test_gpudecode_configs.py',
             '_resident': 'tests/test_engine/test_runner/test_device_resident_loop.py',
             # AmpOptimWrapper needs CUDA: trained there with a plain OptimWrapper
             '_fast': 'tests/test_engine/test_hooks/test_compile_train_step_hook.py'}
CONFIGS = [c for c in SHIPPED if c != STOCK_HEAD_EXAMPLE  # that one: below
           and not any(key in c for key in OWN_TESTS)]
FIXTURE_TYPES = {'CIFAR100': 'CIFAR100Fixture', 'CIFAR10': 'CIFAR10Fixture'}
IMAGE_FOLDER = 'data/my_images'  # configs/_base_/datasets/image_folder_lt.py


def test_every_table_has_a_config():
    names = {osp.basename(c) for c in SHIPPED}
    for name in ('skcl_resnet32_cifar100lt.py', 'skcl_resnet32_cifar100lt_if50.py',
                 'skcl_resnet32_cifar100lt_if10.py', 'skcl_resnet32_cifar10lt.py',
                 'skcl_resnet32_cifar10lt_if50.py', 'skcl_resnet32_cifar10lt_if10.py',
                 'skcl_resnet32_cifar100lt_cf_only.py', 'skcl_resnet32_cifar100lt_ff_only.py',
                 'ce_resnet32_cifar100lt.py', 'la_resnet32_cifar100lt.py',
                 'bcl_resnet32_cifar100lt.py', 'skcl_resnet32_digitslt.py',
                 'ce_resnet32_digitslt.py', 'bcl_resnet32_digitslt.py',
                 'skcl_resnet50_imagenetlt.py', 'bcl_resnet50_imagenetlt.py',
                 'linear_resnet32_cifar100lt.py'):
        assert name in names, f'configs/ lacks {name}'


def _point_to_fixture(dataset_cfg, roots):
    inner = dataset_cfg['dataset']
    if inner['type'] == 'ImageNetLT':
        inner['data_root'] = roots['ImageNetLT']
        inner['metainfo'] = dict(classes=roots['imagenet_classes'])
        if dataset_cfg.get('hierarchy'):  # a shipped ImageNet tree, cut to the 5 classes
            dataset_cfg['hierarchy'] = _cut_imagenet_tree(dataset_cfg['hierarchy'], roots)
    if inner.get('data_root') == IMAGE_FOLDER:  # your own images
        inner['data_root'] = roots['image_folder']
        for key in ('hierarchy', 'descriptions'):
            if dataset_cfg.get(key):
                dataset_cfg[key] = dataset_cfg[key].replace(
                    IMAGE_FOLDER, roots['image_folder'])
    if inner['type'] in FIXTURE_TYPES:
        inner['type'] = FIXTURE_TYPES[inner['type']]
        inner['data_root'] = roots[inner['type']]
        if dataset_cfg.get('imbalance_factor'):
            dataset_cfg['imbalance_factor'] = 2  # 5 images per class in the fixture


def _two_iterations(cfg, roots, work_dir):
    cfg.custom_imports = dict(imports=['skcl_mm', 'tests.fixtures.cifar'],
                              allow_failed_imports=False)
    for field in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg[field]
        loader.batch_size = 4 if field == 'train_dataloader' else 100
        loader.num_workers = 0
        _point_to_fixture(loader.dataset, roots)
    fix_dataloader_workers(cfg)
    if cfg.train_dataloader.dataset.dataset.type == 'ImageNetLT':
        _shrink_imagenet_model(cfg, len(roots['imagenet_classes']))
    cfg.train_cfg = dict(by_epoch=False, max_iters=2, val_interval=2)
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=2)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.log_processor = dict(by_epoch=False)
    for hook in cfg.get('custom_hooks', []):
        if hook['type'] == 'SemanticGraphHook':
            hook['save_figures'] = False  # drawn and checked in the hook's tests
    cfg.work_dir = work_dir
    return Runner.from_cfg(cfg)


def _cut_imagenet_tree(hierarchy, roots):
    """The shipped ImageNet ``hierarchy`` cut to the fixture's classes (a file)."""
    from tests.fixtures.imagenet_subtrees import cut_hierarchy
    path = osp.join(roots['ImageNetLT'], f'{hierarchy}_cut.yaml')
    cut_hierarchy(roots['imagenet_classes'], path, hierarchy)
    return path


def _shrink_imagenet_model(cfg, num_classes):
    """ResNet-18 with 16 base channels (128-d), 5 classes (and their subtree
    nodes for a config with a hierarchy), float32 on the CPU."""
    from skcl_mm.datasets.hierarchies import load_hierarchy
    dataset = cfg.train_dataloader.dataset
    levels = [len(names) for names in load_hierarchy(
        dataset.get('hierarchy'), dataset.dataset.metainfo['classes']).level_classes]
    assert levels[-1] == num_classes
    cfg.model.backbone = dict(type='ResNet', depth=18, base_channels=16, stem_channels=16)
    cfg.model.head.update(in_channels=128, level_num_classes=levels,
                          mlp_hidden_channels=64, feat_channels=32)
    cfg.optim_wrapper.type = 'OptimWrapper'
    cfg.optim_wrapper.pop('loss_scale', None)


@pytest.fixture(scope='module')
def roots(cifar10_root, cifar100_root, tmp_path_factory, monkeypatch_module):
    from tests.fixtures.imagenet_lt import write_imagenet_lt
    monkeypatch_module.setenv('SKCL_MM_CACHE', str(tmp_path_factory.mktemp('graphs')))
    from tests.fixtures.image_folder import write_image_folder
    imagenet_root = str(tmp_path_factory.mktemp('imagenet_lt'))
    image_folder = str(tmp_path_factory.mktemp('my_images'))
    write_image_folder(image_folder)
    return {'CIFAR10Fixture': cifar10_root, 'CIFAR100Fixture': cifar100_root,
            'ImageNetLT': imagenet_root,
            'imagenet_classes': write_imagenet_lt(imagenet_root),
            'image_folder': image_folder}


@pytest.fixture(scope='module')
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.mark.parametrize('config', CONFIGS)
def test_config_trains_two_iterations(config, roots, tmp_path):
    cfg = Config.fromfile(osp.join(REPO, config))
    assert cfg.default_scope == 'mmpretrain'
    assert 'skcl_mm' in cfg.custom_imports['imports']
    runner = _two_iterations(cfg, roots, str(tmp_path))
    runner.train()
    head = runner.model.head
    assert runner.iter == 2
    metrics = runner.message_hub.log_scalars
    assert 'val/long_tail/top1' in metrics, sorted(metrics)
    contrastive = cfg.model.head.get('contrastive_loss')
    request = head.semantic_graph_request()
    assert (request is not None) == (contrastive is not None
                                     and contrastive['type'] == 'SKCLLoss')
    if request is not None:
        assert head.has_semantic_graph
        assert tuple(head.semantic_neighbours.shape) == (request.num_fine,
                                                         request.num_neighbours)
    assert osp.isfile(osp.join(str(tmp_path), 'iter_2.pth'))


def test_stock_head_on_the_dataset_base_trains_without_skcl_parts(roots, tmp_path):
    """configs/examples/linear_resnet32_cifar100lt.py: mmpretrain's
    LinearClsHead on the CIFAR-100-LT dataset base trains on the one view the
    base loads, with no hook to remove; TrainCountsHook (a default hook) gives
    LongTailAccuracy the training counts for many / medium / few."""
    cfg = Config.fromfile(osp.join(REPO, STOCK_HEAD_EXAMPLE))
    assert cfg.model.head.type == 'LinearClsHead' and not cfg.get('custom_hooks')
    assert [t['type'] for t in cfg.train_dataloader.dataset.pipeline] == [
        'RandomCrop', 'RandomFlip', 'CifarAutoAugment', 'PackInputs']
    # The fixture at imbalance 2 has 5 -> 2 images per class: many (> 3) 32
    # classes, medium (3) 41, few (< 3) 27.
    cfg.train_dataloader.dataset.update(many_thr=3, few_thr=3)
    runner = _two_iterations(cfg, roots, str(tmp_path))
    runner.train()
    assert runner.iter == 2
    hooks = [type(hook).__name__ for hook in runner.hooks]
    assert 'TrainCountsHook' in hooks and 'SemanticGraphHook' not in hooks
    metrics = runner.message_hub.log_scalars
    for key in ('top1', 'top5', 'many', 'medium', 'few', 'level0_top1'):
        assert f'val/long_tail/{key}' in metrics, (key, sorted(metrics))
    (log_file, ) = glob.glob(osp.join(runner.log_dir, '*.log'))
    with open(log_file) as f:
        log = f.read()
    assert 'long_tail/many' in log and 'SemanticGraphHook' not in log


def _losses_of_two_iterations(roots, work_dir, compile_cfg):
    cfg = Config.fromfile(osp.join(REPO, 'configs/skcl_resnet32_cifar100lt.py'))
    cfg.model.backbone.depth = 8  # ResNet-8: the same code, a short compilation
    cfg.randomness = dict(seed=0)
    if compile_cfg is not None:
        cfg.compile = compile_cfg
    runner = _two_iterations(cfg, roots, work_dir)
    runner.train()
    compiled = hasattr(runner.model.train_step, '_torchdynamo_orig_callable')
    return runner.message_hub.log_scalars['train/loss'].data[0], compiled


@needs_cpu_compiler
def test_runner_compile_switch_trains_like_eager(roots, tmp_path):
    """mmengine's ``compile`` switch (torch.compile of ``model.train_step``,
    the whole step on a GPU is launch-bound without it) trains the SKCL
    model: the same two losses as eager from the same seed."""
    import numpy as np
    import torch
    eager, eager_is_compiled = _losses_of_two_iterations(
        roots, str(tmp_path / 'eager'), None)
    try:
        compiled, is_compiled = _losses_of_two_iterations(
            roots, str(tmp_path / 'compiled'), True)
    finally:
        torch._dynamo.reset()
    assert is_compiled and not eager_is_compiled
    assert len(eager) == len(compiled) == 2 and np.isfinite(eager).all()
    np.testing.assert_allclose(compiled, eager, rtol=1e-4)
