"""The multi-granularity semantic graph: node ids, similarity and Top-K neighbours.

Nodes are the classes of every level. Node ids: the finest level's classes
first (node y = fine class y), then each coarser level in turn going up; the
dataset's ``level_classes`` lists levels coarsest first, and :func:`node_names`
/ :func:`node_levels` are the one place that converts. For a fine class y,
``I_y`` holds the K nodes j != y of largest cosine similarity S(y, j) among the
candidates of the mode; modes, candidate sets and K are decided in
:mod:`skcl_mm.semantics.graph_contract`.

Ties are broken by the smaller node id, so a graph is a pure function of the
similarity matrix.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from .descriptions import check_descriptions
from .encoder import build_encoder
from .graph_cache import (default_cache_dir, embedding_cache_key,
                          graph_cache_key, load_cached, save_cached)
from .graph_checks import (check_level_classes, check_node_levels,
                           check_similarity)
from .graph_contract import (candidate_key, candidate_mask, normalize_mode,
                             resolve_num_neighbours)
from .graph_diagnostics import warn_hubs

TEXT_SOURCES = ('descriptions', 'names')


def node_names(level_classes: Sequence[Sequence[str]]) -> List[str]:
    """Node names in node-id order: finest level first, then coarser ones.

    Args:
        level_classes (Sequence[Sequence[str]]): Class names per level,
            coarsest first (the dataset's ``level_classes``).

    Example:
        >>> node_names([['vehicle', 'animal'], ['car', 'cat', 'ship']])
        ['car', 'cat', 'ship', 'vehicle', 'animal']
    """
    return [str(name) for names in reversed(level_classes) for name in names]


def node_levels(level_classes: Sequence[Sequence[str]]) -> List[int]:
    """The level of every node in node-id order (0 = coarsest, as in the dataset).

    Example:
        >>> node_levels([['vehicle', 'animal'], ['car', 'cat', 'ship']])
        [1, 1, 1, 0, 0]
    """
    n_levels = len(level_classes)
    return [level for level in reversed(range(n_levels))
            for _ in level_classes[level]]


def node_texts(level_classes: Sequence[Sequence[str]],
               descriptions: Optional[Dict[str, str]] = None,
               source: str = 'descriptions',
               description_file: Optional[str] = None) -> List[str]:
    """The text embedded for every node, in node-id order.

    Args:
        level_classes (Sequence[Sequence[str]]): Class names, coarsest first.
        descriptions (dict[str, str], optional): Class name -> description.
            Required when ``source='descriptions'``.
        source (str): ``'descriptions'`` (the LLM descriptions) or ``'names'``
            (the paper's "original label semantics": the class name itself,
            underscores as spaces).
        description_file (str, optional): Where ``descriptions`` came from,
            named in the error's generate command.

    Raises:
        MissingDescriptionsError: A class has no (or an empty) description;
            the message lists them and the command that generates them.
    """
    names = node_names(level_classes)
    if source == 'names':
        return [name.replace('_', ' ') for name in names]
    if source != 'descriptions':
        raise ValueError(f'Unknown text source {source!r}; expected one of '
                         f'{TEXT_SOURCES}.')
    check_descriptions(descriptions or {}, level_classes, out=description_file)
    return [str(descriptions[name]) for name in names]


def cosine_similarity(embeddings: np.ndarray) -> np.ndarray:
    """Symmetric cosine similarity with a unit diagonal.

    Args:
        embeddings (np.ndarray): ``(n, D)`` node embeddings.

    Returns:
        np.ndarray: ``(n, n)`` float32 similarity S.
    """
    emb = np.asarray(embeddings, dtype=np.float64)
    emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    sim = emb @ emb.T
    sim = 0.5 * (sim + sim.T)  # exact symmetry despite rounding
    np.fill_diagonal(sim, 1.0)
    return sim.astype(np.float32)


def level_sizes(levels: Sequence[int]) -> list:
    """Classes per level, coarsest first, from the level of every node."""
    levels = np.asarray(levels)
    return [int((levels == level).sum()) for level in range(int(levels.max()) + 1)]


def top_k_neighbours(similarity: np.ndarray, levels: Sequence[int],
                     mode: str = 'both', num_neighbours: int = 2,
                     fine_to_level=None) -> torch.Tensor:
    """``I_y`` for every fine class: the K most similar candidates, ties by node id.

    Args:
        similarity (np.ndarray): ``(n, n)`` node similarity S.
        levels (Sequence[int]): ``(n,)`` level of every node; the fine nodes
            come first and carry the largest level.
        mode (str): ``'both'``, ``'F-F'`` or ``'C-F'``.
        num_neighbours (int): K. Larger than the candidate set: clamped, with
            a warning.
        fine_to_level (optional): ``(n_levels, n_fine)`` label tree, for
            ``'C-F-parent'`` (see :mod:`~skcl_mm.semantics.graph_contract`).

    Returns:
        torch.Tensor: ``(n_fine, K)`` int64 node ids, most similar first.
    """
    levels = check_node_levels(levels)
    n_fine = int((levels == levels[0]).sum())
    sim = np.asarray(similarity, dtype=np.float64)
    if sim.shape != (len(levels), len(levels)):
        raise ValueError(f'similarity must be ({len(levels)}, {len(levels)}) '
                         f'for {len(levels)} nodes, got {sim.shape}.')
    check_similarity(sim, n_fine)
    mask = candidate_mask(levels, n_fine, mode, fine_to_level)
    k = resolve_num_neighbours(num_neighbours, mode, level_sizes(levels),
                               'num_neighbours')
    scores = np.where(mask, sim[:n_fine], -np.inf)
    order = np.argsort(-scores, axis=1, kind='stable')[:, :k]
    return torch.from_numpy(np.ascontiguousarray(order, dtype=np.int64))


@dataclass
class SemanticGraph:
    """A built graph.

    Attributes:
        neighbours (torch.Tensor): ``(n_fine, K)`` int64 node ids ``I_y``.
        similarity (np.ndarray): ``(n, n)`` float32 cosine similarity.
        embeddings (np.ndarray): ``(n, D)`` float32 unit-norm text embeddings.
        node_names (list[str]): ``n`` names in node-id order.
        node_levels (list[int]): ``n`` levels (0 = coarsest).
        mode (str): ``'both'``, ``'F-F'`` or ``'C-F'``.
        source (str): ``'descriptions'`` or ``'names'``.
        encoder (str): Identity of the embedding model.
        from_cache (bool): Whether the arrays came from the cache.
    """
    neighbours: torch.Tensor
    similarity: np.ndarray
    embeddings: np.ndarray
    node_names: List[str]
    node_levels: List[int]
    mode: str
    source: str
    encoder: str
    from_cache: bool = False

    @property
    def num_fine(self) -> int:
        return int(self.neighbours.shape[0])

    @property
    def num_neighbours(self) -> int:
        return int(self.neighbours.shape[1])

    def neighbours_of(self, fine_class: int) -> List[tuple]:
        """``[(name, similarity), ...]`` of the Top-K neighbours of a fine class."""
        return [(self.node_names[j], float(self.similarity[fine_class, j]))
                for j in self.neighbours[fine_class].tolist()]

    def format_neighbours(self, classes: Optional[Sequence[int]] = None) -> str:
        """One line per fine class: ``name -> nbr (0.61), nbr (0.55)``."""
        classes = range(self.num_fine) if classes is None else classes
        lines = []
        for y in classes:
            links = ', '.join(f'{name} ({score:.3f})'
                              for name, score in self.neighbours_of(y))
            lines.append(f'{self.node_names[y]} -> {links or "(none)"}')
        return '\n'.join(lines)


def build_semantic_graph(level_classes: Sequence[Sequence[str]],
                         descriptions: Optional[Dict[str, str]] = None,
                         mode: str = 'both', num_neighbours: int = 2,
                         source: str = 'descriptions', encoder=None,
                         cache_dir=None,
                         description_file: Optional[str] = None,
                         fine_to_level=None) -> SemanticGraph:
    """Embed every node's text and take the Top-K neighbours of each fine class.

    Args:
        level_classes (Sequence[Sequence[str]]): Class names, coarsest first.
        descriptions (dict[str, str], optional): Class name -> text, for
            ``source='descriptions'``.
        mode (str): ``'both'``, ``'F-F'`` or ``'C-F'``.
        num_neighbours (int): K.
        source (str): ``'descriptions'`` or ``'names'``.
        encoder: A :class:`SentenceEncoder`, a model name/path, a dict of its
            arguments or None (all-MiniLM-L6-v2, offline).
        cache_dir (str | bool, optional): Cache directory; None: the default
            (``$SKCL_MM_CACHE`` or ``~/.cache/skcl_mm``); False: no cache.
        description_file (str, optional): Source of ``descriptions``, named
            in the error when some are missing.
        fine_to_level (optional): ``(n_levels, n_fine)`` label tree (the
            dataset's metainfo), needed by mode ``'C-F-parent'``.

    Returns:
        SemanticGraph: The graph; a cache hit does not load the encoder.

    Warns:
        SemanticGraphHubWarning: A fine class is a neighbour of far more
            classes than a random table makes it (named, with those classes;
            :mod:`skcl_mm.semantics.graph_diagnostics`).
    """
    mode = normalize_mode(mode)
    level_classes = check_level_classes(level_classes)
    texts = node_texts(level_classes, descriptions, source, description_file)
    names, levels = node_names(level_classes), node_levels(level_classes)
    k = resolve_num_neighbours(num_neighbours, mode,
                               [len(names) for names in level_classes],
                               'num_neighbours')
    encoder = build_encoder(encoder)
    cache_dir = default_cache_dir() if cache_dir is None else cache_dir
    key = graph_cache_key(texts, names, levels, encoder.identity,
                          candidate_key(mode, levels, fine_to_level), k)
    cached = load_cached(cache_dir, 'semantic_graphs', key) if cache_dir else None
    if cached is not None and _cache_matches(cached, names, k):
        warn_hubs(cached['neighbours'], levels, mode, names, fine_to_level)
        return SemanticGraph(torch.from_numpy(cached['neighbours'].astype(np.int64)),
                             cached['similarity'], cached['embeddings'], names,
                             levels, mode, source, encoder.identity, True)
    embeddings = _embed(texts, encoder, cache_dir)
    similarity = cosine_similarity(embeddings)
    neighbours = top_k_neighbours(similarity, levels, mode, k, fine_to_level)
    if cache_dir:
        save_cached(cache_dir, 'semantic_graphs', key, dict(
            embeddings=embeddings, similarity=similarity,
            neighbours=neighbours.numpy(), node_names=np.array(names),
            node_levels=np.array(levels, dtype=np.int64)))
    warn_hubs(neighbours.numpy(), levels, mode, names, fine_to_level)
    return SemanticGraph(neighbours, similarity, embeddings, names, levels,
                         mode, source, encoder.identity, False)


def _embed(texts: List[str], encoder, cache_dir) -> np.ndarray:
    """``(n, D)`` embeddings of ``texts``, from the cache when there."""
    key = embedding_cache_key(texts, encoder.identity)
    cached = load_cached(cache_dir, 'embeddings', key) if cache_dir else None
    if cached is not None and len(cached['embeddings']) == len(texts):
        return cached['embeddings']
    embeddings = encoder.encode(texts)
    if cache_dir:
        save_cached(cache_dir, 'embeddings', key, dict(embeddings=embeddings))
    return embeddings


def _cache_matches(cached: Dict[str, np.ndarray], names: List[str], k: int) -> bool:
    """A cache entry describes these nodes and this K."""
    n = len(names)
    return (list(cached['node_names']) == names
            and cached['similarity'].shape == (n, n)
            and cached['neighbours'].shape[1:] == (k, ))
