"""tools/analysis_tools/resident_epoch_time.py as a user runs it: real Runner
epochs of the worker, resident and fast paths on generated CIFAR-100 pickles."""
import json
import math

from tests.tools_runner import run_tool, run_tool_failing

TOOL = 'tools/analysis_tools/resident_epoch_time.py'


def test_tiny_cpu_run_reports_every_path(tmp_path):
    out = tmp_path / 'epoch_time.json'
    # 300 balanced images, imbalance 3 -> 3..1 per class (196 images), batch 32.
    proc = run_tool([TOOL, '--device', 'cpu', '--method', 'bcl', '--train-images', '300',
                     '--imbalance', '3', '--batch-size', '32', '--epochs', '1',
                     '--num-workers', '1', '--backbone-depth', '8', '--paths', 'worker',
                     'resident', 'fast', '--work-dir', str(tmp_path), '--json', str(out)],
                    timeout=300)
    result = json.loads(out.read_text())
    assert result['device'] == 'cpu' and result['amp'] == 'none'
    assert result['config'] == 'configs/baselines/bcl_resnet32_cifar100lt_resident.py'
    sizes = {path['dataset_images'] for path in result['paths'].values()}
    assert sizes == {result['dataset_images']} and 100 < result['dataset_images'] < 300
    for name, path in result['paths'].items():
        assert path['iters_per_epoch'] == result['dataset_images'] // 32, name  # drop_last
        assert path['images_per_epoch'] == path['iters_per_epoch'] * 32
        assert 0 < path['data_time_s'][0] < path['epoch_s'][0] <= path['wall_s'][0] * 1.05
        assert math.isclose(path['images_per_s'], path['images_per_epoch'] / path['epoch_s'][0])
        assert 'peak_memory_mib' not in path
    for name in ('resident', 'fast'):
        assert math.isclose(result['speed_over_worker'][name],
                            result['paths']['worker']['steady_epoch_s']
                            / result['paths'][name]['steady_epoch_s'])
    lines = proc.stdout.strip().splitlines()  # the report only: the logs go to stderr
    assert lines[0].startswith('| path |') and lines[2].startswith('| worker |')
    assert lines[3].startswith('| resident |') and lines[4].startswith('| fast |')
    assert 'speed over the worker path: resident x' in lines[5]
    assert 'DeviceResidentLoader:' in proc.stderr
    assert 'CompileTrainStepHook: compiled data_preprocessor.forward and loss' in proc.stderr


def test_bad_sizes_and_amp_on_the_cpu_stop_with_the_fix():
    assert '--train-images=250: give a multiple of 100' in run_tool_failing(
        [TOOL, '--device', 'cpu', '--train-images', '250'])
    assert '--amp bf16 needs CUDA' in run_tool_failing(
        [TOOL, '--device', 'cpu', '--amp', 'bf16', '--train-images', '100'])
