"""tools/analysis_tools/loss_scaling.py: analytic sizes, RSS tracking, measured points."""
import pytest
import torch
from analysis_tools import loss_scaling as ls

from skcl_mm.models.losses.skcl_loss import skcl_loss

CPU = torch.device('cpu')


def test_analytic_sizes_by_hand():
    sizes = ls.analytic_matrix_mib(2048, 8142)
    assert sizes['nxn_mib'] == 16.0  # 2048^2 * 4 B = 16 MiB
    assert sizes['nxnodes_mib'] == pytest.approx(2048 * 8142 * 4 / 2**20)


def test_peak_rss_sees_a_large_allocation():
    with ls.PeakRSS() as small:
        pass
    with ls.PeakRSS() as tracker:
        block = torch.ones(64 * 2**20 // 4)  # 64 MiB, touched
        del block
    assert tracker.delta > 48 * 2**20
    assert small.delta < tracker.delta


def test_loss_inputs_are_valid_for_skcl_loss():
    feats, labels, protos, graph = ls.loss_inputs(6, 2, 10, 12, 8, 2, CPU)
    assert feats.shape == (12, 8) and protos.shape == (12, 8)
    assert torch.equal(labels[:6], labels[6:])  # two views of one image
    assert feats.requires_grad and protos.requires_grad
    assert torch.allclose(feats.norm(dim=1), torch.ones(12))
    loss = skcl_loss(feats, labels, protos, graph)
    loss.backward()
    assert torch.isfinite(loss) and feats.grad is not None


def test_loss_scaling_points_and_peak_estimate():
    started = []
    points = ls.loss_scaling(batches=(4, 8), graphs=((10, 12, 2), ),
                             dims=(8, ), iters=1, warmup=0, device=CPU,
                             progress=started.append)
    assert started == ['B=4 x 2 views, 12 nodes, d=8', 'B=8 x 2 views, 12 nodes, d=8']
    assert [p['batch'] for p in points] == [4, 8]
    keys = {'batch', 'views', 'anchors', 'num_fine', 'num_nodes', 'dim', 'k',
            'ms', 'peak_mib', 'nxn_mib', 'nxnodes_mib'}
    for p in points:
        assert set(p) == keys and p['ms'] > 0 and p['peak_mib'] >= 0
        assert p['anchors'] == 2 * p['batch']
    fake = [dict(peak_mib=10.0, nxn_mib=1.0, nxnodes_mib=1.0),  # 5 matrices
            dict(peak_mib=3.0, nxn_mib=1.0, nxnodes_mib=2.0)]  # 1 matrix
    estimate = ls.peak_estimate(1024, 2, 8142, fake)
    assert estimate['anchors'] == 2048 and estimate['nxn_mib'] == 16.0
    assert estimate['matrix_equivalents'] == 5.0  # the largest measured ratio
    by_hand = 5.0 * (16.0 + 2048 * 8142 * 4 / 2**20) / 1024
    assert estimate['peak_gib'] == pytest.approx(by_hand)
    text = ls.format_estimate(estimate)
    assert 'N=2048' in text and '16.0 MiB' in text and f'{by_hand:.2f} GiB' in text
