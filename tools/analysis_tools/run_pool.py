"""Run several training runs at once on one machine (``--jobs N`` of
tools/run_seeds.py and tools/reproduce.py).

:func:`run_pool` keeps up to N runs going, started in the order given, each a
separate process in its own process group whose output goes to its
``<work_dir>/train.out`` (as with one run at a time); the terminal gets one
line per start, per validation, per finish and per failure. After a failure
the running runs finish and no new one starts. Ctrl-C (SIGINT) or SIGTERM
passes the signal on to every run's process group once, waits for them to
end (checkpoints already written stay; a second Ctrl-C kills them) and raises
on.
"""
import os
import os.path as osp
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence

from .run_launch import log_tail
from .run_progress import RunFollower


@dataclass
class Job:
    """One training run of a pool.

    Attributes:
        label (str): How the terminal names it, e.g. ``seed 1``.
        cmd (list[str]): The command (:func:`run_launch.build_command`).
        work_dir (str): Its work dir; the output goes to ``train.out`` there.
        verb (str): The start line's word, ``training`` or ``resuming``.
        on_start (callable, optional): Called right before it starts.
        on_success (callable, optional): Called after it exited with 0.
    """
    label: str
    cmd: Sequence[str]
    work_dir: str
    verb: str = 'training'
    on_start: Optional[Callable[[], None]] = None
    on_success: Optional[Callable[[], None]] = None

    @property
    def log(self) -> str:
        return osp.join(self.work_dir, 'train.out')


@dataclass
class Timed:
    """When a run started and ended (``time.time()`` seconds) and its exit code."""
    job: Job
    start: float
    end: float = 0.0
    returncode: Optional[int] = None

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class PoolResult:
    """The runs that ended (in the order they ended) and the batch's wall time."""
    done: List[Timed] = field(default_factory=list)
    start: float = 0.0
    end: float = 0.0

    @property
    def failed(self) -> List[Timed]:
        return [t for t in self.done if t.returncode != 0]


class _Running:
    """A started job: its process, log file, follower and timing."""

    def __init__(self, job: Job, metric: str):
        os.makedirs(job.work_dir, exist_ok=True)
        if job.on_start:
            job.on_start()
        self.follower = RunFollower(job.work_dir, metric)
        self.log = open(job.log, 'a')
        self.log.write(f'[{job.label}] {" ".join(job.cmd)}\n')
        self.log.flush()
        self.timed = Timed(job, time.time())
        # Its own process group: the pool alone decides when it stops.
        self.proc = subprocess.Popen(list(job.cmd), stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.proc.pid, signum)
        except ProcessLookupError:  # already gone
            pass

    def close(self) -> Timed:
        self.log.close()
        self.timed.end, self.timed.returncode = time.time(), self.proc.returncode
        return self.timed


def run_pool(jobs: Sequence[Job], n: int, say: Callable[[str], None],
             metric: str = 'long_tail/top1', poll_s: float = 0.5,
             stop_timeout_s: float = 60.0) -> PoolResult:
    """Run ``jobs`` with at most ``n`` at once.

    Args:
        jobs (Sequence[Job]): In start order.
        n (int): Runs at once (>= 1).
        say (callable): Prints one terminal line.
        metric (str): The logged metric of the validation lines.
        poll_s (float): Seconds between looks at the runs.
        stop_timeout_s (float): After Ctrl-C / SIGTERM, how long a run may
            take to stop before it is killed.

    Returns:
        PoolResult: Every run that ended; ``failed`` those that exited non-zero
        (their log's end was printed).
    """
    waiting, running = list(jobs), []
    result = PoolResult(start=time.time())
    try:
        while running or (waiting and not result.failed):
            while waiting and len(running) < n and not result.failed:
                running.append(_Running(waiting.pop(0), metric))
                job = running[-1].timed.job
                say(f'{job.label}: {job.verb} ({len(running)} running), log in {job.log}')
            time.sleep(poll_s)
            for run in list(running):
                _report(run, say)
                if run.proc.poll() is not None:
                    running.remove(run)
                    _finish(run, result, say, stopping=bool(waiting))
    except BaseException as err:  # Ctrl-C, SIGTERM: the runs end with the tool
        _stop(running, err, say, stop_timeout_s)
        raise
    result.end = time.time()
    return result


def _finish(run: _Running, result: PoolResult, say, stopping: bool) -> None:
    timed = run.close()
    _report(run, say)
    result.done.append(timed)
    job = timed.job
    if timed.returncode == 0:
        if job.on_success:
            job.on_success()
        say(f'{job.label}: finished in {timed.seconds:.0f} s, log in {job.log}')
        return
    say(f'{job.label} failed (exit {timed.returncode}) after {timed.seconds:.0f} s; '
        f'the end of {job.log}:')
    print(log_tail(job.log), flush=True)
    if stopping and len(result.failed) == 1:
        say('starting no new runs; the running ones finish')


def _stop(running: List[_Running], err: BaseException, say, timeout_s: float) -> None:
    """Pass SIGINT (Ctrl-C) or SIGTERM to every running run once and wait;
    kill the ones still there after ``timeout_s`` or on a second Ctrl-C."""
    signum = signal.SIGINT if isinstance(err, KeyboardInterrupt) else signal.SIGTERM
    if running:
        say(f'stopping {len(running)} running run(s) ({signal.Signals(signum).name}): '
            + ', '.join(r.timed.job.label for r in running))
    for run in running:
        run.signal_group(signum)
    deadline = time.monotonic() + timeout_s
    try:
        for run in running:
            try:
                run.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                run.signal_group(signal.SIGKILL)
    except KeyboardInterrupt:  # a second Ctrl-C: no more waiting
        for run in running:
            run.signal_group(signal.SIGKILL)
        raise
    finally:
        for run in running:
            run.proc.wait()
            run.close()


def _report(run: _Running, say) -> None:
    for validation in run.follower.poll():
        say(f'{run.timed.job.label}: {validation["at"]}, {run.follower.metric} '
            f'{validation["value"]:.2f}')


def run_pool_or_exit(jobs: Sequence[Job], n: int, say: Callable[[str], None],
                     tool: str, interrupted: str, fix: str,
                     metric: str = 'long_tail/top1') -> List[Timed]:
    """:func:`run_pool`, ending the tool on a stop or a failure.

    Ctrl-C: says ``interrupted`` and exits 130. Failed runs: exits with
    ``[tool] failed:`` and each failed run's label, exit code and log, then
    ``fix``.

    Returns:
        list[Timed]: The finished runs.
    """
    try:
        result = run_pool(jobs, n, say, metric)
    except KeyboardInterrupt:
        say(interrupted)
        raise SystemExit(130) from None
    if result.failed:
        raise SystemExit(f'[{tool}] failed: ' + '; '.join(
            f'{t.job.label} (exit {t.returncode}, log {t.job.log})' for t in result.failed)
            + fix)
    return result.done
