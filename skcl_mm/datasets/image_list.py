"""Parse an image list file: one ``relative/path label`` per line, with line-numbered errors.

Accepted as harmless (the same images and labels as the plain form):

* blank lines anywhere (trailing ones included) and lines of only spaces;
* tabs or several spaces between path and label, spaces around the line;
* CRLF (Windows) line ends; a UTF-8 byte-order mark at the start;
* paths with spaces: the label is the LAST whitespace-separated token, the
  path everything before it.

Refused, with the file, the line numbers and the first few bad lines: a line
without a label (a path only), a label that is not a whole number (``3.0``,
``n01440764``, ``+3``), a negative label, a path listed twice with two
different labels, a list without any image, a file that is not UTF-8. There
are no comment lines: ``#`` starts a path like any other character. A path
listed twice with the same label is kept (it counts twice) with a warning.
"""
import os.path as osp
import re
from typing import List, Sequence, Tuple

from mmengine.fileio import get_file_backend
from mmengine.logging import MMLogger

from .tree_file import decode_utf8

_LABEL = re.compile(r'-?[0-9]+')
SHOW = 5  # bad lines quoted per error


def parse_image_list(path: str,
                     source: str) -> Tuple[List[str], List[int], List[int]]:
    """Paths and labels of an image list file (rules: module docstring).

    Args:
        path (str): The list file.
        source (str): How messages name it, e.g. ``"ImageNet-LT train list 'x'"``.

    Returns:
        tuple[list[str], list[int], list[int]]: The paths as written, their
        labels, and the line number of each.
    """
    with open(path, 'rb') as f:
        text = decode_utf8(f.read(), source)
    paths, labels, numbers, bad = [], [], [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = line.rsplit(None, 1)
        problem = _problem(parts)
        if problem:
            bad.append(f'line {number}: {line[:80]!r} ({problem})')
            continue
        paths.append(parts[0].rstrip())
        labels.append(int(parts[1]))
        numbers.append(number)
    if bad:
        raise ValueError(
            f'{source}: {len(bad)} line(s) are not "relative/path label" (a path, '
            'whitespace, then a whole number >= 0): '
            + '; '.join(bad[:SHOW]) + (' ...' if len(bad) > SHOW else '')
            + '. Fix or remove those lines.')
    if not paths:
        raise ValueError(f'{source} lists no images (it is empty or holds only '
                         'blank lines); expected one "relative/path label" per line.')
    _check_repeats(paths, labels, numbers, source)
    return paths, labels, numbers


def _problem(parts: List[str]) -> str:
    """What is wrong with one line split into (path, label); '' if nothing."""
    if len(parts) < 2:
        return 'no label: a path only' if '.' in parts[0] or '/' in parts[0] else \
            'no path: one token only'
    if not _LABEL.fullmatch(parts[1]):
        return f'the label {parts[1]!r} is not a whole number'
    if parts[1].startswith('-'):
        return f'the label {parts[1]} is negative'
    return ''


def _check_repeats(paths: List[str], labels: List[int], numbers: List[int],
                   source: str):
    """Raise when one path has two labels; warn when it is listed twice."""
    first = {}
    clashes, repeats = [], []
    for path, label, number in zip(paths, labels, numbers):
        seen = first.setdefault(path, (label, number))
        if seen[1] == number:
            continue
        entry = f'{path!r} (lines {seen[1]} and {number})'
        (clashes if seen[0] != label else repeats).append(
            entry if seen[0] == label else f'{entry} as {seen[0]} and {label}')
    if clashes:
        raise ValueError(
            f'{source}: {len(clashes)} image(s) are listed with two different '
            f'labels, e.g. {clashes[:SHOW]}. Each image needs one label: remove '
            'the wrong lines.')
    if repeats:
        MMLogger.get_current_instance().warning(
            f'{source}: {len(repeats)} image(s) are listed more than once with '
            f'the same label, e.g. {repeats[:SHOW]}; each copy is a training '
            'sample (it counts twice). Remove the repeats unless intended.')


def listed_images(dataset, paths: Sequence[str], labels: Sequence[int],
                  root_help: str) -> List[dict]:
    """The data list of listed images (``img_path`` under the dataset's
    ``img_prefix``, ``gt_label``); with ``dataset.check_files`` every image
    must exist, else a FileNotFoundError names the first few.

    Args:
        dataset: The dataset reading the list (``img_prefix``, ``ann_file``,
            ``data_root``, ``check_files``).
        paths (Sequence[str]): (N,) listed paths, relative to ``img_prefix``.
        labels (Sequence[int]): (N,) labels.
        root_help (str): What ``data_root`` should hold, for the message.
    """
    backend = get_file_backend(dataset.img_prefix, enable_singleton=True)
    data_list = [dict(img_path=backend.join_path(dataset.img_prefix, path),
                      gt_label=label) for path, label in zip(paths, labels)]
    if dataset.check_files:
        missing = [d['img_path'] for d in data_list if not osp.isfile(d['img_path'])]
        if missing:
            raise FileNotFoundError(
                f'{len(missing)} of {len(data_list)} images listed in '
                f'{dataset.ann_file} do not exist, e.g. {missing[:SHOW]}. Check '
                f'data_root ({dataset.data_root!r}: {root_help}) or set '
                'check_files=False to skip this check.')
    return data_list
