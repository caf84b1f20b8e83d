"""Engine: hooks and training loops."""
from . import hooks, runner  # noqa: F401
