"""The page of the interactive graph view: HTML, CSS and the search script.

:func:`render_page` fills one self-contained page: plotly.js inlined (no CDN,
the file opens offline), the graph as JSON, the figure as plotly JSON. The
script reads ``#class=NAME`` from the URL (links, the search box and clicks
on the scatter all go through it), so a selection can be shared as a link and
a headless browser can exercise the search. Class names reach the page only
through ``textContent`` (never parsed as HTML).
"""
import html
import json
import re

_TEMPLATE = r"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{TITLE}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}
header{padding:8px 16px;background:#f4f4f4;border-bottom:1px solid #ddd}
h1{font-size:18px;margin:0}h2{font-size:16px;margin:4px 0}h3{font-size:14px;margin:10px 0 4px}
.meta,.hint{color:#666}#bar{padding:8px 16px}
#search{font-size:15px;width:320px;padding:4px}#match{margin-left:10px;color:#a33}
main{display:flex;gap:12px;padding:0 16px}#plot{flex:1 1 auto;min-width:0;height:640px}
#details{flex:0 0 380px;max-height:640px;overflow:auto;border-left:1px solid #ddd;padding-left:12px}
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #eee}
td.num{font-variant-numeric:tabular-nums}.bar{display:inline-block;height:8px;background:#4c78a8}
#list{padding:0 16px 16px}#classes td:nth-child(2),#classes td:nth-child(3){white-space:nowrap}
#details td{white-space:nowrap}#details td a{white-space:normal}
a{color:#1a56a6;text-decoration:none}a:hover{text-decoration:underline}
</style></head>
<body data-rendered="0">
<header><h1>{{TITLE}}</h1><div class="meta">{{SUMMARY}}</div></header>
<div id="bar"><input id="search" list="class-names" autocomplete="off"
 placeholder="Search a class (Enter selects the best match)">
<datalist id="class-names"></datalist><span id="match"></span></div>
<main><div id="plot"></div><aside id="details"><p class="hint">Search a class or click a
point to see its Top-K neighbours, their similarities and who points to it.</p></aside></main>
<section id="list"><h2>Classes <span id="count" class="meta"></span></h2>
<table id="classes"><thead><tr><th>class</th><th>level</th><th>superclass</th>
<th>Top-K neighbours (similarity)</th></tr></thead><tbody></tbody></table></section>
<script>{{PLOTLY_JS}}</script>
<script type="application/json" id="graph-data">{{DATA}}</script>
<script type="application/json" id="figure">{{FIGURE}}</script>
<script>
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('graph-data').textContent);
  var FIG = JSON.parse(document.getElementById('figure').textContent);
  var n = D.names.length, nFine = D.neighbours.length, MAX_ROWS = 300;
  var into = D.names.map(function () { return []; });
  D.neighbours.forEach(function (row, y) {
    row.forEach(function (j, r) { into[j].push([y, D.similarity[y][r]]); });
  });
  into.forEach(function (l) { l.sort(function (a, b) { return b[1] - a[1]; }); });
  function key(s) { return s.toLowerCase().replace(/[_\s]+/g, ' ').trim(); }
  var keys = D.names.map(key);
  function matches(query) {
    var q = key(query), exact = [], prefix = [], inside = [];
    if (!q) return D.names.map(function (_, i) { return i; });
    keys.forEach(function (k, i) {
      if (k === q) exact.push(i);
      else if (k.indexOf(q) === 0) prefix.push(i);
      else if (k.indexOf(q) > 0) inside.push(i);
    });
    return exact.concat(prefix, inside);
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function link(i) {
    var a = el('a', D.names[i]);
    a.href = '#class=' + encodeURIComponent(D.names[i]);
    return a;
  }
  function levelText(i) {
    return D.levels[i] + (D.levels[i] === D.fineLevel ? ' (class)' : ' (superclass)');
  }
  function groupText(i) { return D.groups[i] >= 0 ? D.groupNames[D.groups[i]] : '\u2014'; }
  function simCell(s) {
    var td = el('td', s.toFixed(3) + ' ', 'num'), bar = el('span', undefined, 'bar');
    bar.style.width = Math.round(60 * Math.max(0, s)) + 'px';
    td.appendChild(bar);
    return td;
  }
  function row(cells) {
    var tr = el('tr');
    cells.forEach(function (c) { tr.appendChild(c instanceof Node ? wrap(c) : el('td', c)); });
    return tr;
  }
  function wrap(c) {
    if (c.tagName === 'TD') return c;
    var td = el('td');
    td.appendChild(c);
    return td;
  }
  function table(head, rows, id) {
    var t = el('table'), tr = el('tr');
    if (id) t.id = id;
    head.forEach(function (h) { tr.appendChild(el('th', h)); });
    t.appendChild(tr);
    rows.forEach(function (r) { t.appendChild(r); });
    return t;
  }
  function neighbourText(i) {
    if (i >= nFine) return 'pointed to by ' + into[i].length;
    return D.neighbours[i].map(function (j, r) {
      return D.names[j] + ' (' + D.similarity[i][r].toFixed(3) + ')';
    }).join('; ');
  }
  function fillList(ids) {
    var body = document.querySelector('#classes tbody');
    body.textContent = '';
    ids.slice(0, MAX_ROWS).forEach(function (i) {
      body.appendChild(row([link(i), levelText(i), groupText(i), neighbourText(i)]));
    });
    document.getElementById('count').textContent = ids.length > MAX_ROWS
      ? '(' + MAX_ROWS + ' of ' + ids.length + ' shown: type to narrow)'
      : '(' + ids.length + ' of ' + n + ')';
  }
  function details(i) {
    var box = document.getElementById('details');
    box.textContent = '';
    box.appendChild(el('h2', D.names[i], 'selected'));
    box.appendChild(el('p', 'node ' + i + ' \u00b7 level ' + levelText(i) +
                           ' \u00b7 superclass ' + groupText(i), 'meta'));
    if (i < nFine) {
      box.appendChild(el('h3', 'Top-' + D.k + ' neighbours (its edges, ' + D.mode + ')'));
      box.appendChild(table(['#', 'class', 'level', 'similarity'], D.neighbours[i].map(
        function (j, r) {
          return row([String(r + 1), link(j), levelText(j), simCell(D.similarity[i][r])]);
        }), 'neighbours'));
    } else {
      box.appendChild(el('p', 'A superclass node: it has no edges of its own; ' +
                              'fine classes link to it.', 'hint'));
    }
    box.appendChild(el('h3', 'Pointed to by ' + into[i].length + ' class(es)'));
    box.appendChild(table(['class', 'level', 'similarity'], into[i].map(
      function (p) { return row([link(p[0]), levelText(p[0]), simCell(p[1])]); }), 'pointed-by'));
    box.appendChild(el('p', 'On the scatter: red arrows are its Top-K edges, orange ones ' +
                            'come from the classes pointing to it (30 at most).', 'hint'));
  }
  function highlight(i) {
    // The selected class, its neighbours (with similarity) and up to 30 classes
    // pointing to it, each once; a name the scatter already draws is not repeated.
    var ids = [], texts = [], arrows = [];
    function mark(j, label) {
      if (ids.indexOf(j) >= 0) return;
      ids.push(j);
      texts.push(D.labelled[j] ? label.replace(D.names[j], '').trim() : label);
    }
    function arrow(from, to, colour) {
      arrows.push({x: D.xy[to][0], y: D.xy[to][1], ax: D.xy[from][0], ay: D.xy[from][1],
                   xref: 'x', yref: 'y', axref: 'x', ayref: 'y', text: '', showarrow: true,
                   arrowhead: 2, arrowwidth: 1.5, arrowcolor: colour, standoff: 4});
    }
    mark(i, D.names[i]);
    (i < nFine ? D.neighbours[i] : []).forEach(function (j, r) {
      mark(j, D.names[j] + ' ' + D.similarity[i][r].toFixed(2));
      arrow(i, j, '#c0392b');
    });
    into[i].slice(0, 30).forEach(function (p) {
      mark(p[0], D.names[p[0]]);
      arrow(p[0], i, '#e67e22');
    });
    Plotly.restyle('plot', {x: [ids.map(function (j) { return D.xy[j][0]; })],
                            y: [ids.map(function (j) { return D.xy[j][1]; })],
                            text: [texts], customdata: [ids]}, [FIG.data.length - 1]);
    Plotly.relayout('plot', {annotations: arrows});
  }
  var selected = -1, plotted = false;
  function decode(s) { try { return decodeURIComponent(s); } catch (e) { return s; } }
  function choose() { location.hash = 'class=' + encodeURIComponent(search.value); }
  function fromHash() {
    var m = /(?:^#|&)class=([^&]*)/.exec(location.hash), query = m ? decode(m[1]) : '';
    var found = matches(query), box = document.getElementById('match');
    document.getElementById('search').value = query;
    fillList(found);
    box.textContent = query && !found.length ? 'no class matches \u201c' + query + '\u201d' : '';
    selected = query && found.length ? found[0] : -1;
    if (selected >= 0) details(selected);
    if (selected >= 0 && plotted) highlight(selected);
  }
  var names = document.getElementById('class-names');
  D.names.forEach(function (s) { var o = el('option'); o.value = s; names.appendChild(o); });
  var search = document.getElementById('search');
  search.addEventListener('input', function () { fillList(matches(search.value)); });
  search.addEventListener('keydown', function (e) { if (e.key === 'Enter') choose(); });
  search.addEventListener('change', choose);  // a pick from the list, or leaving the box
  window.addEventListener('hashchange', fromHash);
  fromHash();
  function plotFailed(err) {
    document.getElementById('plot').textContent = 'The scatter could not be drawn (' + err +
      '); the search and the class list still work.';
  }
  try {
    Plotly.newPlot('plot', FIG.data, FIG.layout, FIG.config).then(function (gd) {
      plotted = true;
      gd.on('plotly_click', function (ev) {
        location.hash = 'class=' + encodeURIComponent(D.names[ev.points[0].customdata]);
      });
      if (selected >= 0) highlight(selected);
      document.body.setAttribute('data-rendered', String(n));
      document.body.setAttribute('data-render-ms', String(Math.round(performance.now())));
    }, plotFailed);
  } catch (err) { plotFailed(err); }
})();
</script></body></html>
"""


def script_json(value, cls=None) -> str:
    """JSON safe inside a ``<script>`` element (``<``, ``>``, ``&`` escaped).

    Those characters occur only inside JSON strings, where ``\\u003c`` and
    friends decode to the same text. ``cls``: a ``json.JSONEncoder`` subclass.
    """
    text = json.dumps(value, separators=(',', ':'), ensure_ascii=False, cls=cls)
    return text.replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026')


def render_page(title: str, summary: str, data_json: str, figure_json: str,
                plotly_js: str) -> str:
    """The full page, every marker filled in one pass (values are not rescanned).

    Args:
        title (str): Page title (plain text, escaped here).
        summary (str): One line under the title (plain text, escaped here).
        data_json (str): The graph, from :func:`script_json`.
        figure_json (str): The plotly figure ``{data, layout, config}``, from
            :func:`script_json`.
        plotly_js (str): The plotly.js bundle.

    Returns:
        str: The HTML text.
    """
    values = dict(TITLE=html.escape(title), SUMMARY=html.escape(summary),
                  DATA=data_json, FIGURE=figure_json,
                  PLOTLY_JS=plotly_js.replace('</script', '<\\/script'))
    return re.sub(r'\{\{([A-Z_]+)\}\}', lambda m: values[m.group(1)], _TEMPLATE)
