"""The description prompt and the rules an answer must follow."""
import pytest

from skcl_mm.datasets.hierarchies import builtin_level_classes
from skcl_mm.semantics.description_prompt import (INSTRUCTION, TEMPLATE,
                                                  build_prompt, build_prompts,
                                                  mentions_class, prompt_hash,
                                                  validate_answer)


def test_prompt_holds_the_paper_template_and_instruction():
    text = build_prompt('maple_tree')
    assert TEMPLATE.replace('[y]', 'maple tree') in text
    assert text.endswith(INSTRUCTION.replace('[y]', 'maple tree'))
    assert ('A description of the class maple tree, {based on its appearance '
            'characteristics} and {behavioral traits or functional features}.') in text
    assert 'ensuring the description does not exceed 300 words.' in text


def test_coarse_prompt_lists_members_and_caps_them():
    text = build_prompt('trees', ['maple_tree', 'oak_tree'])
    assert 'The class trees groups these classes: maple tree, oak tree.' in text
    many = build_prompt('all', [f'c{i}' for i in range(35)])
    assert 'c29 and 5 more.' in many and 'c30' not in many


def test_cifar100_prompts_cover_both_levels_in_order():
    levels = builtin_level_classes('cifar100')
    prompts = build_prompts(levels)
    assert [p.name for p in prompts] == levels[0] + levels[1]
    assert [p.level for p in prompts] == [0] * 20 + [1] * 100
    vehicles = prompts[levels[0].index('vehicles_1')]
    assert ('groups these classes: bicycle, bus, motorcycle, pickup truck, '
            'train.') in vehicles.text
    assert len({p.hash for p in prompts}) == 120
    assert prompts[0].hash == prompt_hash(prompts[0].text)
    assert len(prompts[0].hash) == 16


def test_repeated_name_in_a_level_gets_one_prompt():
    prompts = build_prompts([['crane', 'heron', 'crane']])
    assert [p.name for p in prompts] == ['crane', 'heron']


@pytest.mark.parametrize('name,text', [
    ('aquatic_mammals', 'Aquatic mammals live in water.'),
    ('maple_tree', 'Maple trees have lobed leaves.'),
    ('butterfly', 'Butterflies have scaled wings.'),
    ('bus', 'Buses carry many passengers.'),
    ('vehicles_1', 'These vehicles move people around.'),
    ('lawn_mower', 'A lawnmower cuts grass.'),
    ('large_man-made_outdoor_things', 'Large man-made outdoor things: bridges.'),
    ('tench, Tinca tinca', 'Tinca tinca is a freshwater fish.'),
    ('crane (bird)', 'A crane is a tall wading bird.'),
])
def test_mentions_class_is_lenient_on_form(name, text):
    assert mentions_class(text, name)


@pytest.mark.parametrize('name,text', [
    ('cat', 'A small animal that hunts mice.'),
    ('maple_tree', 'A tree with lobed leaves.'),
    ('ray', 'A spray of water.'),  # whole words only
    ('crane (bird)', 'A tall bird that wades.'),  # the qualifier alone is not the name
])
def test_mentions_class_needs_the_name(name, text):
    assert not mentions_class(text, name)


def test_validate_answer_reasons():
    assert validate_answer('The cat is a pet.', 'cat') is None
    assert validate_answer(None, 'cat') == 'empty answer'
    assert validate_answer(' \n', 'cat') == 'empty answer'
    assert validate_answer('cat ' * 300, 'cat') is None
    assert validate_answer('cat ' * 301, 'cat') == '301 words, over the limit of 300'
    assert validate_answer("I'm sorry, I can't describe a cat.", 'cat').startswith(
        'a refusal')
    assert validate_answer('As an AI model I will not: cat', 'cat').startswith(
        'a refusal')
    assert validate_answer('A small pet that purrs at home.', 'cat').startswith(
        'does not mention the class')
    assert validate_answer('A cat purrs.', 'cat').startswith(
        '3 words, under the floor of 5')
    assert validate_answer('Le chat est un petit animal domestique qui aime '
                           'dormir et chasser les souris: cat', 'cat').startswith(
        "not English (the prompt's language): it reads as French")
