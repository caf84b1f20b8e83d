"""skcl_mm/datasets/device_resident_data.py: what the resident path refuses
(a pipeline it would skip, images it cannot keep in memory), before work."""
import pytest
from mmengine.registry import init_default_scope

from mmpretrain.registry import DATASETS
from skcl_mm.datasets.device_resident_data import (check_resident_pipeline,
                                                   read_resident_samples)
from tests.fixtures.resident_cifar import SKCL, on_fixture


@pytest.fixture(scope='module')
def dataset_cfg(cifar100_root):
    init_default_scope('mmpretrain')
    return on_fixture(SKCL, cifar100_root).train_dataloader.dataset


def test_a_pipeline_beyond_pack_inputs_is_refused_by_name(dataset_cfg):
    pipeline = [dict(type='RandomCrop', crop_size=32, padding=4),
                dict(type='RandomFlip', prob=0.5), dict(type='PackInputs')]
    dataset = DATASETS.build(dict(dataset_cfg, pipeline=pipeline))
    with pytest.raises(ValueError, match=r"\['RandomCrop', 'RandomFlip'\] would be "
                       r"skipped silently.*GPUAugmentDataPreprocessor"):
        check_resident_pipeline(dataset)
    packed = DATASETS.build(dict(dataset_cfg, pipeline=[dict(
        type='PackInputs', algorithm_keys=['mask'])]))
    with pytest.raises(ValueError, match='packs .img., gt_label and gt_level_labels only'):
        check_resident_pipeline(packed)
    check_resident_pipeline(DATASETS.build(dataset_cfg))  # the config's: accepted


def test_file_datasets_are_sent_to_the_dataloader_or_gpu_decoding(tmp_path):
    from tests.fixtures.image_folder import write_image_folder
    write_image_folder(str(tmp_path))
    dataset = DATASETS.build(dict(type='CustomDataset', data_root=str(tmp_path / 'train'),
                                  pipeline=[dict(type='PackInputs')]))
    with pytest.raises(ValueError, match=r"has '.*\.png' instead of an 'img' array.*"
                       'GPU JPEG decoding path'):
        read_resident_samples(dataset)


def test_samples_of_mixed_shapes_are_refused(dataset_cfg):
    dataset = DATASETS.build(dataset_cfg)
    dataset.full_init()
    inner = dataset.dataset
    original = inner.get_data_info

    def cropped(index):
        info = original(index)
        if index == 5:
            info['img'] = info['img'][:16]
        return info
    inner.get_data_info = cropped
    with pytest.raises(ValueError, match=r'sample 5 is \(16, 32, 3\), sample 0 \(32, 32, 3\)'):
        read_resident_samples(dataset)
