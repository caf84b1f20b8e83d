"""The settings of a description run, checked before any request."""
import json
import os
import tempfile

import pytest

from skcl_mm.semantics.generation_inputs import (check_base_url,
                                                 check_classes_file,
                                                 check_generation_inputs,
                                                 check_out_path)


def check(tmp_path, **kwargs):
    args = dict(out=str(tmp_path / 'd.json'), model='m', base_url=None,
                temperature=None, concurrency=4)
    check_generation_inputs(**dict(args, **kwargs))


@pytest.mark.parametrize('kwargs,message', [
    (dict(concurrency=0), 'concurrency (--concurrency) must be an integer >= 1 '
                          '(requests in flight at once), got 0.'),
    (dict(concurrency=2.0), 'got 2.0'),
    (dict(temperature=-0.1), 'temperature (--temperature) must be between 0 and '
                             '2 (the OpenAI API range), got -0.1'),
    (dict(temperature=2.5), 'got 2.5'),
    (dict(temperature=float('nan')), 'got nan'),
    (dict(model='  '), "--model must name the chat model on the server "
                       "(e.g. gpt-4o-mini), got '  '."),
])
def test_wrong_settings_are_named(tmp_path, kwargs, message):
    with pytest.raises(ValueError) as err:
        check(tmp_path, **kwargs)
    assert message in str(err.value)


def test_good_settings_pass(tmp_path):
    for temperature in (None, 0, 0.7, 2):
        check(tmp_path, temperature=temperature, base_url='http://h:1/v1')
    assert os.listdir(tmp_path) == []  # the write probe leaves nothing


def test_out_that_is_a_directory_or_under_a_file(tmp_path):
    with pytest.raises(ValueError, match=f'--out {tmp_path} is a directory; give '
                       'a file path in it, e.g. --out .*descriptions.json'):
        check_out_path(str(tmp_path))
    (tmp_path / 'plain').write_text('x')
    with pytest.raises(ValueError, match='plain is a file, not a folder'):
        check_out_path(str(tmp_path / 'plain' / 'sub' / 'd.json'))
    check_out_path(str(tmp_path / 'new' / 'sub' / 'd.json'))  # made later
    assert not (tmp_path / 'new').exists()


def unwritable_folder(tmp_path):
    """A folder this process cannot create files in (root ignores modes, but
    not sysfs)."""
    if os.geteuid() != 0:
        folder = tmp_path / 'locked'
        folder.mkdir()
        folder.chmod(0o555)
        return str(folder)
    try:
        fd, path = tempfile.mkstemp(dir='/sys')
    except OSError:
        return '/sys'
    os.close(fd)
    os.remove(path)
    pytest.skip('no folder here refuses to be written to')


def test_out_in_a_folder_that_cannot_be_written(tmp_path):
    folder = unwritable_folder(tmp_path)
    out = os.path.join(folder, 'd.json')
    with pytest.raises(ValueError) as err:
        check_out_path(out)
    assert str(err.value).startswith(f'--out {out}: cannot write in the folder '
                                     f'{folder} (')
    assert 'choose an --out in a folder you can write to' in str(err.value)
    check_out_path(out, probe=False)  # --dry-run writes nothing: no probe


@pytest.mark.parametrize('url,message', [
    ('localhost:8000/v1', "is not an http:// or https:// URL with a host; write "
                          "e.g. http://localhost:8000/v1."),
    ('ftp://host/v1', 'is not an http:// or https:// URL'),
    ('http://host:8000/v1/chat/completions',
     'names an endpoint; give the API root the client adds /chat/completions '
     'to: --base-url http://host:8000/v1.'),
])
def test_base_url_mistakes(url, message):
    with pytest.raises(ValueError) as err:
        check_base_url(url)
    assert str(err.value).startswith(f'--base-url {url!r} {message}')


def test_a_description_file_given_as_classes(tmp_path):
    path = tmp_path / 'c10.json'
    path.write_text(json.dumps({'format_version': 1, 'classes': {}, 'header': {
        'described_classes': [{'classes': 'cifar10'}]}}))
    with pytest.raises(ValueError) as err:
        check_classes_file(str(path))
    assert str(err.value) == (
        f'--classes {path} is a description file (the output of this tool), '
        'not a class list. Give the classes it describes (--classes cifar10), '
        'and this file as --out to add to it.')
    path.write_text(json.dumps([['a', 'b'], ['c', 'd', 'e']]))
    check_classes_file(str(path))
