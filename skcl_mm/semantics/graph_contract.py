"""The semantic graph contract: modes, candidate sets, K, and what a model asks for.

This module is the one owner of these decisions; the loss, the head, the hook,
the graph builder and the tools ask it.

Nodes are the classes of every level, fine nodes first (node y = fine class y),
then each coarser level going up (see :func:`skcl_mm.semantics.graph.node_names`).
``I_y``, the neighbours of fine class y, are K nodes j != y chosen from the
candidates of the mode (docs/loss.md, "Modes and K"):

* ``'both'``: every other node (the paper's SKCL);
* ``'F-F'``: the other nodes of the finest level (Table 4 "F-F only");
* ``'C-F'``: the nodes of the coarser levels (Table 4 "C-F only");
* ``'C-F-parent'``: only the fine class's own ancestors, one node per coarser
  level (the paper's literal "C-F only": "only the corresponding
  coarse-grained category"). This candidate set comes from the label tree
  (``fine_to_level``), not from the similarity.

A model that needs a graph describes it with a :class:`GraphRequest`
(``head.semantic_graph_request()``); ``SemanticGraphHook`` builds that graph
and hands back one ``(n_fine, K)`` table, which :meth:`GraphRequest.check_table`
checks once, where the head stores it.
"""
import difflib
import warnings
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np
import torch

from skcl_mm.utils.checks import check_int

GRAPH_MODES = ('both', 'F-F', 'C-F', 'C-F-parent')
HIERARCHY_MODES = ('C-F-parent', )  # candidate sets read from the label tree
DEFAULT_NUM_NEIGHBOURS = 2  # K of the paper's CIFAR runs
_MODE_ALIASES = {'both': 'both', 'all': 'both', 'f-f': 'F-F', 'ff': 'F-F',
                 'c-f': 'C-F', 'cf': 'C-F', 'c-f-parent': 'C-F-parent',
                 'cf-parent': 'C-F-parent', 'parent': 'C-F-parent'}
TREE_FIX = ("train on a dataset with a label tree (LongTailHierarchyDataset("
            "hierarchy=...), whose metainfo carries fine_to_level), or pass "
            'fine_to_level=(n_levels, n_fine) class ids, coarsest level first')


def normalize_mode(mode, where: str = 'graph mode') -> str:
    """A name of :data:`GRAPH_MODES` from any spelling (``'ff'``, ``'cf_parent'``).

    Args:
        mode (str): The mode as written in a config or on the command line.
        where (str): Who received it, named in the error.

    Raises:
        ValueError: Not a mode; the message names the closest one, and for
            ``'bcl'`` the loss that replaced that mode.
    """
    key = str(mode).strip().lower().replace('_', '-') if isinstance(mode, str) else None
    if key in _MODE_ALIASES:
        return _MODE_ALIASES[key]
    if key == 'bcl':
        raise ValueError(
            f"{where} 'bcl' is not a graph mode: BCL uses no semantic graph and "
            "is its own loss now, contrastive_loss=dict(type='BCLLoss', "
            'loss_weight=..., temperature=...).')
    close = difflib.get_close_matches(str(mode).lower(), list(_MODE_ALIASES), n=1)
    hint = f' Did you mean {_MODE_ALIASES[close[0]]!r}?' if close else ''
    raise ValueError(
        f'{where} must be one of {GRAPH_MODES}, got {mode!r} '
        f"({type(mode).__name__}): 'both' is the paper's SKCL, 'F-F' / 'C-F' "
        "its ablations (Table 4), 'C-F-parent' the C-F ablation with the own "
        f'superclass as the only coarse target.{hint}')


def num_candidates(mode: str, level_num_classes: Sequence[int]) -> int:
    """How many nodes j != y a fine class can pick its neighbours from.

    Args:
        mode (str): A graph mode (any spelling of :func:`normalize_mode`).
        level_num_classes (Sequence[int]): Classes per level, coarsest first.
    """
    num_nodes, num_fine = sum(level_num_classes), level_num_classes[-1]
    sizes = {'both': num_nodes - 1, 'F-F': num_fine - 1,
             'C-F': num_nodes - num_fine,
             'C-F-parent': len(level_num_classes) - 1}
    return sizes[normalize_mode(mode)]


def ancestor_nodes(levels: Sequence[int], fine_to_level) -> np.ndarray:
    """Node ids of every fine class's ancestors, the nearest level first.

    Args:
        levels (Sequence[int]): ``(n,)`` level of every node in node-id order
            (fine nodes first, then each coarser level going up).
        fine_to_level (Sequence[Sequence[int]]): ``(n_levels, n_fine)`` class
            of every fine class at every level, coarsest first (the dataset's
            metainfo ``fine_to_level``; its last row is the identity).

    Returns:
        np.ndarray: ``(n_fine, n_levels - 1)`` int64 node ids.

    Raises:
        ValueError: No tree, or one that does not fit the levels; the message
            says how to give it.
    """
    levels = np.asarray(levels)
    sizes = [int((levels == level).sum()) for level in range(int(levels.max()) + 1)]
    if fine_to_level is None:
        raise ValueError(f"graph mode 'C-F-parent' needs the label tree: {TREE_FIX}.")
    tree = np.asarray(fine_to_level)
    if tree.shape != (len(sizes), sizes[-1]) or not np.issubdtype(tree.dtype, np.integer):
        raise ValueError(
            f'fine_to_level must be ({len(sizes)}, {sizes[-1]}) class ids (n_levels, '
            f'n_fine) for levels {sizes}, got shape {tree.shape} of {tree.dtype}: '
            f'{TREE_FIX}.')
    for level, size in enumerate(sizes):
        if tree[level].min() < 0 or tree[level].max() >= size:
            raise ValueError(f'fine_to_level[{level}] holds ids outside [0, {size}) '
                             f'(level {level} has {size} classes): {TREE_FIX}.')
    offsets = [int(np.argmax(levels == level)) for level in range(len(sizes))]
    coarser = range(len(sizes) - 2, -1, -1)  # the parent's level first
    columns = [offsets[level] + tree[level] for level in coarser]
    return np.array(columns, dtype=np.int64).T.reshape(sizes[-1], len(sizes) - 1)


def candidate_mask(levels: Sequence[int], n_fine: int, mode: str,
                   fine_to_level=None) -> np.ndarray:
    """Which nodes may be neighbours of each fine class.

    Args:
        levels (Sequence[int]): ``(n,)`` level of every node in node-id order
            (see :func:`skcl_mm.semantics.graph.node_levels`).
        n_fine (int): Number of fine classes (nodes ``0..n_fine-1``).
        mode (str): A graph mode.
        fine_to_level (Sequence[Sequence[int]], optional): ``(n_levels,
            n_fine)`` label tree; needed by the :data:`HIERARCHY_MODES`.

    Returns:
        np.ndarray: ``(n_fine, n)`` bool, True where node j is a candidate of y.
    """
    mode = normalize_mode(mode)
    levels = np.asarray(levels)
    fine = levels == levels[0]
    if mode == 'both':
        mask = np.ones((n_fine, len(levels)), dtype=bool)
    elif mode == 'F-F':
        mask = np.broadcast_to(fine, (n_fine, len(levels))).copy()
    elif mode == 'C-F':
        mask = np.broadcast_to(~fine, (n_fine, len(levels))).copy()
    else:  # 'C-F-parent': the own ancestors only
        mask = np.zeros((n_fine, len(levels)), dtype=bool)
        ancestors = ancestor_nodes(levels, fine_to_level)
        mask[np.arange(n_fine)[:, None], ancestors] = True
    mask[np.arange(n_fine), np.arange(n_fine)] = False  # j != y
    return mask


def candidate_key(mode: str, levels: Sequence[int], fine_to_level=None) -> str:
    """What the candidate sets of ``mode`` depend on, as text for the graph
    cache key.

    Args:
        mode (str): A graph mode.
        levels (Sequence[int]): ``(n,)`` level of every node in node-id order.
        fine_to_level (optional): ``(n_levels, n_fine)`` label tree.

    Returns:
        str: The mode; for a hierarchy mode also its ancestor table, checked
        here, before any text is embedded.
    """
    mode = normalize_mode(mode)
    if mode not in HIERARCHY_MODES:
        return mode
    return f'{mode} {ancestor_nodes(levels, fine_to_level).tolist()}'


def resolve_num_neighbours(num_neighbours: Optional[int], mode: str,
                           level_num_classes: Optional[Sequence[int]] = None,
                           where: str = 'num_neighbours') -> int:
    """K: checked, defaulted, and clamped to the candidate set of ``mode``.

    Args:
        num_neighbours (int, optional): The requested K (an int >= 0); None
            gives :data:`DEFAULT_NUM_NEIGHBOURS`.
        mode (str): A graph mode.
        level_num_classes (Sequence[int], optional): Classes per level,
            coarsest first; without them K is not clamped.
        where (str): Who asked, named in the messages.

    Returns:
        int: K. Above the number of candidates it is clamped with a warning.
    """
    if num_neighbours is None:
        k = DEFAULT_NUM_NEIGHBOURS
    else:
        k = check_int(where, num_neighbours, minimum=0,
                      fix='It is K, the semantic neighbours per class (2 for '
                      'CIFAR, 4 for ImageNet-LT, 0: none).')
    if level_num_classes is None:
        return k
    available = num_candidates(mode, level_num_classes)
    if k > available:
        warnings.warn(f'{where}: K={k} neighbours requested but mode '
                      f'{normalize_mode(mode)!r} offers only {available} '
                      'candidates per fine class (levels '
                      f'{list(level_num_classes)}); using K={available}.')
        k = available
    return k


@dataclass(frozen=True)
class GraphRequest:
    """The semantic graph a model needs: its mode, K and levels.

    Attributes:
        mode (str): A name of :data:`GRAPH_MODES`.
        num_neighbours (int): K, already clamped to the candidate set.
        level_num_classes (tuple[int, ...]): Classes per level, coarsest first.
    """
    mode: str
    num_neighbours: int
    level_num_classes: Tuple[int, ...]

    @classmethod
    def resolve(cls, mode: str, num_neighbours: Optional[int],
                level_num_classes: Sequence[int],
                where: str = 'num_neighbours') -> 'GraphRequest':
        """A request with the mode normalised and K resolved (see
        :func:`resolve_num_neighbours`)."""
        mode = normalize_mode(mode)
        k = resolve_num_neighbours(num_neighbours, mode, level_num_classes, where)
        return cls(mode, k, tuple(int(n) for n in level_num_classes))

    @property
    def num_fine(self) -> int:
        """Fine classes (rows of the table)."""
        return self.level_num_classes[-1]

    @property
    def num_nodes(self) -> int:
        """Nodes of the graph (classes of every level)."""
        return sum(self.level_num_classes)

    @property
    def table_shape(self) -> Tuple[int, int]:
        """``(n_fine, K)``."""
        return self.num_fine, self.num_neighbours

    def check_table(self, neighbours) -> torch.Tensor:
        """The neighbour table as int64, if it answers this request.

        Args:
            neighbours (Tensor | array): ``(n_fine, K)`` node ids ``I_y``.

        Returns:
            torch.Tensor: ``(n_fine, K)`` int64 on the CPU.

        Raises:
            ValueError: Another shape, a node id out of range, or a class
                that is its own neighbour.
        """
        table = torch.as_tensor(neighbours).detach().long().cpu()
        if tuple(table.shape) != self.table_shape:
            raise ValueError(
                f'The semantic graph table must be {self.table_shape} (n_fine, K) '
                f'for a {self.mode} graph of levels {list(self.level_num_classes)}'
                f', got {tuple(table.shape)}; build it for this model (its '
                'contrastive_loss sets mode and num_neighbours).')
        if table.numel() and (table.min() < 0 or table.max() >= self.num_nodes):
            raise ValueError(
                f'neighbour node ids must be in [0, {self.num_nodes}), got '
                f'[{int(table.min())}, {int(table.max())}].')
        if (table == torch.arange(self.num_fine)[:, None]).any():
            raise ValueError('a class cannot be its own neighbour (I_y excludes y).')
        return table
