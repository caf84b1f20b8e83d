import io
import pickle

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer, MessageHub

import skcl_mm  # noqa: F401  (registers the allow-list)
from skcl_mm.compat import fix_dataloader_workers, setup_distributed


def test_message_hub_round_trips_under_weights_only():
    hub = MessageHub.get_instance('compat-test')
    hub.update_scalar('train/loss', 1.5)
    hub.update_scalar('train/loss', torch.tensor(0.5).numpy())
    buffer = io.BytesIO()
    torch.save({'message_hub': hub.state_dict()}, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)
    restored = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(restored, HistoryBuffer)
    assert restored.mean() == pytest.approx(1.0)


class _Evil:
    def __reduce__(self):  # unpickles as getattr(HistoryBuffer, '__init__')
        return (getattr, (HistoryBuffer, '__init__'))


def test_general_getattr_stays_forbidden():
    buffer = io.BytesIO()
    torch.save({'x': _Evil()}, buffer)
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError, match='not allowed'):
        torch.load(buffer, weights_only=True)


def test_fix_dataloader_workers():
    cfg = Config(dict(train_dataloader=dict(num_workers=0, persistent_workers=True),
                      val_dataloader=dict(num_workers=2, persistent_workers=True)))
    fix_dataloader_workers(cfg)
    assert cfg.train_dataloader.persistent_workers is False
    assert cfg.val_dataloader.persistent_workers is True


def test_setup_distributed_single_process_changes_nothing():
    cfg = Config(dict(model_wrapper_cfg=None))
    setup_distributed(cfg, 'none')
    assert cfg.model_wrapper_cfg is None


MPI_CHECK = """
import torch.distributed as dist
from mmengine.config import Config
from skcl_mm.compat import setup_distributed
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
