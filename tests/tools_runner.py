"""Run the repository's tools as real subprocesses (what a user types)."""
import os
import signal
import socket
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def terminal_sigint() -> None:
    """``preexec_fn`` for a tool that a test stops with SIGINT (Ctrl-C): a test
    run started from a background shell inherits SIGINT as ignored, and Python
    then never raises KeyboardInterrupt; a terminal gives the default."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def tool_env(extra=None) -> dict:
    """The environment the tools run in: this one, the repo importable, 1 thread."""
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1', HF_HUB_OFFLINE='1')
    env.update(extra or {})
    return env


def run_tool(args, env=None, timeout=600, check=True):
    """Run ``args`` (``python tools/x.py ...`` or ``bash tools/x.sh ...``) from the repo root.

    Returns the CompletedProcess; on failure (with ``check``) the assertion
    shows the tail of the combined output.
    """
    full_env = tool_env(env)
    cmd = [sys.executable, *args] if args[0].endswith('.py') else list(args)
    proc = subprocess.run(cmd, cwd=REPO, env=full_env, capture_output=True,
                          text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, (
            f'{" ".join(cmd)} exited {proc.returncode}:\n'
            f'{(proc.stdout + proc.stderr)[-4000:]}')
    return proc


def run_tool_failing(args, env=None, timeout=120) -> str:
    """Run a tool that must stop on bad input: a non-zero exit and no Python
    traceback. Returns its combined output, for the message asserts."""
    proc = run_tool(args, env, timeout=timeout, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and 'Traceback' not in output, output[-3000:]
    return output


def load_tool(name: str):
    """The module of ``tools/{name}.py``, imported in this process (to call its
    functions without a subprocess)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(REPO, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
