"""hooks."""
from .train_counts_hook import TrainCountsHook  # noqa: F401
from .semantic_graph_hook import SemanticGraphHook  # noqa: F401
from .own_best_checkpoint_hook import OwnBestCheckpointHook  # noqa: F401
from .checkpoint_guard_hook import CheckpointGuardHook, CheckpointMismatchError  # noqa: F401
