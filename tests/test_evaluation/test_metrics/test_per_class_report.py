"""Per-class table files: written, read back typed, checked, plotted from files."""
import csv
import json

import pytest
from matplotlib.image import imread

from skcl_mm.evaluation.metrics import write_per_class_file
from skcl_mm.evaluation.metrics.per_class_report import (PerClassFileError,
                                                         plot_per_class_files,
                                                         read_per_class_file,
                                                         resolve_output_path)
from tests.fixtures.per_class_files import (CLASSES, TRAIN_COUNTS,
                                            evaluate_to_file)

ROWS = [dict(index=0, **{'class': 'cat'}, group=None, train_count=None,
             test_count=2, accuracy=50.0),
        dict(index=1, **{'class': 'dog, big'}, group=None, train_count=None,
             test_count=0, accuracy=None)]
COUNTED = [dict(ROWS[0], group='many', train_count=120),
           dict(ROWS[1], group='few', train_count=3)]
HEADER = 'index,class,group,train_count,test_count,accuracy\n'


def test_resolve_output_path(tmp_path):
    assert resolve_output_path('a.csv', None) == 'a.csv'
    assert resolve_output_path('a.csv', str(tmp_path)) == str(tmp_path / 'a.csv')
    absolute = str(tmp_path / 'b.csv')
    assert resolve_output_path(absolute, '/elsewhere') == absolute


def test_json_and_csv_round_trip(tmp_path):
    path = write_per_class_file(ROWS, str(tmp_path / 'sub' / 'rows.json'))
    data = json.loads(open(path).read())
    assert data['classes'] == ROWS and data['columns'][0] == 'index'
    path = write_per_class_file(ROWS, str(tmp_path / 'rows.csv'))
    with open(path, newline='') as f:
        rows = list(csv.DictReader(f))
    assert rows[1]['class'] == 'dog, big' and rows[1]['accuracy'] == ''
    assert float(rows[0]['accuracy']) == 50.0
    with pytest.raises(ValueError, match='.json or .csv'):
        write_per_class_file(ROWS, str(tmp_path / 'rows.txt'))


@pytest.mark.parametrize('name', ['rows.json', 'rows.csv'])
@pytest.mark.parametrize('rows', [ROWS, COUNTED])
def test_read_back_gives_the_written_rows_typed(tmp_path, name, rows):
    path = write_per_class_file(rows, str(tmp_path / name))
    back = read_per_class_file(path)
    assert back == rows
    assert isinstance(back[0]['accuracy'], float) and isinstance(back[0]['index'], int)


@pytest.mark.parametrize('name, text, pattern', [
    ('a.txt', '', r'a.txt: expected a .json or .csv per-class file, got .txt'),
    ('missing.json', None, r'missing.json: no such file; write one with '
     r"LongTailAccuracy\(per_class_file='per_class.json'\)"),
    ('a.json', '{"classes": [', r'a.json: not valid JSON'),
    ('a.json', '[1, 2]', r'expected \{"columns": \[...\], "classes": \[row, ...\]\}, got list'),
    ('a.json', '{"classes": []}', r'a.json: no class rows'),
    ('a.json', '{"classes": [{"index": 0}]}', r'class row 0: expected the keys \[.index.'),
    ('a.csv', 'index,class,accuracy\n0,cat,50\n',
     r"the header lacks the columns \['group', 'train_count', 'test_count'\]"),
    ('a.csv', HEADER + '0,cat,,,2,high\n', r"class row 0: accuracy must be a number or "
     r"empty, got 'high'"),
    ('a.csv', HEADER + '0,cat,,,2,150\n', r'accuracy must be in \[0, 100\] \(percent\)'),
    ('a.csv', HEADER + '0,cat,,1.5,2,50\n', r"train_count must be an int or empty, got '1.5'"),
    ('a.csv', HEADER + '0,cat,,,,50\n', r'test_count must be an int, got None'),
    ('a.csv', HEADER + '1,cat,,,2,50\n', r'class row 0: index 1, expected 0'),
    ('a.csv', HEADER + '0,cat,tail,5,2,50\n', r"group must be one of \('many', "
     r"'medium', 'few'\) or empty, got 'tail'"),
])
def test_read_errors_name_file_row_and_fix(tmp_path, name, text, pattern):
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    with pytest.raises(PerClassFileError, match=pattern):
        read_per_class_file(path)


CONFUSED = [dict(ROWS[0], top_confusions=[['dog, big', 1]]),
            dict(ROWS[1], top_confusions=[])]


@pytest.mark.parametrize('name', ['rows.json', 'rows.csv'])
def test_top_confusions_round_trip_and_old_files_read_without_them(tmp_path, name):
    path = write_per_class_file(CONFUSED, str(tmp_path / name))
    assert read_per_class_file(path) == CONFUSED
    if name.endswith('.csv'):  # a JSON list in the cell, commas in names kept
        with open(path, newline='') as f:
            assert list(csv.DictReader(f))[0]['top_confusions'] == '[["dog, big", 1]]'
    old = write_per_class_file(ROWS, str(tmp_path / f'old_{name}'))
    assert all('top_confusions' not in row for row in read_per_class_file(old))


@pytest.mark.parametrize('value, pattern', [
    ('[["cat", 0]]', r'top_confusions must be a list of \[class name, count > 0\] pairs'),
    ('[["cat"]]', r'top_confusions must be a list of'),
    ('nonsense', r'top_confusions must be a list of'),
    ('[["otter", 2]]', r"top_confusions names classes that are not in the file: \['otter'\]"),
])
def test_bad_top_confusions_name_the_row(tmp_path, value, pattern):
    path = tmp_path / 'a.csv'
    cell = '"' + value.replace('"', '""') + '"'
    path.write_text(HEADER.strip() + ',top_confusions\n0,cat,,,2,50,' + cell + '\n')
    with pytest.raises(PerClassFileError, match='class row 0: ' + pattern):
        read_per_class_file(path)


def test_plot_files_written_by_the_metric(tmp_path):
    result = evaluate_to_file(tmp_path / 'skcl' / 'per_class.json',
                              [4, 4, 3, 4, 3, 2, 3, 2, 1, 2])
    evaluate_to_file(tmp_path / 'bcl' / 'per_class.csv', [4, 3, 3, 4, 2, 2, 2, 1, 0, 1])
    assert result['few'] == pytest.approx(100 * 5 / 12)
    out = plot_per_class_files([tmp_path / 'skcl' / 'per_class.json',
                                tmp_path / 'bcl' / 'per_class.csv'],
                               str(tmp_path / 'plots' / 'compare.png'), ['SKCL', 'BCL'])
    assert imread(out).shape[1] == 640
    rows = read_per_class_file(tmp_path / 'bcl' / 'per_class.csv')
    assert [r['class'] for r in rows] == list(CLASSES)
    assert [r['train_count'] for r in rows] == TRAIN_COUNTS
    assert [r['group'] for r in rows] == ['many'] * 4 + ['medium'] * 3 + ['few'] * 3


def test_plot_files_stop_before_drawing(tmp_path):
    evaluate_to_file(tmp_path / 'a.json', [4] * 10)
    evaluate_to_file(tmp_path / 'b.json', [4] * 10,
                     classes=CLASSES[:3] + ('otter', ) + CLASSES[4:])
    out = tmp_path / 'out.png'
    with pytest.raises(PerClassFileError, match=r"class index 3, 'otter' in .*b.json but "
                       r"'bear' in .*a.json"):
        plot_per_class_files([tmp_path / 'a.json', tmp_path / 'b.json'], str(out))
    with pytest.raises(ValueError, match=r'labels: expected 1 \(one per file\), got 2'):
        plot_per_class_files([tmp_path / 'a.json'], str(out), ['SKCL', 'BCL'])
    with pytest.raises(ValueError, match=r"must be a .png file, got '.*out.pdf'"):
        plot_per_class_files([tmp_path / 'a.json'], str(tmp_path / 'out.pdf'))
    assert not out.exists()
