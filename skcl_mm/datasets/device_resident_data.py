"""What the device-resident path reads from a dataset, and what it refuses.

The resident path (:class:`~skcl_mm.datasets.device_resident_loader.DeviceResidentLoader`)
reads every sample's raw uint8 image and labels once and never runs the
dataset's pipeline. That is only the same training as the dataloader path when
the pipeline does nothing but pack (``PackInputs``) and every image is an
in-memory array of one shape (CIFAR); anything else stops here, before work.
"""
from typing import List, Optional, Tuple

import numpy as np
import torch
from torch import Tensor

PIPELINE_FIX = ("set the train pipeline to [dict(type='PackInputs')] and build the "
                'views on the device (GPUAugmentDataPreprocessor, as in '
                'configs/skcl_resnet32_cifar100lt_gpuaug.py), or train with the '
                "dataloader (drop train_cfg.type='DeviceResidentEpochBasedTrainLoop')")


def pipeline_types(dataset) -> Optional[List[str]]:
    """The transform type names of ``dataset.pipeline`` (None if it has none)."""
    transforms = getattr(getattr(dataset, 'pipeline', None), 'transforms', None)
    return None if transforms is None else [type(t).__name__ for t in transforms]


def check_resident_pipeline(dataset) -> None:
    """Raise unless the train pipeline is ``PackInputs`` of ``img`` alone.

    Args:
        dataset: The training dataset (its ``pipeline`` is a ``Compose``).

    Raises:
        ValueError: naming the transforms the resident path would skip.
    """
    types = pipeline_types(dataset)
    if types is None:
        raise ValueError(
            f'DeviceResidentEpochBasedTrainLoop: {type(dataset).__name__} has no '
            "pipeline (Compose) to check; the resident path needs one that is only "
            f'PackInputs: {PIPELINE_FIX}.')
    if types != ['PackInputs']:
        skipped = [t for t in types if t != 'PackInputs']
        raise ValueError(
            f'DeviceResidentEpochBasedTrainLoop does not run the dataset pipeline '
            f'{types}: {skipped} would be skipped silently. Fix: {PIPELINE_FIX}.')
    pack = dataset.pipeline.transforms[0]
    if getattr(pack, 'input_key', 'img') != 'img' or getattr(pack, 'algorithm_keys', ()):
        raise ValueError(
            f"DeviceResidentEpochBasedTrainLoop packs 'img', gt_label and "
            f'gt_level_labels only; the pipeline has {pack!r}. Fix: {PIPELINE_FIX}.')


def _image_of(dataset, index: int) -> np.ndarray:
    info = dataset.get_data_info(index)
    img = info.get('img')
    if not isinstance(img, np.ndarray):
        where = info.get('img_path', 'no img array')
        raise ValueError(
            f'DeviceResidentEpochBasedTrainLoop keeps in-memory images on the device, '
            f'but sample {index} of {type(dataset).__name__} has {where!r} instead of '
            "an 'img' array (a dataset that reads image files, e.g. ImageNet-LT or "
            'iNaturalist). Train it with the dataloader, or use the GPU JPEG '
            'decoding path for file datasets.')
    return img


def read_resident_samples(dataset) -> Tuple[Tensor, Tensor, Optional[Tensor]]:
    """Every sample's uint8 image and labels, read once, on the host.

    Args:
        dataset: A dataset whose data infos carry ``img`` (H, W, 3) uint8 RGB
            arrays of one shape, ``gt_label`` and optionally
            ``gt_level_labels`` (L, ) (``LongTailHierarchyDataset``).

    Returns:
        tuple: images (N, 3, H, W) uint8, gt_label (N, ) int64, and
        gt_level_labels (N, L) int64 or None.
    """
    num = len(dataset)
    if num == 0:
        raise ValueError('DeviceResidentEpochBasedTrainLoop: the training dataset is empty.')
    first = _image_of(dataset, 0)
    if first.dtype != np.uint8 or first.ndim != 3 or first.shape[2] != 3:
        raise ValueError(
            'DeviceResidentEpochBasedTrainLoop needs (H, W, 3) uint8 RGB images, '
            f'sample 0 is {first.dtype} {first.shape}; train this dataset with the '
            'dataloader.')
    images = np.empty((num, ) + first.shape, dtype=np.uint8)
    labels = np.empty(num, dtype=np.int64)
    levels = []
    for index in range(num):
        info = dataset.get_data_info(index)
        img = info.get('img')
        if not isinstance(img, np.ndarray) or img.shape != first.shape:
            raise ValueError(
                'DeviceResidentEpochBasedTrainLoop stacks images of one shape; sample '
                f'{index} is {getattr(img, "shape", type(img).__name__)}, sample 0 '
                f'{first.shape}. Resize them offline, or train with the dataloader.')
        images[index] = img
        labels[index] = int(info['gt_label'])
        if 'gt_level_labels' in info:
            levels.append(np.asarray(info['gt_level_labels'], dtype=np.int64).reshape(-1))
    if levels and len(levels) != num:
        raise ValueError(f'DeviceResidentEpochBasedTrainLoop: {len(levels)} of {num} '
                         'samples carry gt_level_labels; all or none must.')
    images = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()
    level_labels = torch.from_numpy(np.stack(levels)) if levels else None
    return images, torch.from_numpy(labels), level_labels
