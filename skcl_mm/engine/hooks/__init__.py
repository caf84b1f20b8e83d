"""hooks."""
from .train_counts_hook import TrainCountsHook  # noqa: F401
