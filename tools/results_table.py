"""Write the README's results section from the metafiles and our reports.

    python tools/results_table.py           # rewrite the section in README.md
    python tools/results_table.py --check   # exit 1 when README.md is stale

The section between ``<!-- results:begin -->`` and ``<!-- results:end -->``
is generated: per table the paper's numbers (from the metafiles that
model-index.yml imports) and ours, from the committed tools/reproduce.py
report ``docs/results/<table>.json`` where there is one, else "not yet
measured by us". Edit the metafiles or rerun reproduce.py, never the section.
"""
import argparse
import json
import os.path as osp
import sys

TOOLS = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(TOOLS)
sys.path.insert(0, REPO)

from analysis_tools.metafile import TABLE_TITLES, load_models, table_models
from analysis_tools.paired_stats import describe

BEGIN, END = '<!-- results:begin -->', '<!-- results:end -->'
README = osp.join(REPO, 'README.md')
RESULTS = osp.join(REPO, 'docs', 'results')
SPLITS = ('top1', 'many', 'medium', 'few')
NOT_MEASURED = 'not yet measured by us'


def _ours(report, name):
    """Last-evaluation mean ± std per split of ``name`` in a reproduce report."""
    measured = report and report['models'].get(name, {}).get('measured')
    return measured['aggregate']['last'] if measured else None


def _decimals(entries, table):
    """Decimals the paper printed in this table (1 or 2)."""
    values = [v for m in entries if m.paper(table) for v in m.paper(table).metrics.values()]
    return max([1] + [min(2, len(repr(v).split('.')[1].rstrip('0'))) for v in values])


def _cell(values, split, decimals=2, ours=False):
    if values is None or split not in values:
        return '—'
    v = values[split]
    if not ours:
        return f'{v:.{decimals}f}'
    return f'{v["mean"]:.2f}' + ('' if v['std'] is None else f' ± {v["std"]:.2f}')


def pivot_section(table, entries, report):
    """Top-1 only tables (Table 1): a row per method, a column per dataset."""
    decimals = _decimals(entries, table)
    datasets = list(dict.fromkeys(m.paper(table).dataset for m in entries))
    rows = {}
    for m in entries:
        paper, ours = m.paper(table), _ours(report, m.name)
        rows.setdefault(f'{m.collection} (paper)', {})[paper.dataset] = \
            _cell(paper.metrics, 'top1', decimals)
        if m.config is not None and ours is not None:
            rows.setdefault(f'{m.collection} (ours)', {})[paper.dataset] = \
                _cell(ours, 'top1', ours=True)
        elif m.config is not None:
            rows.setdefault(f'{m.collection} (ours): {NOT_MEASURED}', {})
    lines = ['| method | ' + ' | '.join(datasets) + ' |',
             '|---|' + '---|' * len(datasets)]
    for label, cells in rows.items():
        lines.append(f'| {label} | ' + ' | '.join(cells.get(d, '—') for d in datasets)
                     + ' |')
    return lines


def table_section(table, models, report):
    """Markdown of one table: paper and ours side by side."""
    entries = table_models(models, table)
    lines = [f'**{TABLE_TITLES[table]}** (`python tools/reproduce.py {table}`)', '']
    if entries and all(m.paper(table) and set(m.paper(table).metrics) == {'top1'}
                       for m in entries):
        lines += pivot_section(table, entries, report)
    else:
        lines += config_rows(table, entries, report)
    for pair in (report or {}).get('pairs', []):
        lines.append(f'\n{pair["a"]} − {pair["b"]}, top-1 at the last epoch, paired '
                     f'by seed: {describe(pair["last"]["top1"])}.')
    if report:
        lines.append(f'\nOurs: mean ± sample std over seeds {report["seeds"]} at the '
                     f'last epoch; the whole report (best epoch too) is '
                     f'[docs/results/{table}.md](docs/results/{table}.md).')
    return '\n'.join(lines) + '\n'


def config_rows(table, entries, report):
    """A row per config and source (paper / ours), a column per metric."""
    decimals = _decimals(entries, table)
    splits = [s for s in SPLITS if any(
        (m.paper(table) and s in m.paper(table).metrics)
        or (_ours(report, m.name) and s in _ours(report, m.name)) for m in entries)]
    splits = splits or ['top1']
    lines = ['| config | source | ' + ' | '.join(splits) + ' |',
             '|---|---|' + '---|' * len(splits)]
    for m in entries:
        paper, ours = m.paper(table), _ours(report, m.name)
        label = m.name if m.config else f'{m.name} (no config here)'
        if paper is not None:
            lines.append(f'| {label} | {paper.source} | ' + ' | '.join(
                _cell(paper.metrics, s, decimals) for s in splits) + ' |')
            label = ''
        if m.config is None:
            continue
        if ours is None:
            lines.append(f'| {label} | ours | {NOT_MEASURED} |' + ' |' * (len(splits) - 1))
        else:
            lines.append(f'| {label} | ours | '
                         + ' | '.join(_cell(ours, s, ours=True) for s in splits) + ' |')
    return lines


def load_report(table):
    path = osp.join(RESULTS, f'{table}.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def results_section() -> str:
    models = load_models()
    parts = [BEGIN, '<!-- generated by tools/results_table.py from model-index.yml '
             'and docs/results/: edit those, then rerun it -->', '']
    for table in TABLE_TITLES:
        parts.append(table_section(table, models, load_report(table)))
    return '\n'.join(parts) + END


def replace_section(text: str, section: str) -> str:
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        raise SystemExit(f'[results_table] README.md needs exactly one {BEGIN} and '
                         f'one {END} line around the results section.')
    head, rest = text.split(BEGIN)
    return head + section + rest.split(END, 1)[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true',
                        help='do not write; exit 1 when README.md differs')
    parser.add_argument('--readme', default=README)
    args = parser.parse_args(argv)
    with open(args.readme) as f:
        text = f.read()
    new = replace_section(text, results_section())
    if args.check:
        if new != text:
            raise SystemExit(f'[results_table] {args.readme} is stale: run python '
                             'tools/results_table.py and commit the result.')
        print(f'[results_table] {args.readme} is up to date.')
        return
    with open(args.readme, 'w') as f:
        f.write(new)
    print(f'[results_table] wrote the results section of {args.readme}.')


if __name__ == '__main__':
    main()
