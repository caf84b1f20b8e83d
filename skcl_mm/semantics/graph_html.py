"""An interactive, offline HTML view of a semantic graph (plotly).

:func:`write_graph_html` writes one self-contained file: every node with its
level and superclass, the Top-K neighbours of every fine class with their
similarities (the directed edges of the graph), a search box that selects a
class and shows its neighbours and who points to it, and a scatter of a 2-D
PCA of the text embeddings coloured by superclass (click a point to select
it). plotly.js is inlined, so the file opens without internet; ``#class=NAME``
in the URL selects a class (the page's links use it, so a selection is a link).
"""
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .graph import SemanticGraph
from .graph_html_page import render_page, script_json

# Above this many superclasses the fine classes share one trace (no legend).
_MAX_LEGEND_GROUPS = 24
# Names are drawn on the scatter up to this many classes (superclass nodes).
_MAX_LABELS = (150, 60)
# Above this many nodes the scatter is drawn with WebGL (SVG redraws take
# about a second per selection at 14,000 nodes).
_MAX_SVG_NODES = 5000


def pca_2d(embeddings: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The first two principal components of the embeddings, scaled to [-1, 1].

    Args:
        embeddings (np.ndarray): ``(n, D)`` node embeddings.

    Returns:
        tuple: ``(n, 2)`` float64 coordinates and ``(2,)`` the fraction of
        the variance each axis explains. Signs are fixed (the largest loading
        of each axis is positive), so the layout is a pure function of the
        embeddings.
    """
    emb = np.asarray(embeddings, dtype=np.float64)
    centred = emb - emb.mean(axis=0, keepdims=True)
    # Top eigenvectors of the (D, D) scatter matrix = top right singular
    # vectors of the (n, D) data (the test compares them with an SVD); at
    # n = 14,000, D = 384 on the 2-core CPU: 4-17 s for the SVD, 0.4-0.7 s here.
    eigvals, eigvecs = np.linalg.eigh(centred.T @ centred)
    top = np.argsort(eigvals)[::-1][:2]
    axes = eigvecs[:, top].T  # (2, D)
    axes *= np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(1)])[:, None]
    xy = np.zeros((len(emb), 2))
    xy[:, :len(axes)] = centred @ axes.T
    xy /= max(float(np.abs(xy).max()), 1e-12)
    var = np.zeros(2)
    total = float(np.clip(eigvals, 0, None).sum())
    var[:len(axes)] = np.clip(eigvals[top], 0, None) / total if total > 0 else 0.0
    return xy, var


def node_groups(graph: SemanticGraph, groups: Optional[Sequence[int]],
                group_names: Optional[Sequence[str]]) -> Tuple[List[int], List[str]]:
    """The superclass of every node (-1: none) and the superclass names.

    A fine class takes its entry of ``groups``; the node of superclass g is
    the one of the next coarser level named ``group_names[g]``.

    Raises:
        ValueError: ``groups`` is not one index per fine class in
            ``[0, len(group_names))``, or ``group_names`` comes without
            ``groups``.
    """
    n_fine, n = graph.num_fine, len(graph.node_names)
    if groups is None:
        if group_names is not None:
            raise ValueError('write_graph_html: group_names was given without '
                             'groups; pass groups (the superclass index of each '
                             'fine class) too, or neither.')
        return [-1] * n, []
    ids = np.asarray(groups)
    if ids.shape != (n_fine, ) or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f'write_graph_html: groups must be {n_fine} integer '
                         f'superclass indices (one per fine class), got shape '
                         f'{ids.shape} of {ids.dtype}; pass fine_to_level[-2].')
    names = ([str(s) for s in group_names] if group_names is not None
             else [f'group {g}' for g in range(int(ids.max()) + 1)])
    if ids.min() < 0 or ids.max() >= len(names):
        raise ValueError(f'write_graph_html: groups must lie in [0, {len(names)}) '
                         f'for {len(names)} group_names, got {int(ids.min())}..'
                         f'{int(ids.max())}; pass the names of the level above '
                         'the fine one (level_classes[-2]).')
    result = ids.tolist() + [-1] * (n - n_fine)
    index = {name: g for g, name in reversed(list(enumerate(names)))}
    levels = graph.node_levels
    for i in range(n_fine, n):
        if levels[i] == levels[0] - 1:
            result[i] = index.get(graph.node_names[i], -1)
    return result, names


def page_data(graph: SemanticGraph, xy: np.ndarray, groups: List[int],
              group_names: List[str]) -> dict:
    """What the page's script reads: names, levels, superclasses, edges, layout."""
    nbrs = graph.neighbours.numpy().astype(np.int64)
    sims = np.asarray(graph.similarity)[np.arange(graph.num_fine)[:, None], nbrs]
    return dict(names=list(graph.node_names), levels=[int(v) for v in graph.node_levels],
                fineLevel=int(graph.node_levels[0]), groups=groups,
                groupNames=group_names, neighbours=nbrs.tolist(),
                similarity=np.round(sims.astype(np.float64), 4).tolist(), k=graph.num_neighbours,
                mode=graph.mode, xy=np.round(xy, 4).tolist(),
                labelled=_labelled(graph.num_fine, len(graph.node_names)))


def _labelled(n_fine: int, n: int) -> List[int]:
    """1 for the nodes whose names the scatter draws (few enough of their kind)."""
    return ([int(n_fine <= _MAX_LABELS[0])] * n_fine
            + [int(n - n_fine <= _MAX_LABELS[1])] * (n - n_fine))


def _trace(scatter, ids: np.ndarray, data: dict, xy: np.ndarray, **kwargs):
    """One scatter trace of the nodes ``ids``: id as customdata, hover text."""
    def hover(i):
        group = data['groupNames'][data['groups'][i]] if data['groups'][i] >= 0 else '-'
        return f"{data['names'][i]}<br>level {data['levels'][i]}, superclass {group}"
    labels = len(ids) > 0 and bool(data['labelled'][ids[0]])
    return scatter(x=xy[ids, 0], y=xy[ids, 1], customdata=ids,
                   mode='markers+text' if labels else 'markers',
                   text=[data['names'][i] for i in ids] if labels else None,
                   textposition='top center',
                   textfont=dict(size=10 if len(data['names']) <= 50 else 8),
                   hovertext=[hover(i) for i in ids], hoverinfo='text', **kwargs)


def _node_traces(go, data: dict, xy: np.ndarray, size: int) -> list:
    """Fine classes (a trace per superclass when few, for the legend), then
    the superclass nodes as diamonds; WebGL above ``_MAX_SVG_NODES`` nodes."""
    from plotly.colors import qualitative
    palette = qualitative.Dark24
    n_fine, n = len(data['neighbours']), len(data['names'])
    scatter = go.Scattergl if n > _MAX_SVG_NODES else go.Scatter
    groups = np.asarray(data['groups'])
    fine = np.arange(n_fine)
    traces = []
    if 0 < len(data['groupNames']) <= _MAX_LEGEND_GROUPS:
        for g, name in enumerate(data['groupNames']):
            traces.append(_trace(scatter, fine[groups[:n_fine] == g], data, xy, name=name,
                                 marker=dict(size=size, color=palette[g % len(palette)])))
    else:
        colours = [palette[g % len(palette)] if g >= 0 else '#4c78a8' for g in groups[:n_fine]]
        traces.append(_trace(scatter, fine, data, xy, name='classes',
                             marker=dict(size=size, color=colours)))
    if n > n_fine:
        colours = [palette[g % len(palette)] if g >= 0 else '#555555' for g in groups[n_fine:]]
        traces.append(_trace(scatter, np.arange(n_fine, n), data, xy, name='superclasses',
                             marker=dict(size=size + 4, symbol='diamond', color=colours,
                                         line=dict(width=1, color='black'))))
    return traces


def build_figure(data: dict, xy: np.ndarray, explained: np.ndarray) -> dict:
    """The scatter as plotly JSON ``{data, layout, config}``; the last trace
    (empty) is where the page draws the selected class and its neighbours."""
    import plotly.graph_objects as go
    n = len(data['names'])
    size = 9 if n <= 300 else (6 if n <= 3000 else 4)
    # Same kind as the node traces: a WebGL canvas covers SVG traces.
    scatter, font = ((go.Scattergl, {}) if n > _MAX_SVG_NODES
                     else (go.Scatter, dict(shadow='auto')))
    selected = scatter(x=[], y=[], customdata=[], name='selected', mode='markers+text',
                       textposition='bottom center', hoverinfo='skip', showlegend=False,
                       textfont=dict(size=11, color='#c0392b', **font),
                       marker=dict(size=size + 6, color='rgba(0,0,0,0)',
                                   line=dict(width=2, color='#c0392b')))
    fig = go.Figure(_node_traces(go, data, xy, size) + [selected])
    fig.update_layout(template='plotly_white', margin=dict(l=40, r=10, t=30, b=40),
                      hovermode='closest', legend=dict(itemsizing='constant'),
                      xaxis_title=f'PC 1 ({100 * explained[0]:.1f}% of the variance)',
                      yaxis_title=f'PC 2 ({100 * explained[1]:.1f}%)',
                      title=dict(text='Text embeddings, PCA to 2-D', font=dict(size=13)))
    figure = fig.to_plotly_json()
    return dict(data=figure['data'], layout=figure['layout'],
                config=dict(displaylogo=False, responsive=True))


def write_graph_html(graph: SemanticGraph, path: str,
                     groups: Optional[Sequence[int]] = None,
                     group_names: Optional[Sequence[str]] = None) -> str:
    """Write the interactive view of ``graph`` to ``path`` (one offline file).

    Args:
        graph (SemanticGraph): A built graph (``neighbours`` ``(n_fine, K)``,
            ``similarity`` ``(n, n)``, ``embeddings`` ``(n, D)``).
        path (str): The ``.html`` file to write (its folder is created).
        groups (Sequence[int], optional): ``(n_fine,)`` superclass of each
            fine class (``fine_to_level[-2]``). None: no superclasses.
        group_names (Sequence[str], optional): Superclass names
            (``level_classes[-2]``).

    Returns:
        str: ``path``. Open it in a browser; ``path#class=NAME`` opens with
        that class selected.
    """
    from plotly.offline import get_plotlyjs
    from plotly.utils import PlotlyJSONEncoder
    node_group, names = node_groups(graph, groups, group_names)
    xy, explained = pca_2d(graph.embeddings)
    data = page_data(graph, xy, node_group, names)
    figure = build_figure(data, xy, explained)
    n, n_fine = len(graph.node_names), graph.num_fine
    summary = (f'{n} nodes ({n_fine} classes'
               + (f', {n - n_fine} superclass nodes), ' if n > n_fine else '), ')
               + f'Top-{graph.num_neighbours} neighbours of each class, mode '
               f'{graph.mode}, text {graph.source}, encoder {graph.encoder}')
    page = render_page('Semantic graph', summary, script_json(data),
                       script_json(figure, PlotlyJSONEncoder), get_plotlyjs())
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(page)
    return path
