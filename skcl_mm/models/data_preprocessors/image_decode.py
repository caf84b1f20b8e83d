"""Decode a batch of encoded images on the model's device (nvJPEG on CUDA).

``LoadImageBytes`` ships each image's file bytes as a 1-D uint8 tensor;
:func:`decode_batch` turns the B byte tensors into B (3, H, W) uint8 RGB
images on ``device`` with one batched ``torchvision.io.decode_jpeg`` call
(nvJPEG on CUDA, libjpeg-turbo on the CPU, the same decoder as PIL and cv2
here). Files that are not JPEG (ImageNet's train set holds a PNG and CMYK
JPEGs under .JPEG names) are decoded one by one on the CPU
(``decode_image``: PNG, GIF, WebP) and copied to the device, with one
warning per file; a batch the device refuses is retried image by image, the
CPU taking what the device cannot. A file nothing decodes stops training
with its name.
"""
import warnings
from typing import List, Optional, Sequence

import torch
from mmengine.logging import print_log
from torch import Tensor
from torchvision.io import ImageReadMode, decode_image, decode_jpeg

# torchvision 0.29 deprecates its image codecs in favour of TorchCodec; they
# still work (and nvJPEG is only reachable through them without a new package).
_DEPRECATION = 'The image decoding and encoding capabilities of TorchVision'
_JPEG_SOI = (0xFF, 0xD8, 0xFF)
_warned = set()


def is_jpeg(data: Tensor) -> bool:
    """True when the bytes start with a JPEG start-of-image marker."""
    return data.numel() >= 3 and tuple(data[:3].tolist()) == _JPEG_SOI


def check_byte_tensors(inputs, names: Sequence[str]) -> List[Tensor]:
    """The collated ``inputs`` as B 1-D uint8 CPU tensors, or a clear error.

    Args:
        inputs (list[Tensor]): What ``pseudo_collate`` makes of the
            ``inputs`` that ``LoadImageBytes`` + ``PackInputs`` pack.
        names (Sequence[str]): The file of each sample, for messages.
    """
    fix = ("the train and test pipelines must be [dict(type='LoadImageBytes'), "
           "dict(type='PackInputs', input_key='img_bytes')] (configs/_base_/datasets/"
           'pipelines/imagenet_decode_gpu_views.py) with the default collate_fn')
    if isinstance(inputs, Tensor) or not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError('GPUDecodeDataPreprocessor decodes file bytes: it needs a list '
                         f'of B 1-D uint8 tensors, got {type(inputs).__name__}; {fix}.')
    for data, name in zip(inputs, names):
        if not isinstance(data, Tensor) or data.dim() != 1 or data.dtype != torch.uint8:
            got = (f'{tuple(data.shape)} {data.dtype}' if isinstance(data, Tensor)
                   else type(data).__name__)
            raise ValueError('GPUDecodeDataPreprocessor decodes file bytes (1-D uint8 '
                             f'tensors), got {got} for {name}: a decoded image or a '
                             f'MultiView pipeline; {fix}.')
    return list(inputs)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message=_DEPRECATION, category=DeprecationWarning)
        return fn(*args, **kwargs)


def _decode_one(data: Tensor, name: str, device: torch.device, jpeg: bool) -> Tensor:
    """One image: on the device if it is a JPEG the device takes, else the CPU."""
    if jpeg and device.type != 'cpu':
        try:
            return _quiet(decode_jpeg, data, mode=ImageReadMode.RGB, device=device)
        except RuntimeError:
            pass
    try:
        image = _quiet(decode_image, data, mode=ImageReadMode.RGB)
    except RuntimeError as error:
        raise ValueError(
            f'GPUDecodeDataPreprocessor cannot decode {name} ({error}). Convert '
            'it to JPEG (e.g. PIL: Image.open(f).convert("RGB").save(f, "JPEG", '
            'quality=95)), or train this data with the CPU views '
            '(LoadImageFromFile, e.g. configs/skcl_resnet50_imagenetlt.py).') from None
    if name not in _warned:
        _warned.add(name)
        print_log(f'{name} is not a JPEG the device decodes; decoded on the CPU.',
                  logger='current', level=30)
    return image.to(device, non_blocking=True)


def decode_batch(inputs: Sequence[Tensor], device: torch.device,
                 names: Optional[Sequence[str]] = None) -> List[Tensor]:
    """Decode B encoded images to RGB on ``device``.

    Args:
        inputs (Sequence[Tensor]): B 1-D uint8 CPU tensors of file bytes.
        device (torch.device): Where to decode (CUDA: nvJPEG, one batched call).
        names (Sequence[str], optional): The file of each, for messages.

    Returns:
        list[Tensor]: B (3, H_b, W_b) uint8 RGB images on ``device``.
    """
    names = list(names) if names is not None else [f'sample {i}' for i in range(len(inputs))]
    inputs = check_byte_tensors(inputs, names)
    jpeg = [i for i, data in enumerate(inputs) if is_jpeg(data)]
    images: List[Optional[Tensor]] = [None] * len(inputs)
    if jpeg:
        try:
            decoded = _quiet(decode_jpeg, [inputs[i] for i in jpeg],
                             mode=ImageReadMode.RGB, device=device)
            for i, image in zip(jpeg, decoded):
                images[i] = image
        except RuntimeError:  # one bad file fails the batch: find it
            pass
    for i, image in enumerate(images):
        if image is None:
            images[i] = _decode_one(inputs[i], names[i], device, i in jpeg)
    return images
