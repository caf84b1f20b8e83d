"""Silence the one stack warning that the install chose to accept.

Imported first by ``skcl_mm/__init__.py``, so the filter is in place before
any skcl_mm module imports mmpretrain.models (which imports mmcv.cnn); every
tool, and ``custom_imports = dict(imports=['skcl_mm'])`` in a config, import
the package before anything imports mmpretrain.models. The filter matches one
message, its category and the module that raises it: every other warning,
above all those that ask the user to act, still shows.
"""
import warnings

# mmcv-lite is the install's choice (no compiled ops; classification needs
# none), so the import-time warning of mmcv.cnn.bricks.transformer that full
# mmcv's compiled MultiScaleDeformableAttention is missing (an op no skcl_mm or
# mmpretrain classification model uses) asks for nothing the user should do.
warnings.filterwarnings(
    'ignore', message=r'Fail to import ``MultiScaleDeformableAttention``',
    category=UserWarning, module=r'mmcv\.cnn\.bricks\.transformer')
