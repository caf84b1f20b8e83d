"""Synthetic graphs of the sizes the pictures switch at (10, 100, 300 classes)."""
import pytest

from tests.fixtures.semantic_graphs import synthetic_graph


@pytest.fixture(scope='session')
def graph10():
    """CIFAR-10's shape: 2 superclasses of 5 classes, K = 2."""
    return synthetic_graph(2, 5)


@pytest.fixture(scope='session')
def graph100():
    """CIFAR-100's shape: 20 superclasses of 5 classes (120 nodes), K = 2."""
    return synthetic_graph(20, 5, seed=1)


@pytest.fixture(scope='session')
def flat300():
    """One level of 300 classes around 12 hidden centres, K = 4."""
    return synthetic_graph(12, 25, k=4, coarse=False, seed=2)
