"""Build the semantic graph from the command line, as SemanticGraphHook does.

Examples::

    # a description set and a hierarchy
    python tools/build_semantic_graph.py --descriptions cifar100 \\
        --hierarchy cifar100 --mode both -k 2 --out-dir work_dirs/graph
    # the paper's label-name-only source
    python tools/build_semantic_graph.py --hierarchy cifar10 --source names
    # everything from a training config (its SemanticGraphHook, SKCLHead and
    # the class names of its training dataset)
    python tools/build_semantic_graph.py configs/skcl_resnet32_cifar100lt.py

Prints each fine class's Top-K neighbours and writes to ``--out-dir``:
``similarity_heatmap.png``, ``neighbour_graph.png``, ``similarity.npy`` (with
``node_names.txt``) or ``similarity.csv``, and ``neighbours.csv``. Command-line
options override the config's values. No network is used, except that a
config's training dataset is built for its class names (mmpretrain's CIFAR
datasets download themselves when missing): give ``--hierarchy`` to skip it.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import skcl_mm  # noqa: F401  (registers the components)
from skcl_mm.utils.cfg_options import add_cfg_options_arg
from skcl_mm.utils.cli import run_main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Build the SKCL semantic graph (Top-K neighbours).')
    parser.add_argument('config', nargs='?', help='training config whose '
                        'SemanticGraphHook, head and train dataset are used')
    parser.add_argument('--descriptions', help="description set ('cifar10', "
                        "'cifar100', 'imagenet', 'digits') or description file")
    parser.add_argument('--hierarchy', help="class names per level: 'cifar10', "
                        "'cifar100', 'imagenet', 'digits' or a file (as "
                        'tools/generate_descriptions.py --classes); nodes are '
                        "numbered in the file's order, which an image folder "
                        "dataset's sorted classes may not follow: give only "
                        'the config for the order training uses')
    parser.add_argument('--source', choices=['descriptions', 'names'])
    parser.add_argument('--mode', help="'both', 'F-F', 'C-F' or 'C-F-parent' (each "
                        "class's own superclass; needs the label tree: --hierarchy "
                        "or a config)")
    parser.add_argument('-k', '--num-neighbours', type=int, help='K')
    parser.add_argument('--encoder', help='sentence-transformer directory or '
                        'name (default: all-MiniLM-L6-v2, offline)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cache-dir', help='graph cache (default '
                        '$SKCL_MM_CACHE or ~/.cache/skcl_mm)')
    parser.add_argument('--no-cache', action='store_true')
    parser.add_argument('--out-dir', default='semantic_graph')
    parser.add_argument('--matrix-format', choices=['npy', 'csv'], default='npy')
    add_cfg_options_arg(parser, 'config overrides, KEY=VALUE (with a CONFIG)')
    args = parser.parse_args(argv)
    if args.cfg_options and not args.config:
        parser.error('--cfg-options changes a CONFIG; give one, or drop --cfg-options')
    if args.num_neighbours is not None and args.num_neighbours < 0:
        parser.error(f'-k/--num-neighbours must be >= 0 (K neighbours per class), '
                     f'got {args.num_neighbours}')
    if osp.exists(args.out_dir) and not osp.isdir(args.out_dir):
        parser.error(f'--out-dir {args.out_dir} is a file; give a folder (created if '
                     'missing)')
    return args


def settings_from_config(path, cfg_options=None, read_classes=True):
    """Graph settings, class lists and grouping found in a training config.

    The class lists come from building the config's training dataset, which
    ``read_classes=False`` skips (``(settings, None, None)``).
    """
    from mmengine.registry import init_default_scope

    from mmpretrain.registry import DATASETS, MODELS
    from skcl_mm.utils.config_file import load_config
    cfg = load_config(path, cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    hooks = [h for h in cfg.get('custom_hooks') or []
             if 'SemanticGraphHook' in str(h.get('type'))]
    found = {key: value for key, value in (hooks[0] if hooks else {}).items()
             if key in ('descriptions', 'source', 'encoder', 'cache_dir')
             and value is not None}
    dataset_cfg = (cfg.get('train_dataloader') or {}).get('dataset') or {}
    if dataset_cfg.get('descriptions'):  # the descriptions the data comes with
        found.setdefault('descriptions', dataset_cfg['descriptions'])
    head = MODELS.build(cfg.model.head) if cfg.model.get('head') else None
    request = (head.semantic_graph_request()
               if callable(getattr(head, 'semantic_graph_request', None)) else None)
    if request is not None:  # the graph this model trains with
        found.update(mode=request.mode, num_neighbours=request.num_neighbours)
    if not read_classes:
        return found, None, None
    try:
        metainfo = DATASETS.build(cfg.train_dataloader.dataset).metainfo
    except Exception as error:
        raise SystemExit(f'{path}: building the training dataset for its class '
                         f'names failed ({type(error).__name__}: {error}); give '
                         '--hierarchy NAME|FILE to name the classes instead.')
    level_classes = metainfo.get('level_classes') or [metainfo['classes']]
    if isinstance(metainfo.get('descriptions'), dict) and \
            found.get('descriptions') == dataset_cfg.get('descriptions'):
        # texts the dataset made itself (e.g. descriptions='dataset': iNat
        # taxonomy paths), as SemanticGraphHook takes them
        found['descriptions'] = metainfo['descriptions']
    return found, [list(n) for n in level_classes], metainfo.get('fine_to_level')


def check_hierarchy_arg(value: str) -> str:
    """``--hierarchy`` as given, when it is a shipped set or an existing file."""
    from skcl_mm.semantics.class_lists import BUILTIN_CLASS_LISTS as BUILTIN
    if value in BUILTIN or osp.isfile(value):
        return value
    import difflib
    close = difflib.get_close_matches(value.lower(), sorted(BUILTIN), 1, 0.6)
    raise SystemExit(f'--hierarchy {value!r} is neither a shipped set {sorted(BUILTIN)} '
                     'nor an existing file (a JSON/YAML tree or list of lists, coarsest '
                     f'first){"; did you mean " + repr(close[0]) + "?" if close else "."}')


def resolve(args):
    """``(settings, level_classes, fine_to_level)``: CLI over config over defaults."""
    from skcl_mm.semantics.class_lists import load_class_lists
    settings, level_classes, fine_to_level = {}, None, None
    if args.config:
        settings, level_classes, fine_to_level = settings_from_config(
            args.config, args.cfg_options, read_classes=not args.hierarchy)
    if args.hierarchy:
        lists = load_class_lists(check_hierarchy_arg(args.hierarchy))
        level_classes, fine_to_level = lists.level_classes, lists.fine_to_level
    if level_classes is None:
        raise SystemExit('Give a config or --hierarchy (the class names per level).')
    cli = dict(descriptions=args.descriptions, source=args.source, mode=args.mode,
               num_neighbours=args.num_neighbours, encoder=args.encoder,
               cache_dir=False if args.no_cache else args.cache_dir)
    settings.update({k: v for k, v in cli.items() if v is not None})
    settings.setdefault('source', 'descriptions')
    settings.setdefault('mode', 'both')
    if settings['source'] == 'descriptions' and not settings.get('descriptions'):
        raise SystemExit('Give --descriptions NAME|FILE, or --source names to '
                         'embed the class names.')
    return settings, level_classes, fine_to_level


def build(settings, level_classes, device='cpu', fine_to_level=None):
    """The graph for resolved settings (loads the description file if any);
    ``fine_to_level`` is the label tree (mode ``'C-F-parent'`` needs it)."""
    from skcl_mm.semantics.encoder import SentenceEncoder
    from skcl_mm.semantics.graph import build_semantic_graph
    descriptions, description_file = None, None
    if settings['source'] == 'descriptions' and isinstance(settings['descriptions'], dict):
        descriptions = settings['descriptions']  # the dataset's own texts
    elif settings['source'] == 'descriptions':
        from skcl_mm.semantics.descriptions import load_descriptions
        description_file = str(settings['descriptions'])
        descriptions = load_descriptions(description_file)
    encoder = settings.get('encoder')
    if encoder is None or isinstance(encoder, str):
        encoder = SentenceEncoder(encoder, device=device)
    return build_semantic_graph(
        level_classes, descriptions, mode=settings['mode'],
        num_neighbours=settings.get('num_neighbours'), source=settings['source'],
        encoder=encoder, cache_dir=settings.get('cache_dir'),
        description_file=description_file, fine_to_level=fine_to_level)


def main(argv=None) -> int:
    from skcl_mm.semantics import (DescriptionFileError,
                                   EncoderUnavailableError,
                                   MissingDescriptionsError)
    from skcl_mm.semantics.visualize import save_graph_files
    args = parse_args(argv)
    settings, level_classes, fine_to_level = resolve(args)
    try:
        graph = build(settings, level_classes, args.device, fine_to_level)
    except (MissingDescriptionsError, DescriptionFileError,
            EncoderUnavailableError, FileNotFoundError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'# {graph.mode} Top-{graph.num_neighbours} neighbours of '
          f'{graph.num_fine} classes ({graph.source}, {graph.encoder}, '
          f'{"cached" if graph.from_cache else "computed"})')
    print(graph.format_neighbours())
    groups = group_names = None
    if fine_to_level and len(level_classes) > 1:
        groups, group_names = fine_to_level[-2], level_classes[-2]
    save_graph_files(graph, args.out_dir, groups, group_names, args.matrix_format)
    print(f'# wrote the heatmap, the neighbour graph and the matrix to {args.out_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(run_main(main))
