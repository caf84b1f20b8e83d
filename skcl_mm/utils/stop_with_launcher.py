"""Stop a distributed rank whose launcher is gone.

torchrun starts every rank in a session of its own (``start_new_session=True``):
a SIGKILL to torchrun (an OOM kill, ``kill -9``, a lost job step) leaves the
ranks training on with nobody to stop them, holding GPUs and writing into the
work dir. :func:`watch_launcher` starts a daemon thread that compares the
parent pid with the launcher's every second; when the rank has been orphaned it
writes why to stderr, kills its own child processes (dataloader workers) and
exits. SIGTERM and SIGINT to the launcher are forwarded to each rank's process
group; :func:`stop_with_launcher` also makes SIGINT end a rank at once, like
SIGTERM, instead of a KeyboardInterrupt that waits for the main thread (and
then for the dataloader workers) before the rank ends.
"""
import os
import signal
import threading
import time

EXIT_CODE = 1
_watcher = None


def stop_with_launcher(interval: float = 1.0) -> threading.Thread:
    """Make this distributed rank end with its launcher: watch it, and let SIGINT
    end the process at once (as SIGTERM does).

    Args:
        interval (float): Seconds between two looks at the parent pid.

    Returns:
        threading.Thread: The watching daemon thread.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    return watch_launcher(interval)


def watch_launcher(interval: float = 1.0) -> threading.Thread:
    """Start (once per process) the thread that stops this rank with its launcher.

    Args:
        interval (float): Seconds between two looks at the parent pid.

    Returns:
        threading.Thread: The watching daemon thread.
    """
    global _watcher
    if _watcher is None or not _watcher.is_alive():
        _watcher = threading.Thread(target=_watch, args=(os.getppid(), interval),
                                    name='skcl_mm-launcher-watch', daemon=True)
        _watcher.start()
    return _watcher


def _watch(launcher_pid: int, interval: float):
    while os.getppid() == launcher_pid:
        time.sleep(interval)
    _stop(launcher_pid)


def _stop(launcher_pid: int):
    """Say why, end the children, exit at once (the main thread may be blocked
    in a collective that would wait for its peers for half an hour)."""
    rank = os.environ.get('RANK', '?')
    message = (f'skcl_mm: rank {rank} (pid {os.getpid()}) stops: its launcher (pid '
               f'{launcher_pid}: torchrun, srun or mpirun) is gone, and a rank on its '
               'own would train on with nobody to stop it. Start the run again '
               '(--resume continues from the last checkpoint).\n')
    try:
        os.write(2, message.encode())  # not sys.stderr: the main thread may hold its lock
    except OSError:
        pass  # nobody reads our stderr any more
    for child in child_pids(os.getpid()):
        try:
            os.kill(child, signal.SIGKILL)
        except OSError:
            pass
    os._exit(EXIT_CODE)


def child_pids(pid: int) -> list:
    """Pids whose parent is ``pid``, read from /proc ([] where there is none)."""
    children = []
    try:
        entries = os.listdir('/proc')
    except OSError:
        return children
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as f:
                stat = f.read()
        except OSError:
            continue  # ended meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        if int(stat.rsplit(')', 1)[1].split()[1]) == pid:
            children.append(int(entry))
    return children
