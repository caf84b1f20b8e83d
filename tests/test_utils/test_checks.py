"""Tests of skcl_mm/utils/checks.py."""
import math
import pathlib

import numpy as np
import pytest
import torch

from skcl_mm.utils.checks import (check_bool, check_choice, check_int,
                                  check_int_list, check_number,
                                  check_number_list, check_optional_path,
                                  check_sequence)


def test_check_int_accepts_ints_and_numpy_ints():
    assert check_int('k', 3, minimum=0) == 3
    value = check_int('k', np.int64(4), minimum=0, maximum=4)
    assert value == 4 and type(value) is int


@pytest.mark.parametrize('value, error, pattern', [
    (True, TypeError, r"k must be an int >= 0, got True \(bool\)\. Use 2\."),
    (2.0, TypeError, r'got 2\.0 \(float\)'),
    ('2', TypeError, r"got '2' \(str\)"),
    (-1, ValueError, r'k must be an int >= 0, got -1 \(int\)'),
])
def test_check_int_names_value_type_and_fix(value, error, pattern):
    with pytest.raises(error, match=pattern):
        check_int('k', value, minimum=0, fix='Use 2.')


def test_check_int_upper_bound():
    with pytest.raises(ValueError, match=r'an int >= 1 and <= 5, got 6'):
        check_int('topk', 6, minimum=1, maximum=5)


def test_check_number_ranges_and_open_ends():
    assert check_number('tau', 1) == 1.0
    assert check_number('w', 0, minimum=0) == 0.0
    with pytest.raises(ValueError, match=r'tau must be a finite number > 0, got 0'):
        check_number('tau', 0, minimum=0, open_minimum=True)
    with pytest.raises(ValueError, match=r'< 1, got 1'):
        check_number('p', 1, maximum=1, open_maximum=True)


@pytest.mark.parametrize('value, error', [
    (float('nan'), ValueError), (math.inf, ValueError), (False, TypeError),
    ('0.1', TypeError), (torch.tensor(0.1), TypeError), (None, TypeError)])
def test_check_number_refuses_nan_inf_bool_str_tensor(value, error):
    with pytest.raises(error, match=r'tau must be a finite number > 0, got .*\(.*\)'):
        check_number('tau', value, minimum=0, open_minimum=True)


def test_check_number_nan_refused_even_when_infinity_allowed():
    assert check_number('x', math.inf, finite=False) == math.inf
    with pytest.raises(ValueError, match='got nan'):
        check_number('x', float('nan'), finite=False)


def test_check_bool_and_choice():
    assert check_bool('flag', False) is False
    with pytest.raises(TypeError, match=r'flag must be True or False, got 1 \(int\)'):
        check_bool('flag', 1)
    assert check_choice('mode', 'cpu', ('cpu', 'gpu')) == 'cpu'
    with pytest.raises(ValueError, match=r"mode must be one of \('cpu', 'gpu'\), "
                                         r"got 'cuda' \(str\)"):
        check_choice('mode', 'cuda', ('cpu', 'gpu'))
    with pytest.raises(ValueError, match='one of'):
        check_choice('flag', 1, (True, False))  # 1 is not True


def test_sequences_lists_and_paths():
    assert check_sequence('xs', (1, 2)) == [1, 2]
    for bad in ('ab', {'a': 1}, 5, {1, 2}):
        with pytest.raises(TypeError, match='xs must be a list, got'):
            check_sequence('xs', bad)
    with pytest.raises(ValueError, match=r'xs must hold 2 values, got 1: \[1\]'):
        check_sequence('xs', [1], length=2)
    with pytest.raises(ValueError, match=r'xs must hold at least 1 value, got \[\]'):
        check_sequence('xs', [], min_length=1)
    with pytest.raises(TypeError, match=r'levels\[1\] must be an int >= 1, got 2\.5'):
        check_int_list('levels', [2, 2.5], minimum=1)
    with pytest.raises(ValueError, match=r'w\[0\] must be a finite number >= 0, got -1'):
        check_number_list('w', [-1, 1], minimum=0)
    assert check_optional_path('f', pathlib.Path('a/b.json')) == 'a/b.json'
    assert check_optional_path('f', None) is None
    for bad in ('', 3):
        with pytest.raises(TypeError, match='f must be a file or directory path'):
            check_optional_path('f', bad)
