"""tools/analysis_tools/decode_throughput.py: a tiny run of both paths, and its checks."""
import json

from analysis_tools import decode_throughput as tool

from tests.tools_runner import run_tool, run_tool_failing

TOOL = 'tools/analysis_tools/decode_throughput.py'


def test_a_tiny_run_measures_both_paths(tmp_path):
    out = tmp_path / 'decode.json'
    proc = run_tool([TOOL, '--images', '4', '--batch-size', '2', '--workers', '1',
                     '--iters', '1', '--warmup', '0', '--crop-size', '32',
                     '--height', '40', '--width', '48', '--json', str(out)], timeout=120)
    report = json.loads(out.read_text())
    assert report['info']['device'] == 'cpu'
    for path in ('cpu', 'gpu'):
        rates = report['paths'][path]
        assert rates['views_shape'] == [6, 3, 32, 32], path  # 3 views x 2 images
        for key in ('images_per_s', 'worker_images_per_s', 'preprocessor_images_per_s'):
            assert rates[key] > 0, (path, key)
        assert 'peak_memory_mib' not in rates  # CUDA only
        assert f'{path}: ' in proc.stdout
    assert report['gpu_over_cpu'] > 0 and 'gpu / cpu' in proc.stdout


def test_generated_jpegs_have_the_asked_size(tmp_path):
    from PIL import Image
    (path, ) = tool.write_jpegs(str(tmp_path), 1, 30, 40, 90)
    with Image.open(path) as image:
        assert (image.format, image.size) == ('JPEG', (40, 30))


def test_bad_sizes_stop_before_work():
    output = run_tool_failing([TOOL, '--images', '2', '--batch-size', '4'])
    assert '--batch-size (4) must be <= --images (2)' in output
