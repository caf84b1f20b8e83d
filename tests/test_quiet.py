"""skcl_mm/quiet.py: the mmcv-lite warning is gone, a warning for the user still shows.

Subprocesses, as a user runs them: pytest.ini filters the same warning for the
tests, so only a fresh interpreter shows what a user sees. (tools/train.py,
tools/benchmark.py and mmpretrain's own train.py are checked where their tests
run them: test_run_seeds.py, test_benchmark_tool.py, test_train_test_tools.py.)
"""
import subprocess
import sys

from tests.tools_runner import REPO, run_tool, tool_env

MMCV_LITE = 'MultiScaleDeformableAttention'


def test_import_is_quiet_but_a_warning_that_asks_to_act_shows():
    # K=5 neighbours where mode 'both' offers 4 candidates (levels [2, 3]):
    # skcl_mm clamps K and tells the user, a warning that must still show.
    code = ('import skcl_mm\n'
            'import mmpretrain.models\n'
            'from skcl_mm.semantics.graph_contract import resolve_num_neighbours\n'
            "resolve_num_neighbours(5, 'both', [2, 3])\n")
    proc = subprocess.run([sys.executable, '-c', code], cwd=REPO, env=tool_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert MMCV_LITE not in proc.stderr
    assert "UserWarning: num_neighbours: K=5 neighbours requested but mode 'both'" \
        in proc.stderr


def test_without_skcl_mm_the_warning_is_there():
    """The filter is skcl_mm's, not the environment's (else the test above
    could not fail)."""
    proc = subprocess.run([sys.executable, '-c', 'import mmpretrain.models'], cwd=REPO,
                          env=tool_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and MMCV_LITE in proc.stderr


def test_a_tool_that_imports_mmengine_first_is_quiet():
    """tools/test.py imports mmengine before skcl_mm: the filter is still first."""
    proc = run_tool(['tools/test.py', '--help'])
    assert 'usage:' in proc.stdout and MMCV_LITE not in proc.stderr


def test_known_noise_filter_drops_only_mmengines_deprecation_notices():
    import logging

    from skcl_mm.quiet import quiet_known_noise
    logger = logging.getLogger('skcl_mm_quiet_test')
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    logger.addHandler(Keep())
    assert quiet_known_noise(quiet_known_noise(logger)) is logger
    assert len(logger.filters) == 1  # added once
    logger.warning('"FileClient" will be deprecated in future. Please use io functions')
    logger.warning('"HardDiskBackend" is the alias of "LocalBackend" and the former '
                   'will be deprecated in future.')
    logger.warning('SKCLLoss num_neighbours: K=7 neighbours requested')
    assert records == ['SKCLLoss num_neighbours: K=7 neighbours requested']
