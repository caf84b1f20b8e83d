"""checkpoint_fit: weights, class lists and input shapes against the run's."""
import torch
from torch import nn

from skcl_mm.engine.checkpoint_fit import (checkpoint_state_dict,
                                           class_problems, input_shape_problem,
                                           sample_shape, unused_weights_note,
                                           weight_problems)


class TwoLevelHead(nn.Module):
    def __init__(self, level_num_classes):
        super().__init__()
        self.classifiers = nn.ModuleList(nn.Linear(4, n) for n in level_num_classes)


class Net(nn.Module):
    def __init__(self, level_num_classes=(2, 10)):
        super().__init__()
        self.backbone = nn.Linear(3, 4)
        self.head = TwoLevelHead(level_num_classes)


def test_same_model_fits_and_ddp_prefix_is_stripped():
    state = {f'module.{k}': v for k, v in Net().state_dict().items()}
    assert weight_problems(checkpoint_state_dict({'state_dict': state}), Net()) == []


def test_class_count_and_level_count_are_named():
    state = Net((2, 10)).state_dict()
    lines = weight_problems(state, Net((2, 100)))
    assert lines == ['the level-1 classifier (head.classifiers.1.weight) has 10 classes '
                     'in the checkpoint and 100 in this config',
                     'head.classifiers.1.bias: shape [10] in the checkpoint, [100] in '
                     'this model']
    lines = weight_problems(Net((10, )).state_dict(), Net((2, 10)))
    assert any('classifiers for 1 hierarchy levels, this config for 2' in line
               for line in lines)
    assert any('not in the checkpoint (they would stay random)' in line for line in lines)


def test_another_architecture_names_missing_weights():
    state = {'encoder.weight': torch.zeros(4, 3)}
    lines = weight_problems(state, Net())
    assert lines == ["6 of the model's 6 weights are not in the checkpoint (they would "
                     'stay random): backbone.weight, backbone.bias, head.classifiers.0.'
                     'weight, head.classifiers.0.bias, head.classifiers.1.weight, '
                     'head.classifiers.1.bias']
    assert 'encoder.weight' in unused_weights_note(state, Net())


def test_class_lists():
    recorded = dict(classes=['cat', 'dog', 'eel'],
                    level_classes=[['mammal', 'fish'], ['cat', 'dog', 'eel']])
    assert class_problems(recorded, dict(recorded), 'the test set') == []
    swapped = dict(classes=['dog', 'cat', 'eel'],
                   level_classes=[['mammal', 'fish'], ['dog', 'cat', 'eel']])
    assert class_problems(recorded, swapped, 'the test set') == [
        "classes differ in order: at index 0 the checkpoint has 'cat', the test set "
        "has 'dog'"]
    renamed = dict(classes=['cat', 'dog', 'eel'],
                   level_classes=[['pet', 'fish'], ['cat', 'dog', 'eel']])
    assert class_problems(recorded, renamed, 'the test set') == [
        "level-0 classes differ in names: at index 0 the checkpoint has 'mammal', "
        "the test set has 'pet'"]
    flat = dict(classes=['cat', 'dog', 'eel'], level_classes=[['cat', 'dog', 'eel']])
    assert class_problems(recorded, flat, 'the training set') == [
        'the checkpoint was trained with 2 hierarchy levels, the training set has 1']
    fewer = dict(classes=['cat', 'dog'])
    assert class_problems(recorded, fewer, 'the test set') == [
        'classes: the checkpoint was trained on 3, the test set has 2']
    assert class_problems({}, fewer, 'the test set') == []  # nothing recorded


def test_input_shapes():
    assert input_shape_problem([3, 32, 32], (3, 32, 32), 'input 0') is None
    assert input_shape_problem(None, (3, 8, 8), 'input 0') is None
    assert input_shape_problem([3, 32, 32], (3, 8, 8), 'input 0').startswith(
        'input 0 has 8x8 pixels after the test pipeline, the model was trained on 32x32')
    assert 'greyscale' in input_shape_problem([3, 32, 32], (1, 32, 32), 'input 0')
    assert 'drop it' in input_shape_problem([3, 32, 32], (4, 32, 32), 'input 0')


def test_sample_shape_of_every_batch_layout():
    assert sample_shape(torch.zeros(5, 3, 8, 9)) == (3, 8, 9)
    assert sample_shape([torch.zeros(3, 8, 9)] * 2) == (3, 8, 9)
    views = [torch.zeros(2, 3, 32, 32), torch.zeros(2, 3, 32, 32)]
    assert sample_shape(views) == (3, 32, 32)
    assert sample_shape([[torch.zeros(3, 16, 16)], [torch.zeros(3, 32, 32)]]) == (3, 16, 16)
    assert sample_shape([]) is None


def test_neighbour_table_reads_as_k():
    class Head(nn.Module):
        def __init__(self, k):
            super().__init__()
            self.register_buffer('semantic_neighbours', torch.zeros(10, k, dtype=torch.long))

    class Model(nn.Module):
        def __init__(self, k):
            super().__init__()
            self.head = Head(k)

    assert weight_problems(Model(2).state_dict(), Model(4)) == [
        'the semantic graph (head.semantic_neighbours) keeps K=2 neighbours of 10 classes '
        'in the checkpoint, K=4 of 10 in this config (contrastive_loss.num_neighbours)']
