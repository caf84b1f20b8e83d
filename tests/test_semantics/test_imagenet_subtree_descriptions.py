"""The shipped 'imagenet' description set also describes the 13 nodes of the
'imagenet_wordnet12' hierarchy: within the paper's rules, hashed like the
generator's prompts (which list a coarse class's members), and recorded so that
the one-level and the two-level hierarchy both load it without a warning."""
import warnings

from skcl_mm.datasets.hierarchies import load_hierarchy
from skcl_mm.datasets.imagenet_lt import IMAGENET_LT_CLASSES
from skcl_mm.semantics import load_descriptions, read_description_file
from skcl_mm.semantics.class_record import RECORD_KEY, matches
from skcl_mm.semantics.description_prompt import build_prompts, validate_answer
from skcl_mm.semantics.description_rules import set_problems
from skcl_mm.semantics.descriptions import (check_descriptions,
                                            description_set_path)

YAML = 'skcl_mm/datasets/hierarchy_files/imagenet_wordnet12.yaml'


def _two_levels():
    return load_hierarchy('imagenet_wordnet12', IMAGENET_LT_CLASSES)


def test_subtree_nodes_follow_the_rules_and_the_generators_prompts():
    hierarchy = _two_levels()
    entries = read_description_file(description_set_path('imagenet'))['classes']
    prompts = {p.name: p for p in build_prompts(hierarchy.level_classes,
                                                hierarchy.fine_to_level)}
    for node in hierarchy.level_classes[0]:
        entry = entries[node]
        assert entry['level'] == 0 and entry['model'] == 'hand-written', node
        assert validate_answer(entry['text'], node) is None, node
        assert 100 <= len(entry['text'].split()) <= 120, node
        assert entry['prompt_hash'] == prompts[node].hash, node
        assert 'groups these classes' in prompts[node].text
    assert all(entries[name]['level'] == 1 for name in IMAGENET_LT_CLASSES)
    assert set(list(entries)[:13]) == set(hierarchy.level_classes[0])  # coarsest first
    assert set_problems(load_descriptions('imagenet')) == ({}, {})


def test_both_hierarchies_load_it_without_a_warning():
    header = read_description_file(description_set_path('imagenet'))['header']
    one_level, two_levels = header[RECORD_KEY]
    assert one_level['classes'] == 'imagenet'
    assert matches(one_level, [list(IMAGENET_LT_CLASSES)])
    assert two_levels['classes'] == YAML
    assert matches(two_levels, _two_levels().level_classes)
    assert f'--classes {YAML}' in header['regenerate'] and '--merge' in header['regenerate']
    texts = load_descriptions('imagenet')
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        check_descriptions(texts, [list(IMAGENET_LT_CLASSES)], out='imagenet')
        check_descriptions(texts, _two_levels().level_classes, out='imagenet')
