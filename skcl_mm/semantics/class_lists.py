"""Class names per level to describe: built-in sets or a file.

``load_class_lists(spec)`` accepts

* ``'cifar10'``, ``'cifar100'``: the built-in two-level hierarchies
  (:func:`skcl_mm.datasets.hierarchies.builtin_level_classes`);
* ``'imagenet'``: mmpretrain's 1000 ImageNet class names, one level;
* a JSON/YAML file holding a list of lists of names (coarsest level first), a
  flat list (one level), or a hierarchy tree in the format of
  :mod:`skcl_mm.datasets.hierarchies` (mappings whose leaves are fine classes);
* an iNaturalist annotation file (``train2018.json``) or category list
  (``categories.json``): its seven ranks, names made unique as the
  ``INat2018`` dataset makes them (:mod:`skcl_mm.datasets.inat_taxonomy`);
* any other file: one class name per line, one level (blank lines and lines
  starting with ``#`` are skipped, names are stripped).

JSON/YAML files follow the rules of :mod:`skcl_mm.datasets.tree_file` (names
exactly as written: YAML ``no`` stays ``'no'``; UTF-8; errors name the line).
"""
import os.path as osp
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import List, Optional, Sequence

BUILTIN_CLASS_LISTS = ('cifar10', 'cifar100', 'digits', 'imagenet', 'places365')


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
    if name in ('digits', 'places365'):  # shipped hierarchy files
        from skcl_mm.datasets.hierarchies import load_hierarchy
        from skcl_mm.datasets.places365_categories import PLACES_LT_CLASSES
        from skcl_mm.datasets.sklearn_digits import DIGIT_NAMES
        hierarchy = load_hierarchy(
            name, DIGIT_NAMES if name == 'digits' else PLACES_LT_CLASSES)
    else:
        from skcl_mm.datasets.hierarchies import builtin_hierarchy
        hierarchy = builtin_hierarchy(name)
    return ClassLists(hierarchy.level_classes, hierarchy.fine_to_level, name)


def builtin_name_of(level_classes: Sequence[Sequence[str]]) -> Optional[str]:
    """The built-in name ('cifar10', ...) whose lists equal these, or None."""
    lists = [list(names) for names in level_classes]
    sizes = [len(names) for names in lists]
    candidates = {(2, 10): 'cifar10', (20, 100): 'cifar100', (1000, ): 'imagenet',
                  (3, 16, 365): 'places365'}
    name = candidates.get(tuple(sizes))
    if name and _builtin(name).level_classes == lists:
        return name
    return None


def builtin_fine_to_level(level_classes) -> Optional[List[List[int]]]:
    """The grouping of a built-in hierarchy equal to ``level_classes``."""
    name = builtin_name_of(level_classes)
    return _builtin(name).fine_to_level if name else None


CLASS_LAYOUT = ('Expected: a list of lists of names, coarsest level first '
                '(YAML: "- [vehicles, animals]" then "- [airplane, cat, ...]"), '
                'a list of names (one level), or a hierarchy tree '
                '("vehicles: [airplane, ship]"). See docs/descriptions.md.')


def _from_structure(content, path: str) -> ClassLists:
    """Lists from parsed JSON/YAML: list of lists, flat list or a tree."""
    from skcl_mm.datasets.hierarchies import hierarchy_from_tree
    from skcl_mm.datasets.tree_file import class_name, split_tree, tree_paths
    source = f'Class file {path!r}'
    if isinstance(content, dict):
        tree, level_names = split_tree(content, source)
        leaves = [leaf for _, leaf in tree_paths(tree, source)]
        hierarchy = hierarchy_from_tree(tree, leaves, level_names, source=source)
        return ClassLists(hierarchy.level_classes, hierarchy.fine_to_level, path)
    if all(isinstance(level, list) for level in content):
        if not any(isinstance(n, (list, dict)) for level in content for n in level):
            return ClassLists([[class_name(n, source, f'level {i}') for n in level]
                               for i, level in enumerate(content)], None, path)
    elif not any(isinstance(n, (list, dict)) for n in content):
        return ClassLists([[class_name(n, source, 'the list') for n in content]],
                          None, path)
    raise ValueError(
        f'{source}: expected a list of lists of class names, a list of names '
        'or a hierarchy tree; this list mixes names and lists (or nests '
        f'deeper). {CLASS_LAYOUT}')


def _inat_lists(path: str) -> Optional[ClassLists]:
    """The ranks of an iNaturalist annotation file or category list, or None
    when ``path`` is another (or a malformed) JSON file."""
    from skcl_mm.datasets.inat_taxonomy import (Taxonomy, categories_of,
                                                read_json)
    source = f'Class file {path!r}'
    try:
        content = read_json(path, source)
    except ValueError:
        return None  # read_structured names what is wrong with it
    cats = content.get('categories') if isinstance(content, dict) else content
    if not (isinstance(cats, list) and cats and isinstance(cats[0], dict)
            and 'kingdom' in cats[0]):
        return None
    hierarchy = Taxonomy(categories_of(content, source)).hierarchy()
    return ClassLists(hierarchy.level_classes, hierarchy.fine_to_level, path)


def _read_file(path: str) -> ClassLists:
    """Parse a class file; unreadable or malformed files raise ValueError."""
    from skcl_mm.datasets.tree_file import decode_utf8, read_structured
    source = f'Class file {path!r}'
    try:
        inat = _inat_lists(path) if path.endswith('.json') else None
        if inat is not None:
            return inat
        if path.endswith(('.json', '.yaml', '.yml')):
            return _from_structure(read_structured(path, source, CLASS_LAYOUT), path)
        with open(path, 'rb') as f:
            text = decode_utf8(f.read(), source)
    except OSError as error:
        raise ValueError(f'cannot read the class file {path}: {error}.') from error
    names = [line.strip() for line in text.splitlines()]
    names = [n for n in names if n and not n.startswith('#')]
    if not names:
        raise ValueError(f'{source} is empty (only blank lines or # comments): '
                         'give one class name per line.')
    return ClassLists([names], None, path)


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
