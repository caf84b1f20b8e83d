"""Read the evaluations of training runs (mmengine's scalars.json) and aggregate seeds.

mmengine's ``LocalVisBackend`` writes ``<work_dir>/<timestamp>/vis_data/scalars.json``,
one JSON object per line: training lines (``lr``, ``loss``, ``iter``, ``epoch`` in
epoch-based runs, ``step``) and one line per validation (``<prefix>/top1`` ... and
``step``; ``step`` is the epoch by default, also in iteration-based runs where it
stays 0, so the position of an evaluation is taken from the training line before
it). A resumed run writes a new timestamp folder: the folders are merged in time
order, and a folder whose training starts at iteration ``f`` replaces the
evaluations that an earlier folder made at iteration ``f`` or later (a resume from
an older checkpoint, or a fresh start in a used work dir).
"""
import glob
import json
import math
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

SPLITS = ('top1', 'many', 'medium', 'few')


@dataclass
class Evaluation:
    """One validation of a run.

    Attributes:
        metrics (dict[str, float]): Logged values without the prefix
            (``top1``, ``many``, ...).
        iter (int, optional): Iteration of the last training line before it.
        epoch (int, optional): Epoch of that line (epoch-based runs only).
        source (str): The scalars.json file it came from.
    """
    metrics: Dict[str, float]
    iter: Optional[int] = None
    epoch: Optional[int] = None
    source: str = ''

    @property
    def at(self) -> str:
        """'epoch E' in epoch-based runs, else 'iter I' (or '?')."""
        if self.epoch is not None:
            return f'epoch {self.epoch}'
        return f'iter {self.iter}' if self.iter is not None else '?'


def read_scalars(path: str) -> List[dict]:
    """The JSON objects of one scalars.json file, in order."""
    records = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f'{path}:{lineno} is not a JSON object ({err}); '
                                 'is the run still writing it?') from None
    return records


def scalars_files(work_dir: str) -> List[str]:
    """``<work_dir>/<timestamp>/vis_data/scalars.json`` files, oldest first."""
    if not osp.isdir(work_dir):
        raise FileNotFoundError(f'Work dir {work_dir} does not exist: the run of '
                                'this seed is missing (train it, or drop the seed).')
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(
            f'No <timestamp>/vis_data/scalars.json in {work_dir}: the run did not '
            'log (did it start? is vis_backends LocalVisBackend?).')
    return files


def _file_evaluations(records: List[dict], prefix: str, source: str,
                      last_iter: Optional[int]):
    """Evaluations of one file and the first training iteration it logged."""
    evals, first_iter, epoch = [], None, None
    key = f'{prefix}/'
    for rec in records:
        if 'loss' in rec or 'lr' in rec:  # a training line
            last_iter = rec.get('iter', rec.get('step'))
            epoch = rec.get('epoch', epoch)
            first_iter = last_iter if first_iter is None else first_iter
        elif f'{key}top1' in rec:
            metrics = {k[len(key):]: float(v) for k, v in rec.items()
                       if k.startswith(key)}
            evals.append(Evaluation(metrics, last_iter, epoch, source))
    return evals, first_iter, last_iter


def run_evaluations(work_dir: str, prefix: str = 'long_tail') -> List[Evaluation]:
    """All evaluations of the run in ``work_dir`` (resumed parts merged), in order.

    Raises:
        FileNotFoundError: no run or no scalars.json in ``work_dir``.
        ValueError: no line has ``<prefix>/top1`` (the message lists the
            prefixes that are there).
    """
    evals: List[Evaluation] = []
    last_iter, seen_keys = 0, set()  # a validation before training is at iter 0
    for path in scalars_files(work_dir):
        records = read_scalars(path)
        seen_keys.update(k for rec in records for k in rec if '/' in k)
        new, first_iter, last_iter = _file_evaluations(records, prefix, path, last_iter)
        if first_iter is not None:  # later training supersedes evaluations from there on
            evals = [e for e in evals if e.iter is None or e.iter < first_iter]
        evals += new
    if not evals:
        found = sorted({k.split('/')[0] for k in seen_keys})
        raise ValueError(
            f'No evaluation with "{prefix}/top1" in {work_dir}; metric prefixes '
            f'logged there: {found or "none (no validation ran)"}. Pass '
            '--metric-prefix with one of them, or let the run reach a validation.')
    return evals


def planned_epochs(work_dir: str) -> Optional[int]:
    """``max_epochs`` of the run's latest start, from the config mmengine
    writes next to its scalars (``<timestamp>/vis_data/config.py``, every
    ``--cfg-options`` applied); None for iteration-based runs or when it
    cannot be read."""
    from mmengine.config import Config
    dumped = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'config.py')))
    if not dumped:
        return None
    try:
        train_cfg = Config.fromfile(dumped[-1]).get('train_cfg') or {}
    except Exception:  # noqa: BLE001  (an unreadable dump: no check)
        return None
    if not train_cfg.get('by_epoch', True) or 'max_epochs' not in train_cfg:
        return None
    return int(train_cfg['max_epochs'])


def unfinished(work_dir: str, last: Evaluation) -> Optional[str]:
    """Why the epoch-based run in ``work_dir`` is not finished, or None
    (finished or unknown): its last evaluation is before its last epoch, which
    mmengine always evaluates. (Iteration-based runs log their position only
    every logger interval, so they are not checked.)"""
    max_epochs = planned_epochs(work_dir)
    if max_epochs is None or last.epoch is None or last.epoch >= max_epochs:
        return None
    return f'last evaluation at epoch {last.epoch} of {max_epochs}'


def best_and_last(evals: Sequence[Evaluation]) -> Dict[str, Evaluation]:
    """The evaluation with the highest top1 (the first one on ties) and the last."""
    best = max(evals, key=lambda e: e.metrics['top1'])  # max keeps the first maximum
    return dict(best=best, last=evals[-1])


def mean_std(values: Sequence[float]):
    """Mean and sample standard deviation (ddof=1; ``None`` for one value)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, None
    return mean, math.sqrt(sum((v - mean)**2 for v in values) / (n - 1))


def _splits_present(runs: Dict[int, Dict[str, Evaluation]],
                    work_dirs: Dict[int, str]) -> List[str]:
    """Splits every run logged; an error when only some runs logged one."""
    present = []
    for split in SPLITS:
        has = [seed for seed, r in runs.items() if split in r['last'].metrics]
        if has and len(has) < len(runs):
            lacking = [work_dirs[s] for s in runs if s not in has]
            raise ValueError(f'Metric "{split}" is logged by seeds {has} but not in '
                             f'{lacking}: the runs used different evaluators.')
        if has:
            present.append(split)
    return present


def summarize(work_dirs: Dict[int, str], prefix: str = 'long_tail',
              allow_unfinished: bool = False) -> dict:
    """Best/last results of each seed and their mean and std (JSON-ready).

    Args:
        work_dirs (dict[int, str]): Work dir of the run of each seed.
        prefix (str): Metric prefix, e.g. ``long_tail`` (LongTailAccuracy:
            top1, many, medium, few) or ``accuracy`` (mmpretrain's Accuracy: top1).
        allow_unfinished (bool): Report runs whose last evaluation is before
            their planned end (else a ValueError names them).

    Returns:
        dict: ``prefix``, ``seeds``, ``splits`` (metrics found), ``absent``,
        ``per_seed`` {seed: {best|last: {at, iter, epoch, <split>: value}}} and
        ``aggregate`` {best|last: {<split>: {mean, std}}}.
    """
    if not work_dirs:
        raise ValueError('No seeds given.')
    runs = {seed: best_and_last(run_evaluations(wd, prefix))
            for seed, wd in work_dirs.items()}
    if not allow_unfinished:
        stopped = {seed: why for seed, wd in work_dirs.items()
                   if (why := unfinished(wd, runs[seed]['last']))}
        if stopped:
            raise ValueError(
                'Unfinished runs would be averaged with finished ones: '
                + '; '.join(f'seed {s} ({work_dirs[s]}): {why}' for s, why in stopped.items())
                + '. Finish them (run_seeds.py CONFIG --seeds S -- --resume), '
                'or pass --allow-unfinished to report them as they are.')
    splits = _splits_present(runs, work_dirs)
    per_seed = {
        seed: {kind: dict(at=ev.at, iter=ev.iter, epoch=ev.epoch,
                          **{s: ev.metrics[s] for s in splits})
               for kind, ev in r.items()}
        for seed, r in runs.items()}
    aggregate = {}
    for kind in ('best', 'last'):
        aggregate[kind] = {}
        for split in splits:
            mean, std = mean_std([per_seed[s][kind][split] for s in per_seed])
            aggregate[kind][split] = dict(mean=mean, std=std)
    return dict(prefix=prefix, seeds=list(work_dirs), work_dirs=dict(work_dirs),
                splits=splits, absent=[s for s in SPLITS if s not in splits],
                per_seed=per_seed, aggregate=aggregate)


def _cell(mean: float, std: Optional[float]) -> str:
    return f'{mean:.2f}' if std is None else f'{mean:.2f} ± {std:.2f}'


def format_markdown(summary: dict, title: str = '') -> str:
    """Markdown tables: mean ± std over seeds, then every seed."""
    splits, seeds = summary['splits'], summary['seeds']
    lines = [f'## {title}' if title else '## Results over seeds', '',
             f'Seeds {", ".join(map(str, seeds))} (n={len(seeds)}); metric prefix '
             f'`{summary["prefix"]}`; mean ± sample std (ddof=1)'
             + (' (n=1: no std).' if len(seeds) == 1 else '.')]
    if summary['absent']:
        lines.append(f'Not logged by `{summary["prefix"]}`: '
                     f'{", ".join(summary["absent"])}.')
    lines += ['', '| evaluation | ' + ' | '.join(splits) + ' |',
              '|---|' + '---|' * len(splits)]
    for kind in ('best', 'last'):
        agg = summary['aggregate'][kind]
        lines.append(f'| {kind} | '
                     + ' | '.join(_cell(agg[s]['mean'], agg[s]['std']) for s in splits)
                     + ' |')
    lines += ['', '| seed | evaluation | at | ' + ' | '.join(splits) + ' |',
              '|---|---|---|' + '---|' * len(splits)]
    for seed in seeds:
        for kind in ('best', 'last'):
            row = summary['per_seed'][seed][kind]
            lines.append(f'| {seed} | {kind} | {row["at"]} | '
                         + ' | '.join(f'{row[s]:.2f}' for s in splits) + ' |')
    return '\n'.join(lines) + '\n'
