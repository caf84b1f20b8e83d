"""A real OpenAI-compatible chat-completions HTTP server for tests.

It listens on ``127.0.0.1`` (a free port), answers ``POST /v1/chat/completions``
with the JSON the ``openai`` client expects, and records every request. What it
answers is scriptable per request: a text, an HTTP error status, extra
response headers (``Retry-After``), a delay, a stall (hold the request until
the server stops) or a malformed body; each request records when it arrived
(``time.monotonic()`` on the server)::

    with OpenAIServer(Script(answer=lambda req: 'some text')) as server:
        client = openai.OpenAI(api_key='k', base_url=server.base_url)
        ...
        assert len(server.requests) == 1
"""
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional

_PROMPT_CLASS = re.compile(r'generate a description for class (.+?), ensuring')


@dataclass
class Reply:
    """What the server sends back for one request.

    Args:
        text (str | None): The assistant message content (status 200).
        status (int): HTTP status; >= 400 sends an OpenAI-style error body.
        delay (float): Seconds to wait before answering.
        stall (bool): Hold the request until the server stops; never answer.
        raw (bytes | None): Send these bytes as the body instead (malformed).
        headers (dict[str, str]): Extra response headers (e.g. Retry-After).
    """
    text: Optional[str] = None
    status: int = 200
    delay: float = 0.0
    stall: bool = False
    raw: Optional[bytes] = None
    headers: Dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    """One recorded request: ``outcome`` says what the server did with it,
    ``received`` when it arrived (server-side ``time.monotonic()``)."""
    index: int
    path: str
    headers: Dict[str, str]
    body: dict
    outcome: str = 'pending'
    received: float = field(default_factory=time.monotonic)

    @property
    def prompt(self) -> str:
        """The content of the last user message ('' when there is none)."""
        users = [m for m in self.body.get('messages', []) if m.get('role') == 'user']
        return str(users[-1].get('content', '')) if users else ''

    @property
    def class_name(self) -> Optional[str]:
        """The class an SKCL description prompt asks about, if any."""
        match = _PROMPT_CLASS.search(self.prompt)
        return match.group(1) if match else None


# The openai client waits what ``retry-after-ms`` asks (when above 0) instead
# of its 0.5-8 s backoff (``Retry-After: 0`` gets the backoff): 1 ms keeps
# the retries of a test fast.
RETRY_AT_ONCE = {'retry-after-ms': '1'}


def errors(status: int, count: int = 1) -> List[Reply]:
    """``count`` error replies of ``status`` that ask for a retry after 1 ms."""
    return [Reply(status=status, headers=dict(RETRY_AT_ONCE)) for _ in range(count)]


def echo_answer(request: Request) -> str:
    """A valid description: it follows the template and names the class."""
    name = request.class_name or 'thing'
    return (f'A description of the class {name}, based on its appearance '
            f'characteristics and behavioral traits or functional features: '
            f'the {name} is easy to recognise.')


class Script:
    """A per-request behaviour: planned replies per class, then a default.

    Args:
        answer (callable): ``Request -> str``, the text of a normal answer.
        plan (dict[str, list[Reply]]): For a class name, the replies of its
            first requests, in order; later requests get a normal answer.
        stall_after (int | None): After this many normal answers, every
            further request stalls (simulates a hung server).
    """

    def __init__(self, answer: Callable[[Request], str] = echo_answer,
                 plan: Optional[Dict[str, List[Reply]]] = None,
                 stall_after: Optional[int] = None):
        self.answer = answer
        self.plan = {k: list(v) for k, v in (plan or {}).items()}
        self.stall_after = stall_after
        self.answered = 0
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        with self._lock:
            planned = self.plan.get(request.class_name or '')
            if planned:
                return planned.pop(0)
            if self.stall_after is not None and self.answered >= self.stall_after:
                return Reply(stall=True)
            self.answered += 1
        return Reply(text=self.answer(request))


class OpenAIServer:
    """The server; a context manager that starts and stops it.

    Args:
        behaviour (callable): ``Request -> Reply`` called for every request;
            may be replaced between runs (``server.behaviour = ...``).
    """

    def __init__(self, behaviour: Callable[[Request], Reply] = None):
        self.behaviour = behaviour or Script()
        self.requests: List[Request] = []
        self._lock = threading.Lock()
        self._counter = itertools.count()
        self._stopping = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0
        self._httpd = ThreadingHTTPServer(('127.0.0.1', 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f'http://{host}:{port}/v1'

    def start(self) -> 'OpenAIServer':
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs=dict(poll_interval=0.05), daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> 'OpenAIServer':
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def record(self, path: str, headers, body: dict) -> Request:
        with self._lock:
            request = Request(next(self._counter), path,
                              {k.lower(): v for k, v in headers.items()}, body)
            self.requests.append(request)
        return request

    def class_requests(self, outcome: Optional[str] = None) -> Dict[str, int]:
        """Requests per class name, only those with ``outcome`` when given."""
        counts: Dict[str, int] = {}
        for request in list(self.requests):
            if outcome is None or request.outcome == outcome:
                counts[request.class_name] = counts.get(request.class_name, 0) + 1
        return counts


def _completion(text: str, model: str, index: int) -> bytes:
    return json.dumps({
        'id': f'chatcmpl-test{index}', 'object': 'chat.completion',
        'created': int(time.time()), 'model': model,
        'choices': [{'index': 0, 'finish_reason': 'stop',
                     'message': {'role': 'assistant', 'content': text}}],
        'usage': {'prompt_tokens': 1, 'completion_tokens': 1, 'total_tokens': 2},
    }).encode()


def _error(status: int) -> bytes:
    kind = 'rate_limit_error' if status == 429 else 'server_error'
    return json.dumps({'error': {'message': f'test server says {status}',
                                 'type': kind, 'code': str(status)}}).encode()


def _make_handler(server: OpenAIServer):

    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, *args):  # keep test output quiet
            pass

        def do_POST(self):  # noqa: N802 (http.server's naming)
            length = int(self.headers.get('Content-Length') or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b'{}')
            except ValueError:
                body = {}
            request = server.record(self.path, self.headers, body)
            with server._lock:
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                self._answer(request, body)
            finally:
                with server._lock:
                    server.in_flight -= 1

        def _answer(self, request: Request, body: dict):
            if not self.path.rstrip('/').endswith('/chat/completions'):
                return self._send(request, 404, _error(404), 'not found')
            reply = server.behaviour(request)
            if reply.stall:
                request.outcome = 'stalled'
                server._stopping.wait()
                self.close_connection = True
                return
            if reply.delay and server._stopping.wait(reply.delay):
                self.close_connection = True
                return
            if reply.raw is not None:
                return self._send(request, reply.status, reply.raw, 'malformed',
                                  reply.headers)
            if reply.status >= 400:
                payload, outcome = _error(reply.status), str(reply.status)
            else:
                payload = _completion(reply.text or '', body.get('model', ''),
                                      request.index)
                outcome = 'answered'
            self._send(request, reply.status, payload, outcome, reply.headers)

        def _send(self, request: Request, status: int, payload: bytes, outcome: str,
                  headers: Optional[Dict[str, str]] = None):
            try:
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                # Recorded before the answer goes out: once the client has it
                # (an empty body ends with the headers), a test may read the
                # outcome at once.
                request.outcome = outcome
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up (timeout) and closed the socket
                request.outcome = 'client-gone'

    return Handler
