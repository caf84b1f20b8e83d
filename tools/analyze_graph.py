"""Is the semantic graph of a config any good for its data?

    python tools/analyze_graph.py CONFIG [--checkpoint CKPT | --per-class FILE]
        [--split test|val] [--groups NAME|FILE] [--out report.md] [--examples N]
        [--duplicate-threshold 0.9] [--cfg-options KEY=VALUE ...]

Builds the graph the config trains with, as SemanticGraphHook does (mode and K
from the head, class names, hierarchy and descriptions from the training
dataset's config, without reading its images), and reports as Markdown on
stdout (``--out``: also a Markdown file with a JSON copy next to it):

* hubs: classes that are Top-K neighbours of far more classes than a random
  table makes them (training warns about them too);
* how many neighbours stay inside the own superclass, how many cross
  subtrees, with the cross links (a one-level graph, e.g. ImageNet-LT: by the
  groups of ``--groups``, a hierarchy name or file, without changing the graph);
* the similarity range of the descriptions and near-duplicate pairs;
* with ``--checkpoint`` (run over the config's test set, or ``--split val``)
  or ``--per-class`` (a LongTailAccuracy per-class file with
  ``top_confusions``): whether each class's neighbours are the classes the
  model confuses it with, against chance. The per-class file must list the
  config's classes in its order.

The logic is in skcl_mm/semantics/graph_diagnostics.py (docs/semantic_graph.md,
"Is the graph any good?").
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import skcl_mm  # noqa: F401  (registers the components)
from skcl_mm.utils.cfg_options import add_cfg_options_arg
from skcl_mm.utils.cli import run_main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Diagnose the semantic graph a config trains with.')
    parser.add_argument('config', help='training config (SKCLHead with SKCLLoss)')
    source = parser.add_mutually_exclusive_group()
    source.add_argument('--checkpoint', help='trained checkpoint: run it over the '
                        "config's test (or --split) dataloader for its confusions")
    source.add_argument('--per-class', help='per-class .json/.csv file of '
                        'LongTailAccuracy with a top_confusions column')
    parser.add_argument('--split', choices=['test', 'val'], default='test',
                        help='dataloader that --checkpoint runs over')
    parser.add_argument('--groups', help='for a one-level graph: a hierarchy (shipped '
                        'name or JSON/YAML file) whose superclasses group its classes '
                        'for the inside / across count (e.g. imagenet_wordnet12)')
    parser.add_argument('--out', help='also write the Markdown here (.md) and a JSON '
                        'copy next to it')
    parser.add_argument('--examples', type=int, default=10,
                        help='rows shown per list (default 10)')
    parser.add_argument('--duplicate-threshold', type=float, default=None,
                        help='cosine above which two descriptions are near-duplicates '
                        '(default 0.9)')
    add_cfg_options_arg(parser, 'config overrides, KEY=VALUE')
    args = parser.parse_args(argv)
    if args.examples < 1:
        parser.error(f'--examples must be >= 1 (rows per list), got {args.examples}')
    if args.duplicate_threshold is not None and not -1 <= args.duplicate_threshold <= 1:
        parser.error('--duplicate-threshold is a cosine in [-1, 1], got '
                     f'{args.duplicate_threshold}')
    if args.out and not args.out.endswith('.md'):
        parser.error(f'--out must be a .md file (the JSON copy goes next to it), '
                     f'got {args.out}')
    for option in ('checkpoint', 'per_class'):
        path = getattr(args, option)
        if path and not osp.isfile(path):
            parser.error(f'--{option.replace("_", "-")} {path}: no such file')
    return args


def main(argv=None) -> int:
    from analysis_tools import graph_inputs, graph_report
    from mmengine.registry import init_default_scope

    from skcl_mm.semantics.graph_diagnostics import (DUPLICATE_THRESHOLD,
                                                     diagnose)
    from skcl_mm.utils.config_file import load_config
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    graph, fine_to_level, texts = graph_inputs.build_config_graph(cfg, args.config)
    fine_names = graph.node_names[:graph.num_fine]
    header = dict(config=args.config, mode=graph.mode, k=graph.num_neighbours,
                  num_fine=graph.num_fine, num_nodes=len(graph.node_names),
                  texts=texts, encoder=graph.encoder, groups=args.groups)
    if args.groups:
        fine_to_level = graph_inputs.grouping(args.groups, graph, args.config)
    confusions = None
    if args.per_class:
        confusions = graph_inputs.file_confusions(args.per_class, fine_names)
        header['confusions_from'] = args.per_class
    elif args.checkpoint:
        run = graph_inputs.checkpoint_confusions(cfg, args.checkpoint, args.split)
        if run['classes'] != fine_names:
            raise SystemExit(graph_inputs.class_difference(
                run['classes'], fine_names, f'the {args.split} set'))
        confusions = run['confusions']
        header['confusions_from'] = (f"{args.checkpoint} on the {args.split} set "
                                     f"({run['samples']} images, top-1 {run['top1']:.2f} %)")
    threshold = (DUPLICATE_THRESHOLD if args.duplicate_threshold is None
                 else args.duplicate_threshold)
    diagnostics = diagnose(graph, fine_to_level, confusions, threshold)
    report = graph_report.named_report(diagnostics, graph, header, args.examples)
    markdown = graph_report.to_markdown(report, args.examples)
    print(markdown, end='')
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(markdown)
        with open(args.out[:-3] + '.json', 'w') as f:
            json.dump(report, f, indent=1)
        print(f'\n(wrote {args.out} and {args.out[:-3]}.json)', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(run_main(main))
