"""Utilities shared by the command-line tools."""
from .launch import (add_runner_args, prepare_config, protocol_notes,
                     same_val_and_test, world_batch_size)

__all__ = ['add_runner_args', 'prepare_config', 'protocol_notes',
           'same_val_and_test', 'world_batch_size']
