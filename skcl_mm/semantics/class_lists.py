"""Class names per level to describe: built-in sets or a file.

``load_class_lists(spec)`` accepts

* ``'cifar10'``, ``'cifar100'``: the built-in two-level hierarchies
  (:func:`skcl_mm.datasets.hierarchies.builtin_level_classes`);
* ``'imagenet'``: mmpretrain's 1000 ImageNet class names, one level;
* a JSON/YAML file holding a list of lists of names (coarsest level first), a
  flat list (one level), or a hierarchy tree in the format of
  :mod:`skcl_mm.datasets.hierarchies` (mappings whose leaves are fine classes);
* any other file: one class name per line, one level (blank lines and lines
  starting with ``#`` are skipped).
"""
import json
import os.path as osp
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import List, Optional, Sequence

BUILTIN_CLASS_LISTS = ('cifar10', 'cifar100', 'digits', 'imagenet')


@dataclass
class ClassLists:
    """Class names per level and, when known, how fine classes group.

    Args:
        level_classes (list[list[str]]): Names per level, coarsest first.
        fine_to_level (list[list[int]] | None): ``(n_levels, n_fine)`` label of
            every fine class at every level (last row the identity), or None
            when the source gives no grouping.
        source (str): Where the lists came from (a name or a path).
    """
    level_classes: List[List[str]]
    fine_to_level: Optional[List[List[int]]]
    source: str


def _builtin(name: str) -> ClassLists:
    if name == 'imagenet':
        # mmpretrain's names with the two 'crane' classes told apart.
        from skcl_mm.datasets.imagenet_lt import IMAGENET_LT_CLASSES
        return ClassLists([list(IMAGENET_LT_CLASSES)], None, name)
    if name == 'digits':
        from skcl_mm.datasets.hierarchies import load_hierarchy
        from skcl_mm.datasets.sklearn_digits import DIGIT_NAMES
        hierarchy = load_hierarchy('digits', DIGIT_NAMES)
    else:
        from skcl_mm.datasets.hierarchies import builtin_hierarchy
        hierarchy = builtin_hierarchy(name)
    return ClassLists(hierarchy.level_classes, hierarchy.fine_to_level, name)


def builtin_name_of(level_classes: Sequence[Sequence[str]]) -> Optional[str]:
    """The built-in name ('cifar10', ...) whose lists equal these, or None."""
    lists = [list(names) for names in level_classes]
    sizes = [len(names) for names in lists]
    candidates = {(2, 10): 'cifar10', (20, 100): 'cifar100', (1000, ): 'imagenet'}
    name = candidates.get(tuple(sizes))
    if name and _builtin(name).level_classes == lists:
        return name
    return None


def builtin_fine_to_level(level_classes) -> Optional[List[List[int]]]:
    """The grouping of a built-in hierarchy equal to ``level_classes``."""
    name = builtin_name_of(level_classes)
    return _builtin(name).fine_to_level if name else None


def _tree_leaves(tree) -> List[str]:
    if isinstance(tree, dict):
        return [leaf for sub in tree.values() for leaf in _tree_leaves(sub)]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _tree_leaves(item)]
    return [str(tree)]


def _from_structure(content, path: str) -> ClassLists:
    """Lists from parsed JSON/YAML: list of lists, flat list or a tree."""
    if isinstance(content, dict):
        from skcl_mm.datasets.hierarchies import hierarchy_from_tree
        tree = content.get('tree', content)
        hierarchy = hierarchy_from_tree(tree, _tree_leaves(tree),
                                        source=f'Class file {path!r}')
        return ClassLists(hierarchy.level_classes, hierarchy.fine_to_level, path)
    if isinstance(content, list) and all(
            isinstance(level, list) for level in content):  # [] -> no levels
        return ClassLists([[str(n) for n in level] for level in content], None, path)
    if isinstance(content, list) and all(isinstance(n, str) for n in content):
        return ClassLists([list(content)], None, path)
    raise ValueError(
        f'Class file {path!r}: expected a list of lists of class names '
        '(coarsest level first), a list of names (one level) or a hierarchy '
        f'tree, got {type(content).__name__}. See docs/descriptions.md.')


def _read_file(path: str) -> ClassLists:
    """Parse a class file; unreadable or malformed files raise ValueError."""
    import yaml
    try:
        with open(path, encoding='utf-8') as f:
            if path.endswith('.json'):
                return _from_structure(json.load(f), path)
            if path.endswith(('.yaml', '.yml')):
                return _from_structure(yaml.safe_load(f), path)
            names = [line.strip() for line in f]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError,
            yaml.YAMLError) as error:
        raise ValueError(f'cannot read the class file {path}: {error}. Give a '
                         'UTF-8 JSON/YAML list of lists of names (coarsest '
                         'first) or a text file with one name per line.') from error
    return ClassLists([[n for n in names if n and not n.startswith('#')]], None, path)


def check_class_lists(level_classes: Sequence[Sequence[str]], source: str):
    """Raise on empty levels or names, or a name used at two levels.

    A name repeated within one level (mmpretrain's ImageNet names hold two
    'crane' classes) only warns: descriptions are keyed by name, so both
    share one description (skcl_mm's ImageNet-LT names tell them apart).
    """
    if not level_classes:
        raise ValueError(f'{source}: no levels; give at least one list of names.')
    first_level = {}
    for level, names in enumerate(level_classes):
        if not names:
            raise ValueError(f'{source}: level {level} is empty; every level '
                             'needs at least one class name.')
        blank = [i for i, n in enumerate(names) if not str(n).strip()]
        if blank:
            raise ValueError(f'{source}: level {level} has empty names at '
                             f'positions {blank[:10]}; remove or name them.')
        repeated = sorted(n for n, c in Counter(names).items() if c > 1)
        if repeated:
            warnings.warn(f'{source}: level {level} repeats the names {repeated}; '
                          'they share one description (descriptions are keyed '
                          'by name).')
        for name in names:
            if first_level.setdefault(name, level) != level:
                raise ValueError(
                    f'{source}: the name {name!r} is used at level '
                    f'{first_level[name]} and level {level}; descriptions are '
                    'keyed by name, so rename one of them.')


def load_class_lists(spec: str) -> ClassLists:
    """Class names per level (coarsest first) for a built-in name or a file.

    Args:
        spec (str): 'cifar10', 'cifar100', 'digits', 'imagenet' or a file path.
    """
    spec = str(spec)
    if spec in BUILTIN_CLASS_LISTS:
        lists = _builtin(spec)
    elif osp.isfile(spec):
        lists = _read_file(spec)
    else:
        raise FileNotFoundError(
            f'--classes {spec!r} is neither a built-in set '
            f'{list(BUILTIN_CLASS_LISTS)} nor an existing file. Give one of '
            'those, or a JSON/YAML list of lists of names (coarsest first) or '
            'a text file with one name per line.')
    check_class_lists(lists.level_classes, lists.source)
    return lists
