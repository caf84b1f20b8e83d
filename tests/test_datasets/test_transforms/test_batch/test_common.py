"""Tests of skcl_mm/datasets/transforms/batch/common.py: the per-device constant
cache, and constants built on the device under torch.compile."""
import torch

from skcl_mm.datasets.transforms.batch.common import constant, fill
from tests.test_datasets.test_transforms.test_batch.test_capture import \
    traced_nodes


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


def test_constant_under_compile_is_built_on_the_device():
    """Traced, ``constant`` makes no CPU tensor (a ``torch.tensor`` of Python
    data would be a CPU constant plus a copy) and gives the eager values."""
    table = ((0, 1, 2), (3, 4, 5))

    def lookup(images):
        return images + constant(table, images.dtype, images.device)[1, 2]

    nodes = traced_nodes(lookup, torch.empty(2, 3, device='meta'))
    assert nodes and all(device == 'meta' for _, device in nodes), nodes
    compiled = torch.compile(lambda x: constant(table, torch.long, x.device) + x,
                             backend='eager', fullgraph=True)
    assert torch.equal(compiled(torch.zeros((), dtype=torch.long)), torch.tensor(table))
