"""Checks of the semantic graph's inputs: class lists, node levels, similarity.

(K is checked where it is decided: :mod:`skcl_mm.semantics.graph_contract`.)
"""
import warnings
from collections import Counter
from typing import List, Sequence

import numpy as np


def check_level_classes(level_classes) -> List[List[str]]:
    """Class names per level, coarsest first: non-empty lists of unique strings.

    A name on two levels is allowed (a coarse class may share its fine
    class's name) but both nodes then embed the same text: a warning says so.

    Returns:
        list[list[str]]: The names, as lists.
    """
    if isinstance(level_classes, (str, bytes)) or not isinstance(
            level_classes, Sequence) or len(level_classes) == 0:
        raise ValueError(
            'level_classes must list the class names of every level, coarsest '
            f"first (e.g. [['vehicle', 'animal'], ['car', 'cat']]), got "
            f'{level_classes!r}.')
    levels = []
    for level, names in enumerate(level_classes):
        if isinstance(names, (str, bytes)) or not isinstance(names, Sequence) \
                or len(names) == 0:
            raise ValueError(f'level_classes[{level}] must be a non-empty list of '
                             f'class names, got {names!r}; a flat list of names '
                             'is one level: [names].')
        duplicates = sorted(n for n, c in Counter(map(str, names)).items() if c > 1)
        if duplicates:
            raise ValueError(f'level_classes[{level}] names {duplicates[:10]} more '
                             'than once; class names must be unique within a '
                             'level.')
        levels.append([str(name) for name in names])
    _warn_shared_names(levels)
    return levels


def _warn_shared_names(levels: List[List[str]]) -> None:
    seen, shared = {}, []
    for level, names in enumerate(levels):
        for name in names:
            if name in seen and seen[name] != level:
                shared.append(f'{name!r} (levels {seen[name]} and {level})')
            seen.setdefault(name, level)
    if shared:
        warnings.warn(
            f'{len(shared)} class names appear on two levels: '
            f'{", ".join(shared[:5])}; each such pair embeds the same text, so '
            'the two nodes are each other\'s nearest neighbours. Rename one of '
            'them in the hierarchy if they are different concepts.', UserWarning)


def check_node_levels(levels: Sequence[int]) -> np.ndarray:
    """Node levels in node-id order: the finest level (the largest) first.

    Returns:
        np.ndarray: ``(n,)`` int levels.
    """
    levels = np.asarray(levels)
    if levels.ndim != 1 or levels.size == 0 or levels.dtype.kind not in 'iu':
        raise ValueError(f'levels must be a non-empty list of ints (the level of '
                         f'every node, see node_levels), got {levels.tolist()!r}.')
    n_fine = int((levels == levels[0]).sum())
    if levels[0] != levels.max() or (levels[n_fine:] == levels[0]).any() \
            or not (levels[:n_fine] == levels[0]).all():
        raise ValueError(
            'levels must list the finest level (the largest number) first, '
            f'contiguous, as node_levels(level_classes) gives them; got '
            f'{levels.tolist()[:12]}{" ..." if levels.size > 12 else ""}.')
    return levels


def check_similarity(similarity: np.ndarray, n_fine: int) -> None:
    """Finite similarity rows for the fine classes (NaN would pick at random)."""
    bad = ~np.isfinite(similarity[:n_fine])
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(
            f'similarity has {int(bad.sum())} non-finite entries among the fine '
            f'rows (first at [{row}, {col}]); the embeddings must be finite '
            'vectors (a NaN embedding means a broken encoder output).')
