"""Load a config file for the tools, with a message instead of a traceback.

``Config.fromfile`` answers a missing file, a Python syntax error (reported as
``<unknown>``, whichever ``_base_`` file holds it), a missing ``_base_`` file or
a name error in the file with a library traceback. :func:`load_config` names
the file, the line and the fix, then checks and merges ``--cfg-options``
(:mod:`skcl_mm.utils.cfg_options`).
"""
import ast
import difflib
import glob
import os
import os.path as osp
import traceback

from mmengine.config import Config

from skcl_mm.utils.cfg_options import check_cfg_options

SUFFIXES = ('.py', '.json', '.yaml', '.yml')


def _near_configs(path: str) -> list:
    """Existing config files whose names are close to ``path``."""
    folder = osp.dirname(path) or '.'
    pool = glob.glob(osp.join(folder, '*.py')) if osp.isdir(folder) else []
    if not pool:
        pool = glob.glob(osp.join('configs', '**', '*.py'), recursive=True)
    names = {osp.basename(p): p for p in pool if '_base_' not in p}
    stem = osp.basename(path) + ('' if path.endswith(SUFFIXES) else '.py')
    return [names[n] for n in difflib.get_close_matches(stem, list(names), 3, 0.7)]


def check_config_path(path: str, what: str = 'config') -> None:
    """Stop unless ``path`` is a config file that can be read."""
    if path is None:
        return
    if osp.isdir(path):
        inside = sorted(glob.glob(osp.join(path, '*.py')))[:5]
        raise SystemExit(f'{what} {path} is a directory; give a config file'
                         f'{" in it, e.g. " + ", ".join(inside) if inside else ""}.')
    if not osp.isfile(path):
        if osp.isfile(path + '.py'):
            raise SystemExit(f'{what} {path} does not exist; did you mean {path}.py?')
        near = _near_configs(path)
        raise SystemExit(f'{what} {path} does not exist (relative paths are read from '
                         f'{os.getcwd()})'
                         f'{"; did you mean " + " or ".join(near) + "?" if near else "."}')
    if not path.endswith(SUFFIXES):
        raise SystemExit(f'{what} {path}: a config is a .py (or .json / .yaml) file.')
    if not os.access(path, os.R_OK):
        raise SystemExit(f'{what} {path} cannot be read: permission denied '
                         f'(chmod u+r {path}).')


def _bases(tree, path):
    """The ``_base_`` files a parsed config names (package bases left out)."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == '_base_' for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return []
            items = [value] if isinstance(value, str) else list(value)
            return [(osp.normpath(osp.join(osp.dirname(path), item)), node.lineno)
                    for item in items if isinstance(item, str) and '::' not in item]
    return []


def check_config_sources(path: str, seen=None) -> None:
    """Stop on a syntax error or a missing ``_base_`` file in ``path`` or its bases."""
    seen = set() if seen is None else seen
    if path in seen or not path.endswith('.py'):
        return
    seen.add(path)
    with open(path, encoding='utf-8') as f:
        text = f.read()
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as err:
        lines = text.splitlines()
        line = lines[err.lineno - 1].strip() if err.lineno and err.lineno <= len(lines) else ''
        raise SystemExit(f'config {path} line {err.lineno}: Python syntax error: {err.msg}; '
                         f'the line reads {line!r}. Fix that line (or the one before it).')
    for base, lineno in _bases(tree, path):
        if not osp.isfile(base):
            raise SystemExit(f'config {path} line {lineno}: its _base_ file {base} does '
                             'not exist (_base_ paths are relative to the file that '
                             'names them).')
        check_config_sources(base, seen)


def _failed_at(err: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if f.filename.endswith(SUFFIXES) and 'site-packages' not in f.filename]
    return f'{frames[-1].filename} line {frames[-1].lineno}' if frames else 'it'


def load_config(path: str, cfg_options: dict = None, implied: dict = None) -> Config:
    """``Config.fromfile(path)`` with ``--cfg-options`` checked and merged.

    Args:
        path (str): The config file.
        cfg_options (dict, optional): ``--cfg-options`` as parsed.
        implied (dict, optional): Settings a tool's flags will set, taken into
            account when the options are checked (``--amp``:
            ``{'optim_wrapper.type': 'AmpOptimWrapper'}``).

    Returns:
        Config: The merged config.

    Raises:
        SystemExit: A missing or unreadable file, a syntax error (file and
            line), a missing ``_base_``, an error while the file runs, and the
            problems of :func:`~skcl_mm.utils.cfg_options.check_cfg_options`.
    """
    check_config_path(path)
    check_config_sources(path)
    try:
        cfg = Config.fromfile(path)
    except ImportError as err:
        raise SystemExit(f'config {path}: {err}. Check custom_imports in the config, '
                         'and that the module is installed or on PYTHONPATH.') from None
    except Exception as err:  # noqa: BLE001  (the file's own code failed)
        raise SystemExit(f'config {path}: running {_failed_at(err)} failed: '
                         f'{type(err).__name__}: {err}') from None
    return merge_cfg_options(cfg, cfg_options, implied)


def merge_cfg_options(cfg: Config, cfg_options: dict = None, implied: dict = None) -> Config:
    """Check ``--cfg-options`` (:func:`check_cfg_options`), then merge them into ``cfg``."""
    if cfg_options:
        check_cfg_options(cfg, dict(implied or {}, **cfg_options))
        try:
            cfg.merge_from_dict(cfg_options)
        except (KeyError, TypeError, ValueError) as err:
            raise SystemExit(f'--cfg-options: {err}') from None
    return cfg
