"""skcl_mm/semantics/graph_contract.py: modes, candidate sets, K, GraphRequest."""
import warnings

import pytest
import torch

from skcl_mm.semantics.graph_contract import (GraphRequest, candidate_mask,
                                              normalize_mode, num_candidates,
                                              resolve_num_neighbours)


def test_mode_spellings():
    assert [normalize_mode(m) for m in ('both', 'ff', 'F-F', 'c_f')] == \
        ['both', 'F-F', 'F-F', 'C-F']
    with pytest.raises(ValueError, match="'both', 'F-F', 'C-F'.*Did you mean 'F-F'"):
        normalize_mode('f_f_')
    with pytest.raises(ValueError, match="'bcl' is not a graph mode.*BCLLoss"):
        normalize_mode('bcl')




def test_candidate_mask_per_mode():
    levels = [1, 1, 1, 0, 0]  # 3 fine nodes, 2 coarse
    both = candidate_mask(levels, 3, 'both')
    assert both.tolist() == [[0, 1, 1, 1, 1], [1, 0, 1, 1, 1], [1, 1, 0, 1, 1]]
    ff = candidate_mask(levels, 3, 'F-F')
    assert ff.tolist() == [[0, 1, 1, 0, 0], [1, 0, 1, 0, 0], [1, 1, 0, 0, 0]]
    cf = candidate_mask(levels, 3, 'C-F')
    assert cf.tolist() == [[0, 0, 0, 1, 1]] * 3




def test_num_candidates_agrees_with_the_candidate_mask():
    levels = [1, 1, 1, 1, 0, 0]  # 4 fine nodes, 2 coarse
    for mode in ('both', 'F-F', 'C-F'):
        mask = candidate_mask(levels, 4, mode)
        assert num_candidates(mode, [2, 4]) == int(mask.sum(axis=1).min())


def test_k_resolution_defaults_checks_and_clamps_once():
    assert resolve_num_neighbours(None, 'both') == 2
    assert resolve_num_neighbours(7, 'both') == 7  # no levels: not clamped
    with pytest.warns(UserWarning, match=r"SKCLLoss num_neighbours: K=7 neighbours "
                      r"requested but mode 'C-F' offers only 2 candidates per fine "
                      r'class \(levels \[2, 4\]\); using K=2'):
        assert resolve_num_neighbours(7, 'cf', [2, 4], 'SKCLLoss num_neighbours') == 2
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert resolve_num_neighbours(2, 'C-F', [2, 4]) == 2
    with pytest.raises(TypeError, match=r'num_neighbours must be an int >= 0, got '
                       r'True \(bool\)\. It is K'):
        resolve_num_neighbours(True, 'both')


def test_graph_request_checks_the_table_it_asked_for():
    request = GraphRequest.resolve('both', 2, [2, 4])
    assert (request.num_fine, request.num_nodes, request.table_shape) == (4, 6, (4, 2))
    table = torch.tensor([[1, 4], [0, 4], [3, 5], [2, 5]])
    assert torch.equal(request.check_table(table.int()), table)
    with pytest.raises(ValueError, match=r'ids must be in \[0, 6\), got \[0, 6\]'):
        request.check_table(torch.tensor([[1, 6], [0, 4], [3, 5], [2, 5]]))
    with pytest.raises(ValueError, match='own neighbour'):
        request.check_table(torch.tensor([[0, 4], [0, 4], [3, 5], [2, 5]]))
    with pytest.raises(ValueError, match=r'must be \(4, 2\) .*got \(4, 1\)'):
        request.check_table(table[:, :1])
