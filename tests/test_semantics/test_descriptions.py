"""The description file: read, validate, write, load, check, build."""
import json
import os

import pytest

from skcl_mm.datasets.hierarchies import builtin_level_classes
from skcl_mm.semantics import descriptions as D
from skcl_mm.semantics.description_prompt import build_prompts

LEVELS = [['pets', 'birds'], ['cat', 'dog', 'owl']]


def entry(text, level=1, **kw):
    return dict(dict(level=level, text=text, model='m', temperature=None,
                     date='2026-01-02', prompt_hash='abc'), **kw)


def document():
    doc = D.new_document({'produced_by': 'test', 'regenerate': 'cmd'})
    doc['classes'] = {'cat': entry('A cat purrs.'), 'pets': entry('Pets.', 0)}
    return doc


def test_write_then_read_round_trips_atomically(tmp_path):
    path = str(tmp_path / 'sub' / 'd.json')
    D.write_description_file(path, document())
    assert D.read_description_file(path) == document()
    assert os.listdir(tmp_path / 'sub') == ['d.json']  # no temporary left
    assert D.load_descriptions(path) == {'cat': 'A cat purrs.', 'pets': 'Pets.'}


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = str(tmp_path / 'd.json')
    D.write_description_file(path, document())
    broken = document()
    broken['classes']['dog'] = entry('')
    with pytest.raises(D.DescriptionFileError, match='"text" is empty'):
        D.write_description_file(path, broken)
    assert D.read_description_file(path) == document()
    assert os.listdir(tmp_path) == ['d.json']


def test_corrupt_json_says_which_file_and_how_to_fix(tmp_path):
    path = tmp_path / 'd.json'
    path.write_text('{"format_version": 1, "classes": {"cat": ')
    with pytest.raises(D.DescriptionFileError) as err:
        D.load_descriptions(str(path))
    assert str(path) in str(err.value) and 'corrupt' in str(err.value)
    assert 'regenerate' in str(err.value)


@pytest.mark.parametrize('version', [None, 0, 2, '1'])
def test_wrong_version_is_rejected(tmp_path, version):
    doc = document()
    doc['format_version'] = version
    path = tmp_path / 'd.json'
    path.write_text(json.dumps(doc))
    with pytest.raises(D.DescriptionFileError,
                       match=f'format_version is {version!r}, this skcl_mm reads '
                       'format_version 1'):
        D.read_description_file(str(path))


def test_bad_entries_are_all_named():
    doc = document()
    doc['classes']['dog'] = entry('Dog.', level=-1, date='02/01/2026')
    doc['classes']['owl'] = entry('Owl.', temperature='hot', model=None)
    with pytest.raises(D.DescriptionFileError) as err:
        D.validate_document(doc, 'x.json')
    message = str(err.value)
    for part in ['"level" must be >= 0', '"date" must be YYYY-MM-DD',
                 '"temperature" must be a number or null', '"model" must be str',
                 '--out x.json']:
        assert part in message
    with pytest.raises(D.DescriptionFileError, match='expected a JSON object'):
        D.validate_document([1, 2], 'x.json')


def test_shipped_names_resolve_to_the_package_sets():
    path = D.resolve_description_path('cifar100')
    assert path == os.path.join(D.SETS_DIR, 'cifar100.json')
    assert D.resolve_description_path('my.json') == 'my.json'
    if not os.path.exists(D.description_set_path('imagenet')):
        with pytest.raises(FileNotFoundError, match="shipped description set 'imagenet'"):
            D.load_descriptions('imagenet')
    with pytest.raises(FileNotFoundError, match='does not exist'):
        D.load_descriptions('no/such/file.json')


def test_check_descriptions_lists_missing_and_the_command():
    texts = {'pets': 'Pets.', 'cat': 'Cat.', 'owl': '  '}
    with pytest.raises(D.MissingDescriptionsError) as err:
        D.check_descriptions(texts, LEVELS, out='mine.json')
    message = str(err.value)
    assert 'missing for 3 of 5 classes' in message
    assert 'level 0: birds' in message and 'level 1: dog, owl' in message
    assert ('python tools/generate_descriptions.py --classes HIERARCHY_FILE '
            '--out mine.json --model MODEL') in message
    D.check_descriptions({n: 'x' for level in LEVELS for n in level}, LEVELS)


def test_check_descriptions_names_a_builtin_set():
    levels = builtin_level_classes('cifar10')
    texts = {n: 'x' for n in levels[1]}
    with pytest.raises(D.MissingDescriptionsError,
                       match='--classes cifar10 --out descriptions.json') as err:
        D.check_descriptions(texts, levels)
    assert 'level 0: vehicles, animals' in str(err.value)


def test_build_description_set_uses_the_generator_prompt_hash():
    levels = builtin_level_classes('cifar10')
    texts = {n: f'The {n} class, seen from close by.' for lv in levels for n in lv}
    header = {'produced_by': 'written by hand', 'regenerate': 'python tools/...'}
    doc = D.build_description_set(texts, levels, header, date='2026-11-27')
    hashes = {p.name: p.hash for p in build_prompts(levels)}
    assert {n: e['prompt_hash'] for n, e in doc['classes'].items()} == hashes
    assert doc['classes']['vehicles']['level'] == 0
    assert doc['classes']['ship'] == dict(
        level=1, text='The ship class, seen from close by.', model='hand-written',
        temperature=None, date='2026-11-27', prompt_hash=hashes['ship'])
    assert doc['header'] == header and doc['format_version'] == 1


def test_build_description_set_rejects_bad_input():
    texts = {n: f'A {n}.' for lv in LEVELS for n in lv}
    with pytest.raises(ValueError, match=r"missing or empty: \['regenerate'\]"):
        D.build_description_set(texts, LEVELS, {'produced_by': 'me'})
    header = {'produced_by': 'me', 'regenerate': 'cmd'}
    with pytest.raises(D.MissingDescriptionsError, match='level 1: owl'):
        D.build_description_set({k: v for k, v in texts.items() if k != 'owl'},
                                LEVELS, header)
    texts['dog'] = 'A loyal animal that barks.'
    texts['cat'] = 'cat ' * 301
    with pytest.raises(ValueError, match='2 hand-written texts') as err:
        D.build_description_set(texts, LEVELS, header)
    assert "'dog': does not mention the class" in str(err.value)
    assert "'cat': 301 words" in str(err.value)
