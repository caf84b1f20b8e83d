"""Class names per level from built-in names and files."""
import json

import pytest

from skcl_mm.datasets.hierarchies import builtin_hierarchy
from skcl_mm.semantics.class_lists import (builtin_fine_to_level,
                                           builtin_name_of, load_class_lists)


@pytest.mark.parametrize('name,sizes', [('cifar10', [2, 10]),
                                        ('cifar100', [20, 100])])
def test_builtin_cifar(name, sizes):
    lists = load_class_lists(name)
    hierarchy = builtin_hierarchy(name)
    assert [len(level) for level in lists.level_classes] == sizes
    assert lists.level_classes == hierarchy.level_classes
    assert lists.fine_to_level == hierarchy.fine_to_level
    assert builtin_name_of(lists.level_classes) == name
    assert builtin_fine_to_level(lists.level_classes) == hierarchy.fine_to_level


def test_imagenet_is_one_level_of_unique_names():
    from mmpretrain.datasets.categories import IMAGENET_CATEGORIES
    lists = load_class_lists('imagenet')
    names = lists.level_classes[0]
    assert len(lists.level_classes) == 1 and len(set(names)) == 1000
    assert names[134] == 'crane (bird)' and names[517] == 'crane (machine)'
    assert [n for i, n in enumerate(names) if i not in (134, 517)] == [
        n for i, n in enumerate(IMAGENET_CATEGORIES) if i not in (134, 517)]
    assert lists.fine_to_level is None


def test_repeated_names_in_a_level_warn(tmp_path):
    (tmp_path / 'names.txt').write_text('crane\nheron\ncrane\n')
    with pytest.warns(UserWarning, match="repeats the names \\['crane'\\]"):
        load_class_lists(str(tmp_path / 'names.txt'))


def test_digits_two_levels():
    lists = load_class_lists('digits')
    assert lists.level_classes[0] == ['closed_loop_digits', 'straight_stroke_digits',
                                      'open_curve_digits']
    assert lists.fine_to_level[0][8] == 0  # eight has closed loops


def test_json_yaml_and_text_files(tmp_path):
    levels = [['a_group', 'b_group'], ['x', 'y', 'z']]
    (tmp_path / 'c.json').write_text(json.dumps(levels))
    (tmp_path / 'c.yaml').write_text('- [a_group, b_group]\n- [x, y, z]\n')
    (tmp_path / 'c.txt').write_text('# fine classes\nx\n\n y \nz\n')
    assert load_class_lists(str(tmp_path / 'c.json')).level_classes == levels
    assert load_class_lists(str(tmp_path / 'c.yaml')).level_classes == levels
    assert load_class_lists(str(tmp_path / 'c.txt')).level_classes == [['x', 'y', 'z']]
    assert builtin_name_of(levels) is None


def test_hierarchy_tree_file_gives_groups(tmp_path):
    path = tmp_path / 'tree.yaml'
    path.write_text('fruit: [apple, pear]\ntools: [saw]\n')
    lists = load_class_lists(str(path))
    assert lists.level_classes == [['fruit', 'tools'], ['apple', 'pear', 'saw']]
    assert lists.fine_to_level == [[0, 0, 1], [0, 1, 2]]


@pytest.mark.parametrize('content,message', [
    ([['a'], []], 'level 1 is empty'),
    ([['a', ''], ['b']], 'under level 0, an empty name'),
    ([['a', 'b'], ['a', 'c']], "'a' is used at level 0 and level 1"),
    ({'levels': 3}, 'keys "levels" and "tree" are reserved.*Put the tree under "tree:"'),
    ({'levels': 3, 'tree': {'x': ['a']}}, r'"levels" must be a list of level names.*got '
                                          r'str \'3\''),
    ([], 'holds an empty list: no classes'),
    ([['a', True]], r'under level 0, JSON true is not a class name; write it in quotes'),
    (['a', ['b']], 'this list mixes names and lists'),
    ([['x', ' y ']], r"the name ' y ' has leading/trailing spaces; write 'y'"),
])
def test_bad_class_files_raise(tmp_path, content, message):
    path = tmp_path / 'bad.json'
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match=message):
        load_class_lists(str(path))


@pytest.mark.parametrize('name,content,message', [
    ('bad.yaml', b'fruit: [apple, pear\n', r"bad.yaml' is not valid YAML: line 2, column 1"),
    ('bad.json', b'[["a"], ["b"]', r"bad.json' is not valid JSON: line 1, column 14"),
    ('latin1.txt', b'tea\ncaf\xe9\n', r"latin1.txt' is not UTF-8: byte 7 \(line 2\) is "
                                       r"b'\\xe9'. Save the file as UTF-8"),
    ('blank.txt', b'# only a comment\n\n', r"blank.txt' is empty \(only blank lines or # "
                                            r'comments\): give one class name per line'),
])
def test_unreadable_class_files_name_the_place(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        load_class_lists(str(path))


def test_yaml_no_on_010_stay_class_names(tmp_path):
    path = tmp_path / 'levels.yaml'
    path.write_text('- [yes, off]\n- [no, on, 010, null]\n')
    assert load_class_lists(str(path)).level_classes == [['yes', 'off'],
                                                         ['no', 'on', '010', 'null']]
    tree = tmp_path / 'tree.yaml'
    tree.write_text('levels: [answer, name]\ntree:\n  yes: [on, "010"]\n  no: [off]\n')
    lists = load_class_lists(str(tree))
    assert lists.level_classes == [['yes', 'no'], ['on', '010', 'off']]
    assert lists.fine_to_level == [[0, 0, 1], [0, 1, 2]]


def test_unknown_spec_names_the_choices():
    with pytest.raises(FileNotFoundError, match="neither a built-in set"):
        load_class_lists('cifar1000')
