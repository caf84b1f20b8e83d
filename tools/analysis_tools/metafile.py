"""The paper's tables, read from the metafiles (mmpretrain's model index).

``model-index.yml`` imports ``metafile.yml`` files in mmpretrain's layout
(``Collections`` and ``Models``; a model has ``Name``, ``In Collection``,
``Config``, ``Metadata`` and ``Results``). This project adds three keys:

- ``Metadata.Tables``: the tables (``table1`` ...) the model belongs to;
- ``Metadata.Compared With``: models its paired per-seed difference is taken
  against (pairs are formed inside one table);
- per result ``Source`` (e.g. ``paper, Table 2``) and ``Table``: which table a
  published number belongs to.

A model without ``Config`` is a published row only (e.g. ConCutMix): listed
beside the table, never trained.
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import yaml

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MODEL_INDEX = osp.join(REPO, 'model-index.yml')

# Metafile metric names -> the keys LongTailAccuracy logs.
METRIC_KEYS = {'Top 1 Accuracy': 'top1', 'Many': 'many', 'Medium': 'medium',
               'Few': 'few'}

TABLE_TITLES = {
    'table1': 'Table 1: top-1 on CIFAR-100-LT and CIFAR-10-LT at imbalance '
              '100 / 50 / 10, SKCL and its BCL twin (also the paper\'s Fig. 4)',
    'table2': 'Table 2: many / medium / few on CIFAR-100-LT, imbalance 100',
    'table3': 'Table 3: ImageNet-LT, ResNet-50',
    'table4': 'Table 4: ablation of the graph links (C-F / F-F / both), '
              'CIFAR-100-LT imbalance 100',
    'inat2018': 'Beyond the paper: iNaturalist 2018, ResNet-50, the seven-rank '
                'taxonomy (no published numbers recorded here)',
    'placeslt': 'Beyond the paper: Places-LT, ResNet-152 from ImageNet weights, '
                'the Places365 scene hierarchy (no published numbers)',
    'quickstart': 'Quickstart: scikit-learn digits made long-tailed '
                  '(imbalance 10), 20 epochs on a CPU; no paper numbers',
}


class MetafileError(ValueError):
    """A metafile that the tools cannot use; the message names file and fix."""


@dataclass
class PaperResult:
    """A published number set of one model in one table.

    Attributes:
        table (str): e.g. ``table2``.
        source (str): e.g. ``paper, Table 2``.
        dataset (str): e.g. ``CIFAR-100-LT (imbalance 100)``.
        metrics (dict[str, float]): ``top1`` / ``many`` / ``medium`` / ``few``.
    """
    table: str
    source: str
    dataset: str
    metrics: Dict[str, float]


@dataclass
class ModelEntry:
    """One model of a metafile."""
    name: str
    collection: str
    config: Optional[str]  # repository-relative; None: a published row only
    tables: List[str]
    compared_with: List[str]
    results: List[PaperResult] = field(default_factory=list)
    metafile: str = ''

    def paper(self, table: str) -> Optional[PaperResult]:
        """The published numbers of this model in ``table``, if any."""
        return next((r for r in self.results if r.table == table), None)


def _metrics(raw, where: str) -> Dict[str, float]:
    unknown = sorted(set(raw) - set(METRIC_KEYS))
    if unknown:
        raise MetafileError(f'{where}: unknown metric(s) {unknown}; known: '
                            f'{sorted(METRIC_KEYS)}.')
    return {METRIC_KEYS[k]: float(v) for k, v in raw.items()}


def _model(raw: dict, path: str) -> ModelEntry:
    where = f'{path}: model {raw.get("Name", "?")}'
    meta = raw.get('Metadata') or {}
    results = []
    for res in raw.get('Results') or []:
        if 'Table' not in res or 'Source' not in res:
            raise MetafileError(f'{where}: every result needs "Table" and '
                                f'"Source" (e.g. Source: paper, Table 1), got {res}.')
        results.append(PaperResult(str(res['Table']), str(res['Source']),
                                   str(res.get('Dataset', '')),
                                   _metrics(res.get('Metrics') or {}, where)))
    return ModelEntry(
        name=raw['Name'], collection=raw.get('In Collection', ''),
        config=raw.get('Config'), tables=list(meta.get('Tables') or []),
        compared_with=list(meta.get('Compared With') or []), results=results,
        metafile=path)


def load_models(index: str = MODEL_INDEX) -> Dict[str, ModelEntry]:
    """Every model of the metafiles ``index`` imports, by name, checked.

    Raises:
        MetafileError: a missing file or config, a repeated name, an unknown
            table or comparison.
    """
    root = osp.dirname(osp.abspath(index))
    with open(index) as f:
        imports = (yaml.safe_load(f) or {}).get('Import') or []
    models: Dict[str, ModelEntry] = {}
    for rel in imports:
        path = osp.join(root, rel)
        if not osp.isfile(path):
            raise MetafileError(f'{index} imports {rel}, which does not exist.')
        with open(path) as f:
            for raw in (yaml.safe_load(f) or {}).get('Models') or []:
                entry = _model(raw, rel)
                if entry.name in models:
                    raise MetafileError(f'Model name {entry.name} is in both '
                                        f'{models[entry.name].metafile} and {rel}.')
                models[entry.name] = entry
    _check(models, root)
    return models


def _check(models: Dict[str, ModelEntry], root: str) -> None:
    for m in models.values():
        where = f'{m.metafile}: model {m.name}'
        if m.config is not None and not osp.isfile(osp.join(root, m.config)):
            raise MetafileError(f'{where}: Config {m.config} does not exist.')
        bad = [t for t in m.tables + [r.table for r in m.results]
               if t not in TABLE_TITLES]
        if bad:
            raise MetafileError(f'{where}: unknown table(s) {bad}; known: '
                                f'{sorted(TABLE_TITLES)}.')
        stray = [r.table for r in m.results if r.table not in m.tables]
        if stray:
            raise MetafileError(f'{where}: results for {stray} but Metadata.Tables '
                                f'is {m.tables}; add the table there.')
        unknown = [o for o in m.compared_with if o not in models]
        if unknown:
            raise MetafileError(f'{where}: Compared With names unknown model(s) '
                                f'{unknown}.')


def table_models(models: Dict[str, ModelEntry], table: str) -> List[ModelEntry]:
    """The models of ``table`` in metafile order (published-only rows too)."""
    if table not in TABLE_TITLES:
        raise MetafileError(f'Unknown table {table!r}; tables: '
                            f'{", ".join(TABLE_TITLES)}.')
    return [m for m in models.values() if table in m.tables]


def table_pairs(models: Dict[str, ModelEntry],
                table: str) -> List[Tuple[str, str]]:
    """``(a, b)`` model names whose paired difference ``a - b`` the table reports:
    ``b`` in ``a``'s ``Compared With``, both in the table, both with a config."""
    trained = {m.name for m in table_models(models, table) if m.config}
    return [(m.name, other) for m in table_models(models, table) if m.name in trained
            for other in m.compared_with if other in trained]
