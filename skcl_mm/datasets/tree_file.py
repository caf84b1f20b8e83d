"""Read a JSON/YAML class-hierarchy file: every name exactly as written, clear errors.

The rules shared by ``LongTailHierarchyDataset(hierarchy=<file>)`` and
``tools/generate_descriptions.py --classes <file>``:

* every scalar keeps its source text: YAML ``no``, ``on``, ``null``, ``~``,
  ``010``, ``1.0`` are the class names ``'no'``, ``'on'``, ... (never
  ``False``, ``8``, ``None``); JSON numbers too (``[1, 2]`` gives ``'1'``,
  ``'2'``); JSON ``true``/``false``/``null`` are refused (quote them);
* the file is UTF-8 (a BOM is accepted); a repeated key of one mapping is an
  error (YAML/JSON would silently keep the last);
* malformed files name the line and column; an empty file (or only comments or
  ``null``) and a top level that is not a mapping or a list are errors;
* top-level keys ``levels`` and ``tree`` are reserved for the form
  ``{levels: [...names, coarsest first...], tree: <the tree>}``; ``levels``
  is a list of distinct names;
* the tree (:func:`tree_paths`): every group holds a non-empty list or
  mapping, every fine class sits at the same depth, and no name is empty or
  has leading/trailing spaces.
"""
import json
from typing import List, Optional, Tuple

import yaml

EMPTY_SCALARS = ('', '~', 'null', 'Null', 'NULL')
TREE_LAYOUT = ('Expected layout (YAML), leaves are the fine class names:\n'
               '  vehicles: [airplane, ship]\n  animals: [cat, dog]\n'
               'or levels: [group, class] plus tree: <that mapping>.')


class ExactTextLoader(yaml.SafeLoader):
    """A SafeLoader that resolves no implicit type: every scalar is its text,
    and a key repeated in one mapping is an error."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str) and key in seen:
                raise yaml.constructor.ConstructorError(
                    'in a mapping', node.start_mark,
                    f'the key {key!r} appears twice (first at line '
                    f'{seen[key] + 1}); YAML would keep only the last one',
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


ExactTextLoader.yaml_implicit_resolvers = {}
for _tag in ('bool', 'int', 'float', 'null', 'timestamp'):
    # explicit tags (!!int 010) stay text too
    ExactTextLoader.add_constructor(f'tag:yaml.org,2002:{_tag}',
                                    yaml.SafeLoader.construct_scalar)


def _no_repeated_keys(source: str):
    def hook(pairs):
        keys = [key for key, _ in pairs]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise ValueError(f'{source}: the key(s) {repeated} appear twice in '
                             f'one object (keys there: {keys[:10]}); JSON would '
                             'keep only the last one. Merge them into one.')
        return dict(pairs)
    return hook


def decode_utf8(data: bytes, source: str) -> str:
    """``data`` as text; a UTF-8 BOM is dropped, other encodings refused."""
    try:
        return data.decode('utf-8-sig')
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b'\n') + 1
        raise ValueError(
            f'{source} is not UTF-8: byte {error.start} (line {line}) is '
            f'{data[error.start:error.start + 1]!r}. Save the file as UTF-8 '
            '(e.g. an editor\'s "Save with encoding", or iconv -f latin1 -t '
            'utf-8).') from None


def read_structured(path: str, source: str, layout: str = TREE_LAYOUT):
    """Parse a ``.json`` or ``.yaml``/``.yml`` file (see the module docstring).

    Args:
        path (str): The file.
        source (str): How messages name it, e.g. ``"Hierarchy file 'x.yaml'"``.
        layout (str): The expected layout, shown when the file is empty.

    Returns:
        dict | list: The content, a mapping or a list; scalars are str
        (JSON ``true``/``false``/``null`` stay bool/None for the caller).
    """
    with open(path, 'rb') as f:
        text = decode_utf8(f.read(), source)
    if path.endswith('.json'):
        content = _load_json(text, source)
    else:
        content = _load_yaml(text, source)
    if content is None or (isinstance(content, str)
                           and content.strip() in EMPTY_SCALARS):
        raise ValueError(f'{source} is empty (no classes, only comments or '
                         f'null). {layout}')
    if not isinstance(content, (dict, list)):
        raise ValueError(f'{source}: the top level must be a mapping or a list, '
                         f'got {type(content).__name__} {content!r}. {layout}')
    if not content:
        raise ValueError(f'{source} holds an empty {type(content).__name__}: '
                         f'no classes. {layout}')
    return content


def _load_json(text: str, source: str):
    try:
        return json.loads(text, parse_int=str, parse_float=str,
                          parse_constant=str,
                          object_pairs_hook=_no_repeated_keys(source))
    except json.JSONDecodeError as error:
        raise ValueError(f'{source} is not valid JSON: line {error.lineno}, '
                         f'column {error.colno}: {error.msg}'
                         f'{_quote_line(text, error.lineno)}.') from None


def _load_yaml(text: str, source: str):
    try:
        return yaml.load(text, Loader=ExactTextLoader)  # noqa: S506 (safe)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = (f'line {mark.line + 1}, column {mark.column + 1}'
                 if mark is not None else 'position unknown')
        context = f' ({error.context}' if error.context else ''
        if context and error.context_mark is not None:
            context += (f' at line {error.context_mark.line + 1}, column '
                        f'{error.context_mark.column + 1}')
        context += ')' if context else ''
        line = _quote_line(text, mark.line + 1) if mark is not None else ''
        raise ValueError(f'{source} is not valid YAML: {where}: '
                         f'{error.problem}{context}{line}.') from None
    except yaml.YAMLError as error:
        raise ValueError(f'{source} is not valid YAML: {error}.') from None


def _quote_line(text: str, number: int) -> str:
    lines = text.splitlines()
    if not 1 <= number <= len(lines):
        return ' (at the end of the file)'
    return f'; the line reads {lines[number - 1].strip()[:80]!r}'


def split_tree(content, source: str) -> Tuple[object, Optional[List[str]]]:
    """``(tree, level names or None)`` of parsed content.

    ``{levels: [...], tree: ...}`` (or ``{tree: ...}``) is unwrapped; any
    other content is the tree itself. ``levels: []`` means unnamed levels.
    """
    if not isinstance(content, dict) or not {'levels', 'tree'} & set(content):
        return content, None
    extra = sorted(set(content) - {'levels', 'tree'})
    if extra or 'tree' not in content:
        raise ValueError(
            f'{source}: the top-level keys "levels" and "tree" are reserved for '
            'the form {levels: [names of the levels, coarsest first], tree: '
            f'<the tree>}}; found keys {sorted(content)[:10]}. '
            + ('Put the tree under "tree:".' if 'tree' not in content else
               f'Move {extra[:5]} under "tree:", or rename a group called "tree".'))
    return content['tree'], check_level_names(content.get('levels'), source)


def check_level_names(levels, source: str) -> Optional[List[str]]:
    """``levels`` as a list of unique, non-empty names (None: unnamed)."""
    if levels is None or (isinstance(levels, str) and levels in EMPTY_SCALARS):
        return None
    if not isinstance(levels, list) or not all(isinstance(n, str) for n in levels):
        raise ValueError(
            f'{source}: "levels" must be a list of level names (strings), '
            f'coarsest first, e.g. levels: [superclass, class]; got '
            f'{type(levels).__name__} {levels!r}.')
    blank = [i for i, name in enumerate(levels) if not name.strip()]
    repeated = sorted({n for n in levels if levels.count(n) > 1})
    if blank or repeated:
        raise ValueError(
            f'{source}: "levels" {levels} has '
            + (f'empty names at positions {blank}' if blank else
               f'repeated names {repeated}')
            + '; give every level its own name.')
    return levels or None


def tree_paths(tree, source: str) -> List[Tuple[tuple, str]]:
    """``(ancestor names, leaf name)`` of every leaf, all at one depth.

    Args:
        tree (dict | list): Mappings of group names whose leaves are lists of
            fine class names.
        source (str): How messages name the tree's file.
    """
    paths = list(_paths(tree, source))
    _check_depths(paths, source)
    return paths


def _paths(tree, source: str, prefix=()):
    """Yield (ancestor names, leaf name) for every leaf of a nested tree."""
    where = '/'.join(prefix) or 'the top level'
    if tree is None or (isinstance(tree, str) and tree.strip() in EMPTY_SCALARS):
        raise ValueError(f'{source}: {where} has no classes (an empty value or '
                         f'null); give it a list of class names, e.g. '
                         f'{prefix[-1] if prefix else "group"}: [name_a, name_b].')
    if isinstance(tree, dict):
        if not tree:
            raise ValueError(f'{source}: {where} is an empty mapping; give it '
                             'classes or remove it.')
        for parent, sub in tree.items():
            yield from _paths(sub, source, prefix + (class_name(parent, source, where), ))
    elif isinstance(tree, (list, tuple)):
        if not tree:
            raise ValueError(f'{source}: {where} is an empty list; give it '
                             'classes or remove it.')
        for leaf in tree:
            if isinstance(leaf, (dict, list, tuple)):
                raise ValueError(
                    f'{source}: the list under {where} holds a '
                    f'{type(leaf).__name__}; a list may hold only class names. '
                    'Nest mappings instead (group: [names] inside group: ...).')
            yield prefix, class_name(leaf, source, where)
    else:
        raise ValueError(
            f'{source}: {where} must be a mapping or a list of class names, got '
            f'{type(tree).__name__} {tree!r}; write e.g. '
            f'{prefix[-1] if prefix else "group"}: [{tree}].')


def class_name(value, source: str, where: str) -> str:
    """A class or group name exactly as written; refuse what cannot be one."""
    if value is None or isinstance(value, bool):
        text = {None: 'null', True: 'true', False: 'false'}[value]
        raise ValueError(f'{source}: under {where}, JSON {text} is not a class '
                         f'name; write it in quotes ("{text}") if it is one.')
    name = value if isinstance(value, str) else str(value)
    if not name.strip():
        raise ValueError(f'{source}: under {where}, an empty name; remove the '
                         'empty entry or name it.')
    if name != name.strip():
        raise ValueError(
            f'{source}: under {where}, the name {name!r} has leading/trailing '
            f'spaces; write {name.strip()!r} (names are compared exactly with '
            "the dataset's classes).")
    return name


def _check_depths(paths, source: str):
    """Raise, naming classes of each depth, when leaves sit at several depths."""
    by_depth = {}
    for prefix, leaf in paths:
        by_depth.setdefault(len(prefix), []).append('/'.join(prefix + (leaf, )))
    if len(by_depth) < 2:
        return
    found = '; '.join(
        f'depth {depth} ({len(leaves)} classes): {leaves[:3]}'
        f'{" ..." if len(leaves) > 3 else ""}'
        for depth, leaves in sorted(by_depth.items()))
    raise ValueError(
        f'{source}: all fine classes must sit at the same depth (the same number '
        f'of groups above them, one per level); found {found}. Nest the '
        'shallower classes one group deeper, or drop a level of the deeper ones.')
