"""Tests for skcl_mm.models.data_preprocessors.image_decode (on the CPU: the
same call that decodes with nvJPEG on CUDA)."""
import numpy as np
import pytest
import torch

from skcl_mm.models.data_preprocessors.image_decode import (decode_batch,
                                                            is_jpeg)
from tests.fixtures.jpegs import byte_tensor, encode, pil_rgb, textured
from tests.fixtures.log_capture import logged_messages

CPU = torch.device('cpu')


@pytest.mark.parametrize('mode', ['RGB', 'L', 'CMYK'])
def test_decode_equals_pil_exactly(mode):
    """libjpeg-turbo under torchvision, PIL and cv2 alike: bit-exact, also for
    grey and CMYK JPEGs (both in ImageNet's train set), returned as RGB."""
    files = [encode(textured(h, w, seed=h), mode=mode) for h, w in [(37, 50), (64, 23)]]
    images = decode_batch([byte_tensor(f) for f in files], CPU)
    for image, data in zip(images, files):
        assert image.dtype == torch.uint8 and image.device == CPU
        np.testing.assert_array_equal(image.permute(1, 2, 0).numpy(), pil_rgb(data))


def test_png_is_decoded_on_the_cpu_with_one_warning():
    png = encode(textured(20, 30), fmt='PNG')
    jpeg = encode(textured(20, 30, seed=1))
    assert is_jpeg(byte_tensor(jpeg)) and not is_jpeg(byte_tensor(png))
    names = ['a.JPEG', 'n02105855_2933.JPEG']
    # the messages of mmengine's current logger (its stream handler may hold
    # another stdout than the test's, so capsys does not see them everywhere)
    with logged_messages('test_png_is_decoded_on_the_cpu') as messages:
        for _ in range(2):
            images = decode_batch([byte_tensor(jpeg), byte_tensor(png)], CPU, names)
    np.testing.assert_array_equal(images[1].permute(1, 2, 0).numpy(), pil_rgb(png))
    np.testing.assert_array_equal(images[0].permute(1, 2, 0).numpy(), pil_rgb(jpeg))
    assert sum('n02105855_2933.JPEG is not a JPEG' in m for m in messages) == 1


@pytest.mark.parametrize('data', [b'\xff\xd8\xff\xe0 not really a jpeg' * 4,
                                  b'plain text, not an image'])
def test_undecodable_file_is_named_with_the_fix(data):
    good = byte_tensor(encode(textured(8, 8)))
    with pytest.raises(ValueError, match=r'cannot decode bad\.JPEG .*Convert it to JPEG'):
        decode_batch([good, byte_tensor(data)], CPU, ['good.JPEG', 'bad.JPEG'])


def test_decoded_images_instead_of_bytes_are_refused():
    """A LoadImageFromFile pipeline (decoded (3, H, W) images) or a MultiView
    one (lists of views) with this preprocessor: named, with the fix."""
    with pytest.raises(ValueError, match=r'got \(3, 8, 8\) torch.uint8 for x.JPEG.*'
                                         "LoadImageBytes"):
        decode_batch([torch.zeros(3, 8, 8, dtype=torch.uint8)], CPU, ['x.JPEG'])
    with pytest.raises(ValueError, match='got list for sample 0.*MultiView'):
        decode_batch([[torch.zeros(3, 8, 8, dtype=torch.uint8)]], CPU)
    with pytest.raises(ValueError, match='needs a list of B 1-D uint8 tensors, got Tensor'):
        decode_batch(torch.zeros(2, 3, 8, 8), CPU)
