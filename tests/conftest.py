"""Shared fixtures: small CIFAR copies in the real pickle format."""
import os
import os.path as osp
import sys

import pytest
import torch

# tools/analysis_tools (code of the tools, outside the wheel) imports as
# `analysis_tools`, as it does in the tools. Appended, not prepended: tools/
# holds scripts named like modules (test.py).
sys.path.append(osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'tools'))
os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TRANSFORMERS_OFFLINE', '1')
# Under pytest-xdist every worker gets its share of the cores.
_WORKERS = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1'))
torch.set_num_threads(max(1, min(2, (os.cpu_count() or 1) // _WORKERS)))


@pytest.fixture(scope='session')
def cifar100_root(tmp_path_factory):
    """CIFAR-100 with 5 train / 2 test images per class."""
    from tests.fixtures.cifar import write_cifar100
    return write_cifar100(str(tmp_path_factory.mktemp('cifar100')), 5, 2)


@pytest.fixture(scope='session')
def cifar10_root(tmp_path_factory):
    """CIFAR-10 with 20 train / 4 test images per class."""
    from tests.fixtures.cifar import write_cifar10
    return write_cifar10(str(tmp_path_factory.mktemp('cifar10')), 20, 4)


@pytest.fixture(scope='session')
def linear_cifar10_trained(tmp_path_factory, cifar10_root):
    """tools/train.py, two iterations of tests/data/configs/linear_cifar10_lt.py
    (a stock LinearClsHead on the long-tailed wrapper), as a real process.

    Returns (work_dir, log); ``work_dir/trained.pth`` is a copy of the
    checkpoint that no test changes (the resume test trains on in work_dir).
    """
    import os.path as osp
    import shutil

    from tests.tools_runner import run_tool
    work_dir = str(tmp_path_factory.mktemp('linear_cifar10_train'))
    proc = run_tool(['tools/train.py', 'tests/data/configs/linear_cifar10_lt.py',
                     '--work-dir', work_dir], dict(SKCL_TEST_CIFAR10=cifar10_root))
    shutil.copy(osp.join(work_dir, 'iter_2.pth'), osp.join(work_dir, 'trained.pth'))
    return work_dir, proc.stdout + proc.stderr
