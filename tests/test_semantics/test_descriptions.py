"""The description file: read, validate, write, load, check, build."""
import json
import os
import warnings

import pytest

from skcl_mm.datasets.hierarchies import builtin_level_classes
from skcl_mm.semantics import descriptions as D
from skcl_mm.semantics.class_record import level_hash
from skcl_mm.semantics.description_prompt import build_prompts

LEVELS = [['pets', 'birds'], ['cat', 'dog', 'owl']]
CAT = 'A cat is a small pet that purrs.'
PETS = 'Pets are animals that live with people.'


def entry(text, level=1, **kw):
    return dict(dict(level=level, text=text, model='m', temperature=None,
                     date='2026-01-02', prompt_hash='abc'), **kw)


def document():
    doc = D.new_document({'produced_by': 'test', 'regenerate': 'cmd'})
    doc['classes'] = {'cat': entry(CAT), 'pets': entry(PETS, 0)}
    return doc


def test_write_then_read_round_trips_atomically(tmp_path):
    path = str(tmp_path / 'sub' / 'd.json')
    D.write_description_file(path, document())
    assert D.read_description_file(path) == document()
    assert os.listdir(tmp_path / 'sub') == ['d.json']  # no temporary left
    assert D.load_descriptions(path) == {'cat': CAT, 'pets': PETS}


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
    D.check_descriptions({n: f'The {n} class is described here.'
                          for level in LEVELS for n in level}, LEVELS)


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
    assert doc['header'] == dict(header, described_classes=[
        {'classes': 'cifar10', 'count': 12,
         'levels': [{'count': 2, 'sha256': level_hash(levels[0])},
                    {'count': 10, 'sha256': level_hash(levels[1])}]}])
    assert doc['format_version'] == 1


def test_build_description_set_rejects_bad_input():
    texts = {n: f'A {n} is one of the test classes.' for lv in LEVELS for n in lv}
    with pytest.raises(ValueError, match=r"missing or empty: \['regenerate'\]"):
        D.build_description_set(texts, LEVELS, {'produced_by': 'me'})
    header = {'produced_by': 'me', 'regenerate': 'cmd'}
    with pytest.raises(D.MissingDescriptionsError, match='level 1: owl'):
        D.build_description_set({k: v for k, v in texts.items() if k != 'owl'},
                                LEVELS, header)
    texts['dog'] = 'A loyal animal that barks.'
    texts['cat'] = 'cat ' * 301
    with pytest.raises(ValueError, match='2 hand-written texts') as err, \
            pytest.warns(UserWarning, match=r'limit of 300 words.*cat \(301\)'):
        D.build_description_set(texts, LEVELS, header)
    assert "'dog': does not mention the class" in str(err.value)
    assert "'cat': 301 words" in str(err.value)


def write_texts(path, texts, header=None):
    doc = D.new_document(header or {'produced_by': 'test', 'regenerate': 'cmd'})
    doc['classes'] = {n: entry(t, level=0 if n in LEVELS[0] else 1)
                      for n, t in texts.items()}
    path.write_text(json.dumps(doc))
    return str(path)


def good_texts():
    return {n: f'The {n} class is one of the test classes.' for lv in LEVELS
            for n in lv}


@pytest.mark.parametrize('name,text,reason', [
    ('owl', 'Owl.', "'owl': 1 word, under the floor of 5"),
    ('owl', 'owl ' * 601, "'owl': 601 words, over the limit of 600"),
    ('owl', 'La chouette est un oiseau de nuit qui chasse les souris dans les '
            'champs.', "'owl': not English (the prompt's language): it reads as "
                       'French'),
    ('dog', 'THE CAT   class is one of the test classes.',
     "'dog': the same text as 'cat' (case and spacing aside)"),
])
def test_load_refuses_texts_that_cannot_be_right(tmp_path, name, text, reason):
    path = write_texts(tmp_path / 'd.json', dict(good_texts(), **{name: text}))
    with pytest.raises(D.InvalidDescriptionsError) as err:
        D.load_descriptions(path)
    message = str(err.value)
    assert f'1 description in {path} cannot be right: {reason}' in message
    assert (f'or run python tools/generate_descriptions.py --classes ... --out '
            f'{path} --model MODEL again: it asks again for the entries that '
            'break these rules') in message


def test_load_warns_once_naming_long_texts(tmp_path):
    texts = dict(good_texts(), cat='cat ' * 350, dog='dog ' * 400)
    path = write_texts(tmp_path / 'd.json', texts)
    with pytest.warns(UserWarning) as caught:
        assert D.load_descriptions(path) == texts
    assert len(caught) == 1
    assert str(caught[0].message).startswith(
        f"{path}: 2 descriptions are over the paper's limit of 300 words (at "
        'most 600 are accepted): cat (350), dog (400).')


def test_dict_descriptions_are_checked_too():
    texts = dict(good_texts(), owl='The pets class is one of the test classes.')
    with pytest.raises(D.InvalidDescriptionsError,
                       match="in the given descriptions cannot be right: 'owl': "
                             "the same text as 'pets'"):
        D.check_descriptions(texts, LEVELS)


def test_recorded_class_list_is_compared_at_load(tmp_path):
    header = {'produced_by': 'test', 'regenerate': 'cmd'}
    wide = [LEVELS[0] + ['fish'], LEVELS[1] + ['carp']]
    texts = {n: f'The {n} class is one of the test classes.' for lv in wide
             for n in lv}
    path = str(tmp_path / 'wide.json')
    D.write_description_file(path, D.build_description_set(
        texts, wide, header, classes_arg='wide.yaml'))
    loaded = D.load_descriptions(path)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        D.check_descriptions(loaded, wide, out=path)  # the recorded list
    with pytest.warns(UserWarning) as caught:
        D.check_descriptions(loaded, LEVELS, out=path)
    assert len(caught) == 1
    assert str(caught[0].message).startswith(
        f'The description file {path} was generated for --classes wide.yaml (7 '
        'classes; per level, coarsest first: 3, 4), not for the hierarchy being '
        'trained (5 classes; per level, coarsest first: 2, 3). Every class')
    more = [LEVELS[0], LEVELS[1] + ['eel']]
    with pytest.raises(D.MissingDescriptionsError) as err:
        D.check_descriptions(loaded, more, out=path)
    message = str(err.value)
    assert 'level 1: eel). The file was generated for --classes wide.yaml' in message
    assert ('--classes HIERARCHY_FILE --out HIERARCHY_FILE_descriptions.json '
            f'--model MODEL [--base-url URL]\n(or add them to {path} on purpose: '
            f'the same command with --out {path} --merge)') in message


def test_file_without_record_loads_without_warning(tmp_path):
    path = write_texts(tmp_path / 'old.json', good_texts())
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        D.check_descriptions(D.load_descriptions(path), LEVELS, out=path)


def test_broken_record_is_named(tmp_path):
    doc = document()
    doc['header']['described_classes'] = [{'classes': 'cifar10', 'levels': []}]
    with pytest.raises(D.DescriptionFileError,
                       match=r'header "described_classes"\[0\] must be'):
        D.validate_document(doc, 'x.json')
