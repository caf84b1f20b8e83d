"""Places365 categories, the Places-LT class names and the shipped 'places365' hierarchy."""
import os.path as osp
import re

import pytest

from skcl_mm.datasets.hierarchies import SHIPPED_DIR, load_hierarchy
from skcl_mm.datasets.places365_categories import (PLACES365_CATEGORIES,
                                                   PLACES_LT_CATEGORIES,
                                                   PLACES_LT_CLASSES,
                                                   PLACES_LT_FOLDERS,
                                                   PLACES_LT_TO_PLACES365,
                                                   easyformat_folder,
                                                   scene_name)

LEVEL1 = ('indoor', 'outdoor, natural', 'outdoor, man-made')
YAML = osp.join(SHIPPED_DIR, 'places365.yaml')


def test_the_365_categories_of_categories_places365_txt():
    assert len(PLACES365_CATEGORIES) == len(set(PLACES365_CATEGORIES)) == 365
    # spot checks against the file: '/a/airfield 0', '/s/shopfront 301', '/z/zen_garden 364'
    assert PLACES365_CATEGORIES[0] == 'airfield'
    assert PLACES365_CATEGORIES[8] == 'apartment_building/outdoor'
    assert PLACES365_CATEGORIES[116:119] == ('desert/sand', 'desert/vegetation', 'desert_road')
    assert PLACES365_CATEGORIES[301] == 'shopfront'
    assert PLACES365_CATEGORIES[364] == 'zen_garden'


def test_places_lt_order_differs_at_the_desert_and_field_labels():
    moved = {i: j for i, j in enumerate(PLACES_LT_TO_PLACES365) if i != j}
    assert moved == {116: 118, 117: 116, 118: 117, 141: 142, 142: 141}
    assert sorted(PLACES_LT_TO_PLACES365) == list(range(365))
    # Lines of the released lists (OLTR's Places_LT_train.txt / _test.txt).
    for line in ('train/desert_road/00002265.jpg 116', 'train/desert-sand/00004036.jpg 117',
                 'train/desert-vegetation/00001576.jpg 118', 'train/field_road/00000208.jpg 141',
                 'train/field-wild/00003924.jpg 142', 'train/field-cultivated/00000633.jpg 140',
                 'val/shopfront/Places365_val_00012118.jpg 301',
                 'train/apartment_building-outdoor/00001893.jpg 8'):
        path, label = line.split()
        assert PLACES_LT_FOLDERS[int(label)] == path.split('/')[1], line


@pytest.mark.parametrize('category,name,folder', [
    ('airfield', 'airfield', 'airfield'),
    ('apartment_building/outdoor', 'apartment building (outdoor)', 'apartment_building-outdoor'),
    ('underwater/ocean_deep', 'underwater (ocean deep)', 'underwater-ocean_deep'),
    ('desert/sand', 'desert (sand)', 'desert-sand'),
])
def test_name_and_folder_rules(category, name, folder):
    assert scene_name(category) == name
    assert easyformat_folder(category) == folder


def test_class_names_are_unique_and_follow_the_order():
    assert len(set(PLACES_LT_CLASSES)) == 365
    assert PLACES_LT_CLASSES == tuple(scene_name(c) for c in PLACES_LT_CATEGORIES)
    assert PLACES_LT_CLASSES[114:120] == ('delicatessen', 'department store', 'desert road',
                                          'desert (sand)', 'desert (vegetation)',
                                          'diner (outdoor)')


@pytest.fixture(scope='module')
def hierarchy():
    return load_hierarchy('places365', PLACES_LT_CLASSES)


def _parents(hierarchy, name):
    fine = PLACES_LT_CLASSES.index(name)
    return [hierarchy.level_classes[lv][hierarchy.fine_to_level[lv][fine]] for lv in (0, 1)]


def test_shipped_hierarchy_has_three_levels(hierarchy):
    assert hierarchy.level_names == ['indoor_outdoor', 'scene_group', 'scene']
    assert [len(names) for names in hierarchy.level_classes] == [3, 16, 365]
    assert sorted(hierarchy.level_classes[0]) == sorted(LEVEL1)
    assert hierarchy.fine_classes == list(PLACES_LT_CLASSES)
    # every group sits under one level-1 category
    pairs = {(hierarchy.fine_to_level[0][f], hierarchy.fine_to_level[1][f]) for f in range(365)}
    assert len(pairs) == 16


@pytest.mark.parametrize('scene,parents', [
    ('bedroom', ['indoor', 'home or hotel']),
    ('airfield', ['outdoor, man-made',
                  'transportation (roads, parking, bridges, boats, airports, etc.)']),
    ('desert (sand)', ['outdoor, natural', 'mountains, hills, desert, sky']),
    ('underwater (ocean deep)', ['outdoor, natural', 'water, ice, snow']),
    # rule 1: indoor and outdoor man-made -> indoor
    ('bus station (indoor)', ['indoor', 'transportation (vehicle interiors, stations, etc.)']),
    # rule 2: both outdoor branches, 'man-made elements' the only natural mark
    ('highway', ['outdoor, natural', 'man-made elements']),
    # rule 2: both outdoor branches with a natural landform mark -> man-made
    ('golf course', ['outdoor, man-made', 'sports fields, parks, leisure spaces']),
    # rule 3: the first marked column
    ('bank vault', ['indoor', 'shopping and dining']),
    ('mountain snowy', ['outdoor, natural', 'water, ice, snow']),
])
def test_known_parents(hierarchy, scene, parents):
    assert _parents(hierarchy, scene) == parents


def _also_marked():
    """scene -> the other parents its YAML comment names (the sheet's extra marks)."""
    also = {}
    with open(YAML, encoding='utf-8') as f:
        for line in f:
            match = re.match(r'\s+- (.+?)  # also: (.+)$', line)
            if match:
                also[match.group(1)] = match.group(2).split('; ')
    return also


def test_every_multi_parent_choice_follows_the_stated_rule(hierarchy):
    also = _also_marked()
    assert len(also) == 63  # the scenes the sheet marks under more than one parent
    groups = hierarchy.level_classes[1]
    order = [groups[hierarchy.fine_to_level[1][f]] for f in range(365)]
    level1_of = {g: hierarchy.level_classes[0][hierarchy.fine_to_level[0][order.index(g)]]
                 for g in groups}
    for scene, others in also.items():
        top, group = _parents(hierarchy, scene)
        marks1 = {top} | {m for m in others if m in LEVEL1}
        marks2 = [group] + [m for m in others if m not in LEVEL1]
        assert all(level1_of[m] in marks1 for m in marks2), scene
        if marks1 == {'indoor', 'outdoor, man-made'}:
            assert top == 'indoor', scene
        elif marks1 == {'outdoor, natural', 'outdoor, man-made'}:
            natural = [m for m in marks2 if level1_of[m] == 'outdoor, natural']
            assert 'man-made elements' in natural, scene
            expected = 'outdoor, natural' if natural == ['man-made elements'] else \
                'outdoor, man-made'
            assert top == expected, scene
        # rule 3: the earliest marked group under the chosen level-1 category, in
        # the sheet's column order (its level-1 order, then group order)
        candidates = [m for m in marks2 if level1_of[m] == top]
        assert group == min(candidates, key=_COLUMNS.index), scene


_COLUMNS = [
    'shopping and dining', 'workplace (office building, factory, lab, etc.)', 'home or hotel',
    'transportation (vehicle interiors, stations, etc.)', 'sports and leisure',
    'cultural (art, education, religion, millitary, law, politics, etc.)', 'water, ice, snow',
    'mountains, hills, desert, sky', 'forest, field, jungle', 'man-made elements',
    'transportation (roads, parking, bridges, boats, airports, etc.)',
    'cultural or historical building/place (millitary, religious)',
    'sports fields, parks, leisure spaces', 'industrial and construction',
    'houses, cabins, gardens, and farms',
    'commercial buildings, shops, markets, cities, and towns']


def test_every_group_of_the_sheet_is_used(hierarchy):
    assert sorted(hierarchy.level_classes[1]) == sorted(_COLUMNS)
