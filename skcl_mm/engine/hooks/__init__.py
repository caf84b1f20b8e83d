"""Hooks: training counts, the semantic graph, checkpoint guards, step compilation."""
from .checkpoint_guard_hook import CheckpointGuardHook, CheckpointMismatchError
from .compile_train_step_hook import CompileTrainStepHook
from .own_best_checkpoint_hook import OwnBestCheckpointHook
from .semantic_graph_hook import SemanticGraphHook
from .train_counts_hook import TrainCountsHook

__all__ = ['CheckpointGuardHook', 'CheckpointMismatchError', 'CompileTrainStepHook',
           'OwnBestCheckpointHook', 'SemanticGraphHook', 'TrainCountsHook']
