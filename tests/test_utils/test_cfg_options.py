"""skcl_mm/utils/cfg_options.py: --cfg-options checked against the loaded config."""
import argparse
import os.path as osp

import pytest
from mmengine.config import Config

from skcl_mm.utils.cfg_options import add_cfg_options_arg, check_cfg_options
from tests.tools_runner import REPO

QUICKSTART = osp.join(REPO, 'configs/quickstart/skcl_resnet32_digitslt.py')
EXAMPLE = osp.join(REPO, 'configs/examples/skcl_resnet32_image_folder.py')


@pytest.fixture(scope='module')
def quickstart():
    return Config.fromfile(QUICKSTART)


def problem(cfg, **options):
    options = {k.replace('__', '.'): v for k, v in options.items()}
    with pytest.raises(SystemExit) as err:
        check_cfg_options(cfg, options)
    return str(err.value)


# Every --cfg-options example of README.md, docs/ and the tools' own messages.
DOCUMENTED = [
    {'compile': True}, {'compile.mode': 'reduce-overhead'}, {'sync_bn': 'torch'},
    {'default_hooks.train_counts.build_train_dataset': False,
     'test_evaluator.train_counts': 'c.json'},
    {'train_dataloader.dataset.descriptions': 'my.json'},
    {'data_preprocessor.channels_last': True},
    {'default_hooks.checkpoint_guard.check_input_shape': False},
    {'default_hooks.checkpoint_guard.allow_other_subset': True},
    {'load_from': 'x.pth'}, {'model.head.compile_loss': True},
    {'model.head.level_loss_weights': [0.5, 2.0]}, {'model.head.contrastive_loss': None},
    {'optim_wrapper.type': 'AmpOptimWrapper', 'optim_wrapper.dtype': 'bfloat16',
     'optim_wrapper.loss_scale.enabled': False},
    {'randomness.seed': 3}, {'train_cfg.val_begin': 1}, {'auto_scale_lr.base_batch_size': 8},
    {'train_cfg.by_epoch': False, 'train_cfg.max_iters': 5, 'train_cfg.max_epochs': None},
    {'train_dataloader.batch_size': 128}, {'param_scheduler.1.eta_min': 0.0},
    {'model.backbone.init_cfg.type': 'Pretrained'}, {'val_evaluator.per_class_file': 'a.csv'},
    {'visualizer.vis_backends.0.type': 'TensorboardVisBackend'},
    {'val_dataloader': None, 'val_cfg': None, 'val_evaluator': None},
]


@pytest.mark.parametrize('options', DOCUMENTED, ids=lambda o: ' '.join(o))
def test_documented_options_pass(quickstart, options):
    check_cfg_options(quickstart, options)


def test_misspelt_setting_names_the_reader_and_the_spelling(quickstart):
    text = problem(quickstart, train_cfg__max_epoch=1)
    assert ("train_cfg.max_epoch: EpochBasedTrainLoop (train_cfg) has no setting "
            "'max_epoch'") in text and 'Did you mean train_cfg.max_epochs?' in text
    text = problem(quickstart, model__head__level_num_class=[3, 10])
    assert 'SKCLHead (model.head) has no setting' in text
    assert 'Did you mean model.head.level_num_classes?' in text
    assert 'Did you mean randomness.seed?' in problem(quickstart, randomness__sed=1)
    assert 'Did you mean train_dataloader.batch_size?' in problem(
        quickstart, train_dataloader__batchsize=8)
    assert 'Did you mean default_hooks.checkpoint?' in problem(
        quickstart, default_hooks__checkpont__interval=2)
    assert 'Did you mean train_dataloader.dataset.dataset.split?' in problem(
        quickstart, train_dataloader__dataset__dataset__splt='train')  # **kwargs reader


def test_values_of_another_kind(quickstart):
    assert ("the config has the number 0.05 there and 'abc' is text; write a number "
            '(e.g. optim_wrapper.optimizer.lr=0.05)') in problem(
                quickstart, optim_wrapper__optimizer__lr='abc')
    assert 'write model.head.cosine_classifier=True or' in problem(
        quickstart, model__head__cosine_classifier='yes')
    text = problem(quickstart, optim_wrapper__optimizer='SGD')
    assert 'is a dict in the config' in text and 'optim_wrapper.optimizer.type=SGD' in text


def test_unknown_type_offers_registered_names(quickstart):
    text = problem(quickstart, model__backbone__type='CifarResNt')
    assert "'CifarResNt' is not a registered model type; did you mean 'CifarResNet'" in text


def test_custom_imports_on_the_command_line_register_their_types(quickstart, tmp_path,
                                                                 monkeypatch):
    """A type registered by a module that --cfg-options custom_imports names is
    known before the options are checked (tools/gpu_report.py relies on it)."""
    (tmp_path / 'cfg_options_types.py').write_text(
        'from mmpretrain.registry import DATASETS\n'
        'from mmpretrain.datasets import CIFAR100\n'
        '@DATASETS.register_module(force=True)\n'
        'class CommandLineCIFAR100(CIFAR100):\n'
        '    pass\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    options = {'train_dataloader.dataset.dataset.type': 'CommandLineCIFAR100'}
    assert 'not a registered dataset type' in problem(quickstart, **{
        k.replace('.', '__'): v for k, v in options.items()})
    check_cfg_options(quickstart, dict(options, **{
        'custom_imports.imports': ['skcl_mm', 'cfg_options_types']}))
    text = problem(quickstart, custom_imports__imports=['no_such_module_here'])
    assert "no_such_module_here" in text and 'importable' in text


def test_list_index_and_top_level_keys(quickstart):
    text = problem(quickstart, param_scheduler__5__eta_min=0.0)
    assert ('param_scheduler is a list of 2 entries (0: LinearLR, 1: CosineAnnealingLR)'
            in text and 'index 0-1' in text)
    assert 'Did you mean train_cfg.max_epochs' in problem(quickstart, max_epochs=1)
    assert 'Did you mean randomness.seed?' in problem(quickstart, randomnes__seed=1)


def test_a_variable_of_the_file_changes_nothing():
    """data_root was copied into the dataset settings when the file was read."""
    text = problem(Config.fromfile(EXAMPLE), data_root='/my/images')
    assert ("'data_root' is a variable of the config (" in text
            and 'configs/_base_/datasets/image_folder_lt.py line 12' in text)
    assert 'train_dataloader.dataset.dataset.data_root' in text


def test_a_pair_without_equals_is_a_usage_error(capsys):
    parser = add_cfg_options_arg(argparse.ArgumentParser())
    with pytest.raises(SystemExit):
        parser.parse_args(['--cfg-options', 'train_cfg.max_epochs', '1'])
    assert 'write train_cfg.max_epochs=1 (no spaces around "=")' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser.parse_args(['--cfg-options', 'a=1', 'configs/x.py'])
    assert 'if configs/x.py is the config file, give it before' in capsys.readouterr().err
