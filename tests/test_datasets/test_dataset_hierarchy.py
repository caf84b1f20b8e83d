"""hierarchy='dataset', descriptions='dataset' and levels= of LongTailHierarchyDataset."""
import pytest

import tests.fixtures.small_runner  # noqa: F401 (registers TrainCountsTestDataset)
from skcl_mm.datasets import LongTailHierarchyDataset
from skcl_mm.datasets.dataset_hierarchy import select_levels
from skcl_mm.datasets.hierarchies import builtin_hierarchy
from tests.fixtures.inat2018 import TRAIN_COUNTS, write_inat2018

PLAIN = dict(type='TrainCountsTestDataset', counts=[2, 2, 2],
             metainfo=dict(classes=('a', 'b', 'c')))


@pytest.fixture(scope='module')
def inat(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('inat2018'))
    write_inat2018(root)
    return dict(type='INat2018', data_root=root, split='train',
                categories_file='categories.json')


def test_levels_keep_named_ranks_with_their_counts(inat):
    ds = LongTailHierarchyDataset(inat, hierarchy='dataset', levels=['order', 'genus', 'species'],
                                  descriptions='dataset')
    meta = ds.metainfo
    assert meta['level_names'] == ['order', 'genus', 'species']
    assert [len(n) for n in meta['level_classes']] == [5, 7, 8]
    assert meta['level_counts'][0] == [140, 5, 3, 4, 1]  # Passeriformes .. Agaricales
    assert meta['level_counts'][-1] == list(TRAIN_COUNTS)
    assert ds.get_data_info(0)['gt_level_labels'].tolist() == [0, 0, 0]
    # the texts of the kept levels only, keyed by the unique names
    assert sorted(meta['descriptions']) == sorted(sum(meta['level_classes'], []))
    assert meta['descriptions']['Proboscidea (order)'].startswith('Proboscidea (order), an order')


def test_levels_of_a_builtin_hierarchy():
    tree = builtin_hierarchy('cifar10')
    one = select_levels(tree, ['class'], 'cifar10')
    assert one.level_classes == [tree.level_classes[1]] and one.level_names == ['class']


@pytest.mark.parametrize('levels,match', [
    (['genus', 'specis'], r"names \['specis'\], not levels of hierarchy='dataset'.*"
                          r"'specis' -> 'species'"),
    (['order', 'genus'], r"must end with the finest level 'species'.*"
                         r"levels=\['order', 'genus', 'species'\]"),
    (['genus', 'order', 'species'], r"hierarchy's order, coarsest first: write "
                                    r"levels=\['order', 'genus', 'species'\]"),
])
def test_bad_levels_name_the_fix(inat, levels, match):
    with pytest.raises(ValueError, match=match):
        LongTailHierarchyDataset(inat, hierarchy='dataset', levels=levels)


def test_a_dataset_without_its_own_hierarchy_is_told_so():
    with pytest.raises(ValueError, match=r"hierarchy='dataset'.*TrainCountsTestDataset "
                                         r'provides none.*INat2018 has.*hierarchy=None'):
        LongTailHierarchyDataset(PLAIN, hierarchy='dataset')
    with pytest.raises(ValueError, match=r"descriptions='dataset'.*provides none.*"
                                         'generate_descriptions'):
        LongTailHierarchyDataset(PLAIN, descriptions='dataset')


def test_the_dataset_texts_without_its_hierarchy_cover_the_species(inat):
    ds = LongTailHierarchyDataset(inat, descriptions='dataset')
    meta = ds.metainfo
    assert meta['level_classes'] == [meta['classes']]
    assert sorted(meta['descriptions']) == sorted(meta['classes'])
