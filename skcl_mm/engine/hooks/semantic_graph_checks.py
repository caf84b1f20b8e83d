"""Checks of the model head against the training dataset's levels."""
from typing import List

WRAP_FIX = ("wrap the training dataset in dict(type='LongTailHierarchyDataset', "
            "dataset=..., hierarchy='cifar100' or a hierarchy file)")


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
