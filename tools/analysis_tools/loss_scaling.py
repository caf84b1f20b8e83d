"""Time and memory of skcl_loss forward + backward versus batch and node count."""
import ctypes
import os
import threading
import time
from typing import Callable, Dict, List, Sequence, Tuple

import torch
import torch.nn.functional as F

from .benchmark import median_time, synchronize
from .benchmark_setup import random_graph

FLOAT32_BYTES = 4
MIB = 2**20


def analytic_matrix_mib(num_anchors: int, num_nodes: int) -> Dict[str, float]:
    """float32 size of one (N, N) sample matrix and one (N, n_nodes) matrix.

    Args:
        num_anchors (int): N = views * B rows of the contrastive batch.
        num_nodes (int): n prototype nodes.

    Returns:
        dict: ``nxn_mib`` and ``nxnodes_mib``.
    """
    return dict(nxn_mib=num_anchors**2 * FLOAT32_BYTES / MIB,
                nxnodes_mib=num_anchors * num_nodes * FLOAT32_BYTES / MIB)


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc)."""
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def release_freed_memory() -> None:
    """Hand freed heap pages back to the OS (glibc), so RSS deltas start low."""
    try:
        ctypes.CDLL('libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - non-glibc systems
        pass


class PeakRSS:
    """Context manager sampling RSS every ``interval`` s; ``delta`` = peak - start."""

    def __init__(self, interval: float = 0.0005):
        self.interval = interval
        self.delta = 0

    def _poll(self):
        while not self._stop.is_set():
            self._peak = max(self._peak, rss_bytes())
            time.sleep(self.interval)

    def __enter__(self):
        release_freed_memory()
        self._start = self._peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._peak = max(self._peak, rss_bytes())
        self._stop.set()
        self._thread.join()
        self.delta = self._peak - self._start
        return False


def loss_inputs(batch: int, views: int, num_fine: int, num_nodes: int,
                dim: int, k: int, device: torch.device, seed: int = 0
                ) -> Tuple[torch.Tensor, ...]:
    """Leaf features (N, d), labels (N,), prototypes (n, d), graph (n_fine, K)."""
    generator = torch.Generator().manual_seed(seed)
    fine = torch.randint(num_fine, (batch, ), generator=generator)
    labels = fine.repeat(views)  # views of one image share its label
    feats = F.normalize(torch.randn(views * batch, dim, generator=generator), dim=1)
    protos = F.normalize(torch.randn(num_nodes, dim, generator=generator), dim=1)
    graph = random_graph(num_fine, num_nodes, k, generator)
    return (feats.to(device).requires_grad_(), labels.to(device),
            protos.to(device).requires_grad_(), graph.to(device))


def loss_point(batch: int, views: int, num_fine: int, num_nodes: int,
               dim: int, k: int, iters: int, warmup: int,
               device: torch.device) -> Dict:
    """One measured point: median ms and peak memory of skcl_loss fwd + bwd.

    Memory: ``torch.cuda.max_memory_allocated`` above the inputs on a GPU;
    on a CPU the sampled peak RSS above the start (``PeakRSS``).
    """
    from skcl_mm.models.losses.skcl_loss import skcl_loss
    feats, labels, protos, graph = loss_inputs(batch, views, num_fine,
                                               num_nodes, dim, k, device)

    def step():
        skcl_loss(feats, labels, protos, graph).backward()
        feats.grad = protos.grad = None

    seconds = median_time(step, iters, warmup, device)
    if device.type == 'cuda':
        synchronize(device)
        base = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        step()
        synchronize(device)
        peak = torch.cuda.max_memory_allocated(device) - base
    else:
        with PeakRSS() as tracker:
            step()
        peak = tracker.delta
    point = dict(batch=batch, views=views, anchors=views * batch,
                 num_fine=num_fine, num_nodes=num_nodes, dim=dim, k=k,
                 ms=seconds * 1e3, peak_mib=peak / MIB)
    point.update(analytic_matrix_mib(views * batch, num_nodes))
    return point


# (n_fine, n_nodes, K): CIFAR-100 two levels, ImageNet-LT, iNaturalist 2018.
DEFAULT_GRAPHS = ((100, 120, 2), (1000, 1000, 4), (8142, 8142, 4))


def loss_scaling(batches: Sequence[int] = (128, 256, 512, 1024, 2048),
                 graphs: Sequence[Tuple[int, int, int]] = DEFAULT_GRAPHS,
                 dims: Sequence[int] = (128, 1024), views: int = 2,
                 iters: int = 3, warmup: int = 1,
                 device: torch.device = torch.device('cpu'),
                 progress: Callable[[str], None] = lambda point: None
                 ) -> List[Dict]:
    """Every (batch, graph, dim) point of :func:`loss_point`, smallest first;
    ``progress(point)`` is called as each point starts."""
    points = []
    for d in dims:
        for n_fine, n_nodes, k in graphs:
            for b in batches:
                progress(f'B={b} x {views} views, {n_nodes} nodes, d={d}')
                points.append(loss_point(b, views, n_fine, n_nodes, d, k, iters,
                                         warmup, device))
    return points


def peak_estimate(batch: int, views: int, num_nodes: int,
                  measured: Sequence[Dict]) -> Dict:
    """Analytic float32 matrix sizes of a batch, and its peak memory estimated
    from the measured points: the largest measured peak per (N x N + N x n)
    element, scaled linearly to the asked size (a conservative bound for the
    whole forward + backward).

    Returns:
        dict: ``batch``, ``views``, ``anchors`` (N), ``num_nodes``, ``nxn_mib``,
        ``nxnodes_mib``, ``matrix_equivalents`` (the ratio used) and
        ``peak_gib``.
    """
    anchors = views * batch
    sizes = analytic_matrix_mib(anchors, num_nodes)
    ratio = max((p['peak_mib'] / (p['nxn_mib'] + p['nxnodes_mib'])
                 for p in measured), default=0.0)
    peak_gib = ratio * (sizes['nxn_mib'] + sizes['nxnodes_mib']) / 1024
    return dict(batch=batch, views=views, anchors=anchors, num_nodes=num_nodes,
                matrix_equivalents=ratio, peak_gib=peak_gib, **sizes)


def format_estimate(estimate: Dict) -> str:
    """One line: the sizes and the estimated peak of :func:`peak_estimate`."""
    return (f"B={estimate['batch']} x {estimate['views']} views "
            f"(N={estimate['anchors']}), {estimate['num_nodes']} nodes: one N x N "
            f"float32 matrix {estimate['nxn_mib']:.1f} MiB, one N x n "
            f"{estimate['nxnodes_mib']:.1f} MiB; peak estimated from the largest "
            f"measured ratio ({estimate['matrix_equivalents']:.1f} "
            f"matrix-equivalents): {estimate['peak_gib']:.2f} GiB.")
