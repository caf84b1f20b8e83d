"""The shipped hierarchy 'imagenet_wordnet12': every ImageNet class once, under
one of Deng et al.'s 12 WordNet subtrees or 'other object'; its wnids are
ImageNet's, and its counts are the ones the docs give. Needs no WordNet files
(tests/test_tools/test_imagenet_wordnet_subtrees.py regenerates the file)."""
import os.path as osp
import re
from collections import Counter

from skcl_mm.datasets.hierarchies import (load_hierarchy,
                                          shipped_hierarchy_names)
from skcl_mm.datasets.imagenet_lt import IMAGENET_LT_CLASSES
from skcl_mm.datasets.tree_file import read_structured, split_tree, tree_paths
from tests.fixtures.imagenet_lt import WNIDS as FIXTURE_WNIDS
from tests.fixtures.imagenet_subtrees import SHIPPED_YAML, shipped_wnids

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SUBTREES = ('mammal', 'bird', 'fish', 'reptile', 'amphibian', 'vehicle',
            'furniture', 'musical instrument', 'geological formation', 'tool',
            'flower', 'fruit')
# WordNet 3.0 says so (and tools/dataset_converters/imagenet_wordnet_subtrees.py
# printed these counts).
COUNTS = {'mammal': 218, 'bird': 59, 'fish': 16, 'reptile': 36, 'amphibian': 8,
          'vehicle': 67, 'furniture': 22, 'musical instrument': 26,
          'geological formation': 10, 'tool': 14, 'flower': 2, 'fruit': 16,
          'other object': 506}


def test_every_imagenet_class_sits_under_exactly_one_node():
    tree, levels = split_tree(read_structured(SHIPPED_YAML, 'test'), 'test')
    leaves = [leaf for _, leaf in tree_paths(tree, 'test')]
    assert len(leaves) == 1000 and set(leaves) == set(IMAGENET_LT_CLASSES)
    assert levels == ['subtree', 'class']
    assert list(tree) == [*SUBTREES, 'other object']
    assert 'imagenet_wordnet12' in shipped_hierarchy_names()
    hierarchy = load_hierarchy('imagenet_wordnet12', IMAGENET_LT_CLASSES)
    assert hierarchy.fine_classes == list(IMAGENET_LT_CLASSES)
    assert sorted(hierarchy.level_classes[0]) == sorted([*SUBTREES, 'other object'])
    # node names are not class names (descriptions are keyed by name)
    assert not set(hierarchy.level_classes[0]) & set(IMAGENET_LT_CLASSES)


def test_counts_per_node_in_the_file_header_and_the_docs():
    hierarchy = load_hierarchy('imagenet_wordnet12', IMAGENET_LT_CLASSES)
    coarse = hierarchy.level_classes[0]
    counts = Counter(coarse[parent] for parent in hierarchy.fine_to_level[0])
    assert counts == COUNTS
    with open(SHIPPED_YAML, encoding='utf-8') as f:
        header = ' '.join(line.strip('#\n ') for line in f if line.startswith('#'))
    with open(osp.join(REPO, 'docs/imagenet_subtrees.md'), encoding='utf-8') as f:
        docs = f.read()
    for node, count in COUNTS.items():
        assert f'{node} {count}' in header, node
        assert re.search(rf'^\| {node} \| {count} \|', docs, re.M), node


def test_wnids_are_imagenets_in_class_order():
    wnids = shipped_wnids()
    assert set(wnids) == set(IMAGENET_LT_CLASSES)
    in_order = [wnids[name] for name in IMAGENET_LT_CLASSES]
    # ImageNet numbers its classes in sorted wnid order
    assert in_order == sorted(set(in_order)) and len(in_order) == 1000
    assert tuple(in_order[:len(FIXTURE_WNIDS)]) == FIXTURE_WNIDS
    assert wnids['crane (bird)'] == 'n02012849'
    assert wnids['crane (machine)'] == 'n03126707'


def test_known_placements():
    hierarchy = load_hierarchy('imagenet_wordnet12', IMAGENET_LT_CLASSES)
    coarse = hierarchy.level_classes[0]
    node = {fine: coarse[parent] for fine, parent in
            zip(hierarchy.fine_classes, hierarchy.fine_to_level[0])}
    expected = {'tench, Tinca tinca': 'fish', 'tusker': 'mammal',
                'crane (bird)': 'bird', 'crane (machine)': 'other object',
                'axolotl, mud puppy, Ambystoma mexicanum': 'amphibian',
                'amphibian, amphibious vehicle': 'vehicle', 'airliner': 'vehicle',
                'daisy': 'flower', 'Granny Smith': 'fruit', 'volcano':
                'geological formation', 'trilobite': 'other object',
                'school bus': 'other object',  # WordNet: public transport
                'grand piano, grand': 'musical instrument',
                'screwdriver': 'tool', 'rocking chair, rocker': 'furniture'}
    assert {fine: node[fine] for fine in expected} == expected
