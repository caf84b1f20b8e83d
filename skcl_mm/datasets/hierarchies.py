"""Label hierarchies: built-in CIFAR ones and any number of levels from a file.

A hierarchy is stored as ``level_classes``: one list of class names per level,
coarsest level first, finest level last, and ``fine_to_level``: for every level
a list that maps each fine class index to its label at that level (the last row
is the identity). A file hierarchy (JSON or YAML) is a nested tree whose leaves
are fine class names::

    # two levels
    vehicles: [airplane, automobile, ship, truck]
    animals: [bird, cat, deer, dog, frog, horse]

    # three levels: nest one more mapping
    plants:
      trees: [maple_tree, oak_tree]
      flowers: [orchid, rose]

A plain list of names is a one-level hierarchy. Optionally the file holds
``{"levels": [...names of the levels...], "tree": <the tree>}``. Names are
taken exactly as written (YAML ``no`` stays ``'no'``); the file rules and their
errors are in :mod:`skcl_mm.datasets.tree_file`.

Shipped hierarchies: ``'cifar100'`` and ``'cifar10'`` (built in) and the files
of ``hierarchy_files/`` by name (``'digits'``: scikit-learn's digits grouped by
stroke shape).
"""
import difflib
import os
import os.path as osp
from typing import List, Optional, Sequence

from mmpretrain.datasets.categories import (CIFAR10_CATEGORIES,
                                            CIFAR100_CATEGORIES)
from .tree_file import TREE_LAYOUT, read_structured, split_tree, tree_paths

CIFAR100_SUPERCLASSES = (
    'aquatic_mammals', 'fish', 'flowers', 'food_containers',
    'fruit_and_vegetables', 'household_electrical_devices',
    'household_furniture', 'insects', 'large_carnivores',
    'large_man-made_outdoor_things', 'large_natural_outdoor_scenes',
    'large_omnivores_and_herbivores', 'medium_mammals',
    'non-insect_invertebrates', 'people', 'reptiles', 'small_mammals', 'trees',
    'vehicles_1', 'vehicles_2')

# Superclass of each CIFAR-100 fine class, in mmpretrain's fine class order
# (the `coarse_labels` of the official pickles).
CIFAR100_FINE_TO_COARSE = (
    4, 1, 14, 8, 0, 6, 7, 7, 18, 3, 3, 14, 9, 18, 7, 11, 3, 9, 7, 11,
    6, 11, 5, 10, 7, 6, 13, 15, 3, 15, 0, 11, 1, 10, 12, 14, 16, 9, 11, 5,
    5, 19, 8, 8, 15, 13, 14, 17, 18, 10, 16, 4, 17, 4, 2, 0, 17, 4, 18, 17,
    10, 3, 2, 12, 12, 16, 12, 1, 9, 19, 2, 10, 0, 1, 16, 12, 9, 13, 15, 13,
    16, 19, 2, 4, 6, 19, 5, 5, 8, 19, 18, 1, 2, 15, 6, 0, 17, 8, 14, 13)

CIFAR10_SUPERCLASSES = ('vehicles', 'animals')
CIFAR10_FINE_TO_COARSE = (0, 0, 1, 1, 1, 1, 1, 1, 0, 0)

_BUILTIN = {
    'cifar100': (CIFAR100_SUPERCLASSES, CIFAR100_CATEGORIES,
                 CIFAR100_FINE_TO_COARSE),
    'cifar10': (CIFAR10_SUPERCLASSES, CIFAR10_CATEGORIES,
                CIFAR10_FINE_TO_COARSE),
}


class Hierarchy:
    """A label hierarchy aligned to a dataset's fine class order.

    Args:
        level_classes (list[list[str]]): Class names per level, coarsest first;
            the last level must equal the dataset's classes in order.
        fine_to_level (list[list[int]]): ``(n_levels, n_fine)`` level label of
            every fine class; the last row is ``range(n_fine)``.
        level_names (list[str], optional): A name per level, coarsest first.
    """

    def __init__(self, level_classes, fine_to_level, level_names=None):
        self.level_classes = [list(names) for names in level_classes]
        self.fine_to_level = [list(map(int, row)) for row in fine_to_level]
        n_levels = len(self.level_classes)
        self.level_names = list(level_names or [f'level{i}' for i in range(n_levels)])
        if len(self.level_names) != n_levels:
            raise ValueError(f'The hierarchy has {n_levels} levels but '
                             f'{len(self.level_names)} level names.')

    @property
    def num_levels(self) -> int:
        return len(self.level_classes)

    @property
    def fine_classes(self) -> List[str]:
        return self.level_classes[-1]

    def level_counts(self, class_counts: Sequence[int]) -> List[List[int]]:
        """Sum fine-class counts into counts per class of every level."""
        counts = []
        for names, row in zip(self.level_classes, self.fine_to_level):
            level = [0] * len(names)
            for fine, parent in enumerate(row):
                level[parent] += int(class_counts[fine])
            counts.append(level)
        return counts


def builtin_level_classes(name: str) -> List[List[str]]:
    """Class names per level (coarsest first) of a built-in hierarchy."""
    return builtin_hierarchy(name).level_classes


def builtin_hierarchy(name: str) -> Hierarchy:
    """The built-in two-level hierarchy ``'cifar100'`` or ``'cifar10'``."""
    if name not in _BUILTIN:
        raise ValueError(f'Unknown built-in hierarchy {name!r}; choose one of '
                         f'{sorted(_BUILTIN)} or give a JSON/YAML file path.')
    coarse, fine, fine_to_coarse = _BUILTIN[name]
    return Hierarchy([list(coarse), list(fine)],
                     [list(fine_to_coarse), list(range(len(fine)))],
                     level_names=['superclass', 'class'])


SHIPPED_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'hierarchy_files')


def shipped_hierarchy_names() -> List[str]:
    """Names usable as ``hierarchy=``: built-in ones and shipped files."""
    files = [osp.splitext(f)[0] for f in os.listdir(SHIPPED_DIR)
             if f.endswith(('.yaml', '.yml', '.json'))] if osp.isdir(SHIPPED_DIR) else []
    return sorted(set(_BUILTIN) | set(files))


def _shipped_file(name: str) -> Optional[str]:
    for ext in ('.yaml', '.yml', '.json'):
        path = osp.join(SHIPPED_DIR, name + ext)
        if osp.isfile(path):
            return path
    return None


def _read_tree(path: str, source: str):
    """``(tree, level names or None)`` of a JSON/YAML file (rules: tree_file)."""
    if not path.endswith(('.json', '.yaml', '.yml')):
        raise ValueError(f'{source}: a hierarchy file ends in .json, .yaml or '
                         f'.yml (it is parsed by its extension). {TREE_LAYOUT}')
    return split_tree(read_structured(path, source), source)


def hierarchy_from_tree(tree, classes: Sequence[str],
                        level_names: Optional[Sequence[str]] = None,
                        source: str = 'the hierarchy') -> Hierarchy:
    """Align a nested tree to a dataset's fine classes, checking it fully."""
    paths = tree_paths(tree, source)
    depths = {len(prefix) for prefix, _ in paths}
    parents = {}
    for prefix, leaf in paths:
        if leaf in parents and parents[leaf] != prefix:
            raise ValueError(
                f'{source}: inconsistent parents for class {leaf!r}: '
                f'{"/".join(parents[leaf])} and {"/".join(prefix)}. A class '
                'must have exactly one parent per level.')
        parents[leaf] = prefix
    _check_names(set(parents), list(classes), source)
    depth = depths.pop() if depths else 0
    level_classes, fine_to_level = [], []
    for level in range(depth):
        names, index, row = [], {}, []
        for fine in classes:
            parent = parents[fine][level]
            key = parents[fine][:level + 1]
            if key not in index:
                if parent in names:
                    raise ValueError(
                        f'{source}: the name {parent!r} appears twice at level '
                        f'{level} under different parents; names of one level '
                        'must be unique.')
                index[key] = len(names)
                names.append(parent)
            row.append(index[key])
        level_classes.append(names)
        fine_to_level.append(row)
    level_classes.append(list(classes))
    fine_to_level.append(list(range(len(classes))))
    if level_names is not None and len(level_names) != len(level_classes):
        raise ValueError(
            f'{source}: "levels" names {len(level_names)} level(s) '
            f'{list(level_names)}, but the tree has {len(level_classes)} '
            f'({depth} above the classes, plus the classes themselves); give one '
            'name per level, coarsest first, the finest level included.')
    return Hierarchy(level_classes, fine_to_level, level_names)


def _check_names(in_tree: set, classes: List[str], source: str):
    missing = [c for c in classes if c not in in_tree]
    unknown = sorted(in_tree - set(classes))
    if not missing and not unknown:
        return
    msg = [f'{source} does not match the dataset classes.']
    if missing:
        msg.append(f'{len(missing)} dataset classes are missing from the '
                   f'hierarchy: {missing[:10]}{" ..." if len(missing) > 10 else ""}.')
    if unknown:
        msg.append(f'{len(unknown)} hierarchy names are not dataset classes: '
                   f'{unknown[:10]}{" ..." if len(unknown) > 10 else ""}.')
    close = [(name, difflib.get_close_matches(name, missing, 1, 0.8)) for name in unknown]
    close = [f'{name!r} -> {match[0]!r}' for name, match in close if match]
    if close:
        msg.append(f'Close spellings (hierarchy -> dataset): {", ".join(close[:5])}.')
    msg.append('Fix the hierarchy file (names must equal the dataset\'s '
               '`classes`, spelled the same way), or the dataset if it lacks '
               'classes (an image folder without one of the class folders: '
               'every split needs them all, or give metainfo=dict(classes=...)).')
    raise ValueError(' '.join(msg))


def load_hierarchy(hierarchy, classes: Sequence[str]) -> Hierarchy:
    """Resolve ``hierarchy`` (None, a built-in name or a file) for ``classes``.

    Args:
        hierarchy (str | PathLike | None): ``None`` (one level), a shipped
            name (``'cifar100'``, ``'cifar10'``, ``'digits'``) or the path of
            a JSON/YAML tree.
        classes (Sequence[str]): The dataset's fine class names, in label order.
    """
    classes = list(classes)
    if hierarchy is None:
        return Hierarchy([classes], [list(range(len(classes)))], ['class'])
    hierarchy = os.fspath(hierarchy)
    if hierarchy in _BUILTIN:
        return _aligned_builtin(hierarchy, classes)
    source = f'Hierarchy file {hierarchy!r}'
    tree, level_names = _read_tree(_hierarchy_path(hierarchy), source)
    return hierarchy_from_tree(tree, classes, level_names, source=source)


def _aligned_builtin(name: str, classes: List[str]) -> Hierarchy:
    """A built-in hierarchy aligned to the dataset's class order."""
    builtin = builtin_hierarchy(name)
    tree = {}
    for fine, parent in zip(builtin.fine_classes, builtin.fine_to_level[0]):
        tree.setdefault(builtin.level_classes[0][parent], []).append(fine)
    aligned = hierarchy_from_tree(tree, classes, builtin.level_names,
                                  source=f'The built-in {name!r} hierarchy')
    # Keep the official superclass index order, not order of appearance.
    order = [aligned.level_classes[0].index(n) for n in builtin.level_classes[0]]
    remap = {old: new for new, old in enumerate(order)}
    aligned.level_classes[0] = list(builtin.level_classes[0])
    aligned.fine_to_level[0] = [remap[i] for i in aligned.fine_to_level[0]]
    return aligned


def _hierarchy_path(hierarchy: str) -> str:
    """The file of a shipped name or a path; a clear error when neither."""
    names = shipped_hierarchy_names()
    if not hierarchy.strip():
        raise ValueError(f'hierarchy={hierarchy!r} is empty: use None for one '
                         f'level, a shipped name {names} or a JSON/YAML file.')
    path = _shipped_file(hierarchy) or hierarchy
    if osp.isfile(path):
        return path
    why = 'is a directory' if osp.isdir(path) else 'does not exist'
    close = difflib.get_close_matches(hierarchy.strip().lower(), names, 1, 0.6)
    hint = f' Did you mean {close[0]!r}?' if close else ''
    raise FileNotFoundError(
        f'hierarchy={hierarchy!r} is neither a shipped name nor an existing '
        f'file (the path {path!r} {why}; relative paths are read from the '
        f'current directory {os.getcwd()!r}).{hint} Give a JSON or YAML file, '
        f'or one of the shipped names {names}.')
