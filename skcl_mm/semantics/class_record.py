"""What a description file is for: the class lists recorded in its header.

``header["described_classes"]`` holds one record per class list the file was
generated for (two or more after ``--merge``)::

    [{"classes": "cifar10",          # the --classes argument
      "count": 12,                   # distinct class names, all levels
      "levels": [{"count": 2, "sha256": "9c1e..."},     # coarsest first
                 {"count": 10, "sha256": "51d0..."}]}]

A level's hash is the first 16 hex digits of the SHA-256 of its sorted names,
one per line: it tells which classes a file describes without listing them
twice. The generator refuses to write into a file recorded for other classes
(:func:`check_out_record`); loading warns when the hierarchy being trained is
not the recorded one (:func:`skcl_mm.semantics.descriptions.check_descriptions`).
"""
import hashlib
import os
import warnings
from typing import List, Optional, Sequence

RECORD_KEY = 'described_classes'


class ClassListMismatchError(ValueError):
    """``--out`` is a description file recorded for other classes."""


def level_hash(names: Sequence[str]) -> str:
    """16 hex digits of the SHA-256 of the sorted, distinct ``names``."""
    text = '\n'.join(sorted(set(str(n) for n in names)))
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]


def make_record(level_classes: Sequence[Sequence[str]], classes_arg: str) -> dict:
    """The record of ``level_classes`` (coarsest first), named ``classes_arg``."""
    return {'classes': str(classes_arg),
            'count': len({n for names in level_classes for n in names}),
            'levels': [{'count': len(set(names)), 'sha256': level_hash(names)}
                       for names in level_classes]}


def record_problems(header: dict) -> List[str]:
    """What is wrong with the header's record (nothing when there is none)."""
    records = header.get(RECORD_KEY)
    if records is None:
        return []
    if not isinstance(records, list) or not records:
        return [f'header "{RECORD_KEY}" must be a non-empty list of records']
    for i, record in enumerate(records):
        levels = record.get('levels') if isinstance(record, dict) else None
        ok = (isinstance(levels, list) and levels
              and isinstance(record.get('classes'), str)
              and isinstance(record.get('count'), int)
              and all(isinstance(lv, dict) and isinstance(lv.get('count'), int)
                      and isinstance(lv.get('sha256'), str) for lv in levels))
        if not ok:
            return [f'header "{RECORD_KEY}"[{i}] must be {{"classes": str, '
                    f'"count": int, "levels": [{{"count": int, "sha256": str}}, '
                    f'...]}}, got {record!r:.120}']
    return []


def recorded(header: dict) -> Optional[List[dict]]:
    """The records of a (validated) header; None for a file written before
    files recorded their class lists."""
    return header.get(RECORD_KEY)


def matches(record: dict, level_classes: Sequence[Sequence[str]]) -> bool:
    """Whether ``record`` is the record of ``level_classes``."""
    return ([lv['sha256'] for lv in record['levels']]
            == [level_hash(names) for names in level_classes])


def describe(record: dict) -> str:
    """``--classes cifar10 (12 classes; per level, coarsest first: 2, 10)``."""
    sizes = ', '.join(str(lv['count']) for lv in record['levels'])
    return (f'--classes {record["classes"]} ({record["count"]} classes; per '
            f'level, coarsest first: {sizes})')


def describe_all(records: Sequence[dict]) -> str:
    """The records, joined with ' and '."""
    return ' and '.join(describe(r) for r in records)


def check_out_record(doc: Optional[dict], path: str, record: dict,
                     level_classes: Sequence[Sequence[str]],
                     merge: bool = False) -> List[dict]:
    """The records ``--out`` holds after this run; refuse a wrong file.

    Args:
        doc (dict | None): The existing ``--out`` document (None: new file).
        path (str): ``--out``, for messages.
        record (dict): The record of the classes described now.
        level_classes (list[list[str]]): Those classes, coarsest first.
        merge (bool): ``--merge``: add these classes to a file recorded for
            others on purpose; the file then records both.

    Returns:
        list[dict]: The records to write into the header.

    Raises:
        ClassListMismatchError: The file is recorded for another class list
            and holds classes that are not among these, without ``merge``.
    """
    if doc is None:
        return [record]
    records = recorded(doc['header'])
    names = {n for level in level_classes for n in level}
    entries = list(doc['classes'])
    if records is None:
        shared = sum(name in names for name in entries)
        warnings.warn(
            f'{path} records no class list (it was written before description '
            f'files recorded one). Assuming it is meant for '
            f'{describe(record)}: {shared} of its {len(entries)} classes are '
            f'among them. This list is recorded in it now; if the file is for '
            f'other classes, stop and give another --out.')
        return [record]
    if any(matches(r, level_classes) for r in records):
        return records
    if merge:
        return records + [record]
    foreign = [name for name in entries if name not in names]
    if not foreign:  # e.g. a flat list first, then its tree: it grows
        return [record]
    shown = ', '.join(foreign[:8]) + (f', ... ({len(foreign)} in all)'
                                      if len(foreign) > 8 else '')
    raise ClassListMismatchError(
        f'--out {path} describes {describe_all(records)}, not the classes given '
        f'now, {describe(record)}; it holds {len(foreign)} classes that are not '
        f'among them ({shown}). Nothing was requested. Write the classes given '
        f'now to another file (another --out, e.g. --out '
        f'{suggested_out(record["classes"])}), or add them to this file on '
        f'purpose with --merge (it then records both class lists).')


def suggested_out(classes_arg: str) -> str:
    """An output name for ``--classes classes_arg`` ('cifar10_descriptions.json')."""
    stem = os.path.splitext(os.path.basename(str(classes_arg)))[0] or 'classes'
    return f'{stem}_descriptions.json'


def load_warning(records: Optional[List[dict]], level_classes: Sequence[Sequence[str]],
                 source: str) -> Optional[str]:
    """The warning for a file recorded for other classes than the hierarchy
    being trained (all of whose classes it describes), or None."""
    if not records or any(matches(r, level_classes) for r in records):
        return None
    sizes = ', '.join(str(len(set(names))) for names in level_classes)
    return (f'The description file {source} was generated for '
            f'{describe_all(records)}, not for the hierarchy being trained '
            f'({sum(len(set(n)) for n in level_classes)} classes; per level, '
            f'coarsest first: {sizes}). Every class of this hierarchy has a '
            f'description in it, so the run goes on; if it is the wrong file '
            f'(another dataset), stop and give the right descriptions=.')


def missing_hint(records: Optional[List[dict]],
                 level_classes: Sequence[Sequence[str]]) -> str:
    """A sentence for the missing-classes error when the file is recorded for
    other classes ('' otherwise)."""
    if not records or any(matches(r, level_classes) for r in records):
        return ''
    return (f' The file was generated for {describe_all(records)}: is it the '
            'description file of this dataset?')

