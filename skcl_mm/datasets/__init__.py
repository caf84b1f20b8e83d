"""Datasets: the long-tailed hierarchy wrapper and its transforms."""
from . import transforms  # noqa: F401
