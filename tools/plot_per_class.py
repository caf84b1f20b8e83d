"""Plot per-class accuracy from head to tail: one result, or a result over baselines.

Examples::

    # one run: the file LongTailAccuracy(per_class_file='per_class.json') wrote
    python tools/plot_per_class.py work_dirs/skcl/20250101_120000/per_class.json \\
        --out skcl_per_class.png
    # SKCL over BCL (same test classes, same order), named in the legend
    python tools/plot_per_class.py skcl/per_class.json bcl/per_class.csv \\
        --out skcl_vs_bcl.png --labels SKCL BCL

Reads per-class files (``.json`` or ``.csv``) as ``LongTailAccuracy`` writes
them, checks that they describe the same classes in the same order (else
stops naming the first differing class), and draws every file's per-class
accuracy over the classes sorted by training images, with the many / medium /
few spans, the training counts on a log axis and each file's mean per group in
the legend (``skcl_mm.evaluation.metrics.per_class_report.plot_per_class_files``).
Bad input stops with ``error: ...`` and exit code 2.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from skcl_mm.utils.cli import run_main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Per-class accuracy from head to tail, files overlaid.')
    parser.add_argument('files', nargs='+', metavar='FILE',
                        help='per-class .json or .csv files of LongTailAccuracy '
                        '(per_class_file=...): the result first, then baselines')
    parser.add_argument('--out', required=True, help='output .png file')
    parser.add_argument('--labels', nargs='+', metavar='NAME',
                        help='legend names, one per FILE (default: the file names)')
    parser.add_argument('--title', default='', help='figure title')
    args = parser.parse_args(argv)
    if osp.isdir(args.out):
        parser.error(f'--out {args.out} is a folder; give the .png file, e.g. '
                     f'{osp.join(args.out, "per_class.png")}')
    if not args.out.endswith('.png'):
        parser.error(f'--out must be a .png file, got {args.out!r}; e.g. --out '
                     'per_class.png')
    if args.labels is not None and len(args.labels) != len(args.files):
        parser.error(f'--labels: expected one name per FILE ({len(args.files)}), '
                     f'got {len(args.labels)}: {args.labels}')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    from skcl_mm.evaluation.metrics.per_class_report import (
        PerClassFileError, plot_per_class_files)
    try:
        path = plot_per_class_files(args.files, args.out, args.labels, args.title)
    except PerClassFileError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    except OSError as err:  # a file that cannot be read, a folder that cannot be made
        print(f'error: {err.filename or ""}: {err.strerror or err}', file=sys.stderr)
        return 2
    print(f'wrote {osp.abspath(path)}')
    return 0


if __name__ == '__main__':
    sys.exit(run_main(main))
