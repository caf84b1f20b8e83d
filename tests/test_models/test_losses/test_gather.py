"""Tests of skcl_mm/models/losses/gather.py: 2 gloo ranks == 1 process."""

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from skcl_mm.models.losses import BCLLoss, SKCLLoss
from skcl_mm.models.losses.gather import world_size
from tests.tools_runner import free_port

CASES = {'equal': (4, 4), 'unequal': (3, 5)}
MODES = ('both', 'bcl')
LEVELS = [2, 3]  # 3 fine classes (nodes 0..2), 2 coarse (3, 4)
NEIGHBOURS = torch.tensor([[3, 1], [2, 4], [1, 3]])


class TinySKCL(nn.Module):
    """Projection + classifier weights -> prototypes -> SKCLLoss (no BatchNorm)."""

    def __init__(self, mode, equal_rank_batches=False):
        super().__init__()
        torch.manual_seed(0)
        self.proj = nn.Linear(5, 4)
        self.weights = nn.Parameter(torch.randn(sum(LEVELS), 5))
        self.proto = nn.Linear(5, 4)
        equal = dict(equal_rank_batches=equal_rank_batches)
        self.loss = (BCLLoss(level_num_classes=LEVELS, **equal) if mode == 'bcl' else
                     SKCLLoss(mode=mode, level_num_classes=LEVELS, num_neighbours=2,
                              **equal))

    def forward(self, x, labels):
        z = F.normalize(self.proj(x), dim=1)
        protos = F.normalize(self.proto(self.weights), dim=1)
        return self.loss(z, labels, protos, NEIGHBOURS)


def batch(num):
    gen = torch.Generator().manual_seed(num)
    return torch.randn(num, 5, generator=gen), torch.arange(num) % 3


def run_case(model, x, labels):
    """Sum of the loss terms and the parameter gradients."""
    model.zero_grad()
    module = model.module if hasattr(model, 'module') else model
    loss = sum(model(x, labels).values())
    loss.backward()
    return loss.detach(), {n: p.grad.clone() for n, p in module.named_parameters()}


def graph_breaks(model, x, labels):
    """Graph breaks of the loss forward, gathered, under torch.compile's tracer."""
    torch._dynamo.reset()
    return torch._dynamo.explain(model)(x, labels).graph_break_count


def worker(rank, port, path):
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=2)
    results = {}
    try:
        for mode in MODES:
            for case, sizes in CASES.items():
                x, labels = batch(sum(sizes))
                start = sum(sizes[:rank])
                local = slice(start, start + sizes[rank])
                model = DistributedDataParallel(TinySKCL(mode))
                results[mode, case] = run_case(model, x[local], labels[local])
                equal = DistributedDataParallel(TinySKCL(mode, equal_rank_batches=True))
                if case == 'equal':  # no count exchange after the first step
                    run_case(equal, x[local], labels[local])
                    results[mode, case, 'no exchange'] = run_case(equal, x[local], labels[local])
                    results[mode, case, 'breaks'] = graph_breaks(equal.module, x[local],
                                                                 labels[local])
                else:
                    try:
                        run_case(equal, x[local], labels[local])
                    except RuntimeError as error:
                        results[mode, case, 'error'] = str(error)
    finally:
        dist.destroy_process_group()
    torch.save(results, f'{path}/rank{rank}.pt')


@pytest.mark.slow
def test_two_gloo_ranks_equal_one_process(tmp_path):
    """Mean of the rank losses and DDP's averaged gradients == one process."""
    mp.spawn(worker, args=(free_port(), str(tmp_path)), nprocs=2)
    ranks = [torch.load(tmp_path / f'rank{r}.pt') for r in range(2)]
    assert world_size() == 1  # the parent is not distributed: no gather
    for mode in MODES:
        for case, sizes in CASES.items():
            key = (mode, case)
            full_loss, full_grads = run_case(TinySKCL(mode), *batch(sum(sizes)))
            mean_loss = (ranks[0][key][0] + ranks[1][key][0]) / 2
            assert torch.allclose(mean_loss, full_loss, rtol=1e-5, atol=1e-6), key
            for name, grad in full_grads.items():
                for rank in ranks:
                    assert torch.allclose(rank[key][1][name], grad, rtol=1e-4,
                                          atol=1e-6), (key, name)
            for rank in ranks:
                if case == 'equal':
                    # equal_rank_batches: the same numbers, traced without a break
                    loss, grads = rank[mode, case, 'no exchange']
                    assert torch.allclose(loss, rank[key][0], rtol=1e-6), key
                    assert all(torch.allclose(grads[n], rank[key][1][n], rtol=1e-5,
                                              atol=1e-7) for n in grads), key
                    assert rank[mode, case, 'breaks'] == 0, key
                else:  # refused at the first step, naming the counts and the fix
                    error = rank[mode, case, 'error']
                    assert '[3, 5] rows' in error and 'equal_rank_batches=False' in error
