"""The iNaturalist taxonomy: checked categories, unique names, levels and texts."""
import json

import pytest

from skcl_mm.datasets.inat_taxonomy import (RANKS, Taxonomy, categories_of,
                                            unique_names)
from tests.fixtures.inat2018 import LEVEL_SIZES, categories


def _cat(cat_id, *path):
    return dict(id=cat_id, **dict(zip(('kingdom', 'phylum', 'class', 'order',
                                       'family', 'genus', 'name'), path)))


def test_fixture_taxonomy_levels_names_and_parents():
    taxonomy = Taxonomy(categories_of(categories(), 'fixture'))
    assert taxonomy.ids == list(range(8))  # sorted by id
    hierarchy = taxonomy.hierarchy()
    assert hierarchy.level_names == list(RANKS)
    assert [len(n) for n in hierarchy.level_classes] == LEVEL_SIZES
    genus = hierarchy.level_classes[5]
    # species 4 (Oenanthe sarmentosa, a plant) -> the plant genus, family, kingdom
    assert genus[hierarchy.fine_to_level[5][4]] == 'Oenanthe (genus in Apiaceae)'
    assert hierarchy.level_classes[0][hierarchy.fine_to_level[0][4]] == 'Plantae'
    assert genus[hierarchy.fine_to_level[5][0]] == 'Oenanthe (genus in Muscicapidae)'
    assert hierarchy.fine_to_level[-1] == list(range(8))


def test_a_name_at_two_ranks_gets_the_rank():
    names = Taxonomy(categories_of(categories(), 'fixture')).hierarchy().level_classes
    assert 'Proboscidea (order)' in names[3] and 'Proboscidea (genus)' in names[5]
    assert 'Proboscidea' not in sum(names, [])


def test_placeholders_repeated_within_and_across_ranks():
    """The release's "NA": an order of two classes and a family of three
    orders, the same word at two ranks."""
    cats = [_cat(0, 'Animalia', 'Mollusca', 'Gastropoda', 'NA', 'Haliotidae',
                 'Haliotis', 'Haliotis iris'),
            _cat(1, 'Fungi', 'Basidiomycota', 'Agaricomycetes', 'NA', 'Not assigned',
                 'Contumyces', 'Contumyces rosellus'),
            _cat(2, 'Fungi', 'Ascomycota', 'Sordariomycetes', 'Diaporthales', 'NA',
                 'Sirococcus', 'Sirococcus a'),
            _cat(3, 'Fungi', 'Basidiomycota', 'Agaricomycetes', 'Auriculariales', 'NA',
                 'Rickenella', 'Rickenella fibula')]
    levels = Taxonomy(cats).hierarchy().level_classes
    assert levels[3] == ['NA (order in Gastropoda)', 'NA (order in Agaricomycetes)',
                         'Diaporthales', 'Auriculariales']
    assert levels[4] == ['Haliotidae', 'Not assigned', 'NA (family in Diaporthales)',
                         'NA (family in Auriculariales)']


def test_no_single_ancestor_tells_them_apart_then_the_path_does():
    paths = [[('A', ), ('B', )], [('A', 'x'), ('A', 'y'), ('B', 'x')],
             [('A', 'x', 'g'), ('A', 'y', 'g'), ('B', 'x', 'g')]]
    names = unique_names(paths)
    assert sorted(names[2].values()) == [
        'g (class in A/x)', 'g (class in A/y)', 'g (class in B/x)']
    assert names[1] == {('A', 'x'): 'x (phylum in A)', ('A', 'y'): 'y',
                        ('B', 'x'): 'x (phylum in B)'}


def test_texts_follow_the_taxonomy_path():
    texts = Taxonomy(categories_of(categories(), 'fixture')).texts()
    assert texts['Loxodonta africana'] == ('Loxodonta africana, a species of genus '
                                           'Loxodonta, family Elephantidae, order '
                                           'Proboscidea, class Mammalia')
    assert texts['Proboscidea (order)'] == ('Proboscidea (order), an order of class '
                                            'Mammalia, phylum Chordata, kingdom Animalia')
    assert texts['Chordata'] == 'Chordata, a phylum of kingdom Animalia'
    assert texts['Fungi'] == 'Fungi, a kingdom of living organisms'
    assert len(texts) == sum(LEVEL_SIZES) == len(set(texts.values()))


def test_texts_pass_the_description_rules():
    from skcl_mm.semantics.descriptions import check_description_texts
    texts = Taxonomy(categories_of(categories(), 'fixture')).texts()
    check_description_texts(texts, 'taxonomy texts', from_file=False)


@pytest.mark.parametrize('content,match', [
    ({'images': []}, r'no categories.*keys \[\'images\'\]'),
    ([], 'no categories'),
    ([{'id': 0}], r"categories\[0\]: no \['kingdom', 'phylum'"),
    ([_cat(True, *'abcdefg')], r'id True is not an integer'),
    ([_cat(0, 'a', 'b', ' ', 'd', 'e', 'f', 'g')], r"id 0: \['class'\] empty"),
    ([_cat(0, *'abcdefg'), _cat(0, *'abcdefh')], r'category ids \[0\] appear more than once'),
    (['Oenanthe'], r'a str, not an object'),
])
def test_bad_categories_are_named(content, match):
    with pytest.raises(ValueError, match=match):
        categories_of(content, 'cats.json')


def test_from_file_reads_annotation_files_and_lists(tmp_path):
    (tmp_path / 'a.json').write_text(json.dumps(dict(images=[], categories=categories())))
    (tmp_path / 'b.json').write_text(json.dumps(categories()))
    a = Taxonomy.from_file(str(tmp_path / 'a.json'), 'a')
    assert a.classes == Taxonomy.from_file(str(tmp_path / 'b.json'), 'b').classes
    (tmp_path / 'c.json').write_bytes(b'\x1f\x8b\x08compressed')
    with pytest.raises(ValueError, match=r'not UTF-8.*not the \.tar\.gz'):
        Taxonomy.from_file(str(tmp_path / 'c.json'), 'c')
