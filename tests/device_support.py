"""What a test needs from the machine: a CUDA GPU, a C++ compiler, no host syncs."""
import contextlib
import shutil

import pytest
import torch

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU')
needs_cpu_compiler = pytest.mark.skipif(
    not (shutil.which('c++') or shutil.which('g++')),
    reason='torch.compile on a CPU needs a C++ compiler')


@contextlib.contextmanager
def host_sync_is_an_error():
    """Inside, an operation that makes the host wait for the GPU raises."""
    torch.cuda.set_sync_debug_mode('error')
    try:
        yield
    finally:
        torch.cuda.set_sync_debug_mode('default')
