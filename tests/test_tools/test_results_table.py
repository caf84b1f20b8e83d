"""tools/results_table.py: the README's results section is the metafiles'."""
import json

from tests import tools_runner
from tests.tools_runner import run_tool, run_tool_failing


def test_readme_is_in_sync_with_the_metafiles_and_reports():
    out = run_tool(['tools/results_table.py', '--check']).stdout
    assert 'is up to date' in out


def test_paper_rows_and_what_we_have_not_measured(tmp_path):
    readme = tmp_path / 'README.md'
    readme.write_text('intro\n<!-- results:begin -->\nold\n<!-- results:end -->\nrest\n')
    run_tool(['tools/results_table.py', '--readme', str(readme)])
    text = readme.read_text()
    assert text.startswith('intro\n<!-- results:begin -->') and text.endswith(
        '<!-- results:end -->\nrest\n')
    assert 'old' not in text
    # Table 1 as the paper prints it: a row per method, a column per setting.
    assert '| SKCL (paper) | 54.02 | 58.13 | 65.86 | 87.50 | 88.16 | 92.37 |' in text
    assert '| BCL (paper) | 52.01 | 56.32 | 64.01 | 84.31 | 87.26 | 90.91 |' in text
    assert '| SKCL (ours): not yet measured by us |' in text
    assert '| ConCutMix (paper) | 53.16 |' in text
    # Tables 2-4: the paper's one decimal, a row per source.
    assert '| skcl_resnet32_cifar100lt | paper, Table 2 | 54.0 | 68.3 | 54.1 | 37.2 |' in text
    assert '| skcl_resnet32_cifar100lt_cf_only | paper, Table 4 (C-F only) | 51.9 |' in text
    # The stale check fails on the old text.
    readme.write_text(text.replace('54.02', '54.03'))
    output = run_tool_failing(['tools/results_table.py', '--readme', str(readme),
                               '--check'])
    assert 'is stale: run python tools/results_table.py' in output


def test_measured_rows_come_from_a_reproduce_report():
    tool = tools_runner.load_tool('results_table')
    models = tool.load_models()
    agg = lambda m, s: dict(mean=m, std=s)  # noqa: E731
    measured = dict(splits=['top1'], aggregate=dict(last=dict(top1=agg(53.1, 0.42))))
    report = dict(seeds=[0, 1, 2], models={
        'skcl_resnet32_cifar100lt': dict(measured=measured)},
        pairs=[dict(a='skcl_resnet32_cifar100lt', b='bcl_resnet32_cifar100lt',
                    last=dict(top1=dict(mean=1.2, ci=[-0.3, 2.7], n=3,
                                        confidence=0.95)))])
    text = tool.table_section('table1', models, json.loads(json.dumps(report)))
    assert '| SKCL (ours) | 53.10 ± 0.42 | — |' in text
    assert '| BCL (ours): not yet measured by us |' in text
    assert ('skcl_resnet32_cifar100lt − bcl_resnet32_cifar100lt, top-1 at the last '
            'epoch, paired by seed: +1.20 [-0.30, +2.70] (95 % CI, n=3; the 95 % '
            'interval contains 0: no difference shown).') in text
    assert '[docs/results/table1.md](docs/results/table1.md)' in text


def test_readme_without_the_markers_is_an_error(tmp_path):
    readme = tmp_path / 'README.md'
    readme.write_text('no markers\n')
    output = run_tool_failing(['tools/results_table.py', '--readme', str(readme)])
    assert 'needs exactly one <!-- results:begin --> and one <!-- results:end -->' \
        in output
