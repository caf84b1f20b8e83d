"""Checks of SemanticGraphHook's arguments and of the head against the dataset."""
import difflib
import os
import os.path as osp
from typing import List

from skcl_mm.semantics.descriptions import SHIPPED_SETS

WRAP_FIX = ("wrap the training dataset in dict(type='LongTailHierarchyDataset', "
            "dataset=..., hierarchy='cifar100' or a hierarchy file)")


def check_descriptions_arg(descriptions) -> None:
    """None, a shipped set name, a file path or a dict of class name -> text.

    A bare word that is neither a shipped set nor an existing file is a
    misspelt set name (a file path that does not exist yet is read, and
    reported, when the graph is built).
    """
    if descriptions is None or isinstance(descriptions, dict):
        return
    if not isinstance(descriptions, (str, os.PathLike)):
        raise TypeError(
            'SemanticGraphHook descriptions must be a shipped set name '
            f'{list(SHIPPED_SETS)}, a description file path or a dict class '
            f'name -> text, got {descriptions!r} ({type(descriptions).__name__}).')
    text = os.fspath(descriptions)
    looks_like_path = osp.sep in text or text.endswith(('.json', '.yaml', '.yml'))
    if text in SHIPPED_SETS or looks_like_path or osp.isfile(text):
        return
    close = difflib.get_close_matches(text.lower(), SHIPPED_SETS, n=1)
    hint = f' Did you mean {close[0]!r}?' if close else ''
    raise ValueError(
        f'SemanticGraphHook descriptions={text!r} is neither a shipped set '
        f'{list(SHIPPED_SETS)} nor an existing description file.{hint}')


def check_levels_match(head_levels: List[int], data_levels: List[int],
                       has_level_classes: bool) -> None:
    """The head's ``level_num_classes`` equals the dataset's classes per level.

    Args:
        head_levels (list[int]): ``head.level_num_classes``, coarsest first.
        data_levels (list[int]): classes per level of the training dataset.
        has_level_classes (bool): whether the metainfo had ``level_classes``
            (else the dataset is one level of ``classes``).
    """
    if head_levels == data_levels:
        return
    fix = f'set level_num_classes={data_levels} in the head'
    if len(head_levels) != len(data_levels):
        where = ('' if has_level_classes else
                 ' (its metainfo has no level_classes: one level of classes)')
        wrap = f', or {WRAP_FIX}' if len(head_levels) > len(data_levels) else ''
        raise ValueError(
            f'SKCLHead level_num_classes={head_levels} has {len(head_levels)} '
            f'levels but the training dataset has {len(data_levels)}{where}, '
            f'{data_levels} classes per level (coarsest first): {fix}{wrap}.')
    level = next(i for i, (a, b) in enumerate(zip(head_levels, data_levels))
                 if a != b)
    raise ValueError(
        f'SKCLHead level_num_classes={head_levels} but the training dataset has '
        f'{data_levels} classes per level (coarsest first): level {level} has '
        f'{head_levels[level]} classes in the head and {data_levels[level]} in '
        f'the dataset; {fix}.')
