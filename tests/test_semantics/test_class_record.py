"""The class list a description file records, and the --out guard built on it."""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from openai_server import OpenAIServer  # noqa: E402

from skcl_mm.semantics import class_record as R  # noqa: E402
from skcl_mm.semantics.description_generator import \
    generate_descriptions  # noqa: E402
from skcl_mm.semantics.descriptions import read_description_file  # noqa: E402
from skcl_mm.semantics.llm_client import RetryPolicy  # noqa: E402

PETS = [['pets'], ['cat', 'dog']]
BIRDS = [['birds'], ['owl', 'sparrow']]
FAST = RetryPolicy(max_retries=1, timeout=5.0)


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv('OPENAI_API_KEY', 'sk-test-RECORD')
    with OpenAIServer() as srv:
        yield srv


def run(server, levels, out, arg, **kwargs):
    return generate_descriptions(levels, str(out), 'm', base_url=server.base_url,
                                 policy=FAST, progress=False, classes_arg=arg,
                                 concurrency=1, **kwargs)


def test_record_hashes_sorted_names_per_level():
    record = R.make_record([['b', 'a'], ['x', 'y', 'z']], 'mine.yaml')
    assert record == {'classes': 'mine.yaml', 'count': 5, 'levels': [
        {'count': 2, 'sha256': R.level_hash(['a', 'b'])},
        {'count': 3, 'sha256': R.level_hash(['z', 'y', 'x'])}]}
    assert R.matches(record, [['a', 'b'], ['z', 'x', 'y']])
    assert not R.matches(record, [['a', 'b'], ['x', 'y']])
    assert not R.matches(record, [['a', 'b', 'x', 'y', 'z']])
    assert R.describe(record) == ('--classes mine.yaml (5 classes; per level, '
                                  'coarsest first: 2, 3)')


def test_other_classes_are_refused_before_any_request(server, tmp_path):
    out = tmp_path / 'pets.json'
    assert run(server, PETS, out, 'pets.yaml').ok
    before, content = len(server.requests), out.read_text()
    with pytest.raises(R.ClassListMismatchError) as err:
        run(server, BIRDS, out, 'birds.yaml')
    assert str(err.value) == (
        f'--out {out} describes --classes pets.yaml (3 classes; per level, '
        'coarsest first: 1, 2), not the classes given now, --classes birds.yaml '
        '(3 classes; per level, coarsest first: 1, 2); it holds 3 classes that '
        'are not among them (pets, cat, dog). Nothing was requested. Write the '
        'classes given now to another file (another --out, e.g. --out '
        'birds_descriptions.json), or add them to this file on purpose with '
        '--merge (it then records both class lists).')
    assert len(server.requests) == before and out.read_text() == content


def test_merge_adds_the_classes_and_records_both(server, tmp_path):
    out = tmp_path / 'both.json'
    run(server, PETS, out, 'pets.yaml')
    assert run(server, BIRDS, out, 'birds.yaml', merge=True).ok
    doc = read_description_file(str(out))
    assert set(doc['classes']) == {'pets', 'cat', 'dog', 'birds', 'owl', 'sparrow'}
    assert [r['classes'] for r in doc['header'][R.RECORD_KEY]] == [
        'pets.yaml', 'birds.yaml']
    before = len(server.requests)
    assert run(server, PETS, out, 'pets.yaml').ok  # either list is accepted
    assert run(server, BIRDS, out, 'birds.yaml').ok
    assert len(server.requests) == before


def test_old_file_without_record_warns_and_gets_one(server, tmp_path):
    out = tmp_path / 'old.json'
    run(server, PETS, out, 'pets.yaml')
    doc = json.loads(out.read_text())
    del doc['header'][R.RECORD_KEY]
    out.write_text(json.dumps(doc))
    with pytest.warns(UserWarning) as caught:
        assert run(server, PETS, out, 'pets.yaml').ok
    message = str(caught[0].message)
    assert message.startswith(
        f'{out} records no class list (it was written before description files '
        'recorded one). Assuming it is meant for --classes pets.yaml (3 classes; '
        'per level, coarsest first: 1, 2): 3 of its 3 classes are among them.')
    header = read_description_file(str(out))['header']
    assert header[R.RECORD_KEY][0]['classes'] == 'pets.yaml'


def test_a_file_that_grows_replaces_its_record(server, tmp_path):
    """A flat list first, then its tree: every kept class is among the new
    ones, so no --merge is needed and the file records the tree."""
    out = tmp_path / 'grow.json'
    run(server, [PETS[1]], out, 'flat.txt')
    assert run(server, PETS, out, 'tree.yaml').ok
    records = read_description_file(str(out))['header'][R.RECORD_KEY]
    assert [r['classes'] for r in records] == ['tree.yaml']
