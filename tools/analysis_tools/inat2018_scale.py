"""Time and peak memory of SKCL at iNaturalist 2018's size: the graph and one head step.

    python tools/analysis_tools/inat2018_scale.py [--cases graph head] [--pictures]
        [--categories FILE] [--batch-size 64 256] [--iters 3] [--json FILE]

The taxonomy is synthetic unless ``--categories`` names an iNaturalist
category list (``categories.json`` or ``train2018.json``): seven ranks with
the release's node counts (``RELEASE_SIZES``, counted in the release's
``categories.json``: 6 kingdoms, 25 phyla, 57 classes, 273 orders, 1,120
families, 4,412 genera, 8,142 species = 14,035 nodes), random parents and
pseudo-Latin names. Each case runs in a process of its own; its peak memory is
that process's maximum resident set size (``ru_maxrss``). Cases:

* ``graph``: ``build_semantic_graph`` as ``SemanticGraphHook`` calls it (no
  cache) on the taxonomy text of every node: MiniLM embeddings (timed inside),
  cosine similarity, Top-K (mode ``both``, K = 4) and its checks
  (``graph_peak_mib``: the peak after it); then the similarity and the Top-K
  again on their own; with ``--pictures`` the graph's pictures, page and
  matrix (``save_graph_files`` with the genera as groups), as the hook writes
  them. Wall and CPU seconds (``*_cpu_s``, all threads) of each;
* ``head``: one training step of a seven-level ``SKCLHead`` at ResNet-50
  widths (2048-d features, MLPs 2048-2048-1024, cosine classifiers, every
  node a prototype): forward, backward and an SGD update on ``B`` x 3 views of
  random features, the median of ``--iters`` steps after one warm-up.
"""
import argparse
import json
import os.path as osp
import resource
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Sequence

import numpy as np

RELEASE_SIZES = (6, 25, 57, 273, 1120, 4412, 8142)
RANK_KEYS = ('kingdom', 'phylum', 'class', 'order', 'family', 'genus', 'name')
SUFFIXES = ('ae', 'phyta', 'opsida', 'ales', 'aceae', '', '')
SYLLABLES = ('ca', 'lo', 'mi', 'ra', 'te', 'su', 'pho', 'gan', 'dri', 'nel',
             'vor', 'bu', 'ki', 'tha', 'mel', 'os', 'pra', 'zu', 'lin', 'ex')


def _word(rng, used: set, suffix: str = '') -> str:
    while True:
        word = ''.join(rng.choice(SYLLABLES, size=int(rng.integers(2, 5))))
        word = word.capitalize() + suffix
        if word not in used:
            used.add(word)
            return word


def synthetic_categories(sizes: Sequence[int] = RELEASE_SIZES,
                         seed: int = 0) -> List[dict]:
    """iNaturalist-format categories of a random seven-rank tree.

    Args:
        sizes (Sequence[int]): Nodes per rank, kingdom first; every node gets
            at least one child, so each size is at least the previous one.
        seed (int): Seed of the tree and the names.

    Returns:
        list[dict]: ``sizes[-1]`` categories with ``id`` and the rank keys.
    """
    rng = np.random.default_rng(seed)
    used: set = set()
    parents = []  # per rank: parent index of every node
    for rank in range(1, len(sizes)):
        order = np.concatenate([np.arange(sizes[rank - 1]), rng.integers(
            0, sizes[rank - 1], sizes[rank] - sizes[rank - 1])])
        parents.append(np.sort(order))
    names = [[_word(rng, used, SUFFIXES[r]) for _ in range(n)]
             for r, n in enumerate(sizes[:-1])]
    categories = []
    for cat_id in range(sizes[-1]):
        path, node = [], cat_id
        for rank in reversed(range(len(sizes) - 1)):
            node = int(parents[rank][node])
            path.insert(0, names[rank][node])
        species = f'{path[-1]} {_word(rng, used).lower()}'
        categories.append(dict(id=cat_id, supercategory=path[0],
                               **dict(zip(RANK_KEYS, path + [species]))))
    return categories


def _taxonomy(args):
    from skcl_mm.datasets.inat_taxonomy import Taxonomy
    if args.categories:
        return Taxonomy.from_file(args.categories, args.categories)
    return Taxonomy(synthetic_categories(args.sizes))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(timings: Dict[str, float], key: str, call, *args):
    """``call(*args)``; its wall and CPU seconds go to ``timings``."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call(*args)
    timings[f'{key}_s'] = time.perf_counter() - wall
    timings[f'{key}_cpu_s'] = time.process_time() - cpu
    return result


def run_graph(args, pictures: bool) -> dict:
    """``build_semantic_graph`` as the hook calls it (no cache), then its
    similarity and Top-K stages again on their own, then the pictures."""
    from skcl_mm.semantics.encoder import SentenceEncoder
    from skcl_mm.semantics.graph import (build_semantic_graph,
                                         cosine_similarity, top_k_neighbours)
    timings: Dict[str, float] = {}

    class TimedEncoder(SentenceEncoder):
        def encode(self, texts):
            return _timed(timings, 'encode', super().encode, texts)

    taxonomy = _timed(timings, 'taxonomy', _taxonomy, args)
    hierarchy = taxonomy.hierarchy()
    texts = taxonomy.texts()
    encoder = TimedEncoder()
    _timed(timings, 'load_encoder', encoder.encode, ['warm-up'])  # loads MiniLM
    graph = _timed(timings, 'build_semantic_graph', build_semantic_graph,
                   hierarchy.level_classes, texts, 'both', 4, 'descriptions',
                   encoder, False)
    result = dict(nodes=len(graph.node_names), fine=graph.num_fine,
                  level_sizes=[len(n) for n in hierarchy.level_classes],
                  table_shape=list(graph.neighbours.shape),
                  graph_peak_mib=_peak_mib())
    _timed(timings, 'similarity', cosine_similarity, graph.embeddings)
    _timed(timings, 'top_k', top_k_neighbours, graph.similarity, graph.node_levels,
           'both', 4)
    if pictures:
        from skcl_mm.semantics.visualize import save_graph_files
        with tempfile.TemporaryDirectory() as out_dir:
            _timed(timings, 'pictures', save_graph_files, graph, out_dir,
                   hierarchy.fine_to_level[-2], hierarchy.level_classes[-2])
        result['peak_mib'] = _peak_mib()
    return dict(result, **timings)


def run_head(args, batch_size: int) -> dict:
    """One seven-level SKCLHead step on ``batch_size`` x 3 views."""
    import torch

    import skcl_mm  # noqa: F401  (registers the head and losses)
    from mmpretrain.registry import MODELS
    from mmpretrain.structures import DataSample
    hierarchy = _taxonomy(args).hierarchy()
    sizes = [len(names) for names in hierarchy.level_classes]
    head = MODELS.build(dict(
        type='SKCLHead', in_channels=2048, level_num_classes=sizes,
        cosine_classifier=True, mlp_hidden_channels=2048, feat_channels=1024,
        level_loss_weights=[0.5 / 6] * 6 + [1.0],
        contrastive_loss=dict(type='SKCLLoss', loss_weight=0.35,
                              num_neighbours=4)))
    rng = np.random.default_rng(0)
    head.set_class_counts([np.bincount(np.asarray(row), minlength=n).tolist()
                           for row, n in zip(hierarchy.fine_to_level, sizes)])
    fine = sizes[-1]
    table = (np.arange(fine)[:, None] + rng.integers(1, sum(sizes), (fine, 4))) % sum(sizes)
    head.set_semantic_graph(torch.from_numpy(table))
    to_level = torch.tensor(hierarchy.fine_to_level).T  # (n_fine, L)
    optimizer = torch.optim.SGD(head.parameters(), lr=0.1, momentum=0.9)
    times, cpu_times, proto_times = [], [], []
    for step in range(args.iters + 1):
        labels = torch.from_numpy(rng.integers(0, fine, batch_size))
        samples = [_sample(DataSample, int(y), to_level[y]) for y in labels]
        feats = (torch.randn(3 * batch_size, 2048), )
        start, cpu = time.perf_counter(), time.process_time()
        losses = head.loss(feats, samples)
        total = sum(losses.values())
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        start = time.perf_counter()  # the prototype MLP over every node alone
        head.prototypes().sum().backward()
        if step:  # the first step is a warm-up
            times.append(wall)
            cpu_times.append(cpu)
            proto_times.append(time.perf_counter() - start)
    return dict(batch_size=batch_size, views=3, nodes=sum(sizes),
                step_s=float(np.median(times)), step_cpu_s=float(np.median(cpu_times)),
                prototypes_fwd_bwd_s=float(np.median(proto_times)),
                loss=float(total), head_params=sum(p.numel() for p in head.parameters()),
                threads=torch.get_num_threads(), peak_mib=_peak_mib())


def _sample(data_sample, label: int, level_labels):
    sample = data_sample().set_gt_label(label)
    sample.set_field(level_labels, 'gt_level_labels')
    return sample


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--cases', nargs='+', default=['graph', 'head'],
                        choices=['graph', 'head'])
    parser.add_argument('--pictures', action='store_true',
                        help="graph: also write the hook's pictures, page and matrix")
    parser.add_argument('--categories', help='an iNaturalist category list '
                        '(default: a synthetic taxonomy of the release size)')
    parser.add_argument('--sizes', type=int, nargs=7, default=list(RELEASE_SIZES),
                        help='nodes per rank of the synthetic taxonomy, kingdom first')
    parser.add_argument('--batch-size', type=int, nargs='+', default=[64, 256])
    parser.add_argument('--iters', type=int, default=3)
    parser.add_argument('--json', help='also write the results here')
    parser.add_argument('--run-case', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _in_process(args) -> dict:
    case, _, batch = args.run_case.partition(':')
    if case == 'head':
        return run_head(args, int(batch))
    return run_graph(args, pictures=args.pictures)


def _child(argv: List[str], case: str) -> dict:
    proc = subprocess.run([sys.executable, osp.abspath(__file__), *argv,
                           '--run-case', case], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f'case {case} failed:\n{proc.stderr[-3000:]}')
    return dict(case=case, **json.loads(proc.stdout.strip().splitlines()[-1]))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    if args.run_case:
        print(json.dumps(_in_process(args)))
        return 0
    cases = [c for c in args.cases if c != 'head']
    cases += [f'head:{b}' for b in args.batch_size] if 'head' in args.cases else []
    results = []
    for case in cases:
        print(f'# running {case} ...', file=sys.stderr, flush=True)
        results.append(_child(argv, case))
        print(json.dumps(results[-1]), flush=True)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
    sys.exit(main())
