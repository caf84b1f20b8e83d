"""SklearnDigits: the handwritten digits that ship inside scikit-learn, as images.

1,797 real 8x8 grey scans of the digits 0-9 (UCI optical digits), enough to
train SKCL end to end on a laptop CPU without any download. Each scan is scaled
from 0-16 to 0-255 and enlarged to ``image_size`` (nearest neighbour) with three
equal channels, so CIFAR pipelines and backbones apply unchanged.
"""
from typing import List

import numpy as np

from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

DIGIT_NAMES = ('zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven',
               'eight', 'nine')


@DATASETS.register_module()
class SklearnDigits(BaseDataset):
    """scikit-learn's ``load_digits`` split per class into train and test.

    Args:
        split (str): ``'train'`` or ``'test'``.
        test_per_class (int): Images of every class held out for the test split
            (chosen by a local generator with ``seed``). Defaults to 50.
        image_size (int): Side of the square output images. Defaults to 32.
        seed (int): Seed of the split. Defaults to 0.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.BaseDataset`
            (``pipeline``, ``test_mode``, ...).
    """
    METAINFO = {'classes': DIGIT_NAMES}

    def __init__(self, split: str = 'train', test_per_class: int = 50,
                 image_size: int = 32, seed: int = 0, **kwargs):
        if split not in ('train', 'test'):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
        if image_size % 8:
            raise ValueError(f'image_size must be a multiple of 8, got {image_size}.')
        self.split = split
        self.test_per_class = test_per_class
        self.image_size = image_size
        self.seed = seed
        kwargs.setdefault('test_mode', split == 'test')
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self) -> List[dict]:
        from sklearn.datasets import load_digits
        digits = load_digits()
        images = (digits.images * (255.0 / 16.0)).round().astype(np.uint8)  # (N, 8, 8)
        scale = self.image_size // 8
        images = images.repeat(scale, axis=1).repeat(scale, axis=2)
        rng = np.random.default_rng(self.seed)
        data_list = []
        for cls in range(len(DIGIT_NAMES)):
            idx = rng.permutation(np.flatnonzero(digits.target == cls))
            if len(idx) <= self.test_per_class:
                raise ValueError(f'Class {cls} has {len(idx)} images; '
                                 f'test_per_class={self.test_per_class} leaves none '
                                 'for training.')
            chosen = idx[:self.test_per_class] if self.split == 'test' \
                else idx[self.test_per_class:]
            for i in np.sort(chosen):
                img = np.repeat(images[i][:, :, None], 3, axis=2)  # (H, W, 3) RGB
                data_list.append({'img': np.ascontiguousarray(img),
                                  'gt_label': cls})
        return data_list
