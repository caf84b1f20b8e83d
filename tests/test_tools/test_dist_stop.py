"""Stopping a distributed run stops every rank (tools/dist_train.sh, real torchrun).

The processes are found through /proc; every process a test starts is killed by
its pid in ``finally`` should an assertion fail.
"""
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from skcl_mm.utils.stop_with_launcher import child_pids
from tests.tools_runner import REPO, free_port, tool_env

CONFIG = 'tests/data/configs/linear_cifar10_lt.py'
WATCHER = os.path.join(REPO, 'skcl_mm', 'utils', 'stop_with_launcher.py')
pytestmark = pytest.mark.skipif(not os.path.isdir('/proc'), reason='needs /proc (Linux)')


def descendants(pid):
    found, todo = [], [pid]
    while todo:
        children = child_pids(todo.pop())
        found += children
        todo += children
    return found


def alive(pid):
    """Running (a zombie has ended: it only waits for its parent to read its status)."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def wait_gone(pids, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end and any(alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


def kill_all(pids):
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


# A "rank" (loads the watcher alone, no heavy imports) with one child process,
# started by a "launcher" that prints the rank's pid and waits for it.
RANK = f"""
import importlib.util, subprocess, sys, time
spec = importlib.util.spec_from_file_location('watch', {WATCHER!r})
watch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(watch)
watch.stop_with_launcher(interval=0.1)
child = subprocess.Popen(['sleep', '60'])
print(child.pid, flush=True)
time.sleep(60)
"""
LAUNCHER = f"""
import subprocess, sys
rank = subprocess.Popen([sys.executable, '-c', {RANK!r}])
print(rank.pid, flush=True)
rank.wait()
"""


def test_orphaned_rank_stops_and_says_why():
    launcher = subprocess.Popen([sys.executable, '-c', LAUNCHER], env=dict(os.environ, RANK='7'),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rank = int(launcher.stdout.readline())
    worker = int(launcher.stdout.readline())
    try:
        assert alive(rank) and alive(worker)
        launcher.kill()
        launcher.wait()
        assert wait_gone([rank, worker], 5) == []
        message = launcher.stderr.read()
        assert (f'skcl_mm: rank 7 (pid {rank}) stops: its launcher (pid {launcher.pid}: '
                'torchrun, srun or mpirun) is gone') in message
    finally:
        kill_all([rank, worker])


def start_training(cifar10_root, work_dir):
    """tools/dist_train.sh with 2 gloo ranks (1 dataloader worker each), until the
    first training iteration is logged; returns (launcher, output lines, pids)."""
    env = tool_env(dict(SKCL_TEST_CIFAR10=cifar10_root, PORT=str(free_port())))
    launcher = subprocess.Popen(
        ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', str(work_dir),
         '--cfg-options', 'train_cfg.max_iters=100000', 'train_cfg.val_interval=100000',
         'default_hooks.checkpoint.interval=100000', 'train_dataloader.num_workers=1'],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, training = [], threading.Event()

    def read():
        for line in launcher.stdout:
            lines.append(line)
            if 'Iter(train)' in line:
                training.set()
    threading.Thread(target=read, daemon=True).start()
    started = training.wait(120)
    pids = descendants(launcher.pid)
    if not started:
        kill_all([launcher.pid] + pids)
        pytest.fail('training did not start:\n' + ''.join(lines)[-3000:])
    return launcher, lines, pids


def cmdline(pid):
    try:
        with open(f'/proc/{pid}/cmdline') as f:
            return f.read().replace('\0', ' ')
    except OSError:
        return ''


@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGKILL], ids=['SIGTERM', 'SIGKILL'])
def test_signal_to_dist_train_stops_every_rank(cifar10_root, tmp_path, sig):
    """SIGTERM: torchrun (exec'd by the script) forwards it to each rank's process
    group. SIGKILL: torchrun cannot forward anything; each rank sees its launcher
    gone and stops itself (skcl_mm.utils.stop_with_launcher)."""
    launcher, lines, pids = start_training(cifar10_root, tmp_path)
    try:
        ranks = child_pids(launcher.pid)  # torchrun's children; their workers below
        assert len(ranks) == 2 and all('tools/train.py' in cmdline(r) for r in ranks)
        assert len(pids) >= 4, pids
        launcher.send_signal(sig)
        assert wait_gone(pids, 10) == [], ''.join(lines)[-3000:]
        assert launcher.wait(10) != 0
        if sig == signal.SIGKILL:
            time.sleep(0.5)  # the reader thread takes the last lines
            output = ''.join(lines)
            # A rank may end first on the collective error its peer's exit
            # causes; at least one says why it stopped.
            assert any(f'skcl_mm: rank {rank} (pid ' in output for rank in (0, 1)), \
                output[-3000:]
            assert 'its launcher (pid ' in output and 'is gone' in output
    finally:
        kill_all([launcher.pid] + pids)


@pytest.mark.parametrize('args, message', [
    (['tools/dist_train.sh'], 'usage: tools/dist_train.sh CONFIG NPROC'),
    (['tools/dist_train.sh', CONFIG, 'two'], "NPROC='two' must be a positive number"),
    (['tools/dist_train.sh', 'configs/nope.py', '2'], "CONFIG 'configs/nope.py' is not a file"),
    (['tools/dist_test.sh', CONFIG, 'x.pth'], 'usage: tools/dist_test.sh CONFIG CHECKPOINT NPROC'),
    (['tools/dist_test.sh', CONFIG, 'x.pth', '0'], "NPROC='0' must be a positive number"),
    (['tools/slurm_train.sh', 'part', 'job'], 'usage: tools/slurm_train.sh PARTITION JOB_NAME'),
])
def test_launch_scripts_name_their_usage(args, message):
    proc = subprocess.run(['bash', *args], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0 and message in proc.stderr, proc.stderr
