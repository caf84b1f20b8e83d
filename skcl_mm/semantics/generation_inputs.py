"""The settings of a description run, checked before any request.

Each check raises ``ValueError`` naming the setting (and its command-line
option), the value given and what would be right; ``tools/generate_descriptions.py``
turns these into exit code 2.
"""
import json
import math
import os
import os.path as osp
import tempfile
from typing import Optional
from urllib.parse import urlsplit

MAX_TEMPERATURE = 2.0  # the OpenAI API's range is 0..2


def check_out_path(out: str, probe: bool = True) -> None:
    """``--out`` must be a file path in a folder this process can write.

    Args:
        out (str): The output path.
        probe (bool): Create and remove a temporary file in the folder (or in
            its nearest existing parent, where the folder would be made), the
            only test that also holds for root and read-only file systems.
    """
    if not str(out).strip():
        raise ValueError('--out is empty; give the description file to write, '
                         'e.g. --out my_descriptions.json.')
    if osp.isdir(out):
        raise ValueError(f'--out {out} is a directory; give a file path in it, '
                         f'e.g. --out {osp.join(out, "descriptions.json")}.')
    if osp.exists(out) and not osp.isfile(out):
        raise ValueError(f'--out {out} exists and is not a regular file; give '
                         'a .json file path.')
    folder = osp.dirname(osp.abspath(out))
    while not osp.exists(folder):
        folder = osp.dirname(folder)
    if not osp.isdir(folder):
        raise ValueError(f'--out {out}: {folder} is a file, not a folder; give '
                         'a path whose folders are folders.')
    if not probe:
        return
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix='.skcl_write_test.')
    except OSError as err:
        raise ValueError(f'--out {out}: cannot write in the folder {folder} '
                         f'({err.strerror}); choose an --out in a folder you '
                         'can write to.') from err
    os.close(fd)
    os.remove(tmp)


def check_classes_file(spec: str) -> None:
    """``--classes`` must not be a description file (a common mix-up with
    ``--out``); its class list is named when the file records one."""
    if not (str(spec).endswith('.json') and osp.isfile(spec)):
        return
    try:
        with open(spec, encoding='utf-8') as f:
            content = json.load(f)
    except (OSError, ValueError):
        return  # the class-file reader reports what is wrong with it
    if not (isinstance(content, dict) and 'format_version' in content
            and 'classes' in content):
        return
    header = content.get('header') if isinstance(content.get('header'), dict) else {}
    records = header.get('described_classes') or []
    named = ' or '.join(f'--classes {r.get("classes")}' for r in records
                        if isinstance(r, dict)) or 'its class-list file'
    raise ValueError(f'--classes {spec} is a description file (the output of '
                     f'this tool), not a class list. Give the classes it '
                     f'describes ({named}), and this file as --out to add to '
                     'it.')


def check_base_url(base_url: Optional[str]) -> None:
    """``--base-url`` must be an http(s) URL of the API root (``.../v1``)."""
    if base_url is None:
        return
    parts = urlsplit(str(base_url))
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise ValueError(f'--base-url {base_url!r} is not an http:// or https:// '
                         'URL with a host; write e.g. http://localhost:8000/v1.')
    path = parts.path.rstrip('/')
    for endpoint in ('/chat/completions', '/completions'):
        if not path.endswith(endpoint):
            continue
        root = parts._replace(path=path[:-len(endpoint)], query='',
                              fragment='').geturl()
        raise ValueError(f'--base-url {base_url!r} names an endpoint; give the '
                         f'API root the client adds /chat/completions to: '
                         f'--base-url {root}.')


def check_generation_inputs(out: str, model: str, base_url: Optional[str],
                            temperature: Optional[float], concurrency: int,
                            dry_run: bool = False) -> None:
    """Every setting of a run, before the class list is described.

    Raises:
        ValueError: The first wrong setting, named with its option.
    """
    if not isinstance(model, str) or not model.strip():
        raise ValueError(f'--model must name the chat model on the server '
                         f'(e.g. gpt-4o-mini), got {model!r}.')
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) \
            or concurrency < 1:
        raise ValueError(f'concurrency (--concurrency) must be an integer >= 1 '
                         f'(requests in flight at once), got {concurrency!r}.')
    if temperature is not None and (
            isinstance(temperature, bool) or not isinstance(temperature, (int, float))
            or not math.isfinite(temperature)
            or not 0 <= temperature <= MAX_TEMPERATURE):
        raise ValueError(f'temperature (--temperature) must be between 0 and '
                         f'{MAX_TEMPERATURE:g} (the OpenAI API range), got '
                         f'{temperature!r}; leave it out for the server\'s '
                         'default.')
    check_base_url(base_url)
    check_out_path(out, probe=not dry_run)
