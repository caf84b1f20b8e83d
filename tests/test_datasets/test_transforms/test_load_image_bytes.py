"""Tests for skcl_mm.datasets.transforms.load_image_bytes."""
import pytest
import torch
from mmengine.dataset import pseudo_collate

import skcl_mm  # noqa: F401  (registers the transform)
from mmpretrain.registry import TRANSFORMS
from skcl_mm.datasets.transforms import LoadImageBytes
from tests.fixtures.jpegs import write_jpegs


def test_reads_file_bytes_that_pack_and_collate_unchanged(tmp_path):
    paths = write_jpegs(str(tmp_path), [(24, 32), (40, 30)])
    pipeline = [TRANSFORMS.build(dict(type='LoadImageBytes')),
                TRANSFORMS.build(dict(type='PackInputs', input_key='img_bytes'))]
    samples = []
    for path in paths:
        results = dict(img_path=path, gt_label=1)
        for transform in pipeline:
            results = transform(results)
        samples.append(results)
    batch = pseudo_collate(samples)
    assert isinstance(batch['inputs'], list) and len(batch['inputs']) == 2
    for data, path, sample in zip(batch['inputs'], paths, batch['data_samples']):
        with open(path, 'rb') as f:
            expected = f.read()
        assert data.dtype == torch.uint8 and data.dim() == 1
        assert bytes(data.numpy()) == expected
        assert sample.img_path == path  # named in the preprocessor's messages
    assert batch['inputs'][0].numel() != batch['inputs'][1].numel()  # no padding


def test_empty_file_and_bad_backend_args_are_refused(tmp_path):
    empty = tmp_path / 'empty.JPEG'
    empty.write_bytes(b'')
    with pytest.raises(ValueError, match='empty.JPEG is empty'):
        LoadImageBytes()(dict(img_path=str(empty)))
    with pytest.raises(ValueError, match='backend_args must be a dict'):
        LoadImageBytes(backend_args='local')
