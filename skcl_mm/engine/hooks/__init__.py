"""Hooks: training counts, the semantic graph, checkpoint guards."""
from .checkpoint_guard_hook import CheckpointGuardHook, CheckpointMismatchError
from .own_best_checkpoint_hook import OwnBestCheckpointHook
from .semantic_graph_hook import SemanticGraphHook
from .train_counts_hook import TrainCountsHook

__all__ = ['CheckpointGuardHook', 'CheckpointMismatchError',
           'OwnBestCheckpointHook', 'SemanticGraphHook', 'TrainCountsHook']
