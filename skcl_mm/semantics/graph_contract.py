"""The semantic graph contract: modes, candidate sets, K, and what a model asks for.

This module is the one owner of these decisions; the loss, the head, the hook,
the graph builder and the tools ask it.

Nodes are the classes of every level, fine nodes first (node y = fine class y),
then each coarser level going up (see :func:`skcl_mm.semantics.graph.node_names`).
``I_y``, the neighbours of fine class y, are K nodes j != y chosen from the
candidates of the mode (docs/loss.md, "Modes and K"):

* ``'both'``: every other node (the paper's SKCL);
* ``'F-F'``: the other nodes of the finest level (Table 4 "F-F only");
* ``'C-F'``: the nodes of the coarser levels (Table 4 "C-F only").

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

GRAPH_MODES = ('both', 'F-F', 'C-F')
DEFAULT_NUM_NEIGHBOURS = 2  # K of the paper's CIFAR runs
_MODE_ALIASES = {'both': 'both', 'all': 'both', 'f-f': 'F-F', 'ff': 'F-F',
                 'c-f': 'C-F', 'cf': 'C-F'}


def normalize_mode(mode, where: str = 'graph mode') -> str:
    """``'both'``, ``'F-F'`` or ``'C-F'`` from any spelling (``'ff'``, ``'c_f'``).

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
        f'its ablations (Table 4).{hint}')


def num_candidates(mode: str, level_num_classes: Sequence[int]) -> int:
    """How many nodes j != y a fine class can pick its neighbours from.

    Args:
        mode (str): A graph mode (any spelling of :func:`normalize_mode`).
        level_num_classes (Sequence[int]): Classes per level, coarsest first.
    """
    num_nodes, num_fine = sum(level_num_classes), level_num_classes[-1]
    sizes = {'both': num_nodes - 1, 'F-F': num_fine - 1,
             'C-F': num_nodes - num_fine}
    return sizes[normalize_mode(mode)]


def candidate_mask(levels: Sequence[int], n_fine: int, mode: str) -> np.ndarray:
    """Which nodes may be neighbours of each fine class.

    Args:
        levels (Sequence[int]): ``(n,)`` level of every node in node-id order
            (see :func:`skcl_mm.semantics.graph.node_levels`).
        n_fine (int): Number of fine classes (nodes ``0..n_fine-1``).
        mode (str): A graph mode.

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
    else:
        mask = np.broadcast_to(~fine, (n_fine, len(levels))).copy()
    mask[np.arange(n_fine), np.arange(n_fine)] = False  # j != y
    return mask


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
        mode (str): ``'both'``, ``'F-F'`` or ``'C-F'``.
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
