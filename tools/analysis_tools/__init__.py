"""Code that serves only the command-line tools and their tests (benchmarks,
seed statistics, the BCL reference pipeline); not part of the skcl_mm wheel.

The tools put this directory's parent (``tools/``) on ``sys.path``; the tests
do the same in ``tests/conftest.py``.
"""
