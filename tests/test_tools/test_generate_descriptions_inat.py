"""tools/generate_descriptions.py --classes <an iNaturalist JSON>: every rank.

The class list is the fixture release's taxonomy (37 nodes over seven ranks,
tests/fixtures/inat2018.py); requests go through the real openai client to
the real HTTP server of tests/openai_server.py.
"""
import math
import os
import sys

import pytest

from skcl_mm.datasets import LongTailHierarchyDataset
from skcl_mm.semantics.class_lists import load_class_lists
from skcl_mm.semantics.description_prompt import build_prompts
from skcl_mm.semantics.descriptions import (check_descriptions,
                                            load_descriptions)
from tests import tools_runner
from tests.fixtures.inat2018 import LEVEL_SIZES, write_inat2018

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from openai_server import OpenAIServer  # noqa: E402

FAKE_KEY = 'sk-test-INATKEY-0123456789abcdef'


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    path = tmp_path_factory.mktemp('inat2018')
    write_inat2018(str(path))
    return path


def tool():
    return tools_runner.load_tool('generate_descriptions')


@pytest.mark.parametrize('name', ['categories.json', 'train2018.json'])
def test_the_json_gives_every_rank_with_unique_names(root, name):
    lists = load_class_lists(str(root / name))
    assert [len(level) for level in lists.level_classes] == LEVEL_SIZES
    assert lists.fine_to_level[-1] == list(range(8))
    if name == 'categories.json':
        assert 'Oenanthe (genus in Apiaceae)' in lists.level_classes[5]


def test_dry_run_prints_requests_and_tokens_first(root, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv('OPENAI_API_KEY', raising=False)
    classes, out = str(root / 'categories.json'), tmp_path / 'out.json'
    with OpenAIServer() as server:
        code = tool().main(['--classes', classes, '--out', str(out),
                            '--model', 'm', '--dry-run'])
    assert code == 0 and server.requests == [] and not out.exists()
    printed = capsys.readouterr().out
    first = printed.split('\n', 1)[0]
    lists = load_class_lists(classes)
    prompts = build_prompts(lists.level_classes, lists.fine_to_level)
    tokens = sum(math.ceil(len(p.text) / 4) + 7 for p in prompts)
    assert first.startswith('dry run: 37 classes; 37 requests to m (0 already '
                            'answered in --out).')
    assert f'about {tokens:,} input' in first and 'at most 14,800 output' in first
    assert printed.count('### ') == 37 and printed.index('dry run') < printed.index('### ')


def test_descriptions_of_every_rank_train_the_dataset(root, tmp_path, monkeypatch, capsys):
    """A real run writes all 37 texts keyed by the unique names; the dataset
    takes the file, and a second dry run has nothing left to ask."""
    monkeypatch.setenv('OPENAI_API_KEY', FAKE_KEY)
    classes, out = str(root / 'categories.json'), str(tmp_path / 'inat.json')
    with OpenAIServer() as server:
        args = ['--classes', classes, '--out', out, '--model', 'm',
                '--base-url', server.base_url, '--no-progress']
        assert tool().main(args) == 0
        assert len(server.requests) == 37
        texts = load_descriptions(out)
        assert tool().main(args + ['--dry-run']) == 0
        assert len(server.requests) == 37
    assert 'dry run: 37 classes; 0 requests to m (37 already answered' in \
        capsys.readouterr().out
    ds = LongTailHierarchyDataset(
        dict(type='INat2018', data_root=str(root), split='val',
             categories_file='categories.json'),
        hierarchy='dataset', descriptions=out)
    level_classes = ds.metainfo['level_classes']
    assert set(texts) == set(sum(level_classes, []))
    check_descriptions(texts, level_classes, out=out)  # the hook's check
    assert FAKE_KEY not in open(out).read()
