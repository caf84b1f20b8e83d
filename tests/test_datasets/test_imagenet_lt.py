import os

import pytest

from skcl_mm.datasets import ImageNetLT, LongTailHierarchyDataset
from skcl_mm.datasets.imagenet_lt import IMAGENET_LT_CLASSES
from tests.fixtures.imagenet_lt import TRAIN_COUNTS, write_imagenet_lt


@pytest.fixture(scope='module')
def tree(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('imagenet'))
    return root, write_imagenet_lt(root)


def test_class_names_are_unique_with_both_cranes():
    assert len(set(IMAGENET_LT_CLASSES)) == 1000
    assert IMAGENET_LT_CLASSES[134] == 'crane (bird)'
    assert IMAGENET_LT_CLASSES[517] == 'crane (machine)'


def test_counts_come_from_the_train_list(tree):
    root, classes = tree
    ds = LongTailHierarchyDataset(
        dict(type='ImageNetLT', data_root=root, split='train',
             metainfo=dict(classes=classes),
             pipeline=[dict(type='LoadImageFromFile'), dict(type='PackInputs')]))
    meta = ds.metainfo
    assert meta['class_counts'] == list(TRAIN_COUNTS)
    assert meta['level_classes'] == [classes]
    assert meta['many_medium_few']['few'] == [0, 1, 2, 3, 4]
    sample = ds[0]
    assert sample['inputs'].shape == (3, 24, 32)
    assert sample['data_samples'].gt_level_labels.tolist() == [int(sample['data_samples'].gt_label)]


@pytest.mark.parametrize('split,count', [('val', 5), ('test', 10)])
def test_val_and_test_lists(tree, split, count):
    root, classes = tree
    ds = ImageNetLT(data_root=root, split=split, metainfo=dict(classes=classes))
    assert len(ds) == count and ds.test_mode


def test_missing_list(tmp_path):
    with pytest.raises(FileNotFoundError, match='ImageNet_LT_train.txt.*OLTR'):
        ImageNetLT(data_root=str(tmp_path), split='train')


def test_missing_images_reported_with_first_paths(tree, tmp_path):
    root, classes = tree
    lines = [f'train/n99999999/missing_{i}.JPEG 0' for i in range(40)]
    (tmp_path / 'list.txt').write_text('\n'.join(lines) + '\n')
    with pytest.raises(FileNotFoundError) as err:
        ImageNetLT(data_root=root, ann_file=str(tmp_path / 'list.txt'),
                   metainfo=dict(classes=classes))
    message = str(err.value)
    assert '40 of 40 images' in message and 'missing_0.JPEG' in message
    assert 'missing_39.JPEG' not in message  # the first few, not all of them


def test_label_out_of_range(tree, tmp_path):
    root, classes = tree
    good = open(os.path.join(root, 'ImageNet_LT_val.txt')).read().splitlines()
    (tmp_path / 'list.txt').write_text('\n'.join(good[:2] + [good[2].rsplit(' ', 1)[0] + ' 7']))
    with pytest.raises(ValueError, match=r'label outside \[0, 5\).*\(3, 7\)'):
        ImageNetLT(data_root=root, ann_file=str(tmp_path / 'list.txt'),
                   metainfo=dict(classes=classes))


def test_bad_split():
    with pytest.raises(ValueError, match="split must be one of"):
        ImageNetLT(split='training')


def test_a_windows_edited_list_reads_like_the_original(tree, tmp_path):
    root, classes = tree
    text = open(os.path.join(root, 'ImageNet_LT_val.txt')).read()
    edited = tmp_path / 'edited.txt'
    edited.write_bytes(('\ufeff' + text.replace(' ', '\t').replace('\n', '\r\n') + '\r\n')
                       .encode('utf-8'))
    kwargs = dict(data_root=root, split='val', metainfo=dict(classes=classes))
    plain, variant = ImageNetLT(**kwargs), ImageNetLT(ann_file=str(edited), **kwargs)
    assert [plain.get_data_info(i)['img_path'] for i in range(len(plain))] == [
        variant.get_data_info(i)['img_path'] for i in range(len(variant))]
    assert plain.get_gt_labels().tolist() == variant.get_gt_labels().tolist()


def test_a_list_line_without_label_names_file_and_line(tree, tmp_path):
    root, classes = tree
    good = open(os.path.join(root, 'ImageNet_LT_val.txt')).read().splitlines()
    bad = tmp_path / 'list.txt'
    bad.write_text('\n'.join(good[:3] + [good[3].rsplit(' ', 1)[0]]) + '\n')
    with pytest.raises(ValueError, match=r"ImageNet-LT val list '.*list.txt': 1 line\(s\) "
                                         r"are not \"relative/path label\".*line 4: "
                                         r"'train/n01491361/n01491361_val.JPEG' \(no label"):
        ImageNetLT(data_root=root, split='val', ann_file=str(bad),
                   metainfo=dict(classes=classes))
