"""PlacesLT on a generated tree in the released format: lists, labels, levels, errors."""
import os.path as osp

import pytest

from skcl_mm.datasets import LongTailHierarchyDataset
from skcl_mm.datasets.places365_categories import PLACES_LT_CLASSES
from skcl_mm.datasets.places_lt import PlacesLT, listed_folder_label
from tests.fixtures.places_lt import (LABELS, TEST_PER_CLASS, train_counts,
                                      write_places_lt)

PIPELINE = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]


@pytest.fixture(scope='module')
def tree(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('places365_standard'))
    return root, write_places_lt(root)


def _write(tmp_path, lines):
    path = tmp_path / 'list.txt'
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


def test_train_list_gives_paths_labels_and_class_names(tree):
    root, lists = tree
    ds = PlacesLT(data_root=root, split='train')
    assert len(ds) == len(lists['train']) and not ds.test_mode
    assert ds.metainfo['classes'] == PLACES_LT_CLASSES
    by_path = {osp.relpath(ds.get_data_info(i)['img_path'], root): int(ds.get_gt_labels()[i])
               for i in range(len(ds))}
    for line in lists['train']:
        path, label = line.rsplit(' ', 1)
        assert by_path[path] == int(label)
    # Places-LT's own order: label 116 is desert_road's folder, 117 desert-sand's.
    road = [p for p, label in by_path.items() if label == 116]
    assert road and all(p.startswith('train/desert_road/') for p in road)
    assert ds.metainfo['classes'][116] == 'desert road'
    assert ds.metainfo['classes'][117] == 'desert (sand)'


@pytest.mark.parametrize('split,count', [('val', len(LABELS)),
                                         ('test', TEST_PER_CLASS * len(LABELS))])
def test_val_and_test_lists(tree, split, count):
    root, _ = tree
    ds = PlacesLT(data_root=root, split=split)
    assert len(ds) == count and ds.test_mode
    assert sorted(set(ds.get_gt_labels().tolist())) == list(LABELS)


def test_wrapper_gives_three_levels_and_their_counts(tree):
    root, _ = tree
    ds = LongTailHierarchyDataset(
        dict(type='PlacesLT', data_root=root, split='train'),
        hierarchy='places365', pipeline=PIPELINE)
    meta = ds.metainfo
    assert [len(names) for names in meta['level_classes']] == [3, 16, 365]
    assert meta['level_names'] == ['indoor_outdoor', 'scene_group', 'scene']
    assert meta['class_counts'] == train_counts()
    top = meta['level_classes'][0]
    counts = dict(zip(top, meta['level_counts'][0]))
    indoor = [i for i, parent in enumerate(meta['fine_to_level'][0])
              if top[parent] == 'indoor']
    assert counts['indoor'] == sum(train_counts()[i] for i in indoor)
    assert sum(meta['level_counts'][1]) == sum(train_counts()) == len(ds)
    kitchen = PLACES_LT_CLASSES.index('kitchen')
    sample = next(ds[i] for i in range(len(ds))
                  if int(ds[i]['data_samples'].gt_label) == kitchen)
    levels = sample['data_samples'].gt_level_labels.tolist()
    assert [meta['level_classes'][lv][levels[lv]] for lv in range(3)] == [
        'indoor', 'home or hotel', 'kitchen']
    assert sample['inputs'].shape == (3, 24, 32)


def test_missing_list(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Places-LT train list '.*Places_LT_train.txt' "
                                                r'does not exist.*OLTR'):
        PlacesLT(data_root=str(tmp_path), split='train')


def test_label_out_of_range(tree, tmp_path):
    root, lists = tree
    lines = lists['val'][:2] + [lists['val'][2].rsplit(' ', 1)[0] + ' 365']
    with pytest.raises(ValueError, match=r"Places-LT train list .*list.txt': 1 line\(s\) have "
                                         r'a label outside \[0, 365\).*\(3, 365\)'):
        PlacesLT(data_root=root, ann_file=_write(tmp_path, lines))


def test_malformed_line_names_file_and_line(tree, tmp_path):
    root, lists = tree
    lines = lists['val'][:3] + [lists['val'][3].rsplit(' ', 1)[0]]
    with pytest.raises(ValueError, match=r"Places-LT val list '.*list.txt': 1 line\(s\) are not "
                                         r"\"relative/path label\".*line 4: 'train/desert_road/"
                                         r"\d{8}.jpg' \(no label"):
        PlacesLT(data_root=root, split='val', ann_file=_write(tmp_path, lines))


def test_missing_images_reported_with_first_paths(tree, tmp_path):
    root, _ = tree
    lines = [f'train/airfield/missing_{i:08d}.jpg 0' for i in range(12)]
    with pytest.raises(FileNotFoundError) as error:
        PlacesLT(data_root=root, ann_file=_write(tmp_path, lines))
    message = str(error.value)
    assert '12 of 12 images' in message and 'missing_00000000.jpg' in message
    assert 'missing_00000011.jpg' not in message and 'easy format' in message


def test_a_list_in_categories_places365_order_is_refused(tree, tmp_path):
    """desert/sand is Places365 index 116 but Places-LT label 117."""
    root, lists = tree
    sand = [line for line in lists['train'] if line.startswith('train/desert-sand/')]
    relabelled = [line.rsplit(' ', 1)[0] + ' 116' for line in sand]
    with pytest.raises(ValueError, match=r"2 image\(s\) lie in the folder of another class "
                                         r"than their label: line 1: 'train/desert-sand/.*' has "
                                         r'label 116 \(desert road\), its folder is label 117 '
                                         r'\(desert \(sand\)\).*desert_road \(116\) comes before'):
        PlacesLT(data_root=root, ann_file=_write(tmp_path, relabelled))
    ds = PlacesLT(data_root=root, ann_file=_write(tmp_path, relabelled), check_folders=False)
    assert ds.get_gt_labels().tolist() == [116, 116]


@pytest.mark.parametrize('path,label', [
    ('train/desert-sand/00000001.jpg', 117),            # easy format (OLTR's lists)
    ('places365_standard/train/desert_road/1.jpg', 116),
    ('data_256/d/desert/sand/00000001.jpg', 117),       # nested high-level layout
    ('data_256/a/airfield/00000001.jpg', 0),
    ('val_256/Places365_val_00000001.jpg', -1),         # flat: no class folder
    ('Places365_val_00000001.jpg', -1),
])
def test_listed_folder_label(path, label):
    assert listed_folder_label(path) == label


def test_bad_split():
    with pytest.raises(ValueError, match=r"PlacesLT: split must be one of \('train', 'val', "
                                         r"'test'\), got 'training'"):
        PlacesLT(split='training')
