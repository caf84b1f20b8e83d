"""Is a semantic graph any good? Hubs, superclass links, similarity, confusions.

Pure functions of a built graph's arrays (the ``(n_fine, K)`` neighbour table
``I``, node levels, the similarity S), of a hierarchy (``fine_to_level``) and
of a model's per-class confusions. :func:`diagnose` gathers them for
``tools/analyze_graph.py``; :func:`hub_warning` is what
:func:`~skcl_mm.semantics.graph.build_semantic_graph` warns with.

* **Hub**: a fine class that is a Top-K neighbour of far more classes than a
  random table would make it. In a random table every class picks K of its
  ``c`` candidates uniformly, so the in-degree of a fine class j sums a
  Bernoulli(K / c) over the classes that have j as a candidate
  (Binomial(n_fine - 1, K / c) in modes ``'both'`` and ``'F-F'``); a hub is
  above its mean + ``HUB_SIGMAS`` standard deviations. Superclass nodes are
  left out: being the common target of their members is the hierarchy working.
* **Within / cross**: a link ``y -> j`` stays inside when ``j`` is a class of
  y's superclass or one of y's own ancestors; else it crosses subtrees.
* **Agreement**: the share of each class's fine neighbours that are among its
  top-K confusions, against chance ``|T_y| / (n_fine - 1)``.
"""
import warnings
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .graph_contract import ancestor_nodes, candidate_mask

HUB_SIGMAS = 3.0
DUPLICATE_THRESHOLD = 0.9  # MiniLM cosine of two class descriptions


class SemanticGraphHubWarning(UserWarning):
    """A fine class is the Top-K neighbour of far more classes than chance."""


def random_in_degree(mask: np.ndarray, k: int) -> Tuple[np.ndarray, np.ndarray]:
    """Mean and std of every fine class's in-degree in a random table.

    Args:
        mask (np.ndarray): ``(n_fine, n)`` candidates (``candidate_mask``).
        k (int): K.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(n_fine,)`` means ``sum_y p_y`` and
        stds ``sqrt(sum_y p_y (1 - p_y))`` over the classes y that have the
        class as a candidate, ``p_y = K / (candidates of y)``.
    """
    n_fine = mask.shape[0]
    p = np.minimum(1.0, k / np.maximum(mask.sum(axis=1), 1))[:, None]  # (n_fine, 1)
    fine = mask[:, :n_fine]
    return (fine * p).sum(axis=0), np.sqrt((fine * p * (1.0 - p)).sum(axis=0))


def find_hubs(neighbours, levels: Sequence[int], mode: str, fine_to_level=None) -> dict:
    """The in-degree of every fine class and the hubs among them.

    Args:
        neighbours (array): ``(n_fine, K)`` node ids ``I_y``.
        levels (Sequence[int]): ``(n,)`` level of every node, fine nodes first.
        mode (str): A graph mode.
        fine_to_level (array, optional): ``(L, n_fine)``, for tree modes.

    Returns:
        dict: ``in_degree`` (n_fine,) list; ``mean``, ``std``, ``threshold`` of
        the random table (the largest over the classes; every fine class has
        the same in the shipped modes); ``hubs``: ``{node, in_degree,
        sources}`` (class ids), highest in-degree first.
    """
    table = np.asarray(neighbours, dtype=np.int64)
    n_fine, k = table.shape
    mean, std = random_in_degree(candidate_mask(levels, n_fine, mode, fine_to_level), k)
    limit = mean + HUB_SIGMAS * std
    degree = np.bincount(table.ravel(), minlength=len(levels))[:n_fine]
    hubs = [dict(node=int(j), in_degree=int(degree[j]),
                 sources=[int(y) for y in np.flatnonzero((table == j).any(axis=1))])
            for j in np.argsort(-degree, kind='stable') if degree[j] > limit[j]]
    top = int(np.argmax(limit))
    return dict(in_degree=degree.tolist(), mean=float(mean[top]),
                std=float(std[top]), threshold=float(limit[top]), hubs=hubs)


def hub_warning(hubs: dict, names: Sequence[str], k: int, shown: int = 5) -> Optional[str]:
    """The build-time warning for the hubs of :func:`find_hubs` (None: no hub).

    Args:
        hubs (dict): What :func:`find_hubs` returns.
        names (Sequence[str]): ``(n,)`` node names.
        k (int): K, named in the message.
        shown (int): Hubs named; the others are counted.
    """
    found = hubs['hubs']
    if not found:
        return None
    listed = '; '.join(
        f"{names[h['node']]!r} of {h['in_degree']} ("
        + ', '.join(repr(names[y]) for y in h['sources'][:8])
        + (', ...' if len(h['sources']) > 8 else '') + ')' for h in found[:shown])
    more = f'; and {len(found) - shown} more' if len(found) > shown else ''
    return (
        f'semantic graph: {len(found)} class(es) are Top-{k} neighbours of far more '
        f'classes than a random table makes them (in-degree above {hubs["threshold"]:.2f}'
        f' = mean {hubs["mean"]:.2f} + {HUB_SIGMAS:g} std {hubs["std"]:.2f}): {listed}'
        f'{more}. A hub pulls all those classes toward its one prototype. Check its '
        'description (generic wording, other classes named in it) against theirs, '
        'or lower K (contrastive_loss num_neighbours); python tools/analyze_graph.py '
        'CONFIG reports hubs, superclass links and agreement with confusions.')


def warn_hubs(neighbours, levels: Sequence[int], mode: str, names: Sequence[str],
              fine_to_level=None) -> None:
    """Warn (:class:`SemanticGraphHubWarning`) when the table has a hub."""
    table = np.asarray(neighbours)
    if table.size == 0:
        return
    hubs = find_hubs(table, levels, mode, fine_to_level)
    message = hub_warning(hubs, names, table.shape[1])
    if message:
        warnings.warn(message, SemanticGraphHubWarning, stacklevel=3)


def neighbour_scopes(neighbours, levels: Sequence[int], fine_to_level, mode: str,
                     similarity: np.ndarray) -> Optional[dict]:
    """How many links stay inside the own superclass and how many cross subtrees.

    Args:
        neighbours (array): ``(n_fine, K)`` node ids.
        levels (Sequence[int]): ``(n,)`` node levels.
        fine_to_level (array, optional): ``(L, n_fine)``, coarsest first, of
            the graph's levels, or of a grouping of a one-level graph's
            classes (no superclass nodes then); None or one level: None (no
            superclass to stay in).
        mode (str): The graph mode (its candidates give the chance share).
        similarity (np.ndarray): ``(n, n)`` S, for the cross links' order.

    Returns:
        dict: ``links``; counts ``sibling`` (a class of the same superclass),
        ``ancestor`` (an own superclass node), ``cross_class``,
        ``cross_node`` (a class / superclass node of another subtree);
        ``within_share``, ``chance_within_share`` (mean share of within
        candidates); ``cross``: ``(y, j, S)`` most similar first.
    """
    if fine_to_level is None or len(fine_to_level) < 2:
        return None
    table = np.asarray(neighbours, dtype=np.int64)
    n_fine = table.shape[0]
    parent = np.asarray(fine_to_level[-2], dtype=np.int64)
    within = np.zeros((n_fine, len(levels)), dtype=bool)
    within[:, :n_fine] = parent[:, None] == parent[None, :]
    if len(levels) > n_fine:  # superclass nodes in the graph: its own count
        within[np.arange(n_fine)[:, None], ancestor_nodes(levels, fine_to_level)] = True
    counts = dict(sibling=0, ancestor=0, cross_class=0, cross_node=0)
    cross = []
    for y, j in ((y, int(j)) for y in range(n_fine) for j in table[y]):
        kind = ('sibling' if j < n_fine else 'ancestor') if within[y, j] else (
            'cross_class' if j < n_fine else 'cross_node')
        counts[kind] += 1
        if kind.startswith('cross'):
            cross.append((y, j, float(similarity[y, j])))
    mask = candidate_mask(levels, n_fine, mode, _tree_of(levels, fine_to_level))
    chance = (within & mask).sum(1) / np.maximum(mask.sum(1), 1)
    links = table.size
    return dict(links=links, **counts,
                within_share=(counts['sibling'] + counts['ancestor']) / max(links, 1),
                chance_within_share=float(chance.mean()),
                cross=sorted(cross, key=lambda link: -link[2]))


def _tree_of(levels: Sequence[int], fine_to_level):
    """``fine_to_level`` when it describes the graph's own levels, else None."""
    same = fine_to_level is not None and len(fine_to_level) == len(set(levels))
    return fine_to_level if same else None


def similarity_summary(similarity: np.ndarray, neighbours,
                       threshold: float = DUPLICATE_THRESHOLD, top: int = 5) -> dict:
    """Range of S off the diagonal, of the chosen links, and near-duplicates.

    Args:
        similarity (np.ndarray): ``(n, n)`` S.
        neighbours (array): ``(n_fine, K)`` node ids (the chosen links).
        threshold (float): Node pairs with S above it are near-duplicates.
        top (int): The most similar pairs listed whatever their S.

    Returns:
        dict: ``min``, ``median``, ``max`` over node pairs; ``links_min``,
        ``links_median`` over the chosen links (None without links);
        ``threshold``; ``duplicates`` and ``most_similar``: ``(a, b, S)``.
    """
    sim = np.asarray(similarity, dtype=np.float64)
    rows, cols = np.triu_indices(len(sim), 1)
    values = sim[rows, cols]
    order = np.argsort(-values, kind='stable')
    pairs = [(int(rows[i]), int(cols[i]), float(values[i])) for i in order]
    table = np.asarray(neighbours, dtype=np.int64)
    chosen = sim[np.arange(table.shape[0])[:, None], table].ravel()
    return dict(min=float(values.min()), median=float(np.median(values)),
                max=float(values.max()),
                links_min=float(chosen.min()) if chosen.size else None,
                links_median=float(np.median(chosen)) if chosen.size else None,
                threshold=threshold,
                duplicates=[p for p in pairs if p[2] > threshold],
                most_similar=pairs[:top])


def confusion_agreement(neighbours, confusions: Sequence[Sequence[Tuple[int, int]]],
                        k: Optional[int] = None) -> dict:
    """Are the semantic neighbours the classes the model confuses?

    For class y, ``N_y`` = its fine neighbours (superclass nodes cannot be
    predicted) and ``T_y`` = its first ``k`` confusions. Over the classes
    with both: ``agreement = sum |N_y & T_y| / sum |N_y|``; chance, were
    ``T_y`` drawn at random from the other classes,
    ``sum |N_y| |T_y| / (n_fine - 1) / sum |N_y|`` (``k / (n_fine - 1)``
    when every class has ``k`` confusions).

    Args:
        neighbours (array): ``(n_fine, K)`` node ids.
        confusions (Sequence): ``n_fine`` lists of ``(class, count)``, most
            frequent first (``LongTailAccuracy``'s ``top_confusions``).
        k (int, optional): Confusions compared per class; default K.

    Returns:
        dict: ``k``, ``agreement``, ``chance`` (None when no class counts),
        ``shared``, ``compared`` (sum of ``|N_y|``), ``classes`` (counted),
        ``without_errors`` (classes skipped), ``coarse_links`` (left out),
        ``rows``: per class ``(y, N_y, T_y with counts, shared ids)``.
    """
    table = np.asarray(neighbours, dtype=np.int64)
    n_fine, k_graph = table.shape
    k = k_graph if k is None else k
    if len(confusions) != n_fine:
        raise ValueError(f'confusions: expected {n_fine} lists (one per fine class), '
                         f'got {len(confusions)}.')
    shared = compared = expected = counted = without = 0
    rows = []
    for y in range(n_fine):
        fine = [int(j) for j in table[y] if j < n_fine]
        top = [(int(j), int(n)) for j, n in list(confusions[y])[:k]]
        hits = [j for j in fine if j in {c for c, _ in top}]
        rows.append((y, fine, top, hits))
        if not top:
            without += 1
        elif fine:
            counted += 1
            shared, compared = shared + len(hits), compared + len(fine)
            expected += len(fine) * len(top) / max(n_fine - 1, 1)
    return dict(k=k, agreement=shared / compared if compared else None,
                chance=expected / compared if compared else None,
                shared=shared, compared=compared, classes=counted,
                without_errors=without, coarse_links=int((table >= n_fine).sum()),
                rows=rows)


def diagnose(graph, fine_to_level=None, confusions=None,
             duplicate_threshold: float = DUPLICATE_THRESHOLD) -> Dict[str, object]:
    """Every diagnostic of a :class:`~skcl_mm.semantics.graph.SemanticGraph`.

    Args:
        graph (SemanticGraph): The built graph.
        fine_to_level (array, optional): ``(L, n_fine)``, coarsest first (the
            graph's levels, or a grouping of a one-level graph's classes).
        confusions (Sequence, optional): Per fine class ``(class, count)``
            lists, most frequent first.
        duplicate_threshold (float): S above which descriptions are
            near-duplicates.

    Returns:
        dict: ``hubs``, ``scopes`` (None for one level), ``similarity``,
        ``agreement`` (None without confusions); node ids, not names.
    """
    table = graph.neighbours.numpy()
    return dict(
        hubs=find_hubs(table, graph.node_levels, graph.mode,
                       _tree_of(graph.node_levels, fine_to_level)),
        scopes=neighbour_scopes(table, graph.node_levels, fine_to_level,
                                graph.mode, graph.similarity),
        similarity=similarity_summary(graph.similarity, table, duplicate_threshold),
        agreement=None if confusions is None else confusion_agreement(table, confusions))
