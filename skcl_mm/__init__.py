"""skcl_mm: SKCL (semantic knowledge-driven contrastive learning) for mmpretrain.

Importing the package registers every component into mmpretrain's registries
(``default_scope='mmpretrain'``), so configs mix stock and skcl_mm parts freely.
"""
# First, before any module imports mmpretrain.models (skcl_mm/quiet.py).
from . import quiet  # noqa: F401  # isort: split
from . import compat  # noqa: F401  (weights_only allow-list)
from . import (datasets, engine, evaluation, models, semantics,  # noqa: F401
               structures)
from .version import __version__

__all__ = ['__version__']
