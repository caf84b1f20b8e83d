"""One description request through the ``openai`` client, with retries.

The key comes only from ``OPENAI_API_KEY`` (a placeholder for a keyless local
server given by ``base_url``). The client's own retries are off: a 429, a 5xx,
a timeout, a dropped connection or a malformed body is retried here with
exponential backoff and jitter; 401/403/404 are fatal for the whole run; an
answer that breaks the rules (:func:`validate_answer`) is asked again.
"""
import os
import random
import time
from dataclasses import dataclass
from typing import Optional
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
        backoff_max (float): Longest wait in seconds.
        timeout (float): Seconds per request.
    """
    max_retries: int = 6
    answer_attempts: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    timeout: float = 120.0

    def delay(self, retry: int, rng=random) -> float:
        """Exponential backoff with jitter for the ``retry``-th retry (0-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** retry)
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


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


def ask_class(client, prompt: ClassPrompt, model: str,
              temperature: Optional[float], policy: RetryPolicy,
              sleep=time.sleep) -> str:
    """An acceptable description of one class, retrying as the policy says.

    Raises:
        FatalLLMError: 401/403/404 (bad key, unknown model or endpoint).
        ClassFailed: Retries or answer attempts used up; says why.
    """
    import openai
    retries, rejected = 0, []
    while True:
        try:
            text = _complete(client, prompt, model, temperature, policy.timeout)
        except openai.APIStatusError as err:
            if err.status_code in _FATAL_STATUS:
                raise FatalLLMError(
                    f'HTTP {err.status_code}: {str(err)[:300]} (check '
                    'OPENAI_API_KEY, --model and --base-url)') from err
            if not _is_transient(err):
                raise ClassFailed(f'HTTP {err.status_code}: {str(err)[:300]}') from err
            last = f'HTTP {err.status_code}'
        except Exception as err:  # noqa: BLE001 (sorted by _is_transient)
            if not _is_transient(err):
                raise
            last = f'{type(err).__name__}: {str(err)[:300]}'
        else:
            problem = validate_answer(text, prompt.name)
            if problem is None:
                return text.strip()
            rejected.append(problem)
            if len(rejected) >= policy.answer_attempts:
                raise ClassFailed(f'{len(rejected)} answers rejected: '
                                  + '; '.join(rejected))
            continue
        if retries >= policy.max_retries:
            raise ClassFailed(f'gave up after {retries + 1} requests; last '
                              f'error {last}')
        sleep(policy.delay(retries))
        retries += 1
