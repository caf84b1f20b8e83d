"""Per-class table and plot files, written and read back."""
import csv
import json
import os

import pytest
from matplotlib.image import imread

from skcl_mm.evaluation.metrics import plot_per_class, write_per_class_file
from skcl_mm.evaluation.metrics.per_class_report import resolve_output_path

ROWS = [dict(index=0, **{'class': 'cat'}, group=None, train_count=None,
             test_count=2, accuracy=50.0),
        dict(index=1, **{'class': 'dog, big'}, group=None, train_count=None,
             test_count=0, accuracy=None)]


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


def test_plot_without_counts_is_a_png(tmp_path):
    path = plot_per_class(ROWS, str(tmp_path / 'acc.png'), title='no counts')
    image = imread(path)
    assert os.path.getsize(path) > 1000
    assert image.shape[0] == 400 and image.shape[1] >= 600
