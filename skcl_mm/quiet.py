"""Silence the stack's output that asks nothing of the user.

Imported first by ``skcl_mm/__init__.py``, so the filter is in place before
any skcl_mm module imports mmpretrain.models (which imports mmcv.cnn); every
tool, and ``custom_imports = dict(imports=['skcl_mm'])`` in a config, import
the package before anything imports mmpretrain.models. The filter matches one
message, its category and the module that raises it: every other warning,
above all those that ask the user to act, still shows. The tools also give
their Runner's logger :class:`KnownNoiseFilter` (mmengine's deprecation notices).
"""
import logging
import warnings

# mmcv-lite is the install's choice (no compiled ops; classification needs
# none), so the import-time warning of mmcv.cnn.bricks.transformer that full
# mmcv's compiled MultiScaleDeformableAttention is missing (an op no skcl_mm or
# mmpretrain classification model uses) asks for nothing the user should do.
warnings.filterwarnings(
    'ignore', message=r'Fail to import ``MultiScaleDeformableAttention``',
    category=UserWarning, module=r'mmcv\.cnn\.bricks\.transformer')


class KnownNoiseFilter(logging.Filter):
    """Drops the log lines of the stack that ask nothing of the user.

    mmengine's CheckpointHook builds a FileClient in every run, which logs two
    deprecation notices (mmengine's own API moving on, nothing a config can
    change). Every other line passes.
    """
    NOISE = ('"FileClient" will be deprecated in future',
             '"HardDiskBackend" is the alias of "LocalBackend"')

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(noise in message for noise in self.NOISE)


def quiet_known_noise(logger: logging.Logger) -> logging.Logger:
    """Add :class:`KnownNoiseFilter` to ``logger`` (once) and return it."""
    if not any(isinstance(f, KnownNoiseFilter) for f in logger.filters):
        logger.addFilter(KnownNoiseFilter())
    return logger
