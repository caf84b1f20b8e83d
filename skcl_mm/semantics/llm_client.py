"""One description request through the ``openai`` client, with retries.

The key comes only from ``OPENAI_API_KEY`` (a placeholder for a keyless local
server given by ``base_url``). The client's own retries are off: a 429, a 5xx,
a timeout, a dropped connection or a malformed body is retried here with
exponential backoff and jitter; 401/403/404 are fatal for the whole run; an
answer that breaks the rules (:func:`validate_answer`) is asked again.

A response that says how long to wait (``Retry-After`` in seconds or as an
HTTP date, or ``retry-after-ms``) is waited for instead of the backoff, up to
``RetryPolicy.max_retry_wait`` (longer requests wait the cap, and a class that
then fails says so). The openai client parses these headers too, but only
with its own fixed backoff (0.5-8 s, not configurable), it gives up at once
when a server asks for more than 2 minutes, and it does not retry a malformed
body or a rejected answer: so this module keeps its own loop.
"""
import email.utils
import math
import os
import random
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Mapping, Optional, Tuple
from urllib.parse import urlsplit, urlunsplit

from .description_prompt import ClassPrompt, validate_answer

PLACEHOLDER_KEY = 'no-key-needed'
_FATAL_STATUS = (401, 403, 404)


class MissingAPIKeyError(RuntimeError):
    """No OPENAI_API_KEY and no base_url of a local server."""


class ClassFailed(RuntimeError):
    """A class got no acceptable description after all retries."""


class FatalLLMError(ClassFailed):
    """An error every other request would repeat (bad key, unknown model)."""


@dataclass
class RetryPolicy:
    """Retries and timeouts of the requests.

    Args:
        max_retries (int): Retries of a request after a 429, 5xx, timeout,
            connection error or malformed body.
        answer_attempts (int): Answers asked for per class before reporting it
            (an answer that breaks the rules is asked again).
        backoff_base (float): Seconds; the n-th retry waits between half and
            all of ``min(backoff_max, backoff_base * 2**n)``.
        backoff_max (float): Longest backoff in seconds.
        timeout (float): Seconds per request.
        max_retry_wait (float): Longest wait a server's ``Retry-After`` gets,
            in seconds.

    Raises:
        ValueError: A value out of range (the message names the option).
    """
    max_retries: int = 6
    answer_attempts: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    timeout: float = 120.0
    max_retry_wait: float = 120.0

    def __post_init__(self):
        limits = [('max_retries', '--max-retries', 0, int),
                  ('answer_attempts', '--answer-attempts', 1, int),
                  ('backoff_base', '--backoff-base', 0, float),
                  ('backoff_max', None, 0, float),
                  ('max_retry_wait', '--max-retry-wait', 0, float)]
        for name, flag, low, kind in limits:
            value = getattr(self, name)
            what = f'{name} ({flag})' if flag else name
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or (kind is int and not isinstance(value, int))
                    or not math.isfinite(value) or value < low):
                raise ValueError(f'{what} must be a finite {kind.__name__} '
                                 f'>= {low}, got {value!r}.')
        if (isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float))
                or not math.isfinite(self.timeout) or self.timeout <= 0):
            raise ValueError(f'timeout (--timeout) must be a number of seconds '
                             f'> 0 per request, got {self.timeout!r}.')

    def delay(self, retry: int, rng=random) -> float:
        """Exponential backoff with jitter for the ``retry``-th retry (0-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** retry)
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


def retry_after(headers: Mapping[str, str],
                now: Optional[datetime] = None) -> Optional[float]:
    """Seconds a response asks to wait, or None when it does not say.

    Reads ``retry-after-ms`` (milliseconds), then ``Retry-After``: seconds
    (a number) or an HTTP date (a date in the past means 0). Malformed,
    negative or NaN values count as not said (the backoff applies).

    Args:
        headers (Mapping[str, str]): The response headers (case-insensitive
            like ``httpx.Headers``, or lower-case keys).
        now (datetime, optional): The current time, for the date form.
    """
    for key, scale in (('retry-after-ms', 1000.0), ('retry-after', 1.0)):
        value = headers.get(key)
        if value is None:
            continue
        try:
            seconds = float(value) / scale
        except ValueError:
            if key == 'retry-after-ms':
                continue
            try:
                date = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
            if date.tzinfo is None:
                date = date.replace(tzinfo=timezone.utc)
            now = now or datetime.now(timezone.utc)
            return max(0.0, (date - now).total_seconds())
        if not math.isnan(seconds) and seconds >= 0:
            return seconds
    return None


def wait_before_retry(policy: RetryPolicy, retry: int,
                      headers: Optional[Mapping[str, str]] = None
                      ) -> Tuple[float, str]:
    """The wait before the ``retry``-th retry (0-based) and a note.

    The server's ``Retry-After`` (see :func:`retry_after`) when it sent one,
    capped at ``policy.max_retry_wait``; else the policy's backoff. The note
    is '' unless the cap cut the server's wait short.
    """
    asked = retry_after(headers) if headers is not None else None
    if asked is None:
        return policy.delay(retry), ''
    if asked <= policy.max_retry_wait:
        return asked, ''
    return policy.max_retry_wait, (
        f'the server asked to wait {asked:.0f} s (Retry-After), more than '
        f'--max-retry-wait {policy.max_retry_wait:g} s, so a retry waits '
        f'{policy.max_retry_wait:g} s: raise --max-retry-wait or run again '
        'later')


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
    """An ``openai.OpenAI`` client with its own retries off (ours apply)."""
    import openai
    return openai.OpenAI(api_key=resolve_api_key(base_url), base_url=base_url,
                         max_retries=0, timeout=policy.timeout)


def _is_transient(err: Exception) -> bool:
    import openai
    if isinstance(err, openai.APIStatusError):
        return err.status_code in (408, 409, 429) or err.status_code >= 500
    return isinstance(err, (openai.APIConnectionError,
                            openai.APIResponseValidationError, ValueError))


def _complete(client, prompt: ClassPrompt, model: str,
              temperature: Optional[float], timeout: float) -> Optional[str]:
    extra = {} if temperature is None else {'temperature': temperature}
    response = client.chat.completions.create(
        model=model, messages=prompt.messages, timeout=timeout, **extra)
    choices = getattr(response, 'choices', None) or []
    message = getattr(choices[0], 'message', None) if choices else None
    return getattr(message, 'content', None)


def _scrub(text: str, client) -> str:
    """``text`` with the client's key replaced (a server may echo it)."""
    key = str(getattr(client, 'api_key', '') or '')
    return text.replace(key, '***') if len(key) >= 4 else text


def _failed_request(err: Exception, client) -> Tuple[str, Optional[Mapping]]:
    """What a failed request says (key scrubbed) and its headers, for a
    retry; raises when it must not be retried.

    Raises:
        FatalLLMError: 401/403/404.
        ClassFailed: Another status that a retry would not change.
    """
    import openai
    if isinstance(err, openai.APIStatusError):
        detail = _scrub(str(err)[:300], client)
        if err.status_code in _FATAL_STATUS:
            raise FatalLLMError(f'HTTP {err.status_code}: {detail} (check '
                                'OPENAI_API_KEY, --model and --base-url)') from err
        if not _is_transient(err):
            raise ClassFailed(f'HTTP {err.status_code}: {detail}') from err
        return f'HTTP {err.status_code}', err.response.headers
    if not _is_transient(err):
        raise err
    return f'{type(err).__name__}: {_scrub(str(err)[:300], client)}', None


def _is_connection_failure(err: Exception) -> bool:
    """A request that reached no server (refused, unknown host); a timeout
    (a server that is slow) is not one."""
    import openai
    return (isinstance(err, openai.APIConnectionError)
            and not isinstance(err, openai.APITimeoutError))


def ask_class(client, prompt: ClassPrompt, model: str,
              temperature: Optional[float], policy: RetryPolicy,
              sleep=time.sleep,
              check: Optional[Callable[[str], Optional[str]]] = None,
              cancelled=None) -> str:
    """An acceptable description of one class, retrying as the policy says.

    Args:
        check (callable, optional): ``text -> problem or None``, a rule beyond
            :func:`validate_answer` (e.g. no other class has this text); an
            answer it rejects is asked again like any rejected answer.
        cancelled (threading.Event, optional): Once set, no further request
            is made for this class (the run was stopped).

    Raises:
        FatalLLMError: 401/403/404 (bad key, unknown model or endpoint), or
            every request of the class failed to connect.
        ClassFailed: Retries or answer attempts used up; says why.
    """
    retries, rejected, unreachable = 0, [], True
    while True:
        if cancelled is not None and cancelled.is_set() and (retries or rejected):
            raise ClassFailed('not retried: the run stopped')
        try:
            text = _complete(client, prompt, model, temperature, policy.timeout)
        except Exception as err:  # noqa: BLE001 (sorted by _failed_request)
            last, headers = _failed_request(err, client)
            unreachable = unreachable and _is_connection_failure(err)
        else:
            unreachable = False
            problem = validate_answer(text, prompt.name)
            if problem is None and check is not None:
                problem = check(text.strip())
            if problem is None:
                return text.strip()
            rejected.append(_scrub(problem, client))
            if len(rejected) >= policy.answer_attempts:
                raise ClassFailed(f'{len(rejected)} answers rejected: '
                                  + '; '.join(rejected))
            continue
        wait, note = wait_before_retry(policy, retries, headers)
        if retries >= policy.max_retries and unreachable:
            # Every request failed to connect: the others would too.
            raise FatalLLMError(
                f'no connection to the server after {retries + 1} requests ({last}): '
                'is it running, and is --base-url right?')
        if retries >= policy.max_retries:
            raise ClassFailed(f'gave up after {retries + 1} requests; last '
                              f'error {last}' + (f'; {note}' if note else ''))
        sleep(wait)
        retries += 1
