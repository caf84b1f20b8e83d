"""Shared fixtures: small CIFAR copies in the real pickle format."""
import os

import pytest
import torch

os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TRANSFORMERS_OFFLINE', '1')
torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))


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
