"""Every batch transform can be captured whole in a CUDA graph: traced as one
graph, all its tensors on the images' device, no draw from the CPU generator.

No GPU here, so the images sit on the ``meta`` device, another device than the
CPU: a CPU tensor in the traced graph (a CPU random draw, a constant made from
Python data, a table moved to the device) shows up as a node on ``cpu``, which
is what makes inductor skip CUDA graphs ("skipping cudagraphs due to cpu
device"). ``fullgraph=True`` raises at the first graph break, with its reason.
"""
import pytest
import torch
from torch._dynamo.backends.common import aot_autograd

import skcl_mm  # noqa: F401  (registers the batch transforms)
from mmpretrain.registry import MODELS

CONFIGS = [
    dict(type='BatchRandomCrop', size=8, padding=2, pad_val=(1, 2, 3)),
    dict(type='BatchRandomFlip'),
    dict(type='BatchCutout', shape=4),
    dict(type='BatchCifarAutoAugment'),
    dict(type='BatchRandomResizedCrop', size=8),
    dict(type='BatchColorJitter'),
    dict(type='BatchRandomApply', transforms=[dict(type='BatchColorJitter')], prob=0.8),
    dict(type='BatchRandomGrayscale'),
    dict(type='BatchGaussianBlur'),
    dict(type='BatchRandAugment', policies=[  # one op of each code path
        dict(type='Equalize'), dict(type='Solarize', magnitude_range=(0, 256)),
        dict(type='SolarizeAdd', magnitude_range=(0, 110)),
        dict(type='Brightness', magnitude_range=(-0.9, 0.9), random_negative_prob=0.),
        dict(type='Shear', magnitude_range=(0, 0.3), direction='vertical')]),
]


def traced_nodes(transform, images):
    """Compile ``transform`` for ``images`` (fullgraph) and return the ATen
    graphs' nodes that hold a tensor, as (name, device type)."""
    graphs = []

    def record(gm, example_inputs):
        graphs.append([(n.name, n.meta['val'].device.type) for n in gm.graph.nodes
                       if isinstance(n.meta.get('val'), torch.Tensor)])
        return gm

    torch._dynamo.reset()
    torch.compile(transform, backend=aot_autograd(fw_compiler=record),
                  fullgraph=True)(images)
    assert len(graphs) == 1, f'{len(graphs)} graphs'
    return graphs[0]


@pytest.mark.parametrize('cfg', CONFIGS, ids=lambda cfg: cfg['type'])
def test_transform_is_one_graph_on_the_images_device(cfg):
    transform = MODELS.build(cfg)
    images = torch.empty(4, 3, 8, 8, device='meta')
    state = torch.random.get_rng_state()
    out = transform(images)  # eager
    assert torch.equal(torch.random.get_rng_state(), state), 'drew from the CPU generator'
    assert out.device == images.device
    nodes = traced_nodes(transform, images)
    off_device = [(name, device) for name, device in nodes if device != 'meta']
    assert nodes and not off_device, off_device
