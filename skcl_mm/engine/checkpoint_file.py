"""Read a checkpoint file with weights_only loading, or say plainly why not.

torch's own errors for a bad file are long and misleading for a user (a
zero-byte file raises a bare ``EOFError``; a truncated one an "internal miniz
error"; a file holding objects outside the allow-list suggests turning
``weights_only`` off, which would run whatever code the file carries). Here each
becomes one :class:`CheckpointFileError` naming the file, what is wrong and
what to do. weights_only stays on.
"""
import os
import os.path as osp
import pickle
import re

import torch


class CheckpointFileError(ValueError):
    """A checkpoint file is missing, empty, cut off, or not a checkpoint."""


_GLOBAL = re.compile(r'(?:Unsupported global: GLOBAL|unsupported GLOBAL)\s+([\w.]+)')


def read_checkpoint(path: str, what: str = 'checkpoint') -> dict:
    """Load ``path`` on the CPU with ``weights_only=True`` (memory-mapped when
    the file allows it).

    Args:
        path (str): A local checkpoint file.
        what (str): How messages name it (e.g. ``'--resume checkpoint'``).

    Returns:
        dict: The checkpoint (for mmengine checkpoints: ``meta``,
        ``state_dict``, ...; a bare state dict is returned as it is).

    Raises:
        CheckpointFileError: The file is missing, empty, truncated or
            corrupt, or holds objects that weights_only loading refuses.
    """
    path = os.fspath(path)
    if not osp.exists(path):
        raise CheckpointFileError(f'{what} {path!r} does not exist.')
    if osp.isdir(path):
        raise CheckpointFileError(
            f'{what} {path!r} is a directory; give a .pth file in it (e.g. the '
            'one its last_checkpoint file names).')
    size = osp.getsize(path)
    if size == 0:
        raise CheckpointFileError(
            f'{what} {path!r} is empty (0 bytes): the run that wrote it was '
            'stopped while saving, or the copy failed. Use the previous '
            'checkpoint of that run, or copy the file again.')
    try:
        checkpoint = _load(path)
    except pickle.UnpicklingError as err:
        raise CheckpointFileError(_refused_message(path, what, err)) from err
    except PermissionError as err:
        raise CheckpointFileError(
            f'{what} {path!r} cannot be read: permission denied. Make it '
            f'readable (chmod u+r {path}) or copy it somewhere you can read.') from err
    except Exception as err:  # noqa: BLE001  (torch raises many kinds for a bad file)
        raise CheckpointFileError(
            f'{what} {path!r} ({size:,} bytes) is not a readable PyTorch '
            f'checkpoint: it is cut off or corrupt ({type(err).__name__}: '
            f'{_first_line(err)}). A file still being written or copied looks '
            'like this: wait for the copy to finish, copy it again, or use an '
            'earlier checkpoint of that run.') from err
    if not isinstance(checkpoint, dict):
        raise CheckpointFileError(
            f'{what} {path!r} holds a {type(checkpoint).__name__}, not a '
            'checkpoint dict (mmengine checkpoints hold "meta" and '
            '"state_dict"). Give a checkpoint that training wrote.')
    return checkpoint


def check_checkpoint_file(path, what: str = 'checkpoint') -> None:
    """For the tools: stop with the :func:`read_checkpoint` message (no
    traceback) when a local checkpoint cannot be read. Remote paths
    (``s3://``, ``https://``) and None are left to mmengine."""
    if path is None or '://' in str(path):
        return
    try:
        read_checkpoint(path, what)
    except CheckpointFileError as err:
        raise SystemExit(f'error: {err}') from None


def _load(path: str):
    try:
        return torch.load(path, map_location='cpu', weights_only=True, mmap=True)
    except RuntimeError as err:
        if 'mmap' not in str(err):
            raise
    # The legacy (non-zip) format cannot be memory-mapped: load it whole.
    return torch.load(path, map_location='cpu', weights_only=True)


def _refused_message(path: str, what: str, err: Exception) -> str:
    text = str(err)
    found = _GLOBAL.search(text)
    holds = (f'an object of type {found.group(1)}' if found
             else 'an object that is not a tensor, number, string or container')
    return (f'{what} {path!r} holds {holds}, which safe (weights_only) loading '
            'does not allow: a checkpoint of this project holds only tensors, '
            'numbers, strings and the mmengine log buffers. The file was written '
            'by other code, or holds code; skcl_mm does not load it. If it is your '
            'own, save only its tensors (e.g. torch.save({"state_dict": '
            'model.state_dict()}, path)) where it was made.')


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return (text[0][:200] if text else '') or 'no message'
