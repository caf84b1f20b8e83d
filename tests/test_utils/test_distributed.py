"""skcl_mm/utils/distributed.py: gloo on a CPU machine, MPI's variables."""
from mmengine.config import Config

from skcl_mm.utils.distributed import setup_distributed


def test_setup_distributed_single_process_changes_nothing():
    cfg = Config(dict(model_wrapper_cfg=None))
    setup_distributed(cfg, 'none')
    assert cfg.model_wrapper_cfg is None


MPI_CHECK = """
import torch.distributed as dist
from mmengine.config import Config
from skcl_mm.utils.distributed import setup_distributed
cfg = setup_distributed(Config(dict()), 'mpi')
print(dist.get_rank(), dist.get_world_size(), cfg['env_cfg']['dist_cfg']['backend'])
dist.destroy_process_group()
"""


def test_mpi_launcher_on_a_cpu_reads_open_mpis_variables():
    """mpirun sets OMPI_COMM_WORLD_*, not torch's RANK / WORLD_SIZE (one rank here)."""
    import subprocess
    import sys

    from tests.tools_runner import REPO, free_port, tool_env
    env = tool_env(dict(OMPI_COMM_WORLD_RANK='0', OMPI_COMM_WORLD_SIZE='1',
                        OMPI_COMM_WORLD_LOCAL_RANK='0', MASTER_ADDR='127.0.0.1',
                        MASTER_PORT=str(free_port())))
    for name in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK'):
        env.pop(name, None)
    proc = subprocess.run([sys.executable, '-c', MPI_CHECK], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split()[-3:] == ['0', '1', 'gloo']
    env.pop('MASTER_ADDR')
    proc = subprocess.run([sys.executable, '-c', MPI_CHECK], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and 'set MASTER_ADDR' in proc.stderr
