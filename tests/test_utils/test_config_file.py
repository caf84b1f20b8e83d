"""skcl_mm/utils/config_file.py: config files that cannot be loaded, named."""
import pytest

from skcl_mm.utils.config_file import load_config


def stop(path, **kwargs):
    with pytest.raises(SystemExit) as err:
        load_config(str(path), **kwargs)
    return str(err.value)


def test_missing_file_and_folder(tmp_path):
    (tmp_path / 'run.py').write_text('x = 1\n')
    assert f'{tmp_path}/run does not exist; did you mean {tmp_path}/run.py?' in stop(
        tmp_path / 'run')
    assert 'did you mean' in stop(tmp_path / 'runn.py')
    assert f'is a directory; give a config file in it, e.g. {tmp_path}/run.py' in stop(
        tmp_path)
    (tmp_path / 'run.txt').write_text('x = 1\n')
    assert 'a config is a .py (or .json / .yaml) file' in stop(tmp_path / 'run.txt')


def test_syntax_error_in_a_base_names_that_file_and_line(tmp_path):
    (tmp_path / 'base.py').write_text('a = 1\nb = [1, 2\nc = 3\n')
    (tmp_path / 'run.py').write_text("_base_ = ['./base.py']\nx = 1\n")
    assert (f"config {tmp_path}/base.py line 2: Python syntax error: '[' was never "
            "closed; the line reads 'b = [1, 2'") in stop(tmp_path / 'run.py')


def test_missing_base_and_failing_code(tmp_path):
    (tmp_path / 'run.py').write_text("_base_ = ['./nobase.py']\n")
    assert (f'config {tmp_path}/run.py line 1: its _base_ file {tmp_path}/nobase.py does '
            'not exist') in stop(tmp_path / 'run.py')
    (tmp_path / 'run.py').write_text('x = 1\ny = undefined_name + 1\n')
    assert (f"running {tmp_path}/run.py line 2 failed: NameError: name 'undefined_name' "
            'is not defined') in stop(tmp_path / 'run.py')


def test_options_are_checked_and_merged(tmp_path):
    (tmp_path / 'run.py').write_text('randomness = dict(seed=0)\n')
    cfg = load_config(str(tmp_path / 'run.py'), {'randomness.seed': 4})
    assert cfg.randomness.seed == 4
    assert 'Did you mean randomness.seed?' in stop(tmp_path / 'run.py',
                                                  cfg_options={'randomness.sed': 4})
