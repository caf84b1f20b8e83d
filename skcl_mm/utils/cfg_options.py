"""Check ``--cfg-options KEY=VALUE`` against the loaded config, before merging.

mmengine merges any key: a misspelt one (``train_cfg.max_epoch=1``) either
fails deep inside the Runner with a ``TypeError`` or, where the reader takes
``**kwargs`` or reads nothing, is silently ignored; a top-level variable of the
file (``data_root=...``) was already copied into the settings that use it, so
changing it changes nothing. :func:`check_cfg_options` names each such key,
where it is read, and the fix, before any work.
"""
import argparse
import difflib
import os.path as osp
import sys

from mmengine.config import DictAction

from skcl_mm.utils.checks import is_number
from skcl_mm.utils.config_keys import (RUNNER_KEYS, accepted_keys, lookup,
                                       registered_names, registry_for)


class CfgOptionsAction(DictAction):
    """mmengine's ``DictAction`` that names a pair without ``=`` instead of a
    ``ValueError`` traceback."""

    def __call__(self, parser, namespace, values, option_string=None):
        items = [values] if isinstance(values, str) else list(values or [])
        for index, item in enumerate(items):
            if '=' not in item or item.startswith('='):
                parser.error(_pair_problem(option_string, items, index))
        super().__call__(parser, namespace, items, option_string)


def _pair_problem(option: str, items: list, index: int) -> str:
    item = items[index]
    if item.startswith('='):
        return f"{option}: '{item}' has no key before '='; write KEY=VALUE."
    following = items[index + 1] if index + 1 < len(items) else None
    if item.endswith(('.py', '.json', '.yaml', '.yml')) or osp.isfile(item):
        hint = f'if {item} is the config file, give it before {option}'
    elif following is not None and '=' not in following:
        hint = f'write {item}={following} (no spaces around "=")'
    else:
        hint = f'write {item}=VALUE'
    return f"{option} takes KEY=VALUE pairs; '{item}' has no '=': {hint}."


def _walk(root, parts):
    """``(path, node, missing)``: the deepest existing node on ``parts``."""
    node, path = root, ()
    for index, part in enumerate(parts):
        if isinstance(node, (list, tuple)):
            where = '.'.join(map(str, path))
            if not part.isdigit() or int(part) >= len(node):
                entries = ', '.join(f'{i}: {_label(v)}' for i, v in enumerate(node))
                raise SystemExit(
                    f'--cfg-options {".".join(parts)}: {where} is a list of {len(node)} '
                    f'entries ({entries}); {part!r} is not one of them. Use the '
                    f'index 0-{len(node) - 1} of the entry to change.')
            node, path = node[int(part)], path + (int(part), )
        elif isinstance(node, dict) and part in node:
            node, path = node[part], path + (part, )
        else:
            return path, node, parts[index:]
    return path, node, []


def _label(value) -> str:
    return str(value.get('type', '{...}')) if isinstance(value, dict) else repr(value)


def _paths_of(node, name, path=()):
    """Dotted paths of every key ``name`` under ``node``."""
    found = []
    items = node.items() if isinstance(node, dict) else (
        enumerate(node) if isinstance(node, (list, tuple)) else ())
    for key, value in items:
        here = path + (key, )
        if key == name:
            found.append('.'.join(map(str, here)))
        found += _paths_of(value, name, here)
    return found


def _uses(node, value, path=()):
    """Dotted paths of the leaves that hold ``value`` (or, for text, contain it)."""
    if path and isinstance(value, (dict, list, tuple)) and node == value:
        return ['.'.join(map(str, path))]
    if isinstance(node, (dict, list, tuple)):
        items = node.items() if isinstance(node, dict) else enumerate(node)
        return [p for key, child in items for p in _uses(child, value, path + (key, ))]
    hit = node == value and type(node) is type(value) or (
        isinstance(value, str) and len(value) >= 4 and isinstance(node, str) and value in node)
    return ['.'.join(map(str, path))] if hit and path else []


def _defined_at(filename, name) -> str:
    """'FILE line N' where ``name = ...`` is written, following ``_base_``."""
    import ast
    import re
    todo, seen = [filename], set()
    while todo:
        path = todo.pop(0)
        if not path or path in seen or not osp.isfile(path):
            continue
        seen.add(path)
        with open(path, encoding='utf-8') as f:
            text = f.read()
        match = re.search(rf'^{re.escape(name)}\s*=', text, re.M)
        if match:
            return f'{path} line {text.count(chr(10), 0, match.start()) + 1}'
        base = re.search(r'^_base_\s*=\s*(.+?)(?=^\w|\Z)', text, re.M | re.S)
        try:
            bases = ast.literal_eval(base.group(1).strip()) if base else []
        except (ValueError, SyntaxError):
            bases = []
        for item in [bases] if isinstance(bases, str) else list(bases):
            todo.append(osp.normpath(osp.join(osp.dirname(path), item)))
    return filename or 'the config'


def _variable_problem(cfg, key, name) -> str:
    old = cfg[name]
    uses = [p for p in _uses(cfg._cfg_dict, old) if p.split('.')[0] in RUNNER_KEYS]
    where = _defined_at(cfg.filename, name)
    text = (f'--cfg-options {key}: {name!r} is a variable of the config ({where}), not '
            'a setting: the file copied its value into the settings that use it when '
            'it was read, so changing it now changes nothing.')
    if uses:
        text += (f' Its value {old!r} is in: {", ".join(uses[:6])}'
                 f'{" ..." if len(uses) > 6 else ""}; set those with --cfg-options')
        return text + f', or edit {name} in {where}.'
    return text + f' Edit {name} in {where}, or set the settings that use it.'


def _kind_problem(key, old, new) -> str:
    """A message when ``new`` cannot stand where the config has ``old``."""
    if new is None or isinstance(new, (list, tuple)) and isinstance(old, dict):
        return ''
    if is_number(old) and isinstance(new, str):
        return (f'--cfg-options {key}={new}: the config has the number {old!r} there and '
                f'{new!r} is text; write a number (e.g. {key}={old!r}).')
    if isinstance(old, bool) and isinstance(new, str):
        return f'--cfg-options {key}={new}: write {key}=True or {key}=False.'
    if isinstance(old, dict) and not isinstance(new, dict):
        inner = next(iter(old), 'KEY')
        fix = (f'{key}.type={new}' if 'type' in old and isinstance(new, str)
               else f'{key}.{inner}=VALUE')
        return (f'--cfg-options {key}={new}: {key} is a dict in the config '
                f'({dict(old)}); a plain value would replace all of it. Set one of '
                f'its keys instead, e.g. {fix} (or {key}=None to remove it).')
    return ''


def _type_problem(path, key, new) -> str:
    registry = registry_for(path[:-1]) if len(path) > 1 else None
    if registry is None or not isinstance(new, str) or lookup(registry, new) is not None:
        return ''
    close = difflib.get_close_matches(new, registered_names(registry), 3, 0.6)
    return (f'--cfg-options {key}={new}: {new!r} is not a registered {registry.name} '
            f'type{"; did you mean " + " or ".join(map(repr, close)) if close else ""}? '
            '(a type of another package needs custom_imports in the config)')


def _new_key_problem(options, key, path, node, missing) -> str:
    """A message for ``key`` whose part ``missing[0]`` the config lacks."""
    new, where = missing[0], '.'.join(map(str, path))
    if not isinstance(node, dict):
        return (f'--cfg-options {key}: {where} is {node!r} in the config, not a dict, so '
                f'it has no {new!r} to set; set {where} itself.')
    prefix = f'{where}.{new}' if where else new
    if new == 'type' or f'{prefix}.type' in options:
        return ''  # a new component, typed on the command line
    # the dict as the merge will leave it: siblings set on the command line count
    siblings = {k[len(where) + 1:]: v for k, v in options.items()
                if k.startswith(f'{where}.') and '.' not in k[len(where) + 1:]}
    keys, open_kwargs, reader = accepted_keys(path, dict(node, **siblings))
    if keys is not None and new in keys:
        return ''
    close = difflib.get_close_matches(new, sorted(set(keys or ()) | set(node)), 3, 0.75)
    hint = f' Did you mean {" or ".join(f"{where}.{c}" for c in close)}?' if close else ''
    if keys is not None and not open_kwargs:
        reader = where if reader == where else f'{reader} ({where})'
        return (f'--cfg-options {key}: {reader} has no setting {new!r} (building it '
                f'would fail).{hint} Its settings: '
                f'{", ".join(sorted(keys))}.')
    if close:
        return f'--cfg-options {key}: {where} has no {new!r}.{hint}'
    return ''


def _top_level_problem(cfg, key, name) -> str:
    nested = sorted(_paths_of(cfg._cfg_dict, name), key=len)
    close = difflib.get_close_matches(name, sorted(set(cfg) | RUNNER_KEYS), 3, 0.75)
    offers = nested + [c for c in close if c not in nested]
    if not offers:
        print(f'warning: --cfg-options {key}: the config has no {name!r} and nothing in '
              'mmengine or skcl_mm reads a top-level key of that name: it only '
              'changes the dumped config.', file=sys.stderr)
        return ''
    rest = key[len(name):]
    return (f'--cfg-options {key}: the config has no top-level {name!r}, so this would '
            f'change nothing. Did you mean {" or ".join(o + rest for o in offers[:4])}?')


def _import_custom_modules(options: dict) -> None:
    """Import ``custom_imports.imports`` given on the command line first, so that
    the types they register count as registered (the config's own are imported
    when it is loaded)."""
    modules = options.get('custom_imports.imports') or \
        (options.get('custom_imports') or {}).get('imports') or []
    if isinstance(modules, str):
        modules = [modules]
    from mmengine.utils import import_modules_from_strings
    try:
        import_modules_from_strings(list(modules))
    except ImportError as error:
        raise SystemExit(f'--cfg-options custom_imports.imports={list(modules)}: '
                         f'{error}; give modules importable from here (python -c '
                         '"import NAME" must work).') from error


def check_cfg_options(cfg, options: dict) -> None:
    """Stop, before any work, on ``--cfg-options`` that would be ignored or fail.

    Args:
        cfg (Config): The config as loaded from its file (before the merge).
        options (dict): ``{dotted key: value}`` as ``DictAction`` parsed them.

    Raises:
        SystemExit: One line per key that no reader takes (with the close
            spellings and the reader's settings), a value of another kind than
            the config's, an unknown ``type``, or a variable of the file.
    """
    _import_custom_modules(options or {})
    problems = []
    for key, value in (options or {}).items():
        parts = key.split('.')
        path, node, missing = _walk(cfg._cfg_dict, parts)
        if parts[0] not in RUNNER_KEYS:
            problems.append(_variable_problem(cfg, key, parts[0]) if parts[0] in cfg
                            else _top_level_problem(cfg, key, parts[0]))
        elif not path:  # a Runner key the file does not set
            problems.append(_new_key_problem(options, key, (parts[0], ), {}, parts[1:])
                            if len(parts) > 1 else '')
        elif missing:
            problems.append(_new_key_problem(options, key, path, node, missing))
        elif parts[-1] == 'type':
            problems.append(_type_problem(path, key, value))
        elif parts[0] != 'train_cfg':  # skcl_mm.utils.train_length checks those
            problems.append(_kind_problem(key, node, value))
    problems = [p for p in problems if p]
    if problems:
        raise SystemExit('\n'.join(problems))


def add_cfg_options_arg(parser: argparse.ArgumentParser, help_text: str = None):
    """``--cfg-options KEY=VALUE ...`` with :class:`CfgOptionsAction`."""
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help=help_text or 'override config settings, KEY=VALUE '
                        '(e.g. train_dataloader.batch_size=64 randomness.seed=1)')
    return parser
