"""Pure statistics of the long-tail protocol against hand-computed values."""
import math

import pytest
import torch

from skcl_mm.evaluation.metrics import (group_means, infer_fine_to_level,
                                        level_accuracies, per_class_accuracy,
                                        top_confusions, topk_accuracy)


def test_topk_accuracy_hand_values():
    pred = torch.tensor([[0, 1], [2, 0], [1, 2], [2, 1]])
    gt = torch.tensor([0, 0, 2, 0])
    assert topk_accuracy(pred, gt, 1) == pytest.approx(25.0)
    assert topk_accuracy(pred, gt, 2) == pytest.approx(75.0)


def test_per_class_accuracy_marks_absent_classes_nan():
    pred = torch.tensor([0, 0, 1, 1, 0, 2])
    gt = torch.tensor([0, 0, 0, 1, 1, 2])
    acc, test_counts = per_class_accuracy(pred, gt, num_classes=4)
    assert test_counts.tolist() == [3, 2, 1, 0]
    assert acc[:3].tolist() == pytest.approx([200 / 3, 50.0, 100.0])
    assert math.isnan(acc[3].item())


def test_group_means_skip_absent_and_empty_groups():
    acc = torch.tensor([100.0, 50.0, float('nan'), 0.0])
    means = group_means(acc, dict(many=[0, 1], medium=[2], few=[2, 3], none=[]))
    assert means['many'] == pytest.approx(75.0)
    assert means['medium'] is None
    assert means['few'] == pytest.approx(0.0)
    assert means['none'] is None


def test_infer_fine_to_level_and_unseen_class():
    gt = torch.tensor([0, 2, 2, 1])
    levels = torch.tensor([[0, 0], [1, 2], [1, 2], [0, 1]])
    table = infer_fine_to_level(gt, levels, num_classes=4)
    assert table.tolist() == [[0, 0, 1, -1], [0, 1, 2, -1]]


def test_infer_fine_to_level_rejects_inconsistent_pairs():
    gt = torch.tensor([0, 0])
    levels = torch.tensor([[0, 0], [1, 0]])
    with pytest.raises(ValueError, match='two level-0 labels'):
        infer_fine_to_level(gt, levels, num_classes=1)


def test_level_accuracies_map_predictions_up():
    fine_to_level = torch.tensor([[0, 0, 1, -1], [0, 1, 2, 3]])
    pred = torch.tensor([1, 2, 3, 0])
    gt_levels = torch.tensor([[0, 0], [1, 2], [1, 2], [1, 2]])
    # level 0: 1->0 ok, 2->1 ok, 3->-1 (unknown) miss, 0->0 vs 1 miss;
    # level 1: only the second sample (2 == 2) is right.
    assert level_accuracies(pred, gt_levels, fine_to_level) == pytest.approx(
        [50.0, 25.0])


def test_best_classes_of_a_batch():
    from skcl_mm.evaluation.metrics.long_tail_stats import best_classes
    scored = [dict(pred_score=torch.tensor([0.1, 0.7, 0.2])),
              dict(pred_score=torch.tensor([0.5, 0.2, 0.3]))]
    assert best_classes(scored, (1, 2)).tolist() == [[1, 2], [0, 2]]
    labelled = [dict(pred_label=torch.tensor([2])), scored[0]]
    assert best_classes(labelled, (1, 5)).tolist() == [[2], [1]]
    with pytest.raises(ValueError, match='top-5 but the model scores 3 classes'):
        best_classes(scored, (1, 5))


def test_top_confusions_most_frequent_first_ties_by_index():
    gt = torch.tensor([0, 0, 0, 0, 0, 1, 1, 2, 2])
    pred = torch.tensor([2, 1, 2, 1, 0, 2, 1, 2, 2])
    # class 0: 1 twice, 2 twice (tie: 1 first); class 1: 2 once; class 2: none.
    assert top_confusions(pred, gt, 3) == [[(1, 2), (2, 2)], [(2, 1)], []]
    assert top_confusions(pred, gt, 3, num=1) == [[(1, 2)], [(2, 1)], []]
    assert top_confusions(pred[:0], gt[:0], 2) == [[], []]
