import numpy as np
import pytest

from skcl_mm.datasets import LongTailHierarchyDataset, SklearnDigits


def test_split_is_disjoint_and_per_class():
    train = SklearnDigits(split='train')
    test = SklearnDigits(split='test', test_per_class=50)
    assert len(train) + len(test) == 1797
    assert np.bincount(test.get_gt_labels()).tolist() == [50] * 10
    train_imgs = {train.get_data_info(i)['img'].tobytes() for i in range(len(train))}
    test_imgs = [test.get_data_info(i)['img'].tobytes() for i in range(len(test))]
    # Scans may repeat in the data, but the split itself never shares an index.
    assert sum(img in train_imgs for img in test_imgs) < 5


def test_images_are_rgb_uint8_32():
    info = SklearnDigits(split='test').get_data_info(0)
    img = info['img']
    assert img.shape == (32, 32, 3) and img.dtype == np.uint8
    assert (img[..., 0] == img[..., 2]).all() and img.max() > 200
    # nearest-neighbour enlargement: 4x4 blocks are constant
    assert (img[::4, ::4] == img[3::4, 3::4]).all()


def test_long_tailed_with_shipped_hierarchy():
    ds = LongTailHierarchyDataset(
        dict(type='SklearnDigits', split='train', pipeline=[dict(type='PackInputs')]),
        imbalance_factor=10, hierarchy='digits', many_thr=60, few_thr=20)
    counts = ds.metainfo['class_counts']
    # n_max = the smallest class (124 train scans): 124 -> 12
    assert counts[0] == 124 and counts[-1] == 12
    assert counts == sorted(counts, reverse=True)
    assert ds.metainfo['level_classes'][0] == [
        'closed_loop_digits', 'straight_stroke_digits', 'open_curve_digits']
    assert ds[0]['data_samples'].gt_level_labels.tolist() == [0, 0]


def test_bad_arguments():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        SklearnDigits(split='val')
    with pytest.raises(ValueError, match='leaves none for training'):
        SklearnDigits(test_per_class=500)
