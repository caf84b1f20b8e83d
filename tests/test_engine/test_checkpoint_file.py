"""read_checkpoint: a real checkpoint loads; every bad file is one clear message."""
import os
import os.path as osp

import pytest
import torch

from skcl_mm.engine.checkpoint_file import (CheckpointFileError,
                                            check_checkpoint_file,
                                            read_checkpoint)


class NotAllowed:
    """An object weights_only loading refuses."""


@pytest.fixture
def real_checkpoint(linear_cifar10_trained):
    return osp.join(linear_cifar10_trained[0], 'trained.pth')


def test_reads_a_training_checkpoint(real_checkpoint):
    checkpoint = read_checkpoint(real_checkpoint)
    assert checkpoint['meta']['iter'] == 2
    assert 'head.fc.weight' in checkpoint['state_dict']


def test_missing_and_directory(tmp_path):
    with pytest.raises(CheckpointFileError, match='does not exist'):
        read_checkpoint(str(tmp_path / 'nope.pth'))
    with pytest.raises(CheckpointFileError, match='is a directory; give a .pth file'):
        read_checkpoint(str(tmp_path))


def test_zero_bytes(tmp_path):
    path = tmp_path / 'epoch_3.pth'
    path.write_bytes(b'')
    with pytest.raises(CheckpointFileError, match=r'is empty \(0 bytes\).*previous checkpoint'):
        read_checkpoint(str(path), '--resume checkpoint')


@pytest.mark.parametrize('keep', [0.5, 0.99])
def test_truncated(real_checkpoint, tmp_path, keep):
    data = open(real_checkpoint, 'rb').read()
    path = tmp_path / 'cut.pth'
    path.write_bytes(data[:int(len(data) * keep)])
    with pytest.raises(CheckpointFileError) as info:
        read_checkpoint(str(path))
    message = str(info.value)
    assert 'cut off or corrupt' in message and 'cut.pth' in message
    assert f'{int(len(data) * keep):,} bytes' in message


def test_not_a_checkpoint(tmp_path):
    path = tmp_path / 'notes.pth'
    path.write_text('these are my notes')
    with pytest.raises(CheckpointFileError, match='not a readable PyTorch checkpoint'):
        read_checkpoint(str(path))
    tensor = tmp_path / 'tensor.pth'
    torch.save(torch.ones(2), str(tensor))
    with pytest.raises(CheckpointFileError, match='holds a Tensor, not a checkpoint dict'):
        read_checkpoint(str(tensor))


def test_object_refused_by_weights_only(tmp_path):
    path = tmp_path / 'pickled.pth'
    torch.save({'state_dict': {}, 'extra': NotAllowed()}, str(path))
    with pytest.raises(CheckpointFileError) as info:
        read_checkpoint(str(path))
    message = str(info.value)
    assert 'NotAllowed' in message and 'weights_only' in message
    # It must never advise turning the protection off.
    assert 'weights_only=False' not in message


@pytest.mark.skipif(os.geteuid() == 0, reason='root reads any file')
def test_unreadable(real_checkpoint, tmp_path):
    path = tmp_path / 'locked.pth'
    path.write_bytes(open(real_checkpoint, 'rb').read())
    path.chmod(0)
    with pytest.raises(CheckpointFileError, match='permission denied'):
        read_checkpoint(str(path))


def test_tool_check_exits_with_the_message(tmp_path):
    path = tmp_path / 'empty.pth'
    path.write_bytes(b'')
    with pytest.raises(SystemExit, match='error: load_from checkpoint .* is empty'):
        check_checkpoint_file(str(path), 'load_from checkpoint')
    check_checkpoint_file(None)  # nothing to load
    check_checkpoint_file('s3://bucket/ckpt.pth')  # remote: mmengine reads it
