"""Launching and ending distributed runs on any machine (torchrun, Slurm, MPI).

* mmengine's distributed setup calls ``torch.cuda.set_device`` and wraps the
  model with ``device_ids=[rank]``. :func:`setup_distributed` initialises a gloo
  process group itself on a machine without CUDA and drops ``device_ids``.
* A finished rank ends with :func:`finish_distributed` (every rank together)
  and :func:`exit_distributed_rank` (without the interpreter's teardown).
"""
import os

import torch
import torch.distributed as torch_dist


def cuda_available():
    """True when this process can use a CUDA device."""
    return torch.cuda.is_available() and torch.cuda.device_count() > 0


def setup_distributed(cfg, launcher):
    """Prepare ``cfg`` for a distributed run on the current machine.

    With CUDA nothing changes (mmengine uses nccl). Without CUDA, the gloo
    process group is initialised here, before the Runner (mmengine would call
    ``torch.cuda.set_device``), and DDP is built without ``device_ids``.

    Args:
        cfg (mmengine.Config): The run's config, changed in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
    """
    if launcher == 'none' or cuda_available():
        return cfg
    env_cfg = dict(cfg.get('env_cfg') or {})
    env_cfg['dist_cfg'] = dict(env_cfg.get('dist_cfg') or {}, backend='gloo')
    cfg.env_cfg = env_cfg  # (Config.setdefault returns a copy for a new key)
    wrapper = dict(type='MMDistributedDataParallel', broadcast_buffers=False)
    wrapper.update(cfg.get('model_wrapper_cfg') or {})
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    if not torch_dist.is_initialized():
        if launcher == 'slurm':
            _export_slurm_env()
        elif launcher == 'mpi':
            _export_mpi_env()
        torch_dist.init_process_group(backend='gloo')
    return cfg


def finish_distributed():
    """End a distributed run cleanly: wait for every rank, then destroy the
    process group, so that no rank tears gloo down under a peer that is still
    writing checkpoints."""
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()


def exit_distributed_rank(code: int = 0):
    """Leave a finished distributed rank without the interpreter's teardown.

    torch's C++ teardown at interpreter exit of a distributed rank can abort
    with ``terminate called without an active exception`` (seen about once in
    eight two-node CPU runs, before this project's changes too): the rank then
    counts as failed, and torchrun on the other nodes waits out its exit
    barrier (5 minutes). A rank that finished its work flushes its logs and
    streams and ends here instead; a process that is not a distributed rank
    just returns.
    """
    if int(os.environ.get('WORLD_SIZE', '1')) <= 1:
        return
    import logging
    import sys
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _export_slurm_env():
    """Translate Slurm's variables into torch's env:// ones (gloo on CPU)."""
    import subprocess
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
    if 'MASTER_ADDR' not in os.environ:
        node_list = os.environ['SLURM_NODELIST']
        first = subprocess.getoutput(f'scontrol show hostname {node_list} | head -n1')
        os.environ['MASTER_ADDR'] = first
    os.environ.setdefault('MASTER_PORT', '29500')


def _export_mpi_env():
    """Translate Open MPI's variables into torch's env:// ones (gloo on CPU)."""
    if 'OMPI_COMM_WORLD_RANK' not in os.environ:
        raise SystemExit('--launcher mpi: OMPI_COMM_WORLD_RANK is not set; start '
                         'the processes with mpirun (Open MPI).')
    if 'MASTER_ADDR' not in os.environ:
        raise SystemExit('--launcher mpi: set MASTER_ADDR (the first node\'s '
                         'address) and optionally MASTER_PORT (default 29500).')
    os.environ.setdefault('RANK', os.environ['OMPI_COMM_WORLD_RANK'])
    os.environ.setdefault('WORLD_SIZE', os.environ['OMPI_COMM_WORLD_SIZE'])
    os.environ['LOCAL_RANK'] = os.environ.get('OMPI_COMM_WORLD_LOCAL_RANK', '0')
    os.environ.setdefault('MASTER_PORT', '29500')
