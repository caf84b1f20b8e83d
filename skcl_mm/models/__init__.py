"""Models: backbones, data preprocessors, heads and losses."""
from . import backbones, data_preprocessors, heads, losses  # noqa: F401
