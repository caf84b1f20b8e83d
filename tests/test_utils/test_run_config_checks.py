"""skcl_mm/utils/run_config_checks.py: config checks before a train or test run."""
import os.path as osp

import pytest
from mmengine.config import Config

from skcl_mm.utils import run_config_checks as checks
from tests.tools_runner import REPO

QUICKSTART = osp.join(REPO, 'configs/quickstart/skcl_resnet32_digitslt.py')
LINEAR = osp.join(REPO, 'tests/data/configs/linear_cifar10_lt.py')


def stop(check, *args, **kwargs):
    with pytest.raises(SystemExit) as err:
        check(*args, **kwargs)
    return str(err.value)


def test_launcher_without_its_environment():
    text = stop(checks.check_launcher, 'pytorch', env={})
    assert ('--launcher pytorch: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT not set'
            in text and 'bash tools/dist_train.sh CONFIG NPROC' in text)
    assert 'SLURM_PROCID' in stop(checks.check_launcher, 'slurm', env={})
    torchrun = dict(TORCHELASTIC_RUN_ID='x', WORLD_SIZE='2', RANK='0',
                    MASTER_ADDR='h', MASTER_PORT='1', LOCAL_RANK='3')
    assert ('torchrun started 2 processes, but --launcher is none: each would train '
            'alone') in stop(checks.check_launcher, 'none', env=torchrun)
    assert 'this node has 2: start at most 2 processes' in stop(
        checks.check_launcher, 'pytorch', env=torchrun, gpus=2)
    checks.check_launcher('pytorch', env=torchrun)  # CPU ranks: no device check
    checks.check_launcher('none', env={})


@pytest.mark.parametrize('seed', [-1, 1.5, 2**32, True])
def test_seed_outside_numpys_range(seed):
    cfg = Config(dict(randomness=dict(seed=seed)))
    assert 'must be a whole number from 0 to 2**32 - 1' in stop(checks.check_seed, cfg)


def test_loaders_and_loop_parts():
    cfg = Config(dict(train_dataloader=dict(batch_size=0), train_cfg=dict()))
    assert 'train_dataloader.batch_size=0 must be a whole number >= 1' in stop(
        checks.check_loaders, cfg, ['train_dataloader'])
    text = stop(checks.check_loop_parts, cfg, ['train'], 'tools/train.py')
    assert 'optim_wrapper is not set' in text
    cfg = Config(dict(val_dataloader=dict(), val_cfg=dict(), val_evaluator=dict()))
    assert ('test_dataloader, test_cfg, test_evaluator are not set: add them, e.g. '
            'test_dataloader = val_dataloader') in stop(
                checks.check_loop_parts, cfg, ['test'], 'tools/test.py')
    checks.check_loop_parts(cfg, ['val', 'test'])  # unset test loop: allowed in training


def test_work_dir_that_is_a_file(tmp_path):
    (tmp_path / 'f').write_text('')
    assert 'is a file, not a folder' in stop(checks.make_work_dir, str(tmp_path / 'f'),
                                             '--work-dir')
    assert 'cannot be created (Not a directory' in stop(
        checks.make_work_dir, str(tmp_path / 'f' / 'run'), '--work-dir')
    checks.make_work_dir(str(tmp_path / 'new' / 'run'), '--work-dir')
    assert (tmp_path / 'new' / 'run').is_dir()


def test_multi_view_pipeline_needs_a_view_preprocessor():
    cfg = Config.fromfile(QUICKSTART)
    checks.check_multi_view_preprocessor(cfg)
    cfg.data_preprocessor.type = 'ClsDataPreprocessor'
    text = stop(checks.check_multi_view_preprocessor, cfg)
    assert ("data_preprocessor is 'ClsDataPreprocessor', which cannot stack a list of "
            'views' in text and 'data_preprocessor.type=MultiViewClsDataPreprocessor' in text)
    cfg.model.data_preprocessor = dict(type='ClsDataPreprocessor')  # the model's wins
    assert "model.data_preprocessor is 'ClsDataPreprocessor'" in stop(
        checks.check_multi_view_preprocessor, cfg)
    cfg.model.data_preprocessor = dict(type='GPUAugmentDataPreprocessor')
    checks.check_multi_view_preprocessor(cfg)


def test_test_set_in_another_class_order():
    loaders = ('train_dataloader', 'val_dataloader', 'test_dataloader')
    cfg = Config.fromfile(LINEAR)
    checks.check_class_orders(cfg, loaders)  # CIFAR10's own class list on every split
    classes = ['automobile', 'airplane', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse',
               'ship', 'truck']
    cfg.test_dataloader.dataset.dataset.metainfo = dict(classes=classes)
    text = stop(checks.check_class_orders, cfg, loaders)
    assert ("train_dataloader and test_dataloader declare different class lists (at "
            "index 0 train_dataloader has 'airplane', test_dataloader has 'automobile')"
            in text)
