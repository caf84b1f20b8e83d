"""How fast a batch of training runs went: wall time, speed-up of running
them at once, runs per hour and training images per second.

A run's training images are counted from what it did in this start, not
from its log's sampled lines: the config mmengine dumped for the start
(``<timestamp>/vis_data/config.py``: schedule, batch size, ``drop_last``),
the epoch / iteration it resumed from (``resumed epoch: E, iter: I`` in
``<timestamp>/<timestamp>.log``; 0 for a fresh start) and the training-set
size from ``train_counts.json`` (TrainCountsHook). Epoch-based: every epoch
draws each of the N training images once per process group (DefaultSampler,
W processes: ``W * ceil(N / W)`` with padding; ``drop_last``: only full
batches), so the count is exact. Iteration-based: iterations x batch size x
W (exact when every batch is full, an upper bound otherwise).
"""
import glob
import json
import math
import os.path as osp
import re
from typing import Optional, Sequence

RESUMED = re.compile(r'resumed epoch: (\d+), iter: (\d+)')


def _resumed_at(start_dir: str):
    """``(epoch, iter)`` the start resumed from; ``(0, 0)`` for a fresh one."""
    for log in glob.glob(osp.join(start_dir, '*.log')):
        with open(log, errors='replace') as f:
            found = RESUMED.search(f.read())
        if found:
            return int(found[1]), int(found[2])
    return 0, 0


def _train_size(work_dir: str) -> Optional[int]:
    path = osp.join(work_dir, 'train_counts.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return sum(json.load(f)['class_counts'])


def trained_images(work_dir: str, processes: int = 1) -> Optional[int]:
    """Training images the latest start in ``work_dir`` went through (its
    planned end, so call it for a run that finished); None when unknown.

    Args:
        work_dir (str): The run's work dir.
        processes (int): Processes of the run (world size W).
    """
    from mmengine.config import Config
    dumps = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'config.py')))
    if not dumps:
        return None
    start_dir = osp.dirname(osp.dirname(dumps[-1]))
    try:
        cfg = Config.fromfile(dumps[-1], import_custom_modules=False)
    except Exception:  # noqa: BLE001  (an unreadable dump: images unknown)
        return None
    loader, train_cfg = cfg.get('train_dataloader') or {}, cfg.get('train_cfg') or {}
    batch = loader.get('batch_size')
    epoch, it = _resumed_at(start_dir)
    if 'max_iters' in train_cfg and not train_cfg.get('by_epoch', False):
        return None if batch is None else (train_cfg['max_iters'] - it) * batch * processes
    size = _train_size(work_dir)
    if size is None or 'max_epochs' not in train_cfg:
        return None
    per_rank = math.ceil(size / processes)
    if loader.get('drop_last', False):
        if batch is None:
            return None
        per_rank = per_rank // batch * batch
    return (train_cfg['max_epochs'] - epoch) * per_rank * processes


def summarize_batch(runs: Sequence[dict], start: float, end: float, jobs: int) -> dict:
    """Aggregate figures of one batch (JSON-ready).

    Args:
        runs (Sequence[dict]): Each finished run: ``label``, ``work_dir``,
            ``start`` and ``end`` (``time.time()`` seconds) and ``images``
            (int or None, :func:`trained_images`).
        start (float): When the batch began; end (float): when it ended.
        jobs (int): Runs at once.

    Returns:
        dict: ``jobs``, ``runs``, ``wall_s`` (the batch), ``run_s_sum`` (sum
        of the runs' durations), ``speedup`` (run_s_sum / wall_s),
        ``runs_per_hour``, ``images`` (sum; None if a run's is unknown),
        ``images_per_s_sum`` (each run's images / its duration, summed over
        the runs that know theirs), ``images_per_s_batch`` (images / wall_s)
        and ``per_run`` in start order (label, work_dir, start_s and end_s
        from the batch start, seconds, images, images_per_s).
    """
    wall = end - start
    per_run = []
    for run in sorted(runs, key=lambda r: r['start']):  # in start order
        seconds = run['end'] - run['start']
        images = run['images']
        per_run.append(dict(label=run['label'], work_dir=run['work_dir'],
                            start_s=run['start'] - start, end_s=run['end'] - start,
                            seconds=seconds, images=images,
                            images_per_s=None if images is None else images / seconds))
    known = [r for r in per_run if r['images'] is not None]
    images = sum(r['images'] for r in known) if len(known) == len(per_run) else None
    run_sum = sum(r['seconds'] for r in per_run)
    return dict(jobs=jobs, runs=len(per_run), wall_s=wall, run_s_sum=run_sum,
                speedup=run_sum / wall if wall > 0 else None,
                runs_per_hour=3600 * len(per_run) / wall if wall > 0 else None,
                images=images,
                images_per_s_sum=sum(r['images_per_s'] for r in known) if known else None,
                images_per_s_batch=None if images is None or wall <= 0 else images / wall,
                per_run=per_run)


def _num(value, fmt: str) -> str:
    return '—' if value is None else format(value, fmt)


def throughput_markdown(batch: dict) -> str:
    """The ``## Throughput`` section of a report."""
    lines = [
        '## Throughput', '',
        f'{batch["runs"]} run(s) trained in this call, {batch["jobs"]} at once: wall '
        f'time {batch["wall_s"]:.1f} s, sum of run times {batch["run_s_sum"]:.1f} s, '
        f'concurrency speed-up {_num(batch["speedup"], ".2f")} (sum / wall), '
        f'{_num(batch["runs_per_hour"], ".1f")} runs per hour, training images per '
        f'second {_num(batch["images_per_s_batch"], ".1f")} (all images / wall time; '
        f'the runs\' own rates summed: {_num(batch["images_per_s_sum"], ".1f")}). '
        'A run\'s time is its whole process (start-up, validation, checkpoints); '
        'its images: epochs x training-set size (iteration-based: iterations x '
        'batch), from its dumped config.', '',
        '| run | start s | end s | seconds | images | images/s |',
        '|---|---|---|---|---|---|']
    for r in batch['per_run']:
        lines.append(f'| {r["label"]} | {r["start_s"]:.1f} | {r["end_s"]:.1f} | '
                     f'{r["seconds"]:.1f} | {_num(r["images"], "d")} | '
                     f'{_num(r["images_per_s"], ".1f")} |')
    return '\n'.join(lines) + '\n'


def timed_runs(timed: Sequence, processes: int = 1) -> list:
    """The ``runs`` of :func:`summarize_batch` from ended runs
    (:class:`run_pool.Timed`: ``job.label``, ``job.work_dir``, ``start``, ``end``)."""
    return [dict(label=t.job.label, work_dir=t.job.work_dir, start=t.start, end=t.end,
                 images=trained_images(t.job.work_dir, processes)) for t in timed]
