"""tools/generate_descriptions.py: killed and resumed, exit codes, errors."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests import tools_runner

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TESTS)
from openai_server import OpenAIServer, Script, errors  # noqa: E402

from skcl_mm.semantics.descriptions import read_description_file  # noqa: E402

TOOL = os.path.join(os.path.dirname(TESTS), 'tools', 'generate_descriptions.py')
FAKE_KEY = 'sk-test-TOOLKEY-fedcba9876543210'
LEVELS = [['fruit', 'tools'], ['apple', 'pear', 'plum', 'hammer', 'saw', 'drill']]
ALL = LEVELS[0] + LEVELS[1]


def load_tool():
    return tools_runner.load_tool('generate_descriptions')


@pytest.fixture
def class_file(tmp_path):
    path = tmp_path / 'classes.json'
    path.write_text(json.dumps(LEVELS))
    return str(path)


def tool_args(class_file, out, server, *extra):
    return ['--classes', class_file, '--out', str(out), '--model', 'tool-model',
            '--base-url', server.base_url, '--max-retries', '2',
            '--no-progress', *extra]


def wait_for_classes(path, count, proc, limit=60.0):
    """Poll the output file until it holds ``count`` classes."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if path.exists() and len(json.loads(path.read_text())['classes']) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f'{path} never reached {count} classes')


@pytest.mark.slow
def test_killed_run_resumes_without_paying_twice(tmp_path, class_file,
                                                 monkeypatch, capsys):
    monkeypatch.setenv('OPENAI_API_KEY', FAKE_KEY)
    out = tmp_path / 'out.json'
    with OpenAIServer(Script(stall_after=3)) as server:
        proc = subprocess.Popen(
            [sys.executable, TOOL, *tool_args(class_file, out, server,
                                              '--concurrency', '2')],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
        try:
            wait_for_classes(out, 3, proc)
            deadline = time.monotonic() + 30
            while (len(server.requests) < 5 or any(
                    r.outcome == 'pending' for r in server.requests)):
                assert time.monotonic() < deadline, server.requests
                time.sleep(0.05)  # until both workers hang on stalled requests
        finally:
            proc.send_signal(signal.SIGKILL)
            stdout, stderr = proc.communicate()
        assert proc.returncode == -signal.SIGKILL
        first = set(read_description_file(str(out))['classes'])
        assert len(first) == 3
        assert sum(server.class_requests('stalled').values()) == 2
        assert len(server.requests) == 5

        # Resume in-process; one class fails with 500 until giving up.
        server.behaviour = Script(plan={'saw': errors(500, 10)})
        tool = load_tool()
        assert tool.main(tool_args(class_file, out, server)) == 1
        summary = capsys.readouterr().out
        assert 'FAILED saw' in summary and '1 failed' in summary
        assert set(read_description_file(str(out))['classes']) == set(ALL) - {'saw'}

        # Third run: only the failed class is requested; then nothing at all.
        server.behaviour = Script()
        before = len(server.requests)
        assert tool.main(tool_args(class_file, out, server)) == 0
        assert [r.class_name for r in server.requests[before:]] == ['saw']
        before = len(server.requests)
        assert tool.main(tool_args(class_file, out, server)) == 0
        assert len(server.requests) == before

    answered = server.class_requests('answered')
    assert answered == {name: 1 for name in ALL}  # each class paid once
    assert not set(first) & {r.class_name for r in server.requests[5:]}
    for path in tmp_path.rglob('*'):
        if path.is_file():
            assert FAKE_KEY not in path.read_text(errors='replace'), path
    assert FAKE_KEY not in stdout.decode() + stderr.decode() + summary
    assert not list(tmp_path.glob('*.tmp'))


def test_dry_run_makes_no_request_and_needs_no_key(tmp_path, class_file,
                                                   monkeypatch, capsys):
    monkeypatch.delenv('OPENAI_API_KEY', raising=False)
    out = tmp_path / 'out.json'
    with OpenAIServer() as server:
        code = load_tool().main(['--classes', class_file, '--out', str(out),
                                 '--model', 'm', '--dry-run'])
    assert code == 0 and server.requests == [] and not out.exists()
    printed = capsys.readouterr().out
    assert printed.count('### ') == len(ALL)
    assert 'The class tools groups' not in printed  # a list file has no groups


def test_no_key_no_base_url_is_a_clear_error_before_any_work(tmp_path,
                                                             monkeypatch, capsys):
    monkeypatch.delenv('OPENAI_API_KEY', raising=False)
    out = tmp_path / 'out.json'
    code = load_tool().main(['--classes', str(tmp_path / 'no_such_file.txt'),
                             '--out', str(out), '--model', 'm'])
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert 'OPENAI_API_KEY' in err and '--base-url' in err
    assert 'no_such_file' not in err  # the key is checked first


def test_bad_inputs_exit_2_and_keep_the_file(tmp_path, class_file, monkeypatch,
                                             capsys):
    monkeypatch.setenv('OPENAI_API_KEY', FAKE_KEY)
    out = tmp_path / 'out.json'
    out.write_text('{"format_version": 1, "header": {}, "classes": {"apple": 3}}')
    with OpenAIServer() as server:
        tool = load_tool()
        assert tool.main(tool_args(class_file, out, server)) == 2
        assert "'apple': entry must be an object" in capsys.readouterr().err
        assert tool.main(tool_args(str(tmp_path / 'missing.yaml'), out, server)) == 2
        assert 'neither a built-in set' in capsys.readouterr().err
        malformed = tmp_path / 'malformed.yaml'
        malformed.write_text('fruit: [apple, pear\n')
        assert tool.main(tool_args(str(malformed), out, server)) == 2
        assert 'malformed.yaml' in capsys.readouterr().err
        assert tool.main(tool_args(class_file, out, server,
                                   '--concurrency', '0')) == 2
    assert server.requests == []
    assert json.loads(out.read_text())['classes'] == {'apple': 3}


@pytest.mark.parametrize('extra,message', [
    (['--concurrency', '0'], 'concurrency (--concurrency) must be an integer >= 1'),
    (['--temperature', '-0.5'], 'temperature (--temperature) must be between 0 '
                                'and 2 (the OpenAI API range), got -0.5'),
    (['--temperature', '3'], 'got 3.0'),
    (['--timeout', '0'], 'timeout (--timeout) must be a number of seconds > 0'),
    (['--answer-attempts', '0'], 'answer_attempts (--answer-attempts) must be'),
    (['--max-retries', '-2'], 'max_retries (--max-retries) must be an integer '
                              '>= 0, got -2'),
    (['--model', ' '], '--model must name the chat model on the server'),
    (['--base-url', 'localhost:8000/v1'], "--base-url 'localhost:8000/v1' is not "
                                          'an http:// or https:// URL'),
    (['--out', '{tmp}'], '--out {tmp} is a directory; give a file path in it'),
    (['--classes', '{tmp}/nope.txt'], "--classes '{tmp}/nope.txt' is neither a "
                                      'built-in set'),
    (['--classes', '{c100}'], 'is a description file (the output of this tool), '
                              'not a class list. Give the classes it describes '
                              '(--classes cifar100)'),
    (['--classes', 'cifar10', '--out', '{c100}'],
     'describes --classes cifar100 (120 classes; per level, coarsest first: 20, '
     '100), not the classes given now, --classes cifar10 (12 classes; per level, '
     'coarsest first: 2, 10); it holds 120 classes'),
])
def test_user_mistakes_exit_2_before_any_request(tmp_path, class_file,
                                                 monkeypatch, capsys, extra,
                                                 message):
    from skcl_mm.semantics.descriptions import description_set_path
    monkeypatch.setenv('OPENAI_API_KEY', FAKE_KEY)
    c100 = tmp_path / 'c100.json'
    c100.write_bytes(open(description_set_path('cifar100'), 'rb').read())
    out = tmp_path / 'out.json'
    fill = dict(tmp=str(tmp_path), c100=str(c100))
    extra = [arg.format(**fill) for arg in extra]
    with OpenAIServer() as server:
        args = tool_args(class_file, out, server)
        for flag, value in zip(extra[::2], extra[1::2]):
            if flag in args:
                args[args.index(flag) + 1] = value
            else:
                args += [flag, value]
        assert load_tool().main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith('error: ') and message.format(**fill) in err
    assert server.requests == [] and not out.exists()
    assert c100.read_bytes() == open(description_set_path('cifar100'), 'rb').read()


@pytest.mark.slow
def test_ctrl_c_exits_at_once_and_keeps_finished_classes(tmp_path, class_file):
    out = tmp_path / 'out.json'
    with OpenAIServer(Script(stall_after=2)) as server:
        proc = subprocess.Popen(
            [sys.executable, TOOL, *tool_args(class_file, out, server,
                                              '--concurrency', '2',
                                              '--timeout', '60')],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=tools_runner.terminal_sigint,
            env=dict(os.environ, OPENAI_API_KEY=FAKE_KEY))
        try:
            wait_for_classes(out, 2, proc)
            deadline = time.monotonic() + 30
            while sum(server.class_requests('stalled').values()) < 2:
                assert time.monotonic() < deadline, server.requests
                time.sleep(0.05)
            start = time.monotonic()
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=30)
        finally:
            proc.kill()
    assert proc.returncode == 130 and time.monotonic() - start < 10
    assert stderr.decode().endswith(
        f'interrupted: the classes finished so far are saved in {out}; run the '
        'same command again to go on.\n')
    assert 'Traceback' not in stderr.decode()
    assert len(read_description_file(str(out))['classes']) == 2
    assert not list(tmp_path.glob('*.tmp'))
