"""Tests of skcl_mm/models/losses/contrastive_utils.py."""
import torch

from skcl_mm.models.losses.contrastive_utils import (label_match_mask,
                                                     masked_logsumexp,
                                                     self_key_mask, to_float32)


def test_masks():
    match = label_match_mask(torch.tensor([0, 1]), torch.tensor([1, 0, 0]))
    assert match.tolist() == [[False, True, True], [True, False, False]]
    own = self_key_mask(torch.tensor([2, -1]), 3)
    assert own.tolist() == [[False, False, True], [False, False, False]]


def test_masked_logsumexp_values_and_empty_row():
    values = torch.tensor([[1., 2., 50.], [3., 4., 5.]], requires_grad=True)
    mask = torch.tensor([[True, True, False], [False, False, False]])
    out = masked_logsumexp(values, mask)
    assert torch.allclose(out[0], torch.logsumexp(torch.tensor([1., 2.]), 0))
    assert torch.isfinite(out[1])
    out[0].backward()
    assert torch.isfinite(values.grad).all()
    assert values.grad[0, 2] == 0 and (values.grad[1] == 0).all()


def test_to_float32_keeps_integers():
    half, idx = to_float32(torch.ones(2, dtype=torch.bfloat16), torch.ones(2).long())
    assert half.dtype == torch.float32 and idx.dtype == torch.long
