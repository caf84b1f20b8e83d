"""The hierarchy a wrapper trains with: from a file or name, or from the wrapped dataset.

``LongTailHierarchyDataset(hierarchy='dataset')`` takes the hierarchy the
wrapped dataset provides through ``label_hierarchy()`` (``INat2018``: seven
ranks), and ``descriptions='dataset'`` the texts it provides through
``label_texts()`` (unique name -> text for every node). ``levels=[...]`` keeps
some named levels of any hierarchy (``['genus', 'species']``), in the
hierarchy's order, the finest level included.
"""
import difflib
from typing import Dict, Optional, Sequence

from .hierarchies import Hierarchy, load_hierarchy, shipped_hierarchy_names

FROM_DATASET = 'dataset'
WHERE = 'LongTailHierarchyDataset'


def provided_hierarchy(dataset, classes: Sequence[str]) -> Hierarchy:
    """The wrapped dataset's own hierarchy, aligned to its classes."""
    provide = getattr(dataset, 'label_hierarchy', None)
    if not callable(provide):
        raise ValueError(
            f"{WHERE}: hierarchy='dataset' takes the label hierarchy from the "
            f'wrapped dataset, but {type(dataset).__name__} provides none (it has '
            'no label_hierarchy(); INat2018 has). Use hierarchy=None (one '
            f'level), a shipped name {shipped_hierarchy_names()} or a JSON/YAML '
            'tree file.')
    hierarchy = provide()
    if list(hierarchy.fine_classes) != list(classes):
        raise ValueError(
            f'{WHERE}: the hierarchy of {type(dataset).__name__} ends in '
            f'{len(hierarchy.fine_classes)} classes that are not its metainfo '
            f'classes ({len(classes)}) in order; do not override its classes.')
    return hierarchy


def provided_texts(dataset, hierarchy: Hierarchy) -> Dict[str, str]:
    """The wrapped dataset's text of every class of ``hierarchy``."""
    provide = getattr(dataset, 'label_texts', None)
    if not callable(provide):
        raise ValueError(
            f"{WHERE}: descriptions='dataset' takes the class texts from the "
            f'wrapped dataset, but {type(dataset).__name__} provides none (it '
            'has no label_texts(); INat2018 has). Give a shipped set or a '
            'description file (tools/generate_descriptions.py writes one).')
    texts = provide()
    return {name: texts[name] for names in hierarchy.level_classes
            for name in names if name in texts}


def select_levels(hierarchy: Hierarchy, levels: Sequence[str],
                  source: str) -> Hierarchy:
    """The named levels of ``hierarchy`` (coarsest first, the finest kept).

    Args:
        hierarchy (Hierarchy): The whole hierarchy.
        levels (Sequence[str]): Level names, in the hierarchy's order.
        source (str): The ``hierarchy=`` setting, named in messages.
    """
    known = list(hierarchy.level_names)
    unknown = [name for name in levels if name not in known]
    if unknown:
        close = {n: difflib.get_close_matches(n, known, 1) for n in unknown}
        hint = ', '.join(f'{n!r} -> {c[0]!r}' for n, c in close.items() if c)
        raise ValueError(
            f'{WHERE}: levels={list(levels)} names {unknown}, not levels of '
            f'hierarchy={source!r}, whose levels are {known} (coarsest first)'
            + (f'; did you mean {hint}?' if hint else '.'))
    if levels[-1] != known[-1]:
        raise ValueError(
            f'{WHERE}: levels={list(levels)} must end with the finest level '
            f'{known[-1]!r} (the classes the images are labelled with); write '
            f'e.g. levels={[n for n in known if n in levels and n != known[-1]] + [known[-1]]}.')
    order = [known.index(name) for name in levels]
    if order != sorted(order):
        raise ValueError(
            f'{WHERE}: levels={list(levels)} must follow the hierarchy\'s order, '
            f'coarsest first: write levels={[known[i] for i in sorted(order)]}.')
    return Hierarchy([hierarchy.level_classes[i] for i in order],
                     [hierarchy.fine_to_level[i] for i in order],
                     list(levels))


def resolve_hierarchy(source: Optional[str], dataset, classes: Sequence[str],
                      levels: Optional[Sequence[str]] = None) -> Hierarchy:
    """The wrapper's hierarchy: ``source`` (None, a name, a file or
    ``'dataset'``), then the ``levels`` it keeps (None: all)."""
    if source == FROM_DATASET:
        hierarchy = provided_hierarchy(dataset, classes)
    else:
        hierarchy = load_hierarchy(source, classes)
    if levels is None:
        return hierarchy
    return select_levels(hierarchy, levels, source)
