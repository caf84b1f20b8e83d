"""The shipped Places365 descriptions: complete, within the rules, no near-copies.

The audit of the other shipped sets (test_shipped_description_sets.py) for the
places365 set, whose class lists are the 'places365' hierarchy (3 + 16 + 365
classes) rather than a built-in class list; plus spot checks of the real
all-MiniLM-L6-v2 graph (K = 4, mode 'both', the config's) that
docs/places_lt.md quotes.
"""
import warnings

import numpy as np
import pytest

from skcl_mm.datasets.hierarchies import load_hierarchy
from skcl_mm.datasets.places365_categories import PLACES_LT_CLASSES
from skcl_mm.semantics import (build_semantic_graph, load_descriptions,
                               read_description_file)
from skcl_mm.semantics.class_record import RECORD_KEY, matches
from skcl_mm.semantics.description_prompt import build_prompts, validate_answer
from skcl_mm.semantics.description_rules import set_problems
from skcl_mm.semantics.descriptions import (check_descriptions,
                                            description_set_path)
from tests.fixtures.places_lt import shared_graph_cache

PATH = description_set_path('places365')
NEAR_COPY = 0.97


@pytest.fixture(scope='module')
def hierarchy():
    return load_hierarchy('places365', PLACES_LT_CLASSES)


@pytest.fixture(scope='module')
def graph(hierarchy, tmp_path_factory):
    from skcl_mm.semantics import build_encoder
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the hub warning: quoted in docs/places_lt.md
        return build_semantic_graph(hierarchy.level_classes, load_descriptions(PATH),
                                    mode='both', num_neighbours=4,
                                    encoder=build_encoder(None),
                                    cache_dir=shared_graph_cache(tmp_path_factory))


def test_every_class_of_every_level_present_and_valid(hierarchy):
    texts = load_descriptions(PATH)
    expected = [c for level in hierarchy.level_classes for c in level]
    assert len(expected) == 384 and set(texts) == set(expected)
    assert not {c: validate_answer(texts[c], c) for c in expected if validate_answer(texts[c], c)}
    assert all(40 <= len(texts[c].split()) <= 300 for c in expected)
    assert set_problems(texts) == ({}, {})  # English, no duplicates


def test_records_the_hierarchy_and_its_prompts(hierarchy):
    doc = read_description_file(PATH)
    (record, ) = doc['header'][RECORD_KEY]
    assert record['classes'] == 'places365' and matches(record, hierarchy.level_classes)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        check_descriptions(load_descriptions(PATH), hierarchy.level_classes, out=PATH)
    # Each entry answers the prompt this hierarchy gives (coarse prompts list members).
    prompts = {p.name: p.hash for p in build_prompts(hierarchy.level_classes,
                                                     hierarchy.fine_to_level)}
    assert {name: entry['prompt_hash'] for name, entry in doc['classes'].items()} == prompts
    assert 'not the paper' in doc['header']['produced_by']
    regenerate = doc['header']['regenerate']
    assert '--classes places365' in regenerate and 'OPENAI_API_KEY=...' in regenerate


def test_no_two_texts_are_near_copies(graph):
    sim = np.array(graph.similarity, dtype=np.float64)
    assert sim.shape == (384, 384) and graph.neighbours.shape == (365, 4)
    np.fill_diagonal(sim, -1)
    i, j = np.unravel_index(sim.argmax(), sim.shape)
    assert sim[i, j] < NEAR_COPY, (graph.node_names[i], graph.node_names[j], sim[i, j])


@pytest.mark.parametrize('scene,neighbour', [
    ('bedroom', 'hotel room'),
    ('desert road', 'desert (sand)'),
    ('iceberg', 'ice shelf'),
    ('arena (hockey)', 'ice skating rink (indoor)'),
    ('church (indoor)', 'church (outdoor)'),
    ('mountain snowy', 'mountain'),
    ('zen garden', 'japanese garden'),
    ('underwater (ocean deep)', 'ocean'),
])
def test_nearest_neighbours_are_related_scenes(graph, scene, neighbour):
    row = list(graph.neighbours[PLACES_LT_CLASSES.index(scene)])
    names = [graph.node_names[j] for j in row]
    assert names[0] == neighbour, names
