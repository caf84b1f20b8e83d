"""Follow a training run's scalars.json while it grows: one line per validation.

mmengine's ``LocalVisBackend`` appends to ``<work_dir>/<timestamp>/vis_data/
scalars.json`` one JSON object per line (layout in seed_results.py) and dumps
the run's config next to it (``vis_data/config.py``, every ``--cfg-options``
applied). :class:`RunFollower` reads only the lines completed since its last
call, so a line still being written is read on the next call.
"""
import glob
import json
import os.path as osp
from typing import List, Optional, Tuple


def scalars_paths(work_dir: str) -> List[str]:
    """``<work_dir>/<timestamp>/vis_data/scalars.json`` files, oldest first."""
    return sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))


def planned_length(vis_data: str) -> Tuple[str, Optional[int]]:
    """``('epoch', max_epochs)`` or ``('iter', max_iters)`` of the run whose
    config mmengine dumped into ``vis_data``; the count is None when the dump
    is unreadable or names none."""
    from mmengine.config import Config
    try:
        train_cfg = Config.fromfile(osp.join(vis_data, 'config.py')).get('train_cfg') or {}
    except Exception:  # noqa: BLE001  (an unreadable dump: no total)
        return 'epoch', None
    if train_cfg.get('by_epoch', 'max_epochs' in train_cfg):
        return 'epoch', train_cfg.get('max_epochs')
    return 'iter', train_cfg.get('max_iters')


class RunFollower:
    """New validations of the run that starts in ``work_dir`` after creation.

    Timestamp folders already in ``work_dir`` (an earlier run, or the part
    before a resume) are skipped; the newest new one is followed.

    Args:
        work_dir (str): The run's work dir.
        metric (str): The logged key to report, e.g. ``long_tail/top1``.
    """

    def __init__(self, work_dir: str, metric: str = 'long_tail/top1'):
        self.work_dir = work_dir
        self.metric = metric
        self._old = set(scalars_paths(work_dir))
        self._follow(None)

    def _follow(self, path: Optional[str]) -> None:
        """Start reading ``path`` from its beginning."""
        self._path, self._offset = path, 0
        self._last_iter: Optional[int] = None
        self._epoch_based = False
        self.unit, self.total = 'epoch', None

    def _current(self) -> Optional[str]:
        new = [p for p in scalars_paths(self.work_dir) if p not in self._old]
        if new and new[-1] != self._path:  # the run began (or restarted)
            self._follow(new[-1])
        return self._path

    def _complete_lines(self, path: str) -> List[str]:
        with open(path, 'rb') as f:
            f.seek(self._offset)
            data = f.read()
        end = data.rfind(b'\n') + 1  # an unfinished last line waits
        self._offset += end
        return data[:end].decode('utf-8', errors='replace').splitlines()

    def poll(self) -> List[dict]:
        """Validations logged since the last call, each
        ``{'at': 'epoch 3/20' | 'iter 2/2', 'value': float}``."""
        path = self._current()
        if path is None:
            return []
        if self.total is None and osp.isfile(osp.join(osp.dirname(path), 'config.py')):
            self.unit, self.total = planned_length(osp.dirname(path))
        found = []
        for line in self._complete_lines(path):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:  # not a record: no progress from it
                continue
            if not isinstance(record, dict):
                continue
            if 'loss' in record or 'lr' in record:  # a training line
                self._epoch_based = self._epoch_based or 'epoch' in record
                self._last_iter = record.get('iter', record.get('step'))
            elif self.metric in record:
                found.append(dict(at=self._position(record), value=float(record[self.metric])))
        return found

    def _position(self, record: dict) -> str:
        # A validation logs `step` = the epoch (mmengine's default
        # log_metric_by_epoch); an iteration-based run's position is its last
        # training iteration.
        if self._epoch_based:
            unit, now = 'epoch', record.get('step')
        else:
            unit, now = 'iter', self._last_iter
        total = f'/{self.total}' if self.total is not None and unit == self.unit else ''
        return f'{unit} {"?" if now is None else now}{total}'
