"""generate_descriptions against a real OpenAI-compatible HTTP server."""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from openai_server import (OpenAIServer, Reply, Script,  # noqa: E402
                           echo_answer, errors)

from skcl_mm.semantics.description_generator import \
    generate_descriptions  # noqa: E402
from skcl_mm.semantics.description_prompt import build_prompts  # noqa: E402
from skcl_mm.semantics.descriptions import DescriptionFileError  # noqa: E402
from skcl_mm.semantics.descriptions import read_description_file
from skcl_mm.semantics.llm_client import MissingAPIKeyError  # noqa: E402
from skcl_mm.semantics.llm_client import RetryPolicy, public_url

FAKE_KEY = 'sk-test-FAKEKEY-0123456789abcdef'
LEVELS = [['pets', 'birds'], ['cat', 'dog', 'sparrow', 'owl']]
GROUPS = [[0, 0, 1, 1], [0, 1, 2, 3]]
ALL = ['pets', 'birds', 'cat', 'dog', 'sparrow', 'owl']
FAST = RetryPolicy(max_retries=3, answer_attempts=3, timeout=5.0)


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv('OPENAI_API_KEY', FAKE_KEY)


@pytest.fixture
def server():
    with OpenAIServer() as srv:
        yield srv


def run(server, out, policy=FAST, **kwargs):
    kwargs.setdefault('concurrency', 3)
    return generate_descriptions(LEVELS, str(out), 'test-model',
                                 base_url=server.base_url, policy=policy,
                                 fine_to_level=GROUPS, progress=False, **kwargs)


def test_success_writes_every_class_with_audit_fields(key, server, tmp_path):
    out = tmp_path / 'd.json'
    report = run(server, out, temperature=0.3)
    assert report.ok and sorted(report.generated) == sorted(ALL)
    doc = read_description_file(str(out))
    assert list(doc['classes']) == ALL  # hierarchy order, coarsest first
    hashes = {p.name: p.hash for p in build_prompts(LEVELS, GROUPS)}
    for name, entry in doc['classes'].items():
        assert entry['level'] == (0 if name in LEVELS[0] else 1)
        assert name in entry['text']
        assert entry['model'] == 'test-model' and entry['temperature'] == 0.3
        assert entry['prompt_hash'] == hashes[name]
    assert 'regenerate' in doc['header'] and 'template' in doc['header']
    assert server.class_requests() == {name: 1 for name in ALL}
    first = server.requests[0]
    assert first.path == '/v1/chat/completions'
    assert first.headers['authorization'] == f'Bearer {FAKE_KEY}'
    assert first.body['model'] == 'test-model' and first.body['temperature'] == 0.3
    pets = [r for r in server.requests if r.class_name == 'pets'][0]
    assert 'groups these classes: cat, dog.' in pets.prompt


def test_429_then_success(key, server, tmp_path):
    server.behaviour = Script(plan={'dog': errors(429, 2)})
    report = run(server, tmp_path / 'd.json')
    assert report.ok
    outcomes = [r.outcome for r in server.requests if r.class_name == 'dog']
    assert outcomes == ['429', '429', 'answered']


def test_500_until_giving_up_keeps_the_others(key, server, tmp_path):
    out = tmp_path / 'd.json'
    server.behaviour = Script(plan={'owl': errors(500, 50)})
    report = run(server, out)
    assert list(report.failed) == ['owl']
    assert 'gave up after 4 requests' in report.failed['owl']
    assert 'FAILED owl' in report.summary()
    assert server.class_requests()['owl'] == 4  # 1 + max_retries
    assert set(read_description_file(str(out))['classes']) == set(ALL) - {'owl'}
    # The rerun asks only for the failed class.
    server.behaviour = Script()
    before = len(server.requests)
    assert run(server, out).ok
    assert [r.class_name for r in server.requests[before:]] == ['owl']


def test_timeout_is_retried_and_malformed_body_asked_again(key, server, tmp_path):
    server.behaviour = Script(plan={'cat': [Reply(text='late', delay=2.0)],
                                    'owl': [Reply(raw=b'{"choices": [')]})
    policy = RetryPolicy(max_retries=2, timeout=0.5)
    report = run(server, tmp_path / 'd.json', policy=policy)
    assert report.ok
    assert server.class_requests()['cat'] == 2
    assert [r.outcome for r in server.requests if r.class_name == 'owl'] == [
        'malformed', 'answered']


@pytest.mark.parametrize('bad', [
    '', '   ', 'I am sorry, but I cannot help with that request.',
    'A small animal that likes fish and sleeps a lot.',  # never names 'cat'
    'cat ' + 'word ' * 300,
    'A cat.',  # under 5 words
    'Le chat (cat) est un petit animal domestique qui aime dormir et chasser '
    'les souris.',
])
def test_bad_answer_is_asked_again(key, server, tmp_path, bad):
    server.behaviour = Script(plan={'cat': [Reply(text=bad)]})
    report = run(server, tmp_path / 'd.json')
    assert report.ok
    assert server.class_requests()['cat'] == 2
    text = read_description_file(str(tmp_path / 'd.json'))['classes']['cat']['text']
    assert text != bad.strip() and 'cat' in text


def test_an_answer_another_class_has_is_asked_again(key, server, tmp_path):
    same = 'The cat and the dog are both furry pets with four legs and a tail.'
    server.behaviour = Script(plan={'cat': [Reply(text=same)],
                                    'dog': [Reply(text=same.upper())]})
    report = run(server, tmp_path / 'd.json', concurrency=1)
    assert report.ok and server.class_requests()['dog'] == 2
    classes = read_description_file(str(tmp_path / 'd.json'))['classes']
    assert classes['cat']['text'] == same and 'dog' in classes['dog']['text']
    assert classes['dog']['text'].lower() != same.lower()


def test_kept_texts_that_break_the_rules_are_asked_again(key, server, tmp_path):
    out = tmp_path / 'd.json'
    assert run(server, out).ok
    doc = json.loads(out.read_text())
    doc['classes']['owl']['text'] = ('La chouette (owl) est un oiseau de nuit '
                                     'qui chasse les souris dans les champs.')
    doc['classes']['dog']['text'] = doc['classes']['cat']['text']
    out.write_text(json.dumps(doc))
    before = len(server.requests)
    with pytest.warns(UserWarning, match='2 kept descriptions break the rules '
                      "and are asked again .*dog: the same text as 'cat'"):
        report = run(server, out, keep_existing=True)
    assert report.ok and sorted(report.generated) == ['dog', 'owl']
    assert sorted(r.class_name for r in server.requests[before:]) == ['dog', 'owl']


def test_bad_answers_every_time_are_reported(key, server, tmp_path):
    long_text = 'sparrow ' * 301
    server.behaviour = Script(plan={'sparrow': [Reply(text=long_text)] * 3})
    report = run(server, tmp_path / 'd.json')
    assert list(report.failed) == ['sparrow']
    assert '3 answers rejected' in report.failed['sparrow']
    assert '301 words, over the limit of 300' in report.failed['sparrow']


def test_cached_run_makes_no_request_until_model_changes(key, server, tmp_path):
    out = tmp_path / 'd.json'
    assert run(server, out).ok
    before, mtime = len(server.requests), os.stat(out).st_mtime_ns
    report = run(server, out)
    assert len(server.requests) == before and sorted(report.cached) == sorted(ALL)
    assert os.stat(out).st_mtime_ns == mtime
    generate_descriptions(LEVELS, str(out), 'other-model', base_url=server.base_url,
                          policy=FAST, fine_to_level=GROUPS, progress=False,
                          keep_existing=True)
    assert len(server.requests) == before
    generate_descriptions(LEVELS, str(out), 'other-model', base_url=server.base_url,
                          policy=FAST, fine_to_level=GROUPS, progress=False)
    assert len(server.requests) == before + len(ALL)
    models = {e['model'] for e in read_description_file(str(out))['classes'].values()}
    assert models == {'other-model'}


def test_prompt_change_is_requested_again(key, server, tmp_path):
    out = tmp_path / 'd.json'
    assert run(server, out).ok
    before = len(server.requests)
    # Without the grouping, the coarse prompts change (no member list).
    generate_descriptions(LEVELS, str(out), 'test-model', base_url=server.base_url,
                          policy=FAST, fine_to_level=None, progress=False)
    assert sorted(r.class_name for r in server.requests[before:]) == ['birds', 'pets']


def test_flat_list_then_tree_asks_only_for_the_new_level_and_relevels(key, server,
                                                                      tmp_path):
    """A flat class list first (fine classes at level 0), then the tree: only
    the coarse classes are requested, the kept fine ones move to level 1."""
    out = tmp_path / 'd.json'
    generate_descriptions([LEVELS[1]], str(out), 'test-model', base_url=server.base_url,
                          policy=FAST, progress=False)
    assert {e['level'] for e in read_description_file(str(out))['classes'].values()} == {0}
    before = len(server.requests)
    report = run(server, out)
    assert sorted(r.class_name for r in server.requests[before:]) == ['birds', 'pets']
    assert sorted(report.cached) == sorted(LEVELS[1])
    levels = {n: e['level'] for n, e in read_description_file(str(out))['classes'].items()}
    assert levels == {'pets': 0, 'birds': 0, 'cat': 1, 'dog': 1, 'sparrow': 1, 'owl': 1}


def test_concurrency_is_bounded(key, server, tmp_path):
    server.behaviour = lambda r: Reply(text=echo_answer(r), delay=0.15)
    run(server, tmp_path / 'd.json', concurrency=2)
    assert server.max_in_flight == 2
    server.max_in_flight = 0
    run(server, tmp_path / 'e.json', concurrency=1)
    assert server.max_in_flight == 1


def test_fatal_error_stops_the_run(key, server, tmp_path):
    server.behaviour = lambda r: Reply(status=401)
    report = run(server, tmp_path / 'd.json', concurrency=1)
    assert set(report.failed) == set(ALL)
    assert len(server.requests) == 1
    assert sum('HTTP 401' in why for why in report.failed.values()) == 1
    assert sum('not requested' in why for why in report.failed.values()) == 5
    assert not (tmp_path / 'd.json').exists()


def test_key_is_never_written(key, server, tmp_path, capsys):
    server.behaviour = Script(plan={'dog': errors(500, 10)})
    run(server, tmp_path / 'd.json')
    written = [p for p in tmp_path.rglob('*') if p.is_file()]
    assert written == [tmp_path / 'd.json']
    assert FAKE_KEY not in written[0].read_text()
    captured = capsys.readouterr()
    assert FAKE_KEY not in captured.out + captured.err
    assert all(r.headers['authorization'] == f'Bearer {FAKE_KEY}'
               for r in server.requests)


def test_no_key_and_no_base_url_fails_before_any_work(monkeypatch, tmp_path):
    monkeypatch.delenv('OPENAI_API_KEY', raising=False)
    with pytest.raises(MissingAPIKeyError, match='OPENAI_API_KEY'):
        generate_descriptions(LEVELS, str(tmp_path / 'd.json'), 'm')
    assert list(tmp_path.iterdir()) == []


def test_local_server_without_key_gets_a_placeholder(monkeypatch, server, tmp_path):
    monkeypatch.delenv('OPENAI_API_KEY', raising=False)
    with pytest.warns(UserWarning, match='sending a placeholder key'):
        assert run(server, tmp_path / 'd.json').ok
    assert server.requests[0].headers['authorization'] == 'Bearer no-key-needed'


def test_dry_run_prints_prompts_and_makes_no_request(monkeypatch, server,
                                                     tmp_path, capsys):
    monkeypatch.delenv('OPENAI_API_KEY', raising=False)
    report = generate_descriptions(LEVELS, str(tmp_path / 'd.json'), 'm',
                                   fine_to_level=GROUPS, dry_run=True)
    printed = capsys.readouterr().out
    assert server.requests == [] and list(tmp_path.iterdir()) == []
    assert report.generated == [] and printed.count('would request') == len(ALL)
    assert 'generate a description for class sparrow, ensuring' in printed


def test_corrupt_output_file_is_reported_and_left_alone(key, server, tmp_path):
    out = tmp_path / 'd.json'
    out.write_text('{"format_version": 1, "classes": {')
    with pytest.raises(DescriptionFileError, match='corrupt'):
        run(server, out)
    assert out.read_text() == '{"format_version": 1, "classes": {'
    out.write_text(json.dumps({'format_version': 0, 'header': {}, 'classes': {}}))
    with pytest.raises(DescriptionFileError, match='format_version is 0'):
        run(server, out)
    assert server.requests == []


def test_public_url_drops_credentials():
    assert public_url('http://user:secret@host:8000/v1?key=abc') == 'http://host:8000/v1'
    assert 'openai' in public_url(None)


def test_unreachable_server_stops_the_run_after_one_class(key, tmp_path):
    """Nothing listens on the port: one class uses the client's retries,
    then the run stops instead of retrying every class for minutes."""
    from tests.tools_runner import free_port
    url = f'http://127.0.0.1:{free_port()}/v1'
    report = generate_descriptions(LEVELS, str(tmp_path / 'd.json'), 'test-model',
                                   base_url=url, fine_to_level=GROUPS,
                                   policy=RetryPolicy(max_retries=1, timeout=5.0),
                                   progress=False, concurrency=1)
    assert not report.ok and not report.generated
    reasons = list(report.failed.values())
    assert 'no connection to the server after 2 requests' in reasons[0]
    assert 'is it running, and is --base-url right?' in reasons[0]
    assert all('stopped' in why for why in reasons[1:]), reasons
