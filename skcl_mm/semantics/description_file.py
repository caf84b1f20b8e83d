"""The description file format: read, validate, write atomically, locate.

A description file is JSON (``FORMAT_VERSION`` 1)::

    {"format_version": 1,
     "header": {"produced_by": "...", "regenerate": "...", "template": "...",
                "instruction": "...", ...free text fields...,
                "described_classes": [...]},   # see class_record.py
     "classes": {"<class name>": {"level": 0,          # 0 = coarsest level
                                  "text": "A description of the class ...",
                                  "model": "gpt-4o-mini",
                                  "temperature": 0.7,  # or null
                                  "date": "2026-11-27",
                                  "prompt_hash": "3f2a..."}}}

Every class of every level has one entry, keyed by its name. The prompt hash
(see :func:`skcl_mm.semantics.description_prompt.prompt_hash`) and the model
tell whether an entry still answers the current prompt, so a generation run
reuses it instead of paying for it again. ``described_classes`` records the
class lists the file was generated for (:mod:`skcl_mm.semantics.class_record`).
Loading and checking the texts: :mod:`skcl_mm.semantics.descriptions`.
"""
import datetime
import json
import os
import os.path as osp
import re
import tempfile
from typing import List, Optional

from . import class_record

FORMAT_VERSION = 1
SHIPPED_SETS = ('cifar10', 'cifar100', 'digits', 'imagenet', 'places365')
SETS_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'description_sets')
GENERATE_TOOL = 'python tools/generate_descriptions.py'
_UMASK = os.umask(0)  # read once, at import (setting it is process-wide)
os.umask(_UMASK)
_DATE = re.compile(r'^\d{4}-\d{2}-\d{2}$')
_ENTRY_TYPES = {'level': int, 'text': str, 'model': str, 'date': str,
                'prompt_hash': str}


class DescriptionFileError(ValueError):
    """A description file is unreadable, corrupt or of another version."""


class InvalidDescriptionsError(DescriptionFileError):
    """Some descriptions cannot be right (length, language, duplicates)."""


def description_set_path(name: str) -> str:
    """The path of the shipped description set ``name`` ('cifar100', ...)."""
    return osp.join(SETS_DIR, f'{name}.json')


def today() -> str:
    """Today's UTC date as ``YYYY-MM-DD``."""
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def new_document(header: Optional[dict] = None) -> dict:
    """An empty description document with ``header``."""
    return {'format_version': FORMAT_VERSION, 'header': dict(header or {}),
            'classes': {}}


def _entry_problems(name: str, entry) -> List[str]:
    if not isinstance(entry, dict):
        return [f'{name!r}: entry must be an object, got {type(entry).__name__}']
    problems = []
    for key, kind in _ENTRY_TYPES.items():
        value = entry.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            problems.append(f'{name!r}: "{key}" must be {kind.__name__}, '
                            f'got {value!r}')
    if isinstance(entry.get('level'), int) and entry['level'] < 0:
        problems.append(f'{name!r}: "level" must be >= 0, got {entry["level"]}')
    if isinstance(entry.get('text'), str) and not entry['text'].strip():
        problems.append(f'{name!r}: "text" is empty')
    if isinstance(entry.get('date'), str) and not _DATE.match(entry['date']):
        problems.append(f'{name!r}: "date" must be YYYY-MM-DD, got {entry["date"]!r}')
    temperature = entry.get('temperature', 'missing')
    if temperature is not None and (isinstance(temperature, bool) or
                                    not isinstance(temperature, (int, float))):
        problems.append(f'{name!r}: "temperature" must be a number or null, '
                        f'got {temperature!r}')
    return problems


def validate_document(doc, source: str = 'description file') -> dict:
    """Check a parsed description document; raise naming every problem.

    Args:
        doc: The parsed JSON.
        source (str): What to call it in messages (usually its path).

    Returns:
        dict: ``doc`` itself, when valid.
    """
    if not isinstance(doc, dict):
        raise DescriptionFileError(
            f'{source}: expected a JSON object with "format_version", "header" '
            f'and "classes", got {type(doc).__name__}. It is not a description '
            f'file; point to the right file or regenerate it with {GENERATE_TOOL}.')
    version = doc.get('format_version')
    if version != FORMAT_VERSION:
        raise DescriptionFileError(
            f'{source}: format_version is {version!r}, this skcl_mm reads '
            f'format_version {FORMAT_VERSION}. Regenerate the file with '
            f'{GENERATE_TOOL} (see docs/descriptions.md), or convert it to '
            f'version {FORMAT_VERSION} by hand.')
    header = doc.get('header')
    problems = (class_record.record_problems(header) if isinstance(header, dict)
                else ['"header" must be an object'])
    classes = doc.get('classes')
    if not isinstance(classes, dict):
        problems.append('"classes" must be an object mapping class name to entry')
    else:
        for name, entry in classes.items():
            problems += _entry_problems(name, entry)
    if problems:
        shown = '; '.join(problems[:10])
        more = f' (and {len(problems) - 10} more)' if len(problems) > 10 else ''
        raise DescriptionFileError(
            f'{source} is not a valid description file: {shown}{more}. Fix these '
            f'entries by hand, or delete the broken entries and re-run '
            f'{GENERATE_TOOL} with --out {source} to generate only those classes.')
    return doc


def read_description_file(path: str) -> dict:
    """Read and validate a description file (the whole document)."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Description file {path!r} does not exist. Give an existing file, '
            f'one of the shipped sets {list(SHIPPED_SETS)}, or generate it with '
            f'{GENERATE_TOOL} --classes ... --out {path} --model ...')
    try:
        with open(path, encoding='utf-8') as f:
            doc = json.load(f)
    except ValueError as err:  # JSONDecodeError and UnicodeDecodeError
        raise DescriptionFileError(
            f'Description file {path!r} is corrupt: not valid JSON ({err}). It was '
            'cut off or edited by hand: restore it (e.g. from version control), '
            'fix the JSON, or move it away and regenerate it with '
            f'{GENERATE_TOOL}.') from err
    return validate_document(doc, source=path)


def write_description_file(path: str, doc: dict):
    """Write ``doc`` atomically: a temporary file in the same folder, then
    ``os.replace``, so readers see the old or the new file, never half of one.
    """
    validate_document(doc, source=f'the document to write to {path!r}')
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=osp.basename(path) + '.',
                               suffix='.tmp')
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)
            f.write('\n')
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def resolve_description_path(name_or_path: str) -> str:
    """A shipped set's path for its name, else ``name_or_path`` itself."""
    if name_or_path in SHIPPED_SETS:
        return description_set_path(name_or_path)
    return str(name_or_path)
