"""One description request: Retry-After, backoff, policy checks, key scrubbing.

The waits are measured on the real HTTP server (tests/openai_server.py): the
time between the arrivals of two requests of the same class.
"""
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from openai_server import OpenAIServer, Reply, Script  # noqa: E402

from skcl_mm.semantics.description_prompt import build_prompts  # noqa: E402
from skcl_mm.semantics.llm_client import (ClassFailed, FatalLLMError,  # noqa: E402
                                          RetryPolicy, ask_class, make_client,
                                          retry_after)

FAKE_KEY = 'sk-test-RETRYKEY-0123456789abcdef'
DOG = build_prompts([['dog']])[0]


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv('OPENAI_API_KEY', FAKE_KEY)
    with OpenAIServer() as srv:
        yield srv


def gaps(server):
    """Seconds between the arrivals of consecutive requests (server side)."""
    times = [r.received for r in server.requests]
    return [b - a for a, b in zip(times, times[1:])]


def ask(server, policy):
    return ask_class(make_client(server.base_url, policy), DOG, 'm', None, policy)


@pytest.mark.parametrize('status,headers,low,high', [
    (429, {'Retry-After': '1'}, 1.0, 2.5),           # seconds; backoff 1 ms
    (503, {'retry-after-ms': '300'}, 0.3, 1.5),      # milliseconds win
    (429, {}, 0.1, 0.9),                             # no header: backoff 0.1-0.2
    (503, {'Retry-After': 'soon'}, 0.1, 0.9),        # malformed: backoff
])
def test_server_wait_is_honoured(server, status, headers, low, high):
    backoff = 0.2 if not headers or 'soon' in headers.values() else 0.001
    server.behaviour = Script(plan={'dog': [Reply(status=status, headers=headers)]})
    policy = RetryPolicy(max_retries=2, backoff_base=backoff, backoff_max=backoff,
                         timeout=5.0)
    assert 'dog' in ask(server, policy)
    assert [r.outcome for r in server.requests] == [str(status), 'answered']
    (gap, ) = gaps(server)
    assert low <= gap < high, gap


def test_a_date_in_the_past_means_no_wait(server):
    """The HTTP-date form is read: a past date beats a 5 s backoff."""
    past = format_datetime(datetime.now(timezone.utc) - timedelta(minutes=5),
                           usegmt=True)
    server.behaviour = Script(plan={'dog': [Reply(status=503,
                                                  headers={'Retry-After': past})]})
    policy = RetryPolicy(max_retries=1, backoff_base=5.0, timeout=5.0)
    ask(server, policy)
    assert gaps(server)[0] < 1.0


def test_a_longer_wait_is_capped_and_the_failure_says_so(server):
    server.behaviour = Script(plan={'dog': [Reply(
        status=429, headers={'Retry-After': '3600'})] * 3})
    policy = RetryPolicy(max_retries=1, backoff_base=0.001, timeout=5.0,
                         max_retry_wait=0.3)
    with pytest.raises(ClassFailed) as err:
        ask(server, policy)
    assert str(err.value) == (
        'gave up after 2 requests; last error HTTP 429; the server asked to '
        'wait 3600 s (Retry-After), more than --max-retry-wait 0.3 s, so a '
        'retry waits 0.3 s: raise --max-retry-wait or run again later')
    (gap, ) = gaps(server)
    assert 0.3 <= gap < 1.5, gap


def test_retry_after_parsing():
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    date = 'Fri, 02 Jan 2026 03:04:35 GMT'
    assert retry_after({'retry-after': date}, now) == 30.0
    assert retry_after({'retry-after': 'Thu, 01 Jan 2026 00:00:00 GMT'}, now) == 0.0
    assert retry_after({'retry-after': '2.5'}) == 2.5
    assert retry_after({'retry-after-ms': '250', 'retry-after': '9'}) == 0.25
    assert retry_after({'retry-after-ms': 'x', 'retry-after': '9'}) == 9.0
    for bad in ('-1', 'nan', 'soon', ''):
        assert retry_after({'retry-after': bad}) is None
    assert retry_after({}) is None


@pytest.mark.parametrize('kwargs,message', [
    (dict(max_retries=-1), 'max_retries (--max-retries) must be a finite int >= 0'),
    (dict(max_retries=1.5), 'max_retries (--max-retries) must be a finite int'),
    (dict(answer_attempts=0), 'answer_attempts (--answer-attempts) must be a '
                              'finite int >= 1, got 0'),
    (dict(backoff_base=-0.5), 'backoff_base (--backoff-base) must be a finite '
                              'float >= 0, got -0.5'),
    (dict(max_retry_wait=float('inf')), 'max_retry_wait (--max-retry-wait)'),
    (dict(timeout=0), 'timeout (--timeout) must be a number of seconds > 0 per '
                      'request, got 0'),
    (dict(timeout=-3.0), 'got -3.0'),
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
        ask(server, RetryPolicy(timeout=5.0))
    assert FAKE_KEY not in str(err.value) and 'bad key ***' in str(err.value)
