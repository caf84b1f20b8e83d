"""Every shipped config runs under mmpretrain's own tools/train.py without flags.

That train.py sets ``persistent_workers=True`` (and ``pin_memory=True``) on
every dataloader that does not set it, and torch's DataLoader refuses
persistent workers with ``num_workers=0``. skcl_mm's tools fix it
(``skcl_mm.utils.launch.fix_dataloader_workers``); mmpretrain's does not, so a
config must say ``persistent_workers=False`` wherever it has no workers. The
configs go through mmpretrain's own ``merge_args``, as its train.py does.
"""
import argparse
import glob
import importlib.util
import os.path as osp

import pytest
from mmengine.config import Config

from tests.tools_runner import REPO

SHIPPED = sorted(osp.relpath(path, REPO)
                 for path in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                                       recursive=True)
                 if f'{osp.sep}_base_{osp.sep}' not in path)
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


@pytest.fixture(scope='module')
def merge_args():
    """``merge_args(cfg, args)`` of mmpretrain's tools/train.py (under .mim)."""
    import mmpretrain
    path = osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'tools', 'train.py')
    if not osp.isfile(path):
        pytest.skip('this mmpretrain install has no .mim/tools/train.py')
    spec = importlib.util.spec_from_file_location('mmpretrain_train_py', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines functions; main() runs only as a script
    return module.merge_args


def as_mmpretrain_train_py(merge_args, path):
    """The config as mmpretrain's train.py hands it to the Runner, no flags."""
    cfg = Config.fromfile(osp.join(REPO, path), import_custom_modules=False)
    args = argparse.Namespace(
        config=path, work_dir='work_dirs/x', resume=None, amp=False, no_validate=False,
        auto_scale_lr=False, no_pin_memory=False, no_persistent_workers=False,
        cfg_options=None, launcher='none')
    return merge_args(cfg, args)


def test_the_glob_finds_every_kind_of_config():
    assert len(SHIPPED) >= 19, SHIPPED
    for folder in ('quickstart', 'baselines', 'examples'):
        assert any(p.startswith(f'configs/{folder}/') for p in SHIPPED), folder
    assert 'configs/quickstart/skcl_resnet32_digitslt.py' in SHIPPED


@pytest.mark.parametrize('path', SHIPPED)
def test_no_persistent_workers_without_workers(merge_args, path):
    cfg = as_mmpretrain_train_py(merge_args, path)
    for field in LOADERS:
        loader = cfg.get(field)
        if not loader:
            continue
        assert 'persistent_workers' in loader  # merge_args filled it in
        workers = loader.get('num_workers', 0)  # DataLoader's default
        assert workers > 0 or loader.persistent_workers is False, (
            f'{path}: {field} has num_workers={workers} and persistent_workers='
            f'{loader.persistent_workers} once mmpretrain\'s train.py filled in its '
            'default (True); torch refuses persistent workers without workers. '
            f'Set {field} = dict(persistent_workers=False) in the config, or give '
            'it workers.')
