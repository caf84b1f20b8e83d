"""One description request: the openai client's retries as the project relies
on them, the per-class errors, policy checks, key scrubbing.

Everything runs against the real HTTP server (tests/openai_server.py), which
counts the requests and records when each arrived.
"""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from openai_server import (RETRY_AT_ONCE, OpenAIServer, Reply,  # noqa: E402
                           Script, errors)

from skcl_mm.semantics.description_prompt import build_prompts  # noqa: E402
from skcl_mm.semantics.llm_client import ClassFailed  # noqa: E402
from skcl_mm.semantics.llm_client import (FatalLLMError, RetryPolicy,
                                          ask_class, make_client)

FAKE_KEY = 'sk-test-RETRYKEY-0123456789abcdef'
DOG = build_prompts([['dog']])[0]


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv('OPENAI_API_KEY', FAKE_KEY)
    with OpenAIServer() as srv:
        yield srv


def ask(server, max_retries=2, base_url=None, **policy):
    policy = RetryPolicy(max_retries=max_retries, timeout=5.0, **policy)
    client = make_client(base_url or server.base_url, policy)
    return ask_class(client, DOG, 'm', None, policy)


def outcomes(server):
    return [r.outcome for r in server.requests]


@pytest.mark.parametrize('status', [408, 409, 429, 500, 503])
def test_a_retried_status_then_an_answer(server, status):
    server.behaviour = Script(plan={'dog': errors(status)})
    assert 'dog' in ask(server)
    assert outcomes(server) == [str(status), 'answered']
    retry_counts = [r.headers['x-stainless-retry-count'] for r in server.requests]
    assert retry_counts == ['0', '1']  # what the error messages count


@pytest.mark.parametrize('status, error, message', [
    (400, ClassFailed, 'HTTP 400: Error code: 400 - test server says 400'),
    (422, ClassFailed, 'HTTP 422: Error code: 422'),
    (401, FatalLLMError, '(check OPENAI_API_KEY, --model and --base-url)'),
    (403, FatalLLMError, 'HTTP 403'),
    (404, FatalLLMError, 'HTTP 404'),
])
def test_a_status_that_is_not_retried(server, status, error, message):
    server.behaviour = Script(plan={'dog': errors(status)})
    with pytest.raises(error) as err:
        ask(server)
    assert message in str(err.value) and outcomes(server) == [str(status)]


def test_a_persistent_500_makes_max_retries_plus_one_requests(server):
    server.behaviour = Script(plan={'dog': errors(500, 10)})
    with pytest.raises(ClassFailed) as err:
        ask(server, max_retries=2)
    assert not isinstance(err.value, FatalLLMError)
    assert str(err.value) == 'gave up after 3 requests; last error HTTP 500'
    assert outcomes(server) == ['500'] * 3


@pytest.mark.parametrize('headers, low, high', [
    ({'Retry-After': '0.6'}, 0.6, 5.0),     # seconds; over the 0.5 s backoff
    ({'retry-after-ms': '600'}, 0.6, 5.0),  # milliseconds
    (RETRY_AT_ONCE, 0.0, 0.375),            # under the backoff's least wait
    ({'Retry-After': '0'}, 0.375, 5.0),     # 0 is not a wait: the backoff
])
def test_the_wait_a_server_asks_for(server, headers, low, high):
    server.behaviour = Script(plan={'dog': [Reply(status=429, headers=headers)]})
    ask(server, max_retries=1)
    first, second = (r.received for r in server.requests)
    assert low <= second - first < high, second - first


def test_a_wait_over_two_minutes_is_not_retried_and_says_so(server):
    server.behaviour = Script(plan={'dog': [Reply(
        status=429, headers={'Retry-After': '3600'})] * 3})
    with pytest.raises(ClassFailed) as err:
        ask(server, max_retries=2)
    assert str(err.value) == (
        'gave up after 1 request; last error HTTP 429; the server asked to '
        'wait (retry-after: 3600) longer than the 120 s the openai client '
        'waits, so it did not retry: run again later')
    assert outcomes(server) == ['429']


def test_a_timeout_fails_the_class_only(server):
    server.behaviour = Script(plan={'dog': [Reply(text='late', delay=3.0)]})
    policy = RetryPolicy(max_retries=0, timeout=0.3)
    with pytest.raises(ClassFailed) as err:
        ask_class(make_client(server.base_url, policy), DOG, 'm', None, policy)
    assert not isinstance(err.value, FatalLLMError)
    assert str(err.value) == ('gave up after 1 request; last error '
                              'APITimeoutError: Request timed out.')


def test_no_server_is_fatal(server):
    from tests.tools_runner import free_port
    with pytest.raises(FatalLLMError) as err:
        ask(server, max_retries=0, base_url=f'http://127.0.0.1:{free_port()}/v1')
    assert str(err.value) == (
        'no connection to the server after 1 request (APIConnectionError: '
        'Connection error.): is it running, and is --base-url right?')


def test_a_malformed_body_is_asked_again_like_a_bad_answer(server):
    server.behaviour = Script(plan={'dog': [Reply(raw=b'{"choices": [')]})
    assert 'dog' in ask(server, max_retries=0)
    assert outcomes(server) == ['malformed', 'answered']
    server.behaviour = Script(plan={'dog': [Reply(raw=b'not json')] * 2})
    with pytest.raises(ClassFailed) as err:
        ask(server, max_retries=3, answer_attempts=2)
    assert str(err.value).startswith('2 answers rejected: malformed response '
                                     '(JSONDecodeError: Expecting value')
    assert outcomes(server)[2:] == ['malformed'] * 2  # bodies are not retried


@pytest.mark.parametrize('kwargs,message', [
    (dict(max_retries=-1), 'max_retries (--max-retries) must be an integer >= 0, '
                           'got -1'),
    (dict(max_retries=1.5), 'max_retries (--max-retries) must be an integer'),
    (dict(answer_attempts=0), 'answer_attempts (--answer-attempts) must be an '
                              'integer >= 1, got 0'),
    (dict(timeout=0), 'timeout (--timeout) must be a number of seconds > 0 per '
                      'request, got 0'),
    (dict(timeout=-3.0), 'got -3.0'),
    (dict(timeout=float('nan')), 'got nan'),
])
def test_policy_refuses_wrong_values(kwargs, message):
    with pytest.raises(ValueError, match=message.replace('(', r'\(')
                       .replace(')', r'\)')):
        RetryPolicy(**kwargs)


def test_key_echoed_by_the_server_is_scrubbed(server):
    body = json.dumps({'error': {'message': f'bad key {FAKE_KEY}',
                                 'type': 'auth'}}).encode()
    server.behaviour = Script(plan={'dog': [Reply(status=401, raw=body)]})
    with pytest.raises(FatalLLMError) as err:
        ask(server)
    assert FAKE_KEY not in str(err.value) and 'bad key ***' in str(err.value)
