"""Start one training run through the normal tools and follow it.

Used by tools/run_seeds.py and tools/reproduce.py. A run is ``tools/train.py``
(one process), ``tools/dist_train.sh CONFIG N`` (N processes, torchrun) or
``tools/slurm_train.sh PARTITION JOB CONFIG WORK_DIR`` (Slurm, ``GPUS=N``);
its output goes to ``<work_dir>/train.out`` and the caller sees one line per
validation (:class:`run_progress.RunFollower`).
"""
import collections
import os
import os.path as osp
import signal
import subprocess
import sys
import time
from typing import Callable, List, Optional, Sequence, Tuple

from .run_progress import RunFollower

TOOLS = osp.dirname(osp.dirname(osp.abspath(__file__)))


def split_train_args(argv: Sequence[str]) -> Tuple[List[str], List[str]]:
    """``(the tool's arguments, tools/train.py's)``: split at the first ``--``."""
    argv = list(argv)
    if '--' not in argv:
        return argv, []
    cut = argv.index('--')
    return argv[:cut], argv[cut + 1:]


def build_command(config: str, seed: int, work_dir: str, gpus: int = 1,
                  extra: Sequence[str] = (), slurm_partition: Optional[str] = None,
                  resume: bool = False) -> List[str]:
    """The command line that trains ``config`` with ``seed`` into ``work_dir``.

    Args:
        config (str): Config file.
        seed (int): ``randomness.seed``.
        work_dir (str): The run's work dir.
        gpus (int): Processes of the run (GPUs, or gloo processes on a CPU).
        extra (Sequence[str]): More tools/train.py arguments.
        slurm_partition (str, optional): Train through tools/slurm_train.sh
            on this partition (``GPUS=gpus``) instead of locally.
        resume (bool): Add ``--resume`` (the latest checkpoint of the work
            dir; mmengine starts afresh when there is none).
    """
    if slurm_partition:
        job = f'{osp.splitext(osp.basename(config))[0]}_s{seed}'
        cmd = ['env', f'GPUS={gpus}', 'bash', osp.join(TOOLS, 'slurm_train.sh'),
               slurm_partition, job, config, work_dir]
    elif gpus == 1:
        cmd = [sys.executable, osp.join(TOOLS, 'train.py'), config,
               '--work-dir', work_dir]
    else:
        cmd = ['bash', osp.join(TOOLS, 'dist_train.sh'), config, str(gpus),
               '--work-dir', work_dir]
    # DictAction merges repeated --cfg-options; the seed comes last and wins.
    return cmd + (['--resume'] if resume else []) + [
        *extra, '--cfg-options', f'randomness.seed={seed}']


def log_tail(path: str, lines: int = 25) -> str:
    """The last ``lines`` lines of a log file."""
    with open(path, errors='replace') as f:
        return ''.join(collections.deque(f, maxlen=lines)).rstrip()


def wait_or_kill(proc: subprocess.Popen, timeout_s: float = 30) -> None:
    """Wait for ``proc`` to end; kill it after ``timeout_s``."""
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def exit_on_sigterm() -> None:
    """Turn SIGTERM (``kill``, a cancelled Slurm job) into SystemExit, so a
    running :func:`train_run` stops its training process instead of leaving
    it behind."""
    def _exit(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, _exit)


class RunFailed(RuntimeError):
    """A training run exited non-zero; ``log`` is its train.out."""

    def __init__(self, label: str, returncode: int, log: str):
        super().__init__(f'{label} failed (exit {returncode}); its full log is {log}')
        self.label, self.returncode, self.log = label, returncode, log


def train_run(cmd: Sequence[str], work_dir: str, label: str,
              say: Callable[[str], None], metric: str = 'long_tail/top1',
              poll_s: float = 2.0) -> float:
    """Run ``cmd`` (output appended to ``<work_dir>/train.out``), calling
    ``say`` with one line per validation while it runs.

    Returns:
        float: seconds the run took.

    Raises:
        RunFailed: the run exited non-zero (``say`` got the log's end).
    """
    os.makedirs(work_dir, exist_ok=True)
    log_path = osp.join(work_dir, 'train.out')
    follower = RunFollower(work_dir, metric)
    start = time.monotonic()
    with open(log_path, 'a') as log:
        log.write(f'[{label}] {" ".join(cmd)}\n')
        log.flush()
        proc = subprocess.Popen(list(cmd), stdout=log, stderr=subprocess.STDOUT)
        try:
            while proc.poll() is None:
                time.sleep(poll_s)
                _report(follower, label, metric, say)
        except BaseException as err:  # the run ends with the tool
            if isinstance(err, KeyboardInterrupt):
                # Ctrl-C in a terminal reaches the run too; a SIGINT sent to
                # this process alone is passed on (mmengine stops cleanly).
                time.sleep(0.5)
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
            else:
                proc.terminate()
            wait_or_kill(proc)
            raise
    _report(follower, label, metric, say)
    if proc.returncode != 0:
        say(f'{label} failed (exit {proc.returncode}); the end of {log_path}:')
        print(log_tail(log_path), flush=True)
        raise RunFailed(label, proc.returncode, log_path)
    return time.monotonic() - start


def _report(follower: RunFollower, label: str, metric: str,
            say: Callable[[str], None]) -> None:
    for validation in follower.poll():
        say(f'{label}: {validation["at"]}, {metric} {validation["value"]:.2f}')
