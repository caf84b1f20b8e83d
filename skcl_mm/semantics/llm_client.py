"""One description request through the ``openai`` client, which retries it.

The key comes only from ``OPENAI_API_KEY`` (a placeholder for a keyless local
server given by ``base_url``). Retrying a failed request is the client's job
(``openai.OpenAI(max_retries=...)``); this module keeps the per-class rules on
top: an answer that breaks the rules (:func:`validate_answer`) or a body that
is not a completion is asked again, up to ``RetryPolicy.answer_attempts``;
401/403/404 are fatal for the whole run; so is a connection failure that
outlives the client's retries (the server is unreachable: every other class
would fail the same way); any other failure fails only its class, and says why.

What the project relies on, read in the installed openai client (3.63,
``openai/_base_client.py``: ``_should_retry``, ``_calculate_retry_timeout``,
``_parse_retry_after_header``):

- ``max_retries=n`` makes at most ``n + 1`` requests. It retries a timeout, a
  connection error and the statuses 408, 409, 429 and every 5xx (and what a
  server marks ``x-should-retry: true``); never 400, 401, 403, 404 or 422.
- Between two requests it waits what the failed response asks:
  ``retry-after-ms`` (milliseconds), else ``Retry-After`` (seconds, a float,
  or an HTTP date), when that is more than 0 and at most 2 minutes
  (:data:`MAX_SERVER_WAIT`). Otherwise (no header, 0, malformed, a past date)
  it backs off exponentially: ``min(0.5 * 2**n, 8)`` seconds for the n-th
  retry, less up to 25 % jitter (so ``Retry-After: 0`` waits 0.375-0.5 s).
- A response asking for more than 2 minutes is not retried at all.
- Every request carries ``x-stainless-retry-count`` (0 for the first); the
  error keeps its last request, so that header tells how many were made.
- The body is not retried: one that is not JSON raises a ``ValueError``.
"""
import math
import os
from dataclasses import dataclass
from typing import Callable, Optional
from urllib.parse import urlsplit, urlunsplit

from .description_prompt import ClassPrompt, validate_answer

PLACEHOLDER_KEY = 'no-key-needed'
MAX_SERVER_WAIT = 120.0  # s: the longest Retry-After the openai client waits
_FATAL_STATUS = (401, 403, 404)
_RETRIED_STATUS = (408, 409, 429)  # and every 5xx


class MissingAPIKeyError(RuntimeError):
    """No OPENAI_API_KEY and no base_url of a local server."""


class ClassFailed(RuntimeError):
    """A class got no acceptable description after all retries."""


class FatalLLMError(ClassFailed):
    """An error every other request would repeat (bad key, unknown model,
    unreachable server)."""


@dataclass
class RetryPolicy:
    """Retries and timeouts of the requests.

    Args:
        max_retries (int): The openai client's retries of one request (see
            the module docstring for what it retries and how long it waits).
        answer_attempts (int): Answers asked for per class before reporting it
            (an answer that breaks the rules, or a malformed body, is asked
            again).
        timeout (float): Seconds per request.

    Raises:
        ValueError: A value out of range (the message names the option).
    """
    max_retries: int = 6
    answer_attempts: int = 3
    timeout: float = 120.0

    def __post_init__(self):
        for name, flag, low in (('max_retries', '--max-retries', 0),
                                ('answer_attempts', '--answer-attempts', 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f'{name} ({flag}) must be an integer >= {low}, '
                                 f'got {value!r}.')
        if (isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float))
                or not math.isfinite(self.timeout) or self.timeout <= 0):
            raise ValueError(f'timeout (--timeout) must be a number of seconds '
                             f'> 0 per request, got {self.timeout!r}.')


def resolve_api_key(base_url: Optional[str]) -> str:
    """The key from ``OPENAI_API_KEY``; a placeholder for a keyless local
    server when ``base_url`` is given; else :class:`MissingAPIKeyError`."""
    key = os.environ.get('OPENAI_API_KEY', '').strip()
    if key:
        return key
    if base_url:
        return PLACEHOLDER_KEY
    raise MissingAPIKeyError(
        'No API key: set the OPENAI_API_KEY environment variable (the key is '
        'read only from there and never written to a file), or give --base-url '
        'of an OpenAI-compatible server that needs no key (e.g. a local vLLM or '
        'Ollama; a placeholder key is then sent).')


def public_url(url: Optional[str]) -> str:
    """``url`` without credentials, query or fragment (safe to record)."""
    if not url:
        return 'https://api.openai.com/v1 (openai default)'
    parts = urlsplit(url)
    host = parts.hostname or ''
    netloc = f'{host}:{parts.port}' if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, '', ''))


def make_client(base_url: Optional[str], policy: RetryPolicy):
    """An ``openai.OpenAI`` client that retries a request
    ``policy.max_retries`` times and gives each ``policy.timeout`` seconds."""
    import openai
    return openai.OpenAI(api_key=resolve_api_key(base_url), base_url=base_url,
                         max_retries=policy.max_retries, timeout=policy.timeout)


def _complete(client, prompt: ClassPrompt, model: str,
              temperature: Optional[float]) -> Optional[str]:
    extra = {} if temperature is None else {'temperature': temperature}
    response = client.chat.completions.create(model=model,
                                              messages=prompt.messages, **extra)
    choices = getattr(response, 'choices', None) or []
    message = getattr(choices[0], 'message', None) if choices else None
    return getattr(message, 'content', None)


def _scrub(text: str, client) -> str:
    """``text`` with the client's key replaced (a server may echo it)."""
    key = str(getattr(client, 'api_key', '') or '')
    return text.replace(key, '***') if len(key) >= 4 else text


def _retry_count(err: Exception) -> Optional[int]:
    """Retries the client made before ``err`` (the ``x-stainless-retry-count``
    header of its last request), or None when the header is missing."""
    request = getattr(err, 'request', None)
    count = request.headers.get('x-stainless-retry-count', '') if request else ''
    return int(count) if count.isdigit() else None


def _requests_made(err: Exception) -> str:
    """'N requests' the client made before ``err``."""
    retries = _retry_count(err)
    if retries is None:
        return "the openai client's retries"
    return f'{retries + 1} request' + ('s' if retries else '')


def _server_wait_note(err, client) -> str:
    """Why the client did not use its retries up: the server asked to wait
    longer than the client waits ('' when it did use them)."""
    headers = err.response.headers
    asked = [f'{k}: {headers[k]}' for k in ('retry-after-ms', 'retry-after')
             if k in headers]
    retries = _retry_count(err)
    if not asked or retries is None or retries >= client.max_retries:
        return ''
    return (f'; the server asked to wait ({", ".join(asked)}) longer than the '
            f'{MAX_SERVER_WAIT:g} s the openai client waits, so it did not '
            'retry: run again later')


def _failed_request(err: Exception, client) -> str:
    """What a malformed body says (key scrubbed), to ask again; raises for
    every other failure.

    Raises:
        FatalLLMError: 401/403/404, or no connection after the retries.
        ClassFailed: Another status or a timeout, after the retries.
    """
    import openai
    detail = _scrub(str(err)[:300], client)
    if isinstance(err, openai.APIStatusError):
        status = err.status_code
        if status in _FATAL_STATUS:
            raise FatalLLMError(f'HTTP {status}: {detail} (check '
                                'OPENAI_API_KEY, --model and --base-url)') from err
        if status in _RETRIED_STATUS or status >= 500:
            raise ClassFailed(f'gave up after {_requests_made(err)}; last error '
                              f'HTTP {status}' + _server_wait_note(err, client)) from err
        raise ClassFailed(f'HTTP {status}: {detail}') from err
    last = f'{type(err).__name__}: {detail}'
    if isinstance(err, openai.APITimeoutError):
        raise ClassFailed(f'gave up after {_requests_made(err)}; last error '
                          f'{last}') from err
    if isinstance(err, openai.APIConnectionError):
        raise FatalLLMError(f'no connection to the server after '
                            f'{_requests_made(err)} ({last}): is it running, '
                            'and is --base-url right?') from err
    if isinstance(err, (openai.APIResponseValidationError, ValueError)):
        return f'malformed response ({last})'
    raise err


def ask_class(client, prompt: ClassPrompt, model: str,
              temperature: Optional[float], policy: RetryPolicy,
              check: Optional[Callable[[str], Optional[str]]] = None,
              cancelled=None) -> str:
    """An acceptable description of one class; the client retries requests.

    Args:
        check (callable, optional): ``text -> problem or None``, a rule beyond
            :func:`validate_answer` (e.g. no other class has this text); an
            answer it rejects is asked again like any rejected answer.
        cancelled (threading.Event, optional): Once set, the class is not
            asked again (the run was stopped; a request in flight finishes
            with the client's retries).

    Raises:
        FatalLLMError: 401/403/404 (bad key, unknown model or endpoint), or
            no connection to the server after the client's retries.
        ClassFailed: Retries or answer attempts used up; says why.
    """
    problems = []
    while len(problems) < policy.answer_attempts:
        if cancelled is not None and cancelled.is_set() and problems:
            raise ClassFailed('not asked again: the run stopped')
        try:
            text = _complete(client, prompt, model, temperature)
        except Exception as err:  # noqa: BLE001 (sorted by _failed_request)
            problems.append(_failed_request(err, client))
            continue
        problem = validate_answer(text, prompt.name)
        if problem is None and check is not None:
            problem = check(text.strip())
        if problem is None:
            return text.strip()
        problems.append(_scrub(problem, client))
    raise ClassFailed(f'{len(problems)} answers rejected: ' + '; '.join(problems))
