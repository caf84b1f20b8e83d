"""LoadImageBytes: a dataloader worker reads the file, the device decodes it."""
from typing import Optional

import torch
from mmcv.transforms import BaseTransform
from mmengine import fileio

from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadImageBytes(BaseTransform):
    """Read ``img_path`` into a 1-D uint8 tensor of the file's bytes, undecoded.

    The first transform of a pipeline whose images are decoded on the device
    by ``GPUDecodeDataPreprocessor``: the worker's whole job becomes one file
    read. Reads through mmengine's fileio, so ``backend_args`` selects the
    storage as for ``LoadImageFromFile`` (local disk, petrel, http, ...).
    ``PackInputs(input_key='img_bytes')`` packs the tensor unchanged and keeps
    ``img_path`` in the data sample (the preprocessor names the file in its
    messages).

    Required keys: ``img_path``. Added keys: ``img_bytes`` (Tensor, (N,)
    uint8, N the file size).

    Args:
        backend_args (dict, optional): mmengine fileio backend arguments.
            Defaults to None (inferred from the path).
    """

    def __init__(self, backend_args: Optional[dict] = None):
        if backend_args is not None and not isinstance(backend_args, dict):
            raise ValueError('LoadImageBytes backend_args must be a dict (mmengine '
                             f'fileio arguments) or None, got {backend_args!r}.')
        self.backend_args = None if backend_args is None else dict(backend_args)

    def transform(self, results: dict) -> dict:
        """Add ``img_bytes`` (1-D uint8 tensor) read from ``results['img_path']``."""
        path = results['img_path']
        data = fileio.get(path, backend_args=self.backend_args)
        if not data:
            raise ValueError(f'LoadImageBytes: {path} is empty (0 bytes); replace '
                             'the file or remove it from the annotation list.')
        results['img_bytes'] = torch.frombuffer(bytearray(data), dtype=torch.uint8)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(backend_args={self.backend_args})'
