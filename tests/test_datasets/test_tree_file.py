"""Hierarchy files: names exactly as written, and one clear message per malformed file.

Each case is a real file on disk, read by both consumers of the format:
``load_hierarchy`` (the dataset) and ``load_class_lists`` (the description tools).
"""
import pytest

from skcl_mm.datasets import load_hierarchy
from skcl_mm.datasets.tree_file import read_structured
from skcl_mm.semantics.class_lists import load_class_lists

TRICKY = ['yes', 'no', 'on', 'off', 'true', 'null', '~', '010', '1_000', '0x1F', '1.0',
          '2001-01-01']


def _write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode('utf-8'))
    return str(path)


def test_yaml_names_that_look_like_booleans_or_numbers_stay_names(tmp_path):
    path = _write(tmp_path, 'tricky.yaml',
                  'answers: [yes, no, on, off, true, null, ~]\n'
                  'numbers: [010, 1_000, 0x1F, 1.0, 2001-01-01]\n')
    h = load_hierarchy(path, TRICKY)
    assert h.level_classes == [['answers', 'numbers'], TRICKY]
    assert load_class_lists(path).level_classes == [['answers', 'numbers'], TRICKY]
    # explicit tags too: every scalar keeps its source text
    assert read_structured(_write(tmp_path, 't.yaml', '- !!int 010\n- !!bool no\n'),
                           'f') == ['010', 'no']


def test_a_flat_yaml_list_keeps_no_on_and_010(tmp_path):
    path = _write(tmp_path, 'flat.yaml', '- no\n- on\n- 010\n')
    assert load_class_lists(path).level_classes == [['no', 'on', '010']]
    assert load_hierarchy(path, ['no', 'on', '010']).level_classes == [['no', 'on', '010']]


def test_json_numbers_keep_their_text(tmp_path):
    path = _write(tmp_path, 'n.json', '{"digits": [1, 2.50, 1e3], "other": ["x"]}')
    assert load_hierarchy(path, ['1', '2.50', '1e3', 'x']).fine_classes == [
        '1', '2.50', '1e3', 'x']


def test_utf8_bom_and_crlf_are_fine(tmp_path):
    path = _write(tmp_path, 'bom.yaml', '\ufefffruit: [apple, pear]\r\ntools: [saw]\r\n')
    assert load_hierarchy(path, ['apple', 'pear', 'saw']).level_classes[0] == ['fruit', 'tools']


BAD = [
    ('bad.yaml', 'fruit: [apple, pear\ntools: [saw]\n',
     r"/bad.yaml' is not valid YAML: line 2, column 6: expected ',' or '\]'.*while parsing "
     r"a flow sequence at line 1, column 8\); the line reads 'tools: \[saw\]'"),
    ('bad.json', '{"fruit": ["apple"],\n "tools": ["saw",]}',
     r"/bad.json' is not valid JSON: line 2, column 18: Expecting value; the line reads"),
    ('latin1.yaml', b'fruit: [caf\xe9]\n',
     r"/latin1.yaml' is not UTF-8: byte 11 \(line 1\) is b'\\xe9'. Save the file as UTF-8"),
    ('empty.yaml', '', r"(?s)/empty.yaml' is empty \(no classes.*Expected.*vehicles"),
    ('comments.yaml', '# just\n# comments\n', r"/comments.yaml' is empty"),
    ('null.yaml', '~\n', r"/null.yaml' is empty"),
    ('null.json', 'null', r"/null.json' is empty"),
    ('scalar.yaml', 'apple\n', r"top level must be a mapping or a list, got str 'apple'"),
    ('empty_list.json', '[]', r"holds an empty list: no classes"),
    ('dup.yaml', 'fruit: [apple]\ntools: [saw]\nfruit: [pear]\n',
     r"line 3, column 1: the key 'fruit' appears twice \(first at line 1\); YAML would "
     r"keep only the last one"),
    ('dup.json', '{"fruit": ["apple"], "fruit": ["pear"]}',
     r"the key\(s\) \['fruit'\] appear twice in one object.*JSON would keep only the last"),
    ('levels_str.yaml', 'levels: kind\ntree:\n  fruit: [apple]\n',
     r'"levels" must be a list of level names \(strings\).*got str \'kind\''),
    ('levels_dup.yaml', 'levels: [kind, kind, name]\ntree:\n  fruit: [apple]\n',
     r"\"levels\" \['kind', 'kind', 'name'\] has repeated names \['kind'\]"),
    ('levels_notree.yaml', 'levels: [kind, name]\nfruit: [apple]\n',
     r'keys "levels" and "tree" are reserved.*found keys \[\'fruit\', \'levels\'\]. Put the '
     r'tree under "tree:"'),
    ('tree_group.yaml', 'tree: [oak]\nflower: [rose]\n',
     r"reserved.*Move \['flower'\] under \"tree:\", or rename a group called \"tree\""),
    ('spaces.json', '{"fruit": ["apple", " pear"]}',
     r"under fruit, the name ' pear' has leading/trailing spaces; write 'pear'"),
    ('empty_group.yaml', 'fruit: []\ntools: [saw]\n', r'fruit is an empty list; give it classes'),
    ('null_group.yaml', 'fruit:\ntools: [saw]\n',
     r'fruit has no classes \(an empty value or null\)'),
    ('scalar_group.yaml', 'fruit: apple\ntools: [saw]\n',
     r"fruit must be a mapping or a list of class names, got str 'apple'; write e\.g\. "
     r"fruit: \[apple\]"),
    ('true.json', '{"fruit": ["apple", true]}',
     r'under fruit, JSON true is not a class name; write it in quotes \("true"\)'),
    ('empty_name.yaml', 'fruit:\n  - apple\n  -\n', r'under fruit, an empty name'),
    ('depths.yaml', 'fruit: [apple, pear]\ntools:\n  saws: [saw]\n  hammers: [hammer]\n',
     r"same depth .*found depth 1 \(2 classes\): \['fruit/apple', 'fruit/pear'\]; depth 2 "
     r"\(2 classes\): \['tools/saws/saw', 'tools/hammers/hammer'\]. Nest the shallower"),
]


@pytest.mark.parametrize('name,content,message', BAD, ids=[case[0] for case in BAD])
def test_malformed_files_name_file_place_and_fix(tmp_path, name, content, message):
    path = _write(tmp_path, name, content)
    classes = ['apple', 'pear', 'saw', 'hammer', 'oak', 'rose']
    with pytest.raises(ValueError, match=message):
        load_hierarchy(path, classes)
    with pytest.raises(ValueError, match=message):  # the same rules for descriptions
        load_class_lists(path)
