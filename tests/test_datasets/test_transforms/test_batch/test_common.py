"""Tests of skcl_mm/datasets/transforms/batch/common.py: the per-device constant
cache and the kornia import of the transforms that run kornia."""
import sys

import pytest
import torch

from mmpretrain.registry import MODELS
from skcl_mm.datasets.transforms.batch.common import constant, fill


def test_constant_is_made_once_per_dtype_and_device():
    cpu = torch.device('cpu')
    first = constant(((0, 1), (2, 3)), torch.long, cpu)
    assert first is constant(((0, 1), (2, 3)), torch.long, cpu)  # no new copy
    assert first.tolist() == [[0, 1], [2, 3]] and first.dtype == torch.long
    assert constant(((0, 1), (2, 3)), torch.float64, cpu).dtype == torch.float64


def test_constant_made_in_inference_mode_still_serves_autograd():
    values = (0.25, 0.5, 0.75)  # a key no other test uses
    with torch.inference_mode():
        inside = fill(torch.zeros(1, 3, 2, 2), values)
    assert not inside.is_inference()
    x = torch.ones(1, 3, 2, 2, requires_grad=True)
    (x * fill(x, values)).sum().backward()
    assert x.grad[0, :, 0, 0].tolist() == list(values)


@pytest.mark.parametrize('kind', ['BatchRandomCrop', 'BatchRandomGrayscale'])
def test_transforms_that_run_kornia_say_how_to_install_it(monkeypatch, kind):
    monkeypatch.setitem(sys.modules, 'kornia.augmentation', None)  # not importable
    with pytest.raises(ModuleNotFoundError, match=f'{kind} runs kornia, which is not installed'
                       ) as error:
        MODELS.build(dict(type=kind))
    assert 'pip install kornia' in str(error.value)
