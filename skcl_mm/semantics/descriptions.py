"""Description sets: load, check against a hierarchy, build hand-written ones.

The file format, reading and atomic writing live in
:mod:`skcl_mm.semantics.description_file` (re-exported here). Loading checks
the texts against :mod:`skcl_mm.semantics.description_rules` (a text that
cannot be right stops the run; one over 300 words warns) and the class list
the file records against the hierarchy being trained
(:mod:`skcl_mm.semantics.class_record`).
"""
import difflib
import os
import os.path as osp
import warnings
from typing import Dict, Optional, Sequence

from . import class_record
from .description_file import (FORMAT_VERSION, GENERATE_TOOL,  # noqa: F401
                               SETS_DIR, SHIPPED_SETS, DescriptionFileError,
                               InvalidDescriptionsError, description_set_path,
                               new_document, read_description_file,
                               resolve_description_path, today,
                               validate_document, write_description_file)
from .description_prompt import build_prompts, validate_answer
from .description_rules import (HARD_MAX_WORDS, MAX_WORDS, format_problems,
                                set_problems)


class MissingDescriptionsError(ValueError):
    """Some classes of the hierarchy have no description."""


def load_descriptions(name_or_path: str) -> Dict[str, str]:
    """Class name -> description text, for every class of every level.

    Args:
        name_or_path (str): A shipped set ('cifar10', 'cifar100', 'digits',
            'imagenet') or the path of a description file.

    Raises:
        InvalidDescriptionsError: Some texts cannot be right (see
            :func:`check_description_texts`).
    """
    path = resolve_description_path(name_or_path)
    if name_or_path in SHIPPED_SETS and not osp.isfile(path):
        raise FileNotFoundError(
            f'The shipped description set {name_or_path!r} is not installed '
            f'(expected {path}). Generate one with {GENERATE_TOOL} --classes '
            f'{name_or_path} --out {name_or_path}_descriptions.json --model '
            'MODEL and pass that file instead.')
    doc = read_description_file(path)
    texts = {name: entry['text'] for name, entry in doc['classes'].items()}
    records = class_record.recorded(doc['header']) or [{'classes': '...'}]
    check_description_texts(texts, path, classes_arg=records[0]['classes'])
    return texts


def check_description_texts(texts: Dict[str, str], source: str,
                            from_file: bool = True, classes_arg: str = '...'):
    """Refuse texts that cannot be right; warn once about long ones.

    Raises :class:`InvalidDescriptionsError` naming every class whose text is
    under 5 words, over 600 (twice the paper's 300), not English, or the same
    as another class's; warns once, naming the classes, for texts of 301-600
    words. See :mod:`skcl_mm.semantics.description_rules`.

    Args:
        texts (dict[str, str]): Class name -> text.
        source (str): The file (or what to call the texts) in messages.
        from_file (bool): Whether ``source`` is a description file (the
            message then says how to regenerate the broken entries).
        classes_arg (str): The ``--classes`` the file was generated for.
    """
    errors, long = set_problems(texts)
    if errors:
        fix = (f'Fix these texts by hand, or run {GENERATE_TOOL} --classes '
               f'{classes_arg} --out {source} --model MODEL again: it asks '
               'again for the entries that break these rules'
               if from_file else 'Fix these texts')
        raise InvalidDescriptionsError(
            f'{len(errors)} description{"s" if len(errors) != 1 else ""} in '
            f'{source} cannot be right: '
            f'{"; ".join(format_problems(errors))}. {fix}.')
    if long:
        shown = ', '.join(f'{name} ({n})' for name, n in list(long.items())[:20])
        more = f' and {len(long) - 20} more' if len(long) > 20 else ''
        warnings.warn(
            f'{source}: {len(long)} descriptions are over the paper\'s limit of '
            f'{MAX_WORDS} words (at most {HARD_MAX_WORDS} are accepted): '
            f'{shown}{more}. They are used as they are; shorten or regenerate '
            'them to follow the paper.')


def _classes_argument(level_classes: Sequence[Sequence[str]]) -> str:
    """The --classes value that names ``level_classes``, if a built-in one."""
    from .class_lists import builtin_name_of
    return builtin_name_of(level_classes) or 'HIERARCHY_FILE'


def _generate_command(level_classes, out: Optional[str],
                      other_dataset: bool) -> str:
    """The command that generates the missing descriptions: into ``out``, or,
    when ``out`` records another dataset's classes, into a file of their own."""
    classes_arg = _classes_argument(level_classes)
    if not other_dataset:
        return (f'{GENERATE_TOOL} --classes {classes_arg} --out '
                f'{out or "descriptions.json"} --model MODEL [--base-url URL] '
                '--keep-existing')
    return (f'{GENERATE_TOOL} --classes {classes_arg} --out '
            f'{class_record.suggested_out(classes_arg)} --model MODEL '
            f'[--base-url URL]\n(or add them to {out} on purpose: the same '
            f'command with --out {out} --merge)')


def _recorded_lists(out: Optional[str]):
    """The class lists a description file records (None: no file/record)."""
    path = resolve_description_path(out) if out else None
    if not path or not osp.isfile(path):
        return None
    return class_record.recorded(read_description_file(path)['header'])


def check_descriptions(descriptions: Dict[str, str],
                       level_classes: Sequence[Sequence[str]],
                       out: Optional[str] = None):
    """Check the descriptions of a hierarchy before its graph is built.

    Raises :class:`MissingDescriptionsError` unless every class has a text.
    With ``out`` (the file the texts came from through
    :func:`load_descriptions`, which checked them), warns when the file
    records another class list than ``level_classes``; without it (texts
    given as a dict), checks the texts as :func:`check_description_texts`.

    Args:
        descriptions (dict[str, str]): Class name -> text.
        level_classes (list[list[str]]): Class names per level, coarsest first.
        out (str, optional): The description file (or shipped set name).
    """
    missing = [(level, name) for level, names in enumerate(level_classes)
               for name in names if not str(descriptions.get(name) or '').strip()]
    records = _recorded_lists(out)
    if not missing:
        if out is None:
            needed = {n: descriptions[n] for names in level_classes for n in names}
            check_description_texts(needed, 'the given descriptions', False)
        warning = class_record.load_warning(records, level_classes,
                                            resolve_description_path(out))
        if warning:
            warnings.warn(warning)
        return
    total = sum(len(names) for names in level_classes)
    per_level = []
    for level in sorted({level for level, _ in missing}):
        names = [name for lv, name in missing if lv == level]
        shown = ', '.join(names[:20]) + (f', ... ({len(names)} in all)'
                                         if len(names) > 20 else '')
        per_level.append(f'level {level}: {shown}')
    hint = class_record.missing_hint(records, level_classes)
    command = _generate_command(level_classes, out, other_dataset=bool(hint))
    raise MissingDescriptionsError(
        f'Descriptions are missing for {len(missing)} of {total} classes '
        f'({"; ".join(per_level)}).{hint} Generate them with:\n  {command}\n'
        '(--keep-existing keeps every class already in the file and asks the '
        'LLM only for the missing ones; the key comes from OPENAI_API_KEY. '
        '--classes takes the dataset\'s hierarchy file, the tree with every '
        'level: a plain class list has no coarse classes.)')


def build_description_set(texts: Dict[str, str],
                          level_classes: Sequence[Sequence[str]],
                          header: dict, model: str = 'hand-written',
                          date: Optional[str] = None,
                          fine_to_level: Optional[Sequence[Sequence[int]]] = None,
                          classes_arg: Optional[str] = None) -> dict:
    """A description document from hand-written texts (a shipped set).

    Each entry records the prompt hash of the prompt the generator would send
    for that class, so a hand-written set is audited like a generated one.

    Args:
        texts (dict[str, str]): Class name -> text, every class of every level.
        level_classes (list[list[str]]): Class names per level, coarsest first.
        header (dict): Must say how the set was produced (``produced_by``) and
            how to regenerate it (``regenerate``).
        model (str): Recorded as the entries' model.
        date (str, optional): ``YYYY-MM-DD``; today (UTC) by default.
        fine_to_level (list[list[int]], optional): ``(n_levels, n_fine)``
            parents of each fine class (defaults to the built-in hierarchy's
            when ``level_classes`` is one); coarse prompts list their members.
        classes_arg (str, optional): The ``--classes`` value recorded in the
            header (the built-in name by default, else 'HIERARCHY_FILE').

    Returns:
        dict: The validated document; write it with
        :func:`write_description_file`.
    """
    absent = [key for key in ('produced_by', 'regenerate')
              if not str(header.get(key) or '').strip()]
    if absent:
        raise ValueError(f'The header of a shipped set must say how it was '
                         f'produced and how to regenerate it; missing or empty: '
                         f'{absent}. Add them, e.g. header["regenerate"] = '
                         f'"{GENERATE_TOOL} --classes ... --out ... --model ...".')
    check_descriptions(texts, level_classes)
    doc = new_document(header)
    doc['header'][class_record.RECORD_KEY] = [class_record.make_record(
        level_classes, classes_arg or _classes_argument(level_classes))]
    bad = []
    for prompt in build_prompts(level_classes, fine_to_level):
        text = texts[prompt.name].strip()
        problem = validate_answer(text, prompt.name)
        if problem:
            bad.append(f'{prompt.name!r}: {problem}')
        doc['classes'][prompt.name] = dict(
            level=prompt.level, text=text, model=model, temperature=None,
            date=date or today(), prompt_hash=prompt.hash)
    if bad:
        raise ValueError(f'{len(bad)} hand-written texts break the description '
                         f'rules: {"; ".join(bad[:10])}. Rewrite them.')
    return validate_document(doc, source='the built description set')


def check_descriptions_arg(descriptions,
                           where: str = 'SemanticGraphHook') -> None:
    """None, a shipped set name, a file path or a dict of class name -> text.

    A bare word that is neither a shipped set nor an existing file is a
    misspelt set name (a file path that does not exist yet is read, and
    reported, when the graph is built).

    Args:
        descriptions: The value to check.
        where (str): Who received it, named in the messages.
    """
    if descriptions is None or isinstance(descriptions, dict):
        return
    if not isinstance(descriptions, (str, os.PathLike)):
        raise TypeError(
            f'{where} descriptions must be a shipped set name '
            f'{list(SHIPPED_SETS)}, a description file path or a dict class '
            f'name -> text, got {descriptions!r} ({type(descriptions).__name__}).')
    text = os.fspath(descriptions)
    looks_like_path = osp.sep in text or text.endswith(('.json', '.yaml', '.yml'))
    if text in SHIPPED_SETS or looks_like_path or osp.isfile(text):
        return
    close = difflib.get_close_matches(text.lower(), SHIPPED_SETS, n=1)
    hint = f' Did you mean {close[0]!r}?' if close else ''
    raise ValueError(
        f'{where} descriptions={text!r} is neither a shipped set '
        f'{list(SHIPPED_SETS)} nor an existing description file.{hint}')
