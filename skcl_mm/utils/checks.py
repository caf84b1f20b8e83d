"""Small validators of user parameters: type and range, with a message that names the fix.

Every message reads ``<name> must be <expected>, got <value> (<type>).<fix>``,
so a config mistake names the setting, what it holds and what to write
instead. A bool is never a number here (``True`` is not ``1``), a float is
never an int (``64.0`` is not ``64``) and NaN / infinity are refused unless
asked for.
"""
import math
import numbers
import os
from typing import Any, Iterable, List, Optional, Sequence


def _got(value: Any) -> str:
    return f'got {value!r} ({type(value).__name__})'


def _tail(fix: Optional[str]) -> str:
    return f' {fix}' if fix else ''


def is_int(value: Any) -> bool:
    """An integer that is not a bool (numpy integers included)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """A real number that is not a bool (ints, floats, numpy scalars)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _range_text(minimum, maximum, open_minimum=False, open_maximum=False) -> str:
    parts = []
    if minimum is not None:
        parts.append(f'{">" if open_minimum else ">="} {minimum}')
    if maximum is not None:
        parts.append(f'{"<" if open_maximum else "<="} {maximum}')
    return ' and '.join(parts)


def check_int(name: str, value: Any, minimum: Optional[int] = None,
              maximum: Optional[int] = None, fix: Optional[str] = None) -> int:
    """``value`` as an int within ``[minimum, maximum]``.

    Args:
        name (str): The setting as the user writes it (``'SKCLHead in_channels'``).
        value: The given value.
        minimum (int, optional): Smallest allowed value.
        maximum (int, optional): Largest allowed value.
        fix (str, optional): A sentence appended to the message.

    Returns:
        int: ``int(value)``.

    Raises:
        TypeError: Not an int (a bool or a float included).
        ValueError: Outside the range.
    """
    bounds = _range_text(minimum, maximum)
    expected = f'an int {bounds}'.rstrip()
    if not is_int(value):
        raise TypeError(f'{name} must be {expected}, {_got(value)}.{_tail(fix)}')
    if (minimum is not None and value < minimum) or (
            maximum is not None and value > maximum):
        raise ValueError(f'{name} must be {expected}, {_got(value)}.{_tail(fix)}')
    return int(value)


def check_number(name: str, value: Any, minimum: Optional[float] = None,
                 maximum: Optional[float] = None, open_minimum: bool = False,
                 open_maximum: bool = False, finite: bool = True,
                 fix: Optional[str] = None) -> float:
    """``value`` as a float within the range (open ends exclude the bound).

    Args:
        name (str): The setting as the user writes it.
        value: The given value.
        minimum (float, optional): Lower bound.
        maximum (float, optional): Upper bound.
        open_minimum (bool): ``value > minimum`` instead of ``>=``.
        open_maximum (bool): ``value < maximum`` instead of ``<=``.
        finite (bool): Refuse NaN and infinity. Defaults to True.
        fix (str, optional): A sentence appended to the message.

    Returns:
        float: ``float(value)``.

    Raises:
        TypeError: Not a real number (a bool, a string or a tensor included).
        ValueError: NaN / infinite (when ``finite``) or outside the range.
    """
    bounds = _range_text(minimum, maximum, open_minimum, open_maximum)
    expected = ('a finite number ' if finite else 'a number ') + bounds
    expected = expected.rstrip()
    if not is_number(value):
        raise TypeError(f'{name} must be {expected}, {_got(value)}.{_tail(fix)}')
    number = float(value)
    bad = (finite and not math.isfinite(number)) or math.isnan(number)
    if minimum is not None:
        bad = bad or (number <= minimum if open_minimum else number < minimum)
    if maximum is not None:
        bad = bad or (number >= maximum if open_maximum else number > maximum)
    if bad:
        raise ValueError(f'{name} must be {expected}, {_got(value)}.{_tail(fix)}')
    return number


def check_bool(name: str, value: Any, fix: Optional[str] = None) -> bool:
    """``value`` if it is a bool (``0`` / ``1`` / ``'yes'`` are refused)."""
    if not isinstance(value, bool):
        raise TypeError(f'{name} must be True or False, {_got(value)}.{_tail(fix)}')
    return value


def check_choice(name: str, value: Any, choices: Sequence,
                 fix: Optional[str] = None):
    """``value`` if it is one of ``choices`` (compared by equality and type)."""
    if not any(type(value) is type(c) and value == c for c in choices):
        raise ValueError(f'{name} must be one of {tuple(choices)}, '
                         f'{_got(value)}.{_tail(fix)}')
    return value


def check_sequence(name: str, value: Any, min_length: int = 0,
                   length: Optional[int] = None,
                   fix: Optional[str] = None) -> list:
    """``value`` as a list; a string, a dict or a scalar is not a sequence."""
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable) \
            or isinstance(value, (set, frozenset)):
        raise TypeError(f'{name} must be a list, {_got(value)}.{_tail(fix)}')
    items = list(value)
    if length is not None and len(items) != length:
        raise ValueError(f'{name} must hold {length} values, got {len(items)}: '
                         f'{items!r}.{_tail(fix)}')
    if len(items) < min_length:
        raise ValueError(f'{name} must hold at least {min_length} value'
                         f'{"s" if min_length > 1 else ""}, got {items!r}.'
                         f'{_tail(fix)}')
    return items


def check_int_list(name: str, value: Any, minimum: Optional[int] = None,
                   maximum: Optional[int] = None, min_length: int = 0,
                   length: Optional[int] = None,
                   fix: Optional[str] = None) -> List[int]:
    """A list of ints, each checked like :func:`check_int` (``name[i]``)."""
    items = check_sequence(name, value, min_length, length, fix)
    return [check_int(f'{name}[{i}]', item, minimum, maximum, fix)
            for i, item in enumerate(items)]


def check_number_list(name: str, value: Any, minimum: Optional[float] = None,
                      maximum: Optional[float] = None,
                      open_minimum: bool = False, min_length: int = 0,
                      length: Optional[int] = None,
                      fix: Optional[str] = None) -> List[float]:
    """A list of finite numbers, each checked like :func:`check_number`."""
    items = check_sequence(name, value, min_length, length, fix)
    return [check_number(f'{name}[{i}]', item, minimum, maximum,
                         open_minimum=open_minimum, fix=fix)
            for i, item in enumerate(items)]


def check_optional_path(name: str, value: Any,
                        fix: Optional[str] = None) -> Optional[str]:
    """None, or a non-empty str / ``os.PathLike`` as a str."""
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)) or not os.fspath(value):
        raise TypeError(f'{name} must be a file or directory path (str), '
                        f'{_got(value)}.{_tail(fix)}')
    return os.fspath(value)
