"""skcl_mm/structures/batch_labels.py: BatchLabels reads as B DataSample, and
the fast paths (level_targets, GPUAugmentDataPreprocessor) use its tensors."""
import pytest
import torch

from mmpretrain.datasets.transforms import PackInputs
from mmpretrain.models.heads import ClsHead
from mmpretrain.structures import DataSample
from skcl_mm.models.data_preprocessors.gpu_augment import \
    GPUAugmentDataPreprocessor
from skcl_mm.models.heads.head_checks import check_first_batch, level_targets
from skcl_mm.structures import BatchLabels

FINE = torch.tensor([14, 3, 7])
LEVELS = torch.tensor([[7, 14], [1, 3], [0, 7]])
INDEX = torch.tensor([5, 0, 2])


def packed(index, fine, levels):
    """What PackInputs + LongTailHierarchyDataset give for one sample."""
    sample = PackInputs()(dict(img=torch.zeros(4, 4, 3).numpy(), gt_label=int(fine),
                               sample_idx=int(index)))['data_samples']
    sample.set_field(levels, 'gt_level_labels')
    return sample


def test_samples_equal_what_pack_inputs_gives():
    labels = BatchLabels(FINE, LEVELS, INDEX)
    assert len(labels) == 3
    for made, (i, f, lv) in zip(labels, zip(INDEX, FINE, LEVELS)):
        expected = packed(i, f, lv)
        assert isinstance(made, DataSample)
        assert made.metainfo == expected.metainfo == dict(sample_idx=int(i))
        assert torch.equal(made.gt_label, expected.gt_label)
        assert torch.equal(made.gt_level_labels, expected.gt_level_labels)
    assert labels[-1].gt_label.tolist() == [7]
    with pytest.raises(IndexError, match='out of range for 3'):
        labels[3]


def test_slices_and_moves_keep_tensors():
    labels = BatchLabels(FINE, LEVELS, INDEX)
    part = labels[1:]
    assert isinstance(part, BatchLabels) and part.gt_label.tolist() == [3, 7]
    assert part.gt_level_labels.tolist() == [[1, 3], [0, 7]]
    moved = labels.to(torch.int32)
    assert moved.gt_label.dtype == torch.int32 and labels.gt_label.dtype == torch.int64
    plain = BatchLabels(FINE)
    assert 'gt_level_labels' not in plain[0] and plain[0].metainfo == {}


@pytest.mark.parametrize('args, match', [
    ((FINE[:, None], ), r'gt_label must be \(B, \)'),
    ((FINE, LEVELS[:2]), r'gt_level_labels must be \(3, L\)'),
    ((FINE, LEVELS, INDEX[:2]), r'sample_idx must be \(3, \)')])
def test_shape_errors(args, match):
    with pytest.raises(ValueError, match=match):
        BatchLabels(*args)


def test_level_targets_fast_path_equals_the_per_sample_path():
    labels = BatchLabels(FINE, LEVELS, INDEX)
    fast = level_targets(labels, [20, 100])
    assert fast is labels.gt_level_labels  # no per-sample objects
    assert torch.equal(level_targets(list(labels), [20, 100]), fast)
    assert level_targets(BatchLabels(FINE), [100]).tolist() == [[14], [3], [7]]
    with pytest.raises(ValueError, match='carries no gt_level_labels'):
        level_targets(BatchLabels(FINE), [20, 100])
    with pytest.raises(ValueError, match='gt_level_labels has 2 levels'):
        level_targets(labels, [100])
    check_first_batch(fast, labels, [20, 100], views=3, contrastive=True)
    wrong = BatchLabels(FINE, torch.tensor([[7, 14], [1, 3], [0, 8]]))
    with pytest.raises(ValueError, match='differ from gt_label'):
        check_first_batch(wrong.gt_level_labels, wrong, [20, 100], 3, True)


def test_stock_head_reads_the_labels_through_the_samples():
    """mmpretrain's ClsHead (CE / LA baselines' kind) needs no fast path."""
    head = ClsHead(loss=dict(type='CrossEntropyLoss'))
    scores = torch.randn(3, 100)
    losses = [head._get_loss(scores, data) for data in
              (BatchLabels(FINE, LEVELS, INDEX), [packed(*s) for s in zip(INDEX, FINE, LEVELS)])]
    assert torch.equal(losses[0]['loss'], losses[1]['loss'])


def test_gpu_augment_passes_batch_labels_through_with_the_same_views():
    pre = GPUAugmentDataPreprocessor(
        views=[dict(num_views=1, transforms=[dict(type='BatchRandomFlip', prob=0.5)]),
               dict(num_views=1, transforms=[])],
        mean=[100.0] * 3, std=[50.0] * 3)
    images = torch.randint(0, 256, (3, 3, 8, 8), dtype=torch.uint8)
    outs = []
    for samples in (BatchLabels(FINE, LEVELS, INDEX),
                    [packed(*s) for s in zip(INDEX, FINE, LEVELS)]):
        torch.manual_seed(0)
        outs.append(pre(dict(inputs=images, data_samples=samples), training=True))
    assert torch.equal(outs[0]['inputs'], outs[1]['inputs'])
    assert outs[0]['inputs'].shape == (6, 3, 8, 8)
    labels = outs[0]['data_samples']
    assert isinstance(labels, BatchLabels) and torch.equal(labels.gt_label, FINE)
    assert [s.gt_label.item() for s in outs[1]['data_samples']] == FINE.tolist()
