"""Image list files ("relative/path label" per line): what is accepted, what is refused."""

import pytest

from skcl_mm.datasets.image_list import parse_image_list
from tests.fixtures.log_capture import logged_messages

PLAIN = 'train/a/a_0.JPEG 0\ntrain/b/b_0.JPEG 1\ntrain/c/c_0.JPEG 2\n'
EXPECTED = (['train/a/a_0.JPEG', 'train/b/b_0.JPEG', 'train/c/c_0.JPEG'], [0, 1, 2])


def _parse(tmp_path, content):
    path = tmp_path / 'list.txt'
    path.write_bytes(content if isinstance(content, bytes) else content.encode('utf-8'))
    return parse_image_list(str(path), 'the list')


@pytest.mark.parametrize('variant', [
    PLAIN.replace('\n', '\r\n'),                       # CRLF line ends
    '\ufeff' + PLAIN,                                  # UTF-8 byte-order mark
    PLAIN.replace(' ', '\t'),                          # a tab between path and label
    PLAIN.replace(' ', '    '),                        # several spaces
    '\n' + PLAIN.replace('\n', '\n\n') + '\n   \n',    # blank lines, trailing ones
    ''.join(f'  {line}  \n' for line in PLAIN.splitlines()),  # spaces around lines
], ids=['crlf', 'bom', 'tab', 'spaces', 'blank_lines', 'padded'])
def test_harmless_variants_give_the_plain_result(tmp_path, variant):
    paths, labels, _ = _parse(tmp_path, variant)
    assert (paths, labels) == EXPECTED


def test_a_path_with_spaces_takes_the_last_token_as_label(tmp_path):
    paths, labels, lines = _parse(tmp_path, '\nmy photos/cat 1.jpg 3\nother.jpg\t0\n')
    assert (paths, labels, lines) == (['my photos/cat 1.jpg', 'other.jpg'], [3, 0], [2, 3])


@pytest.mark.parametrize('content,message', [
    ('train/a/a_0.JPEG 0\ntrain/b/b_0.JPEG\n',
     r"the list: 1 line\(s\) are not \"relative/path label\" .*line 2: 'train/b/b_0.JPEG' "
     r'\(no label: a path only\)'),
    ('train/a/a_0.JPEG n01440764\n', r"line 1: .*\(the label 'n01440764' is not a whole number\)"),
    ('a.JPEG 0\nb.JPEG 3.0\nc.JPEG +3\n',
     r"2 line\(s\).*line 2: 'b.JPEG 3.0' \(the label '3.0' is not a whole number\); line 3: "
     r"'c.JPEG \+3' \(the label '\+3' is not"),
    ('a.JPEG -1\n', r"line 1: 'a.JPEG -1' \(the label -1 is negative\)"),
    ('7\n', r"line 1: '7' \(no path: one token only\)"),
    ('', r'the list lists no images \(it is empty or holds only blank lines\)'),
    ('\n \n\t\n', r'the list lists no images'),
    ('a.JPEG 0\nb.JPEG 1\na.JPEG 2\n',
     r"1 image\(s\) are listed with two different labels, e.g. \[\"'a.JPEG' \(lines 1 and 3\) "
     r'as 0 and 2"\]'),
    (b'caf\xe9.JPEG 0\n', r"the list is not UTF-8: byte 3 \(line 1\) is b'\\xe9'. Save the file "
                          r'as UTF-8'),
])
def test_bad_lists_name_the_lines(tmp_path, content, message):
    with pytest.raises(ValueError, match=message):
        _parse(tmp_path, content)


def test_only_the_first_bad_lines_are_quoted(tmp_path):
    content = ''.join(f'img_{i}.JPEG\n' for i in range(40))
    with pytest.raises(ValueError) as error:
        _parse(tmp_path, content)
    assert '40 line(s)' in str(error.value) and "line 5: 'img_4.JPEG'" in str(error.value)
    assert 'img_5.JPEG' not in str(error.value) and '...' in str(error.value)


def test_a_repeated_line_warns_and_counts_twice(tmp_path):
    with logged_messages('skcl_test_image_list') as messages:
        paths, labels, _ = _parse(tmp_path, 'a.JPEG 0\nb.JPEG 1\na.JPEG 0\n')
    assert paths == ['a.JPEG', 'b.JPEG', 'a.JPEG'] and labels == [0, 1, 0]
    assert any("1 image(s) are listed more than once with the same label, e.g. "
               "[\"'a.JPEG' (lines 1 and 3)\"]" in m for m in messages)
