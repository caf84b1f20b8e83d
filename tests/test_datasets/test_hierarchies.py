import json

import pytest

from mmpretrain.datasets.categories import (CIFAR10_CATEGORIES,
                                            CIFAR100_CATEGORIES)
from skcl_mm.datasets import builtin_hierarchy, load_hierarchy


def test_cifar100_superclasses():
    h = load_hierarchy('cifar100', CIFAR100_CATEGORIES)
    coarse, fine = h.level_classes
    assert len(coarse) == 20 and fine == list(CIFAR100_CATEGORIES)
    parent = {f: coarse[c] for f, c in zip(fine, h.fine_to_level[0])}
    assert parent['apple'] == 'fruit_and_vegetables'
    assert parent['aquarium_fish'] == 'fish'
    assert parent['maple_tree'] == 'trees'
    assert parent['streetcar'] == 'vehicles_2'
    assert parent['whale'] == 'aquatic_mammals'
    assert h.fine_to_level[1] == list(range(100))
    assert all(list(h.fine_to_level[0]).count(c) == 5 for c in range(20))


def test_cifar10_vehicles_animals():
    h = builtin_hierarchy('cifar10')
    coarse = h.level_classes[0]
    parent = {f: coarse[c] for f, c in zip(h.level_classes[1], h.fine_to_level[0])}
    assert {f for f, p in parent.items() if p == 'vehicles'} == {
        'airplane', 'automobile', 'ship', 'truck'}


def test_no_hierarchy_is_one_level():
    h = load_hierarchy(None, ['a', 'b'])
    assert h.level_classes == [['a', 'b']] and h.fine_to_level == [[0, 1]]


def test_three_levels_from_yaml_keep_order(tmp_path):
    path = tmp_path / 'tree.yaml'
    path.write_text('levels: [kingdom, family, species]\n'
                    'tree:\n  plants:\n    trees: [oak, pine]\n    flowers: [rose]\n'
                    '  animals:\n    cats: [lion]\n')
    h = load_hierarchy(str(path), ['lion', 'oak', 'rose', 'pine'])
    assert h.level_names == ['kingdom', 'family', 'species']
    assert h.level_classes[0] == ['animals', 'plants']
    assert h.level_classes[1] == ['cats', 'trees', 'flowers']
    assert h.fine_to_level == [[0, 1, 1, 1], [0, 1, 2, 1], [0, 1, 2, 3]]
    assert h.level_counts([4, 3, 2, 1]) == [[4, 6], [4, 4, 2], [4, 3, 2, 1]]


@pytest.mark.parametrize('tree,classes,message', [
    ({'a': ['x', 'y']}, ['x', 'y', 'z'], 'missing from the hierarchy'),
    ({'a': ['x', 'y', 'w']}, ['x', 'y'], 'not dataset classes'),
    ({'a': ['x'], 'b': ['x', 'y']}, ['x', 'y'], 'inconsistent parents'),
    ({'a': ['x'], 'b': {'c': ['y']}}, ['x', 'y'], 'same depth'),
    ({'a': {'c': ['x']}, 'b': {'c': ['y']}}, ['x', 'y'], 'appears twice'),
])
def test_bad_hierarchy_files(tmp_path, tree, classes, message):
    path = tmp_path / 'bad.json'
    path.write_text(json.dumps(tree))
    with pytest.raises(ValueError, match=message):
        load_hierarchy(str(path), classes)


def test_level_names_must_count_every_level(tmp_path):
    path = tmp_path / 'tree.yaml'
    path.write_text('levels: [kind]\ntree:\n  fruit: [apple]\n  vehicle: [bus]\n')
    with pytest.raises(ValueError, match=r"tree.yaml'?: \"levels\" names 1 "
                                         r"level\(s\) \['kind'\], but the tree has 2"):
        load_hierarchy(str(path), ['apple', 'bus'])


def test_builtin_names_must_match_dataset():
    renamed = list(CIFAR10_CATEGORIES)
    renamed[0] = 'aeroplane'
    with pytest.raises(ValueError, match="missing from the hierarchy: \\['aeroplane'\\]"):
        load_hierarchy('cifar10', renamed)


def test_unknown_hierarchy_file():
    import re

    from skcl_mm.datasets.hierarchies import shipped_hierarchy_names
    shipped = re.escape(f'shipped names {shipped_hierarchy_names()}')
    with pytest.raises(FileNotFoundError, match=shipped):
        load_hierarchy('nonexistent.json', ['a'])


def test_shipped_digits_hierarchy_by_name():
    from skcl_mm.datasets.sklearn_digits import DIGIT_NAMES
    h = load_hierarchy('digits', DIGIT_NAMES)
    assert h.level_names == ['stroke_shape', 'digit']
    coarse = h.level_classes[0]
    assert coarse[h.fine_to_level[0][DIGIT_NAMES.index('eight')]] == 'closed_loop_digits'
    assert coarse[h.fine_to_level[0][DIGIT_NAMES.index('seven')]] == 'straight_stroke_digits'


@pytest.mark.parametrize('spec,error,message', [
    ('CIFAR100', FileNotFoundError,
     r"hierarchy='CIFAR100' is neither a shipped name nor an existing file .*does not "
     r"exist.*Did you mean 'cifar100'\?"),
    ('cifar-10', FileNotFoundError, r"Did you mean 'cifar10'\?"),
    ('', ValueError, r"hierarchy='' is empty: use None for one level"),
    ('  ', ValueError, r"hierarchy='  ' is empty"),
])
def test_unknown_hierarchy_names(spec, error, message):
    with pytest.raises(error, match=message):
        load_hierarchy(spec, ['a'])


def test_a_directory_or_a_text_file_is_not_a_hierarchy(tmp_path):
    with pytest.raises(FileNotFoundError, match=r'is a directory; relative paths are read '
                                                r'from the current directory'):
        load_hierarchy(str(tmp_path), ['a'])
    names = tmp_path / 'names.txt'
    names.write_text('a\nb\n')
    with pytest.raises(ValueError, match=r"names.txt': a hierarchy file ends in .json, "
                                         r'.yaml or .yml'):
        load_hierarchy(str(names), ['a', 'b'])


def test_mismatch_names_close_spellings(tmp_path):
    path = tmp_path / 'case.yaml'
    path.write_text('fruit: [Apple, pear]\ntools: [saw]\n')
    with pytest.raises(ValueError, match=r"missing from the hierarchy: \['apple'\].*not "
                                         r"dataset classes: \['Apple'\]. Close spellings "
                                         r"\(hierarchy -> dataset\): 'Apple' -> 'apple'"):
        load_hierarchy(str(path), ['apple', 'pear', 'saw'])


def test_a_path_object_and_unnamed_levels(tmp_path):
    path = tmp_path / 'tree.yaml'
    path.write_text('levels: ~\ntree:\n  x: [a]\n  y: [b]\n')
    h = load_hierarchy(path, ['a', 'b'])
    assert h.level_names == ['level0', 'level1'] and h.fine_to_level[0] == [0, 1]
