"""What a run of tools/reproduce.py was started with, and whether it finished.

``<run dir>/reproduce_run.json`` holds the config path, the effective config
(every ``_base_`` resolved, as a flat ``{dotted.key: value}`` dict), the seed,
the extra tools/train.py arguments and the number of processes (which sets the
total batch), plus ``finished`` once the run exited cleanly. A later call with
other settings for the same run dir stops before any training and names the
settings that differ, so a table never mixes runs of two recipes.
"""
import functools
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

RECORD = 'reproduce_run.json'


@functools.lru_cache(maxsize=None)
def _flat_config(config: str) -> Tuple[Tuple[str, str], ...]:
    return tuple(sorted(flat_config_uncached(config).items()))


def flat_config(config: str) -> Dict[str, str]:
    """The effective config of ``config`` as ``{dotted.key: repr(value)}``
    (read once per process)."""
    return dict(_flat_config(config))


def flat_config_uncached(config: str) -> Dict[str, str]:
    from mmengine.config import Config
    flat: Dict[str, str] = {}

    def walk(node, prefix):
        if isinstance(node, dict) and node:
            for key in sorted(node):
                walk(node[key], f'{prefix}.{key}' if prefix else str(key))
        else:
            flat[prefix] = repr(node)

    walk(Config.fromfile(config).to_dict(), '')
    return flat


def expected_record(config: str, seed: int, extra: Sequence[str],
                    processes: int) -> dict:
    """The record a run with these settings has (``finished`` False)."""
    return dict(config=config, seed=seed, extra=list(extra), processes=processes,
                effective_config=flat_config(config), finished=False)


def read_record(run_dir: str) -> Optional[dict]:
    """The record in ``run_dir``, or None when there is none."""
    path = osp.join(run_dir, RECORD)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def write_record(run_dir: str, record: dict) -> None:
    """Write ``record`` atomically (a crash never leaves half a file)."""
    os.makedirs(run_dir, exist_ok=True)
    tmp = osp.join(run_dir, RECORD + '.tmp')
    with open(tmp, 'w') as f:
        json.dump(record, f, indent=1)
    os.replace(tmp, osp.join(run_dir, RECORD))


def differences(old: dict, new: dict, limit: int = 8) -> List[str]:
    """Human-readable settings in which two records differ (at most ``limit``
    config keys are named, then a count)."""
    found = [f'{key}: {old.get(key)!r} then, {new[key]!r} now'
             for key in ('seed', 'extra', 'processes') if old.get(key) != new[key]]
    before, after = old.get('effective_config', {}), new['effective_config']
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    found += [f'config {k}: {before.get(k, "(absent)")} then, '
              f'{after.get(k, "(absent)")} now' for k in keys[:limit]]
    if len(keys) > limit:
        found.append(f'... and {len(keys) - limit} more config keys')
    return found


def run_state(run_dir: str) -> str:
    """``'new'`` (nothing there), ``'finished'``, ``'resume'`` (a checkpoint
    to continue from) or ``'restart'`` (started, no checkpoint yet)."""
    record = read_record(run_dir)
    if record is None:
        return 'new'
    if record.get('finished'):
        return 'finished'
    if osp.isfile(osp.join(run_dir, 'last_checkpoint')):
        return 'resume'
    return 'restart'
