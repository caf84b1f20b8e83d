"""Work-arounds for known traps of this stack (torch, mmengine, mmpretrain).

* ``torch.load`` defaults to ``weights_only=True`` since torch 2.6, which rejects
  the mmengine and numpy objects inside an mmengine checkpoint (message hub,
  history buffers, numpy scalars). :func:`register_safe_globals` allow-lists
  exactly those types; weights_only stays on.

Work-arounds of launching (gloo on a CPU machine, the end of a distributed
rank) live in :mod:`skcl_mm.utils.distributed`.
"""
import pickle

import numpy as np
import torch


def _safe_global_types():
    """Types an mmengine checkpoint pickles besides tensors."""
    from mmengine.logging import HistoryBuffer

    types = [HistoryBuffer, np.ndarray, np.dtype, np.bool_]
    # numpy 2 moved numpy.core to numpy._core; pickles name whichever wrote them.
    multiarray = getattr(np, '_core', np.core).multiarray
    types += [multiarray.scalar, multiarray._reconstruct]
    # One dtype class per scalar type (numpy >= 1.25 pickles e.g. dtypes.Float64DType).
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        types += [getattr(dtypes, name) for name in dir(dtypes)
                  if name.endswith('DType')]
    return types


_HISTORY_STATISTICS = ('min', 'max', 'mean', 'current')


def _history_buffer_getattr(owner, name):
    """Stand-in for ``getattr`` while unpickling under weights_only.

    mmengine's HistoryBuffer pickles its statistics functions as
    ``getattr(HistoryBuffer, 'mean')``; a general ``getattr`` would let a
    checkpoint reach anything, so only those lookups are allowed.
    """
    from mmengine.logging import HistoryBuffer
    if (owner is HistoryBuffer or isinstance(owner, HistoryBuffer)) and \
            (name in _HISTORY_STATISTICS or name in HistoryBuffer._statistics_methods):
        return getattr(owner, name)
    raise pickle.UnpicklingError(
        f'weights_only load: getattr({owner!r}, {name!r}) is not '
        'allowed (skcl_mm allows only HistoryBuffer statistics methods).')


def register_safe_globals():
    """Allow-list mmengine/numpy checkpoint contents for weights_only loading."""
    if hasattr(torch.serialization, 'add_safe_globals'):
        torch.serialization.add_safe_globals(
            _safe_global_types() +
            [(_history_buffer_getattr, 'builtins.getattr')])


register_safe_globals()
