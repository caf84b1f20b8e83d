"""INat2018 on a small release in the real layout (tests/fixtures/inat2018.py)."""
import json
import os
import os.path as osp
import shutil

import pytest

from skcl_mm.datasets import INat2018, LongTailHierarchyDataset
from tests.fixtures.inat2018 import (SPECIES, TRAIN_COUNTS, VAL_PER_CLASS,
                                     write_inat2018)

SPECIES_NAMES = [SPECIES[i][-1] for i in range(8)]
LOAD = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('inat2018'))
    write_inat2018(path)
    return path


@pytest.fixture
def copy(root, tmp_path):
    """A copy of the release to break (annotations only; images shared)."""
    for name in os.listdir(root):
        if name.endswith(('.json', '.txt')):
            shutil.copy(osp.join(root, name), tmp_path / name)
    os.symlink(osp.join(root, 'train_val2018'), tmp_path / 'train_val2018')
    return tmp_path


def _edit_json(path, edit):
    with open(path) as f:
        doc = json.load(f)
    edit(doc)
    with open(path, 'w') as f:
        json.dump(doc, f)


def test_json_split_labels_are_category_ids_and_images_load(root):
    ds = INat2018(data_root=root, split='train', categories_file='categories.json',
                  pipeline=LOAD)
    assert ds.metainfo['classes'] == SPECIES_NAMES  # id order, not file order
    assert len(ds) == sum(TRAIN_COUNTS) and not ds.test_mode
    labels = ds.get_gt_labels().tolist()
    assert [labels.count(c) for c in range(8)] == list(TRAIN_COUNTS)
    info = ds.get_data_info(0)
    assert info['img_path'].startswith(osp.join(root, 'train_val2018', 'Aves', '0'))
    assert ds[0]['inputs'].shape == (3, 20, 28)


def test_list_files_give_the_same_split_as_the_json(root):
    kwargs = dict(data_root=root, categories_file='categories.json')
    for split in ('train', 'val'):
        from_json = INat2018(split=split, **kwargs)
        from_list = INat2018(split=split, ann_file=f'iNaturalist18_{split}.txt', **kwargs)
        assert from_list.test_mode == (split == 'val') == from_json.test_mode
        assert [d['img_path'] for d in from_list.load_data_list()] == [
            d['img_path'] for d in from_json.load_data_list()]
        assert from_list.get_gt_labels().tolist() == from_json.get_gt_labels().tolist()
    assert len(from_list) == 8 * VAL_PER_CLASS


def test_taxonomy_of_the_annotation_file_keeps_its_obfuscated_names(root):
    ds = INat2018(data_root=root, split='val')
    assert ds.metainfo['classes'] != SPECIES_NAMES
    assert ds.label_hierarchy().level_names[-1] == 'species'
    assert [len(n) for n in ds.label_hierarchy().level_classes] == [3, 3, 4, 5, 7, 7, 8]


def test_list_without_categories_file_reads_the_split_json(root):
    ds = INat2018(data_root=root, split='val', ann_file='iNaturalist18_val.txt')
    assert len(ds) == 24 and ds.metainfo['classes'] == INat2018(
        data_root=root, split='val').metainfo['classes']


def test_wrapper_gives_seven_levels_counts_and_groups(root):
    ds = LongTailHierarchyDataset(
        dict(type='INat2018', data_root=root, split='train',
             categories_file='categories.json'),
        hierarchy='dataset', descriptions='dataset', pipeline=LOAD)
    meta = ds.metainfo
    assert meta['level_names'] == ['kingdom', 'phylum', 'class', 'order', 'family',
                                   'genus', 'species']
    assert meta['level_classes'][0] == ['Animalia', 'Plantae', 'Fungi']
    assert meta['level_classes'][5] == [
        'Oenanthe (genus in Muscicapidae)', 'Prunella (genus in Prunellidae)',
        'Loxodonta', 'Oenanthe (genus in Apiaceae)', 'Prunella (genus in Lamiaceae)',
        'Proboscidea (genus)', 'Amanita']
    assert 'Proboscidea (order)' in meta['level_classes'][3]
    assert meta['level_counts'][0] == [145, 7, 1]  # Animalia: 101 + 20 + 19 + 5
    assert meta['level_counts'][5] == [121, 19, 5, 3, 2, 2, 1]
    assert meta['class_counts'] == list(TRAIN_COUNTS)
    # The usual thresholds: many > 100, few < 20.
    assert meta['many_medium_few'] == dict(many=[0], medium=[1], few=[2, 3, 4, 5, 6, 7])
    sample = ds[4]['data_samples']  # an image of Oenanthe oenanthe
    assert sample.gt_level_labels.tolist() == [0, 0, 0, 0, 0, 0, 0]
    texts = meta['descriptions']
    assert texts['Oenanthe sarmentosa'] == ('Oenanthe sarmentosa, a species of genus '
                                            'Oenanthe, family Apiaceae, order Apiales, '
                                            'class Magnoliopsida')
    assert len(texts) == 37


def test_train_counts_record_of_the_wrapper(root):
    from skcl_mm.structures import TrainCounts
    ds = LongTailHierarchyDataset(
        dict(type='INat2018', data_root=root, split='train',
             categories_file='categories.json'), hierarchy='dataset')
    counts = TrainCounts.from_dataset(ds)
    assert counts.thresholds == (100, 20)
    assert len(counts.level_counts) == 7 and counts.level_counts[-1] == TRAIN_COUNTS
    assert counts.many_medium_few() == dict(many=[0], medium=[1], few=[2, 3, 4, 5, 6, 7])
    assert counts.classes == tuple(SPECIES_NAMES)


@pytest.mark.parametrize('kwargs,error,match', [
    (dict(split='test'), ValueError, "split must be one of.*unlabelled"),
    (dict(ann_file='nothing.json'), FileNotFoundError,
     r"nothing.json' does not exist.*train_val2018/<supercategory>"),
    (dict(ann_file='iNaturalist18_test.txt'), FileNotFoundError,
     'come with the code of BCL, PaCo and RIDE'),
    (dict(categories_file='categories.json', metainfo=dict(classes=['a'])),
     ValueError, 'metainfo classes are not accepted'),
])
def test_bad_settings_stop_before_reading_images(root, kwargs, error, match):
    with pytest.raises(error, match=match):
        INat2018(data_root=root, **kwargs)


def test_missing_categories_json_names_the_release_file(copy):
    os.remove(copy / 'categories.json')
    with pytest.raises(FileNotFoundError, match='un-obfuscated.*categories_file=None'):
        INat2018(data_root=str(copy), categories_file='categories.json')


def test_category_without_a_rank_is_named(copy):
    def drop(doc):
        del doc[2]['genus']
    _edit_json(copy / 'categories.json', drop)
    with pytest.raises(ValueError, match=r"categories\[2\]: no \['genus'\] \(id 7\)"):
        INat2018(data_root=str(copy), categories_file='categories.json')


def test_not_json_names_line_and_column(copy):
    (copy / 'val2018.json').write_text('{"images": [}')
    with pytest.raises(ValueError, match='not valid JSON: line 1, column 13'):
        INat2018(data_root=str(copy), split='val')


def test_image_without_annotation_and_unknown_category(copy):
    def edit(doc):
        doc['annotations'] = doc['annotations'][1:]
        doc['annotations'][0]['category_id'] = 99
    _edit_json(copy / 'val2018.json', edit)
    with pytest.raises(ValueError) as err:
        INat2018(data_root=str(copy), split='val')
    message = str(err.value)
    assert '2 of 24 images cannot be labelled' in message
    assert 'has no annotation' in message and 'category 99, not in the categories' in message


def test_list_label_that_is_no_category_id(copy):
    lines = (copy / 'iNaturalist18_val.txt').read_text().splitlines()
    lines[3] = lines[3].rsplit(' ', 1)[0] + ' 8142'
    (copy / 'iNaturalist18_val.txt').write_text('\n'.join(lines) + '\n')
    with pytest.raises(ValueError, match=r'no category id.*ids 0\.\.7.*\(4, 8142\)'):
        INat2018(data_root=str(copy), split='val', ann_file='iNaturalist18_val.txt')


def test_missing_images_are_named(copy):
    def edit(doc):
        doc['images'][5]['file_name'] = 'train_val2018/Aves/0/gone.jpg'
    _edit_json(copy / 'val2018.json', edit)
    with pytest.raises(FileNotFoundError, match=r'1 of 24 images.*gone\.jpg.*check_files'):
        INat2018(data_root=str(copy), split='val')
    assert len(INat2018(data_root=str(copy), split='val', check_files=False)) == 24


def test_test_split_file_without_annotations(copy):
    def edit(doc):
        del doc['annotations']
    _edit_json(copy / 'val2018.json', edit)
    with pytest.raises(ValueError, match='no "images" and "annotations".*unlabelled'):
        INat2018(data_root=str(copy), split='val')
