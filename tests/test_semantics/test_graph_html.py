"""The interactive graph page: one offline file, rendered in headless Chromium.

The browser tests load the written file through a ``file://`` URL in Debian's
Chromium (``--dump-dom``) and read the rendered DOM: the scatter's points, the
selected class, its neighbour table and who points to it. ``#class=NAME`` is
how the page's own links, search box and clicks select a class, so it drives
the search here.
"""
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest

from skcl_mm.semantics.graph import (SemanticGraph, cosine_similarity,
                                     node_levels, node_names, top_k_neighbours)
from skcl_mm.semantics.graph_html import pca_2d, write_graph_html

CHROMIUM = shutil.which('chromium')
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason='Chromium is not installed: apt-get install -y chromium '
    '(Debian; .ci/run installs it before the tests)')
ODD = '<b>odd</b> & "co"'
LEVEL_CLASSES = [['animals', 'vehicles'], ['cat', 'tabby_cat', 'dog', 'car', 'truck', ODD]]
GROUPS = [0, 0, 0, 1, 1, 1]


@pytest.fixture(scope='module')
def graph():
    """A real two-level graph (cosine, Top-2, mode both) of 8-d embeddings."""
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((2, 8))  # animals, vehicles
    names, levels = node_names(LEVEL_CLASSES), node_levels(LEVEL_CLASSES)
    group_of_node = GROUPS + [0, 1]
    emb = (centres[group_of_node] + 0.6 * rng.standard_normal((len(names), 8))).astype(np.float32)
    sim = cosine_similarity(emb)
    nbrs = top_k_neighbours(sim, levels, 'both', 2)
    return SemanticGraph(nbrs, sim, emb, names, levels, 'both', 'names', 'test')


@pytest.fixture(scope='module')
def page(graph, tmp_path_factory):
    path = tmp_path_factory.mktemp('graph_html') / 'semantic_graph.html'
    assert write_graph_html(graph, str(path), GROUPS, LEVEL_CLASSES[0]) == str(path)
    return path


class RenderedPage(HTMLParser):
    """What a reader sees: body attributes, scatter points, text of tables."""

    def __init__(self, dom: str):
        super().__init__()
        self.body, self.points, self.tables, self.texts = {}, 0, {}, {}
        self._table = self._row = None
        self._open = {}  # text being collected -> the tag that closes it
        self.feed(dom)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get('class') or '').split()
        if tag == 'body':
            self.body = attrs
        self.points += 'point' in classes
        if tag == 'table' and attrs.get('id'):
            self._table = self.tables.setdefault(attrs['id'], [])
        elif tag == 'tr' and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ('td', 'th') and self._row is not None:
            self._row.append('')
        key = attrs.get('id') or ('selected' if 'selected' in classes else None)
        if key in ('match', 'selected', 'details'):
            self._open[key] = tag
            self.texts[key] = ''

    def handle_endtag(self, tag):
        if tag == 'table':
            self._table = self._row = None
        self._open = {key: t for key, t in self._open.items() if t != tag}

    def handle_data(self, data):
        if self._row:
            self._row[-1] += data
        for key in self._open:
            self.texts[key] += data

    def rows(self, table_id):
        """Data rows (no header) of a table, each cell stripped."""
        return [[c.strip() for c in row] for row in self.tables.get(table_id, [])[1:]]


def render(path: Path, fragment: str = '') -> RenderedPage:
    """Load ``path`` in headless Chromium and parse the DOM after its scripts ran."""
    profile = path.parent / 'chromium-profile'
    proc = subprocess.run(
        [CHROMIUM, '--headless', '--disable-gpu', '--no-sandbox', f'--user-data-dir={profile}',
         '--virtual-time-budget=15000', '--dump-dom', path.resolve().as_uri() + fragment],
        capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, f'chromium failed ({proc.returncode}): {proc.stderr[-2000:]}'
    return RenderedPage(proc.stdout)


def check_rendered(seen: RenderedPage, graph: SemanticGraph) -> None:
    """The scatter drew every node and the page's script finished."""
    n = len(graph.node_names)
    assert seen.body.get('data-rendered') == str(n), f'the page did not finish: {seen.body}'
    assert seen.points >= n, f'{seen.points} scatter points for {n} nodes'


def label(graph, i):
    level = graph.node_levels[i]
    return f'{level} ({"class" if level == graph.node_levels[0] else "superclass"})'


@needs_chromium
def test_search_shows_the_neighbours_and_who_points_to_the_class(graph, page):
    seen = render(page, '#class=cat')
    check_rendered(seen, graph)
    cat = graph.node_names.index('cat')
    assert seen.texts['selected'] == 'cat'
    assert seen.rows('neighbours') == [
        [str(r + 1), graph.node_names[j], label(graph, j), f'{graph.similarity[cat, j]:.3f}']
        for r, j in enumerate(graph.neighbours[cat].tolist())]
    pointers = [y for y in range(graph.num_fine) if cat in graph.neighbours[y].tolist()]
    assert sorted(row[0] for row in seen.rows('pointed-by')) == sorted(
        graph.node_names[y] for y in pointers)
    # The class list holds the matches of the search: 'cat', then 'tabby_cat'.
    assert [row[:3] for row in seen.rows('classes')] == [
        ['cat', label(graph, 0), 'animals'], ['tabby_cat', label(graph, 1), 'animals']]


@needs_chromium
@pytest.mark.parametrize('query, shown', [('Tabby%20Cat', 'tabby_cat'), ('truc', 'truck'),
                                          (quote(ODD), ODD)])
def test_search_ignores_case_and_underscores_and_shows_names_as_text(graph, page,
                                                                     query, shown):
    seen = render(page, '#class=' + query)
    check_rendered(seen, graph)
    assert seen.texts['selected'] == shown
    assert seen.texts['match'] == ''


@needs_chromium
def test_a_superclass_shows_the_classes_pointing_to_it_and_no_match_says_so(graph, page):
    seen = render(page, '#class=vehicles')
    node = graph.node_names.index('vehicles')
    pointers = [graph.node_names[y] for y in range(graph.num_fine)
                if node in graph.neighbours[y].tolist()]
    assert pointers, 'the fixture graph links some class to a superclass'
    assert seen.texts['selected'] == 'vehicles'
    assert 'no edges of its own' in seen.texts['details']
    assert 'neighbours' not in seen.tables
    assert sorted(row[0] for row in seen.rows('pointed-by')) == sorted(pointers)
    seen = render(page, '#class=zebra%')  # not valid URI encoding: taken as typed
    check_rendered(seen, graph)
    assert seen.texts['match'] == 'no class matches \u201czebra%\u201d'
    assert 'selected' not in seen.texts and seen.rows('classes') == []


@needs_chromium
@pytest.mark.parametrize('broken', ['plotly.js', 'page script'])
def test_the_render_check_fails_on_a_broken_page(graph, page, tmp_path, broken):
    text = page.read_text(encoding='utf-8')
    if broken == 'plotly.js':
        start = text.index('<script>') + len('<script>')
        text = text[:start] + 'throw new Error("no plotly");' + text[text.index('</script>'):]
    else:
        at = text.rindex("'use strict';")  # the page's own script, after plotly.js
        text = text[:at] + 'var = ;' + text[at:]
    path = tmp_path / 'broken.html'
    path.write_text(text, encoding='utf-8')
    with pytest.raises(AssertionError, match='did not finish'):
        check_rendered(render(path, '#class=cat'), graph)


def page_json(text: str, script_id: str):
    found = re.search(f'<script type="application/json" id="{script_id}">(.*?)</script>',
                      text, re.S)
    return json.loads(found.group(1))


def test_the_file_is_offline_and_holds_every_node_and_edge(graph, page):
    from plotly.offline import get_plotlyjs
    text = page.read_text(encoding='utf-8')
    assert not re.search(r'<(script|link)[^>]+(src|href)=', text), 'no outside resources'
    assert get_plotlyjs() in text
    assert ODD not in text, 'names are JSON-escaped, never raw HTML'
    data = page_json(text, 'graph-data')
    assert data['names'] == graph.node_names and data['levels'] == graph.node_levels
    assert data['groups'] == GROUPS + [0, 1] and data['groupNames'] == LEVEL_CLASSES[0]
    assert data['neighbours'] == graph.neighbours.tolist()
    rows = np.arange(graph.num_fine)[:, None]
    np.testing.assert_allclose(data['similarity'],
                               graph.similarity[rows, graph.neighbours.numpy()], atol=1e-4)
    assert page_json(text, 'figure')['data'], 'the scatter has traces'


def test_file_size_grows_by_a_few_hundred_bytes_per_class(tmp_path):
    from plotly.offline import get_plotlyjs
    n, rng = 1000, np.random.default_rng(1)
    emb = rng.standard_normal((n, 384)).astype(np.float32)
    names = [f'class_number_{i:04d}' for i in range(n)]
    sim = cosine_similarity(emb)
    nbrs = top_k_neighbours(sim, [0] * n, 'both', 4)
    graph = SemanticGraph(nbrs, sim, emb, names, [0] * n, 'both', 'names', 'test')
    path = write_graph_html(graph, str(tmp_path / 'big.html'))
    extra = Path(path).stat().st_size - len(get_plotlyjs().encode())
    assert 0 < extra < 400 * n, f'{extra} bytes besides plotly.js for {n} classes'


def test_pca_matches_an_svd_of_the_centred_embeddings():
    emb = np.random.default_rng(2).standard_normal((40, 6))
    xy, explained = pca_2d(emb)
    centred = emb - emb.mean(0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    reference = u[:, :2] * s[:2]
    reference /= np.abs(reference).max()
    np.testing.assert_allclose(np.abs(xy), np.abs(reference), atol=1e-9)
    np.testing.assert_allclose(explained, s[:2] ** 2 / (s ** 2).sum())
    xy1, explained1 = pca_2d(emb[:, :1])
    assert np.all(xy1[:, 1] == 0) and explained1[1] == 0


@pytest.mark.parametrize('groups, names, message', [
    ([0, 0, 1], ['a', 'b'], r'groups must be 6 integer superclass indices.*got shape \(3,\)'),
    ([0, 0, 0, 1, 1, 2], ['a', 'b'], r'groups must lie in \[0, 2\).*got 0\.\.2'),
    (None, ['a', 'b'], 'group_names was given without groups'),
])
def test_bad_groups_stop_before_anything_is_written(graph, tmp_path, groups, names, message):
    path = tmp_path / 'graph.html'
    with pytest.raises(ValueError, match=message):
        write_graph_html(graph, str(path), groups, names)
    assert not path.exists()

