"""benchmark.py, build_semantic_graph.py, run_seeds.py and the dist scripts on
inputs a new user gets wrong: one message, no traceback, before any work."""
from tests.tools_runner import run_tool_failing as fails

QUICKSTART = 'configs/quickstart/skcl_resnet32_digitslt.py'


def test_benchmark_batch_size_zero_is_not_the_default():
    assert '--batch-size must be >= 1, got 0' in fails(
        ['tools/benchmark.py', QUICKSTART, '--batch-size', '0'])


def test_build_semantic_graph_unknown_hierarchy(tmp_path):
    output = fails(['tools/build_semantic_graph.py', '--descriptions', 'digits',
                    '--hierarchy', 'digitz', '--out-dir', str(tmp_path)])
    assert "--hierarchy 'digitz' is neither a shipped set" in output
    assert "did you mean 'digits'?" in output


def test_run_seeds_with_a_config_that_does_not_exist(tmp_path):
    output = fails(['tools/run_seeds.py', 'configs/quickstart/skcl_resnet32_digitslt',
                    '--seeds', '0', '--work-dir', str(tmp_path)])
    assert ('config configs/quickstart/skcl_resnet32_digitslt does not exist; did you mean '
            f'{QUICKSTART}?') in output
    assert '[run_seeds] seed 0' not in output  # stopped before the first run


def test_dist_train_refuses_a_launcher_and_a_lone_multi_node_address():
    assert 'remove --launcher: this script starts the processes with torchrun' in fails(
        ['bash', 'tools/dist_train.sh', QUICKSTART, '2', '--launcher', 'none'])
    assert 'NNODES=2 needs MASTER_ADDR' in fails(
        ['bash', 'tools/dist_train.sh', QUICKSTART, '1'], dict(NNODES='2'))
