"""Evaluation: long-tail metrics."""
from . import metrics  # noqa: F401
