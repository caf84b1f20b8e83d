"""Which fine classes a picture draws together: superclasses or clusters of S.

A picture of 100 or 1000 classes is only readable in blocks. With a label
hierarchy the blocks are the superclasses (the dataset's ``fine_to_level[-2]``);
with one level they are clusters of the similarity itself (Ward linkage on the
embedding distance ``sqrt(2 - 2 S)``, cut into about ``sqrt(n_fine)`` clusters,
each named by its most central class). Inside a block, and between superclass
blocks, the order follows the dendrogram, so similar classes sit side by side.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

PLAIN_LIMIT = 40  # up to this many fine classes, one level stays one block


@dataclass
class ClassGroups:
    """Fine classes in drawing order, cut into named, contiguous groups.

    Attributes:
        order (np.ndarray): ``(n_fine,)`` fine class ids in drawing order.
        spans (list[tuple[int, int]]): ``(start, end)`` of each group in
            ``order``, groups in drawing order.
        names (list[str]): The name of each group, in drawing order.
        coarse_nodes (list[int]): Node id of each group's superclass node in
            the graph, -1 where the graph has none.
        kind (str): ``'superclass'``, ``'cluster'`` or ``'all'`` (one block).
    """
    order: np.ndarray
    spans: List[Tuple[int, int]]
    names: List[str]
    coarse_nodes: List[int]
    kind: str

    @property
    def num_groups(self) -> int:
        return len(self.spans)

    def members(self, group: int) -> np.ndarray:
        """Fine class ids of a group (drawing index), in drawing order."""
        start, end = self.spans[group]
        return self.order[start:end]

    def group_of(self) -> np.ndarray:
        """``(n_fine,)`` drawing index of the group of every fine class id."""
        out = np.empty(len(self.order), dtype=np.int64)
        for group, (start, end) in enumerate(self.spans):
            out[self.order[start:end]] = group
        return out


def short_name(name: str, width: int = 28) -> str:
    """A display name: the first synonym (ImageNet lists several), at most ``width``."""
    name = str(name).split(',')[0].strip()
    return name if len(name) <= width else name[:width - 1] + '\u2026'


def check_groups(groups: Optional[Sequence[int]], group_names: Optional[Sequence[str]],
                 n_fine: int) -> Tuple[Optional[np.ndarray], Optional[List[str]]]:
    """Validate the superclass of every fine class and the superclass names.

    Raises:
        ValueError: Wrong length or values; the message names the fix.
    """
    if groups is None:
        if group_names is not None:
            raise ValueError('group_names was given without groups: pass groups=<the '
                             "dataset's fine_to_level[-2]> (one superclass index per fine "
                             'class) as well, or leave both out.')
        return None, None
    array = np.asarray(groups)
    if array.shape != (n_fine, ) or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f'groups must hold one integer superclass index per fine class: '
                         f'expected shape ({n_fine},), got {array.dtype} {array.shape}. '
                         "Pass the dataset's fine_to_level[-2].")
    if array.min() < 0:
        raise ValueError(f'groups must be superclass indices >= 0, got {int(array.min())}.')
    if group_names is None:
        return array.astype(np.int64), None
    names = [str(name) for name in group_names]
    if len(names) <= int(array.max()):
        raise ValueError(f'group_names has {len(names)} names but groups uses index '
                         f'{int(array.max())}: pass one name per superclass (the '
                         "dataset's level_classes[-2]).")
    return array.astype(np.int64), names


def leaf_order(similarity: np.ndarray) -> np.ndarray:
    """Dendrogram leaf order of ``(m, m)`` cosine similarities (Ward on ``sqrt(2 - 2S)``)."""
    if len(similarity) < 3:
        return np.arange(len(similarity))
    from scipy.cluster.hierarchy import leaves_list
    return leaves_list(_ward(similarity))


def _ward(similarity: np.ndarray) -> np.ndarray:
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform
    dist = np.sqrt(np.clip(2.0 - 2.0 * np.asarray(similarity, np.float64), 0.0, None))
    dist = 0.5 * (dist + dist.T)
    np.fill_diagonal(dist, 0.0)
    return linkage(squareform(dist, checks=False), method='ward')


def block_means(similarity: np.ndarray, labels: np.ndarray, num: int) -> np.ndarray:
    """``(num, num)`` mean similarity between groups; a class is not paired with itself.

    Args:
        similarity (np.ndarray): ``(m, m)`` similarity of the fine classes.
        labels (np.ndarray): ``(m,)`` group of each class, in ``[0, num)``.
        num (int): Number of groups.
    """
    onehot = np.zeros((len(labels), num))
    onehot[np.arange(len(labels)), labels] = 1.0
    off = np.asarray(similarity, np.float64) - np.eye(len(labels))
    sums = onehot.T @ off @ onehot
    sizes = onehot.sum(axis=0)
    pairs = np.outer(sizes, sizes) - np.diag(sizes)
    return sums / np.maximum(pairs, 1.0)


def class_groups(graph, groups: Optional[Sequence[int]] = None,
                 group_names: Optional[Sequence[str]] = None,
                 plain_limit: int = PLAIN_LIMIT) -> ClassGroups:
    """The blocks to draw: superclasses, else clusters above ``plain_limit`` classes.

    Args:
        graph (SemanticGraph): A built graph.
        groups (Sequence[int], optional): ``(n_fine,)`` superclass of each fine class.
        group_names (Sequence[str], optional): A name per superclass.
        plain_limit (int): One level with at most this many classes stays one block.
    """
    n_fine = graph.num_fine
    groups, names = check_groups(groups, group_names, n_fine)
    sim = np.asarray(graph.similarity, np.float64)[:n_fine, :n_fine]
    if groups is None and n_fine <= plain_limit:
        return ClassGroups(np.arange(n_fine), [(0, n_fine)], ['all classes'], [-1], 'all')
    if groups is None:
        return _clusters(graph, sim)
    return _superclasses(graph, sim, groups, names)


def _superclasses(graph, sim: np.ndarray, groups: np.ndarray,
                  names: Optional[List[str]]) -> ClassGroups:
    """Superclasses in the leaf order of their mean similarity, classes by leaf order."""
    num = int(groups.max()) + 1
    names = names or _parent_names(graph, num) or [f'group {g}' for g in range(num)]
    present = np.unique(groups)
    means = block_means(sim, np.searchsorted(present, groups), len(present))
    shown = present[leaf_order(means)]  # superclass ids in drawing order
    rank = np.zeros(num, dtype=np.int64)
    rank[shown] = np.arange(len(shown))
    nodes = _parent_nodes(graph, num, names)
    return _assemble(rank[groups], leaf_order(sim), [names[g] for g in shown],
                     [nodes[g] for g in shown], 'superclass')


def _assemble(labels, leaves, names, coarse_nodes, kind) -> ClassGroups:
    """Order by group (in drawing order), then by dendrogram leaf within a group."""
    position = np.empty(len(leaves), dtype=np.int64)
    position[leaves] = np.arange(len(leaves))
    order = np.lexsort((position, labels))
    counts = np.bincount(labels, minlength=len(names))
    ends = np.cumsum(counts)
    spans = [(int(e - c), int(e)) for c, e in zip(counts, ends)]
    coarse = coarse_nodes if coarse_nodes is not None else [-1] * len(names)
    return ClassGroups(order, spans, list(names), list(coarse), kind)


def _clusters(graph, sim: np.ndarray) -> ClassGroups:
    """About ``sqrt(n)`` Ward clusters, numbered in leaf order, named by their medoid."""
    from scipy.cluster.hierarchy import fcluster, leaves_list
    tree = _ward(sim)
    labels = fcluster(tree, max(2, round(len(sim) ** 0.5)), 'maxclust') - 1
    leaves = leaves_list(tree)
    renumber = {}
    for leaf in leaves:
        renumber.setdefault(int(labels[leaf]), len(renumber))
    labels = np.array([renumber[int(c)] for c in labels])
    names = []
    for cluster in range(len(renumber)):
        ids = np.flatnonzero(labels == cluster)
        medoid = ids[np.argmax(sim[np.ix_(ids, ids)].sum(axis=1))]
        names.append(short_name(graph.node_names[medoid], 24))
    return _assemble(labels, leaves, names, None, 'cluster')


def _parent_ids(graph) -> List[int]:
    """Node ids of the level just above the fine one."""
    levels = list(graph.node_levels)
    return [i for i, level in enumerate(levels) if level == levels[0] - 1]


def _parent_names(graph, num: int) -> Optional[List[str]]:
    ids = _parent_ids(graph)
    return [graph.node_names[i] for i in ids] if len(ids) == num else None


def _parent_nodes(graph, num: int, names: List[str]) -> List[int]:
    """Superclass node of each group: the parent level's nodes when they match."""
    ids = _parent_ids(graph)
    if len(ids) == num and [graph.node_names[i] for i in ids] == list(names):
        return ids
    return [-1] * num
