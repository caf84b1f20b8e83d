"""LongTailInferencer: real checkpoint, real config; wrong inputs are errors."""
import os.path as osp

import numpy as np
import pytest

CONFIG = 'tests/data/configs/linear_cifar10_lt.py'


@pytest.fixture(scope='module')
def inferencer(linear_cifar10_trained, cifar10_root):
    from skcl_mm.apis import LongTailInferencer
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('SKCL_TEST_CIFAR10', cifar10_root)
        yield LongTailInferencer(
            CONFIG, pretrained=osp.join(linear_cifar10_trained[0], 'trained.pth'))


def test_predicts_a_class_of_the_checkpoint(inferencer):
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    result = inferencer(image)[0]
    assert result['pred_class'] in inferencer.classes
    assert len(inferencer.classes) == 10 and inferencer.input_shape == [3, 32, 32]


@pytest.mark.parametrize('image, message', [
    (np.zeros((8, 8, 3), np.uint8), 'input 0 has 8x8 pixels after the test pipeline, '
     'the model was trained on 32x32'),
    (np.zeros((32, 32), np.uint8), 'input 0 has 1 channel.* greyscale'),
    (np.zeros((32, 32, 4), np.uint8), 'input 0 has 4 channel.* drop it'),
    (np.full((32, 32, 3), 0.5, np.float32), 'dtype float32.*multiply by 255'),
    (np.zeros((2, 32, 32, 3), np.uint8), r'array of shape \[2, 32, 32, 3\]; give one image'),
])
def test_wrong_inputs_are_errors(inferencer, image, message):
    with pytest.raises(ValueError, match=message):
        inferencer(image)


def test_checkpoint_of_another_class_count(linear_cifar10_trained, cifar10_root,
                                           monkeypatch):
    from skcl_mm.apis import LongTailInferencer
    from skcl_mm.engine.hooks import CheckpointMismatchError
    monkeypatch.setenv('SKCL_TEST_CIFAR10', cifar10_root)
    with pytest.raises(CheckpointMismatchError,
                       match='has 10 classes in the checkpoint and 5 in this config'):
        LongTailInferencer(CONFIG, head=dict(num_classes=5),
                           pretrained=osp.join(linear_cifar10_trained[0], 'trained.pth'))


def test_empty_checkpoint(tmp_path, cifar10_root, monkeypatch):
    from skcl_mm.apis import LongTailInferencer
    from skcl_mm.engine.checkpoint_file import CheckpointFileError
    monkeypatch.setenv('SKCL_TEST_CIFAR10', cifar10_root)
    (tmp_path / 'empty.pth').write_bytes(b'')
    with pytest.raises(CheckpointFileError, match='is empty'):
        LongTailInferencer(CONFIG, pretrained=str(tmp_path / 'empty.pth'))
