"""House rule: no module of the skcl_mm package is over 300 lines.

    python .ci/module_lines.py [--max 300]

Exits 1 and lists the modules over the limit (a long module usually does more
than one thing: split it where it naturally divides).
"""
import argparse
import glob
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def long_modules(limit: int):
    """``[(path, lines), ...]`` of package modules over ``limit`` lines."""
    found = []
    for path in sorted(glob.glob(osp.join(ROOT, 'skcl_mm', '**', '*.py'),
                                 recursive=True)):
        with open(path, encoding='utf-8') as f:
            lines = sum(1 for _ in f)
        if lines > limit:
            found.append((osp.relpath(path, ROOT), lines))
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--max', type=int, default=300)
    args = parser.parse_args(argv)
    found = long_modules(args.max)
    for path, lines in found:
        print(f'{path}: {lines} lines (at most {args.max})')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
