"""tools/analysis_tools/batch_transform_timing.py and tools/benchmark.py --batch-transforms."""
import importlib.util
import json
import sys

import pytest
import torch
from analysis_tools import batch_transform_timing as btt

from tests.tools_runner import run_tool, run_tool_failing

needs_kornia = pytest.mark.skipif(importlib.util.find_spec('kornia') is None, reason=(
    'kornia is not installed: pip install kornia (in setup.py extras "tests")'))
CPU = torch.device('cpu')


@needs_kornia
def test_every_op_of_the_views_gets_a_kornia_transform_on_0_255():
    K = btt.import_kornia()
    images = torch.randint(0, 256, (4, 3, 32, 32)).float()
    views = btt.config_views()
    assert [len(v) for v in views.values()] == [3, 5]
    for cfg in views['regular'] + views['sim']:
        out = btt.kornia_transform(cfg, K)(images)
        assert out.shape == images.shape and out.min() >= 0 and out.max() <= 255, cfg
        assert out.max() > 1, f'{cfg}: the output is on [0, 255]'
    with pytest.raises(ValueError, match="BatchCutout has none"):
        btt.kornia_transform(dict(type='BatchCutout'), K)


def test_time_pair_alternates_and_reports_medians():
    calls = []
    result = btt.time_pair(lambda x: calls.append('own'), lambda x: calls.append('kornia'),
                           torch.zeros(1), iters=4, warmup=1, device=CPU)
    assert calls == ['own', 'kornia'] * 2 + ['kornia', 'own'] + ['own', 'kornia'] + [
        'kornia', 'own']
    assert result['own_ms'] > 0 and result['kornia_ms'] > 0 and result['ratio'] > 0
    with pytest.raises(ValueError, match='iters >= 1'):
        btt.time_pair(len, len, torch.zeros(1), iters=0, warmup=0, device=CPU)


@needs_kornia
def test_benchmark_mode_prints_the_table_and_writes_json(tmp_path):
    out = tmp_path / 'batch.json'
    proc = run_tool(['tools/benchmark.py', '--batch-transforms', '--batch-size', '4',
                     '--iters', '1', '--warmup', '0', '--device', 'cpu',
                     '--json', str(out)], timeout=300)
    res = json.loads(out.read_text())
    assert res['batch_size'] == 4 and res['kornia_version'] and res['device'] == 'cpu'
    ops = [row['op'] for row in res['rows']]
    assert len(ops) == 9 and ops[-2:] == ['view:regular', 'view:sim']
    assert 'BatchRandomCrop(size=32, padding=4)' in ops  # flip, in both views, once
    for row in res['rows']:
        assert row['own_ms'] > 0 and row['kornia_ms'] > 0
        assert row['ratio'] > 0  # no adoption verdict: the rule is in docs/pipelines.md
    assert f"kornia {res['kornia_version']}" in proc.stdout
    assert '| view:sim |' in proc.stdout and 'kornia / own' in proc.stdout


def test_benchmark_mode_without_kornia_says_how_to_install_it():
    """kornia made unimportable (a None entry in sys.modules) in the tool's
    process; tools/ first on sys.path, as when the script runs itself."""
    script = ('import runpy, sys; sys.modules["kornia"] = None; sys.path.insert(0, "tools"); '
              'sys.argv = ["tools/benchmark.py", "--batch-transforms", "--batch-size", "2"]; '
              'runpy.run_path("tools/benchmark.py", run_name="__main__")')
    output = run_tool_failing([sys.executable, '-c', script])
    assert 'tools/benchmark.py --batch-transforms runs kornia, which is not installed' in output
    assert 'pip install kornia' in output
