"""skcl_mm/utils/cli.py: a check's message ends a tool without a traceback."""
import pytest

from skcl_mm.utils.checks import check_int
from skcl_mm.utils.cli import raised_by_check, run_main


def test_a_checks_message_becomes_error_and_exit_1(capsys):
    with pytest.raises(SystemExit) as err:
        run_main(check_int, 'batch_size', 0, minimum=1)
    assert err.value.code == 1
    assert capsys.readouterr().err == 'error: batch_size must be an int >= 1, got 0 (int).\n'


def test_other_exceptions_keep_their_traceback(monkeypatch):
    with pytest.raises(ValueError) as err:
        run_main(int, 'x')  # a library's error, not a check's
    assert not raised_by_check(err.value)
    monkeypatch.setenv('SKCL_MM_TRACEBACK', '1')
    with pytest.raises(ValueError, match='batch_size must be an int >= 1'):
        run_main(check_int, 'batch_size', 0, minimum=1)
