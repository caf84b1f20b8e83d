"""The report of tools/reproduce.py: our runs of a paper table beside the
paper's numbers, and the paired differences (Markdown and JSON)."""
from typing import Dict, List, Optional

from .comparison import compare, comparison_markdown
from .metafile import TABLE_TITLES, ModelEntry
from .seed_results import format_markdown

SPLIT_ORDER = ('top1', 'many', 'medium', 'few')


def build_report(table: str, models: List[ModelEntry], summaries: Dict[str, dict],
                 pairs, seeds, work_dir: str, confidence: float = 0.95) -> dict:
    """JSON-ready report of ``table``.

    Args:
        table (str): e.g. ``table2``.
        models (list[ModelEntry]): The table's models (published-only ones too).
        summaries (dict[str, dict]): model name -> seed summary
            (:func:`seed_results.summarize`) of the trained ones.
        pairs (list[tuple[str, str]]): ``(a, b)``: report ``a - b``.
        seeds (list[int]): The seeds.
        work_dir (str): Where the runs are.
        confidence (float): Interval level of the paired differences.
    """
    rows = {}
    for m in models:
        paper = m.paper(table)
        rows[m.name] = dict(
            collection=m.collection, config=m.config,
            paper=None if paper is None else dict(source=paper.source,
                                                  dataset=paper.dataset,
                                                  metrics=paper.metrics),
            measured=summaries.get(m.name),
            differences=_paper_differences(paper and paper.metrics,
                                           summaries.get(m.name)))
    compared = [dict(a=a, b=b, **compare(summaries[a], summaries[b], confidence))
                for a, b in pairs if a in summaries and b in summaries]
    return dict(table=table, title=TABLE_TITLES[table], seeds=list(seeds),
                work_dir=work_dir, models=rows, pairs=compared)


def _paper_differences(paper: Optional[dict], summary: Optional[dict]):
    """``{best|last: {split: our mean - paper}}`` for the splits both have."""
    if not paper or not summary:
        return None
    return {kind: {s: summary['aggregate'][kind][s]['mean'] - paper[s]
                   for s in summary['splits'] if s in paper}
            for kind in ('best', 'last')}


def _mean_std(agg: dict) -> str:
    return (f'{agg["mean"]:.2f}' if agg['std'] is None
            else f'{agg["mean"]:.2f} ± {agg["std"]:.2f}')


def _config_rows(name: str, row: dict, with_paper: bool) -> List[str]:
    paper = (row['paper'] or {}).get('metrics', {})
    summary = row['measured']
    splits = [s for s in SPLIT_ORDER if s in paper or (summary and s in summary['splits'])]
    lines = []
    for split in splits:
        cells = [name, split] + ([f'{paper[split]:.2f}' if split in paper else '—']
                                 if with_paper else [])
        for kind in ('best', 'last'):
            if summary is None or split not in summary['splits']:
                cells += ['not run'] + ([''] if with_paper else [])
                continue
            cells.append(_mean_std(summary['aggregate'][kind][split]))
            if with_paper:
                delta = (row['differences'] or {}).get(kind, {}).get(split)
                cells.append('' if delta is None else f'{delta:+.2f}')
        lines.append('| ' + ' | '.join(cells) + ' |')
        name = ''  # the name once per config
    return lines


def report_markdown(report: dict) -> str:
    """The report as Markdown: per config, published-only rows, pairs, seeds."""
    seeds = report['seeds']
    with_paper = any(row['paper'] for row in report['models'].values())
    lines = [f'# {report["title"]}', '',
             f'Seeds {", ".join(map(str, seeds))} (n={len(seeds)}); mean ± sample '
             'std (ddof=1) over seeds at the best (highest top-1) and at the last '
             'evaluation' + ('; Δ = our mean − the paper\'s number' if with_paper else '')
             + f'; runs in `{report["work_dir"]}`.', '']
    lines += (['| config | metric | paper | best | Δ best | last | Δ last |',
               '|---|---|---|---|---|---|---|'] if with_paper else
              ['| config | metric | best | last |', '|---|---|---|---|'])
    published = []
    for name, row in report['models'].items():
        if row['config'] is None:
            published.append(f'- {name} ({row["collection"]}): '
                             + ', '.join(f'{k} {v:.2f}' for k, v in
                                         row['paper']['metrics'].items())
                             + f' ({row["paper"]["source"]}; no config here)')
            continue
        lines += _config_rows(name, row, with_paper)
    if published:
        lines += ['', 'Published rows of the table that this project does not train:',
                  *published]
    if report['pairs']:
        lines += ['', '## Paired differences', '',
                  'Per seed a − b (same seed: same long-tailed subset and '
                  'initialisation stream), mean [95 % t interval] over seeds.', '']
        for pair in report['pairs']:
            lines += comparison_markdown(pair['a'], pair['b'], pair)
    lines += ['', '## Per seed', '']
    for name, row in report['models'].items():
        if row['measured'] is not None:
            lines.append(format_markdown(row['measured'], title=name))
    return '\n'.join(lines).rstrip() + '\n'
