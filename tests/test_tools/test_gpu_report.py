"""tools/gpu_report.sh as a user runs it, on the CPU with --small: every part runs
its real tool (benchmark, Runner epochs, run_seeds --jobs 2, decoding) and the
report gathers their figures."""
import json

from tests.tools_runner import run_tool, run_tool_failing


def test_small_report_runs_every_part_on_the_cpu(tmp_path):
    out = tmp_path / 'report'
    proc = run_tool(['bash', 'tools/gpu_report.sh', str(out), '--small', '--device', 'cpu',
                     '--jobs', '2', '--budget', '900'], timeout=1000)
    report = json.loads((out / 'report.json').read_text())
    assert report['device'] == 'cpu' and report['small'] and report['cpu_cores'] >= 1
    parts = {part['name']: part for part in report['parts']}
    assert list(parts) == ['step_none', 'epoch', 'jobs', 'decode']
    for name, part in parts.items():
        assert part['exit'] == 0 and 'result' in part, (name, part)
        assert (out / f'{name}.log').is_file()
    step = parts['step_none']['result']
    assert step['compile'] is None and 0 < step['head_loss_fraction'] < 1
    assert step['config'].endswith('skcl_resnet32_cifar100lt_fast.py')
    assert set(parts['epoch']['result']['paths']) == {'worker', 'resident'}
    throughput = parts['jobs']['result']['throughput']
    assert throughput['jobs'] == throughput['runs'] == len(throughput['per_run']) == 2
    assert throughput['wall_s'] > 0 and throughput['runs_per_hour'] > 0
    assert set(parts['decode']['result']['paths']) == {'cpu', 'gpu'}
    markdown = (out / 'report.md').read_text()
    assert markdown == proc.stdout.strip() + '\n' or markdown.strip() == proc.stdout.strip()
    for title in ('## Training step', '## CIFAR-100-LT IF100 epoch', '## Concurrent seeds',
                  '## ImageNet-LT views', '**--small**'):
        assert title in markdown, title
    assert '| none |' in markdown and '| resident |' in markdown and '| wall_s |' in markdown


def test_spent_budget_is_recorded_not_fatal(tmp_path):
    out = tmp_path / 'report'
    run_tool(['tools/analysis_tools/gpu_report.py', str(out), '--small', '--device', 'cpu',
              '--parts', 'decode', 'step', '--budget', '1e-9'], timeout=120)
    parts = json.loads((out / 'report.json').read_text())['parts']
    assert [(p['name'], p['exit']) for p in parts] == [
        ('decode', 'not run: budget spent'), ('step_none', 'not run: budget spent')]


def test_usage_without_out_dir_and_bad_numbers(tmp_path):
    assert 'usage: bash tools/gpu_report.sh OUT_DIR' in run_tool_failing(
        ['bash', 'tools/gpu_report.sh'])
    for option in (['--budget', '0'], ['--jobs', '0']):
        assert '--budget must be > 0 and --jobs >= 1' in run_tool_failing(
            ['bash', 'tools/gpu_report.sh', str(tmp_path), *option])
