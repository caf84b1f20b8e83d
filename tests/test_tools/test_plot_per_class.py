"""tools/plot_per_class.py on per-class files that LongTailAccuracy wrote."""
import os.path as osp
import re

import pytest
from matplotlib.image import imread

from tests import tools_runner
from tests.fixtures.per_class_files import CLASSES, evaluate_to_file
from tests.tools_runner import run_tool


@pytest.fixture(scope='module')
def tool():
    return tools_runner.load_tool('plot_per_class')


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    """SKCL's per-class JSON, BCL's CSV (same classes), and a JSON whose
    fourth class differs, each from a real LongTailAccuracy evaluation."""
    root = tmp_path_factory.mktemp('per_class')
    evaluate_to_file(root / 'skcl' / 'per_class.json', [4, 4, 3, 4, 3, 2, 3, 2, 1, 2])
    evaluate_to_file(root / 'bcl' / 'per_class.csv', [4, 3, 3, 4, 2, 2, 2, 1, 0, 1])
    evaluate_to_file(root / 'other.json', [4] * 10,
                     classes=CLASSES[:3] + ('otter', ) + CLASSES[4:])
    return root


def test_overlay_subprocess(files, tmp_path):
    out = tmp_path / 'plots' / 'skcl_vs_bcl.png'
    proc = run_tool(['tools/plot_per_class.py', str(files / 'skcl' / 'per_class.json'),
                     str(files / 'bcl' / 'per_class.csv'), '--out', str(out),
                     '--labels', 'SKCL', 'BCL'], timeout=120)
    assert f'wrote {out}' in proc.stdout
    assert imread(str(out)).shape[:2] == (550, 640)  # 10 classes, two runs


def test_mismatched_classes_subprocess(files, tmp_path):
    out = tmp_path / 'x.png'
    proc = run_tool(['tools/plot_per_class.py', str(files / 'skcl' / 'per_class.json'),
                     str(files / 'other.json'), '--out', str(out)], timeout=120,
                    check=False)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr
    assert (f"error: {files / 'other.json'} and {files / 'skcl' / 'per_class.json'} "
            "describe different classes: the first difference is class index 3, "
            "'otter' in") in proc.stderr
    assert not out.exists()


def test_default_labels_are_file_names(tool, files, tmp_path, capsys):
    from skcl_mm.evaluation.metrics.per_class_report import _file_labels
    assert _file_labels([str(files / 'skcl' / 'per_class.json'),
                         str(files / 'bcl' / 'per_class.json')]) == [
                             osp.join('skcl', 'per_class.json'),
                             osp.join('bcl', 'per_class.json')]
    assert _file_labels(['a/skcl.json', 'b/bcl.csv']) == ['skcl.json', 'bcl.csv']
    out = tmp_path / 'one.png'
    assert tool.main([str(files / 'bcl' / 'per_class.csv'), '--out', str(out)]) == 0
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


@pytest.mark.parametrize('args, message', [
    (['{f}/missing.json'], r'missing.json: no such file; write one with LongTailAccuracy'),
    (['{f}/skcl/per_class.json', '{f}/other.json'], r"class index 3, 'otter' in"),
])
def test_bad_files_exit_2(tool, files, tmp_path, capsys, args, message):
    out = tmp_path / 'x.png'
    code = tool.main([a.format(f=files) for a in args] + ['--out', str(out)])
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert err.startswith('error: ') and re.search(message, err)


@pytest.mark.parametrize('args, message', [
    (['--out', 'x.pdf'], "--out must be a .png file, got 'x.pdf'"),
    (['--out', '{tmp}'], '--out {tmp} is a folder; give the .png file, e.g. '
     '{tmp}/per_class.png'),
    (['--out', 'x.png', '--labels', 'A', 'B'],
     "--labels: expected one name per FILE (1), got 2: ['A', 'B']"),
])
def test_bad_arguments_exit_2(tool, files, tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as stop:
        tool.main([str(files / 'other.json')] + [a.format(tmp=tmp_path) for a in args])
    assert stop.value.code == 2
    assert f'error: {message.format(tmp=tmp_path)}' in capsys.readouterr().err
