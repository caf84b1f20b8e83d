"""Config layering: dataset bases hold data, the SKCL model bases the method.

A dataset base (configs/_base_/datasets/*.py) loads one training view and
names the class descriptions its data comes with; SKCL's three views and its
SemanticGraphHook come with the method (the model bases, and one line in each
config that combines SKCL or BCL with a dataset). TrainCountsHook is a default
hook. These are config loads only (no data, no model): the training runs are
in test_configs.py.
"""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASES = osp.join(REPO, 'configs', '_base_')
DATASET_BASES = sorted(glob.glob(osp.join(BASES, 'datasets', '*.py')))
VIEW_RECIPES = sorted(glob.glob(osp.join(BASES, 'datasets', 'pipelines', '*_views.py')))
CPU_VIEW_RECIPES = [p for p in VIEW_RECIPES if not p.endswith('gpu_views.py')]
MODEL_BASES = sorted(glob.glob(osp.join(BASES, 'models', 'skcl_*.py')))
SHIPPED = sorted(p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                                      recursive=True) if '_base_' not in p)


def _name(path):
    return osp.relpath(path, REPO)


def _types(pipeline):
    return [t['type'] for t in pipeline]


def _multi_view(pipeline):
    """The MultiView entry of a pipeline, or None."""
    views = [t for t in pipeline if t['type'] == 'MultiView']
    assert len(views) <= 1, _types(pipeline)
    return views[0] if views else None


@pytest.fixture(scope='module')
def shipped():
    return {_name(p): Config.fromfile(p) for p in SHIPPED}


@pytest.mark.parametrize('path', DATASET_BASES, ids=_name)
def test_dataset_base_holds_data_only(path):
    cfg = Config.fromfile(path)
    assert 'custom_hooks' not in cfg and 'model' not in cfg
    train = cfg.train_dataloader.dataset
    assert _multi_view(train.pipeline) is None, _types(train.pipeline)
    assert train.pipeline == cfg.train_pipeline
    assert train.descriptions, 'the class descriptions the data comes with'
    assert cfg.data_preprocessor.type == 'MultiViewClsDataPreprocessor'
    assert cfg.val_evaluator.type == 'LongTailAccuracy'


@pytest.mark.parametrize('path', CPU_VIEW_RECIPES, ids=_name)
def test_view_0_of_the_three_views_is_the_single_view_pipeline(path):
    """The view-order contract in the configs: view 0 (the classifier's) has
    the transforms of train_pipeline; loading and packing stay around."""
    cfg = Config.fromfile(path)
    multi = cfg.multi_view_train_pipeline
    views = _multi_view(multi)
    assert views.num_views == [1, 2]
    at = multi.index(views)
    assert multi[:at] + views.transforms[0] + multi[at + 1:] == cfg.train_pipeline
    assert views.transforms[1] == cfg.sim_view


@pytest.mark.parametrize('path', MODEL_BASES, ids=_name)
def test_skcl_model_base_brings_the_graph_hook(path):
    cfg = Config.fromfile(path)
    assert cfg.custom_hooks == [dict(type='SemanticGraphHook')]
    assert 'train_dataloader' not in cfg


def test_train_counts_is_a_default_hook_of_every_config(shipped):
    for name, cfg in shipped.items():
        assert cfg.default_hooks.train_counts == dict(type='TrainCountsHook'), name
        custom = [h['type'] for h in cfg.get('custom_hooks') or []]
        assert 'TrainCountsHook' not in custom, name


def test_contrastive_heads_train_on_three_views_others_on_one(shipped):
    """SKCL and BCL configs select the three views; the CE / LA baselines and
    the stock head keep the dataset's single view (the _gpuaug, _resident and
    _fast configs draw their views on the device, the _gpudecode configs also
    decode there)."""
    seen = set()
    for name, cfg in shipped.items():
        head = cfg.model.head
        contrastive = head.get('contrastive_loss')
        pipeline = cfg.train_dataloader.dataset.pipeline
        if name.endswith(('_gpuaug.py', '_resident.py', '_fast.py')):
            assert cfg.data_preprocessor.type == 'GPUAugmentDataPreprocessor', name
            assert _types(pipeline) == ['PackInputs'], name
        elif name.endswith('_gpudecode.py'):
            assert cfg.data_preprocessor.type == 'GPUDecodeDataPreprocessor', name
            assert _types(pipeline) == ['LoadImageBytes', 'PackInputs'], name
        elif contrastive:
            assert pipeline == cfg.multi_view_train_pipeline, name
            seen.add(contrastive.type)
        else:
            assert pipeline == cfg.train_pipeline, name
            assert _multi_view(pipeline) is None, name
            seen.add(head.type)
        graph_hook = [h for h in cfg.get('custom_hooks') or []
                      if h['type'] == 'SemanticGraphHook']
        # iNaturalist's 14,035-node graph is not drawn (37 min on a CPU:
        # docs/benchmarks.md); every other SKCL config takes the hook as it is.
        expected = [dict(type='SemanticGraphHook', save_figures=False)] \
            if 'inat2018' in name else [dict(type='SemanticGraphHook')]
        assert graph_hook == ([] if head.type == 'LinearClsHead' else expected), name
    assert seen == {'SKCLLoss', 'BCLLoss', 'SKCLHead', 'LinearClsHead'}


def test_bcl_configs_use_bcl_loss_with_the_skcl_recipes_values(shipped):
    expected = {'configs/baselines/bcl_resnet32_cifar100lt.py': 0.6,
                'configs/baselines/bcl_resnet50_imagenetlt.py': 0.35,
                'configs/quickstart/bcl_resnet32_digitslt.py': 0.6}
    for name, weight in expected.items():
        loss = shipped[name].model.head.contrastive_loss
        assert loss == dict(type='BCLLoss', loss_weight=weight, temperature=0.1), name
