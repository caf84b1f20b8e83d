"""The report of tools/analyze_graph.py: diagnostics with names, as JSON and Markdown."""
from typing import List, Optional, Sequence

from skcl_mm.semantics.graph_diagnostics import HUB_SIGMAS


def named_report(diagnostics: dict, graph, header: dict, examples: int = 10) -> dict:
    """:func:`~skcl_mm.semantics.graph_diagnostics.diagnose`'s ids as names (JSON-ready)."""
    names = graph.node_names
    hubs = diagnostics['hubs']
    degree = hubs['in_degree']
    order = sorted(range(len(degree)), key=lambda j: (-degree[j], j))
    report = dict(header, hubs=dict(
        rule=f'in-degree > mean + {HUB_SIGMAS:g} std of a random Top-K table',
        mean=hubs['mean'], std=hubs['std'], threshold=hubs['threshold'],
        most_targeted=[[names[j], degree[j]] for j in order[:examples]],
        hubs=[dict(**{'class': names[h['node']]}, in_degree=h['in_degree'],
                   pointed_to_by=[names[y] for y in h['sources']])
              for h in hubs['hubs']]))
    scopes = diagnostics['scopes']
    if scopes is not None:
        scopes = dict(scopes, cross=[[names[y], names[j], s] for y, j, s in scopes['cross']])
    report['scopes'] = scopes
    sim = dict(diagnostics['similarity'])
    for key in ('duplicates', 'most_similar'):
        sim[key] = [[names[a], names[b], s] for a, b, s in sim[key]]
    report['similarity'] = sim
    agreement = diagnostics['agreement']
    if agreement is not None:
        agreement = dict(agreement, rows=[
            dict(**{'class': names[y]}, neighbours=[names[j] for j in fine],
                 top_confusions=[[names[j], n] for j, n in top],
                 shared=[names[j] for j in hits])
            for y, fine, top, hits in agreement['rows']])
    report['agreement'] = agreement
    return report


def _pct(value: Optional[float]) -> str:
    return 'n/a' if value is None else f'{100 * value:.0f} %'


def _names(names: Sequence[str]) -> str:
    """A list of class names; '; ' between them where names hold commas
    (ImageNet's synonyms)."""
    names = [str(n) for n in names]
    return ('; ' if any(',' in n for n in names) else ', ').join(names)


def _cell(text) -> str:
    return str(text).replace('|', '\\|')


def _table(head: Sequence[str], rows: List[Sequence]) -> List[str]:
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    return lines + ['| ' + ' | '.join(_cell(c) for c in row) + ' |' for row in rows]


def to_markdown(report: dict, examples: int = 10) -> str:
    """The report as Markdown: graph, hubs, superclasses, similarity, confusions."""
    lines = [f"# Semantic graph diagnostics: {report['config']}", '',
             f"{report['mode']} Top-{report['k']} graph of {report['num_fine']} classes "
             + (f"and {report['num_nodes'] - report['num_fine']} superclass nodes"
                if report['num_nodes'] > report['num_fine'] else '(one level)')
             + f", from {report['texts']} ({report['encoder']})"
             + (f"; classes grouped by {report['groups']}" if report.get('groups') else '')
             + '.', '']
    lines += _hub_lines(report['hubs'], report['k'], examples, report['mode'])
    lines += _scope_lines(report['scopes'], examples,
                          report['num_nodes'] > report['num_fine'])
    lines += _similarity_lines(report['similarity'])
    lines += _agreement_lines(report['agreement'], report.get('confusions_from'))
    return '\n'.join(lines) + '\n'


def _hub_lines(hubs: dict, k: int, examples: int, mode: str) -> List[str]:
    if hubs['mean'] == 0:
        return ['## Hubs', '', f'In mode {mode} fine classes are never neighbours '
                '(only superclass nodes are): no hub possible.', '']
    lines = ['## Hubs', '',
             f"A hub is a class that is a Top-{k} neighbour of more classes than a random "
             f"table makes it: in-degree above {hubs['threshold']:.2f} (= mean "
             f"{hubs['mean']:.2f} + {HUB_SIGMAS:g} std {hubs['std']:.2f}: every class "
             f'drawing its {k} neighbours at random from its candidates). Superclass '
             'nodes are left out (their members are meant to share them).', '',
             'Most targeted classes (in-degree): ' + _names(
                 f'{name} {n}' for name, n in hubs['most_targeted'][:examples]) + '.', '']
    if not hubs['hubs']:
        return lines + ['No hub.', '']
    lines.append(f"{len(hubs['hubs'])} hub(s); training warns about them when it builds "
                 'the graph. Check each hub\'s description (generic wording, other '
                 'classes named in it) against those pointing to it, or lower K.')
    lines.append('')
    rows = [(h['class'], h['in_degree'], _names(h['pointed_to_by']))
            for h in hubs['hubs'][:examples]]
    more = len(hubs['hubs']) - len(rows)
    return lines + _table(['hub', 'in-degree', 'pointed to by'], rows) + (
        [f'\n({more} more in the JSON report.)'] if more > 0 else []) + ['']


def _scope_lines(scopes: Optional[dict], examples: int, nodes: bool) -> List[str]:
    lines = ['## Neighbours inside and across superclasses', '']
    if scopes is None:
        return lines + ['One level: no superclass to stay in (--groups NAME|FILE '
                        'groups the classes by a hierarchy).', '']
    inside = scopes['sibling'] + scopes['ancestor']
    cross = scopes['cross_class'] + scopes['cross_node']
    split_in = (f" ({scopes['ancestor']} to an own superclass node, {scopes['sibling']} "
                'to a class of it)' if nodes else '')
    split_out = (f" ({scopes['cross_class']} to a class, {scopes['cross_node']} to a "
                 'superclass node)' if nodes else '')
    lines += [
        f"{scopes['links']} links: {inside} ({_pct(scopes['within_share'])}) stay inside "
        f"the own superclass{split_in}, {cross} cross to another subtree{split_out}. "
        'Neighbours drawn at random from the candidates would stay inside '
        f"{_pct(scopes['chance_within_share'])} of the time.", '']
    if scopes['cross']:
        lines.append('Links across subtrees, most similar first:')
        lines.append('')
        lines += _table(['class', 'neighbour', 'S'],
                        [(a, b, f'{s:.3f}') for a, b, s in scopes['cross'][:examples]])
        lines.append('')
    return lines


def _similarity_lines(sim: dict) -> List[str]:
    lines = ['## Description similarity', '',
             f"Cosine S between node descriptions (off the diagonal): min {sim['min']:.3f}, "
             f"median {sim['median']:.3f}, max {sim['max']:.3f}; the chosen links: "
             + ('none' if sim['links_min'] is None else
                f"min {sim['links_min']:.3f}, median {sim['links_median']:.3f}") + '.', '']
    dup = sim['duplicates']
    lines.append(f"Near-duplicates (S > {sim['threshold']:.2f}): " + (
        '; '.join(f'{a} / {b} ({s:.3f})' for a, b, s in dup) if dup else 'none')
        + '. Most similar pairs: '
        + '; '.join(f'{a} / {b} ({s:.3f})' for a, b, s in sim['most_similar']) + '.')
    return lines + ['']


def _agreement_lines(agreement: Optional[dict], source: Optional[str]) -> List[str]:
    if agreement is None:
        return []
    k = agreement['k']
    lines = ['## Neighbours vs the classes the model confuses', '',
             f'From {source}. For each class: its fine neighbours (N) and its top-{k} '
             'confusions (T, the classes its samples were most often predicted as).', '']
    if agreement['agreement'] is None:
        return lines + ['No class has both a fine neighbour and a mistake: nothing to '
                        'compare.', '']
    lines += [f"Agreement: {agreement['shared']} of {agreement['compared']} neighbours "
              f"({_pct(agreement['agreement'])}) are among their class's top-{k} "
              f"confusions; chance {_pct(agreement['chance'])} (T drawn at random from "
              f"the other classes). Over {agreement['classes']} classes; "
              f"{agreement['without_errors']} without any mistake left out; "
              f"{agreement['coarse_links']} links to superclass nodes not comparable.", '']
    rows = [(r['class'], _names(r['neighbours']) or '-',
             _names(f'{name} ({n})' for name, n in r['top_confusions']) or '-',
             _names(r['shared']) or '-') for r in agreement['rows']]
    more = [f'\n({len(rows) - 100} more classes in the JSON report.)'] * (len(rows) > 100)
    return lines + _table(['class', 'neighbours N', f'top-{k} confusions T', 'in both'],
                          rows[:100]) + more + ['']
