"""The shipped description sets: complete, within the rules, no near-copies.

Every class of every level is present with a non-empty text under 300 words
that names the class; each set records its class list and loads for its own
hierarchy without any warning; no two classes have near-identical texts (cosine of the
all-MiniLM-L6-v2 embeddings above 0.97 fails: a shared sentence with the name
swapped would not tell fine-grained neighbours apart). The ImageNet set also
builds the full 1,000-class graph (K = 4) on the real model.
"""
import warnings

import numpy as np
import pytest

from skcl_mm.semantics import (build_semantic_graph, load_class_lists,
                               load_descriptions, read_description_file)
from skcl_mm.semantics.class_record import RECORD_KEY, matches
from skcl_mm.semantics.description_prompt import validate_answer
from skcl_mm.semantics.description_rules import set_problems
from skcl_mm.semantics.descriptions import (check_descriptions,
                                            description_set_path)

SETS = ('cifar10', 'cifar100', 'digits', 'imagenet', 'places365')
NEAR_COPY = 0.97


@pytest.fixture(scope='module')
def encoder():
    from skcl_mm.semantics import build_encoder
    return build_encoder(None)


@pytest.mark.parametrize('name', SETS)
def test_every_class_present_and_valid(name):
    level_classes = load_class_lists(name).level_classes
    texts = load_descriptions(name)
    expected = {c for level in level_classes for c in level}
    # 'imagenet' also describes the 13 nodes of 'imagenet_wordnet12'
    # (tests/test_semantics/test_imagenet_subtree_descriptions.py)
    assert expected <= set(texts)
    problems = {c: validate_answer(texts[c], c) for c in texts}
    assert not {c: p for c, p in problems.items() if p}
    assert all(20 <= len(texts[c].split()) <= 300 for c in texts)
    assert set_problems(texts) == ({}, {})  # English, no duplicates


@pytest.mark.parametrize('name', SETS)
def test_records_its_class_list_and_loads_without_warning(name):
    level_classes = load_class_lists(name).level_classes
    header = read_description_file(description_set_path(name))['header']
    record = header[RECORD_KEY][0]  # its own list first (imagenet records two)
    assert record['classes'] == name and matches(record, level_classes)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        check_descriptions(load_descriptions(name), level_classes, out=name)


@pytest.mark.parametrize('name', SETS)
def test_header_says_how_it_was_made(name):
    header = read_description_file(description_set_path(name))['header']
    assert 'not the paper' in header['produced_by']
    assert f'--classes {name}' in header['regenerate']
    assert 'OPENAI_API_KEY=...' in header['regenerate']  # a placeholder, no key


@pytest.mark.parametrize('name', SETS)
def test_no_two_texts_are_near_copies(name, encoder, tmp_path):
    level_classes = load_class_lists(name).level_classes
    k = 4 if name == 'imagenet' else 2
    graph = build_semantic_graph(level_classes, load_descriptions(name),
                                 mode='both', num_neighbours=k, encoder=encoder,
                                 cache_dir=str(tmp_path))
    sim = np.array(graph.similarity, dtype=np.float64)
    n = sum(len(level) for level in level_classes)
    assert sim.shape == (n, n) and graph.neighbours.shape == (len(level_classes[-1]), k)
    np.fill_diagonal(sim, -1)
    i, j = np.unravel_index(sim.argmax(), sim.shape)
    assert sim[i, j] < NEAR_COPY, (graph.node_names[i], graph.node_names[j], sim[i, j])
