"""Run a tool's ``main`` so that skcl_mm's own messages end it without a traceback.

Every check of skcl_mm raises an exception whose text names the setting and
the fix. A tool that lets one of them propagate prints a library-style
traceback in front of that text; :func:`run_main` prints ``error: <text>`` on
standard error (and into the run's log file when one is open) and exits 1.
Only exceptions raised by a ``raise`` statement in skcl_mm or tools/ are
treated so: anything else (a bug, a library failure) keeps its traceback.
``SKCL_MM_TRACEBACK=1`` shows the traceback of every error.
"""
import linecache
import logging
import os
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
OWN_DIRS = tuple(osp.join(_REPO, d) + os.sep for d in ('skcl_mm', 'tools'))


def raised_by_check(err: BaseException) -> bool:
    """True when ``err`` comes from a ``raise`` statement of skcl_mm or tools/."""
    tb = err.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    filename = osp.abspath(tb.tb_frame.f_code.co_filename)
    line = linecache.getline(filename, tb.tb_lineno).strip()
    return filename.startswith(OWN_DIRS) and line.startswith('raise ')


def error_text(err: BaseException) -> str:
    """The message of ``err`` (a KeyError's without its quotes)."""
    if isinstance(err, KeyError) and len(err.args) == 1 and isinstance(err.args[0], str):
        return err.args[0]
    return str(err)


def _log_to_files(text: str) -> None:
    """Append ``text`` to the log files of the open mmengine loggers (the run's)."""
    from mmengine.logging import MMLogger
    for logger in list(MMLogger._instance_dict.values()):
        for handler in logger.handlers:
            if isinstance(handler, logging.FileHandler) and handler.stream is not None:
                handler.stream.write(text + '\n')
                handler.flush()


def run_main(main, *args, **kwargs):
    """``main(*args, **kwargs)``; a check's exception becomes ``error: ...``, exit 1."""
    try:
        return main(*args, **kwargs)
    except Exception as err:  # noqa: BLE001  (re-raised unless it is a check's)
        if os.environ.get('SKCL_MM_TRACEBACK') or not raised_by_check(err):
            raise
        text = f'error: {error_text(err)}'
        _log_to_files(text)
        print(text, file=sys.stderr, flush=True)
        raise SystemExit(1) from None
