"""Generated CIFAR-100 files in the real pickle format, and a dataset that reads them.

For measurements that need full-size CIFAR-100 where it cannot be downloaded
(a benchmark machine without internet): random uint8 images, the real class
names, fine-to-coarse map and file layout (``cifar-100-python/{train,test,meta}``).
Importing this module registers ``GeneratedCIFAR100`` (mmpretrain's CIFAR100
without the md5 check and without downloading), so a training process reaches
it with ``custom_imports=dict(imports=['skcl_mm', 'analysis_tools.generated_cifar'])``
(``tools/train.py`` puts ``tools/`` on the import path).
"""
import os
import os.path as osp
import pickle

import numpy as np

from mmpretrain.datasets import CIFAR100
from mmpretrain.registry import DATASETS


def write_cifar100(root: str, train_per_class: int, test_per_class: int = 0,
                   seed: int = 0) -> str:
    """Write ``root/cifar-100-python/{train,test,meta}``.

    Args:
        root (str): The ``data_root`` of the dataset config.
        train_per_class (int): Training images per class (500 = the real
            50,000).
        test_per_class (int): Test images per class (100 = the real 10,000);
            0 writes no test file.
        seed (int): Images and order. Defaults to 0.

    Returns:
        str: ``root``.
    """
    from mmpretrain.datasets.categories import CIFAR100_CATEGORIES
    from skcl_mm.datasets.hierarchies import (CIFAR100_FINE_TO_COARSE,
                                              CIFAR100_SUPERCLASSES)
    rng = np.random.default_rng(seed)
    folder = osp.join(root, 'cifar-100-python')
    os.makedirs(folder, exist_ok=True)
    splits = [('train', train_per_class)]
    if test_per_class:
        splits.append(('test', test_per_class))
    for split, per_class in splits:
        fine = np.repeat(np.arange(100), per_class)
        rng.shuffle(fine)
        entry = {'filenames': [f'{split}_{i}.png' for i in range(len(fine))],
                 'batch_label': f'{split} batch', 'fine_labels': fine.tolist(),
                 'coarse_labels': [CIFAR100_FINE_TO_COARSE[f] for f in fine],
                 'data': rng.integers(0, 256, (len(fine), 3072), dtype=np.uint8)}
        with open(osp.join(folder, split), 'wb') as f:
            pickle.dump(entry, f, protocol=2)
    meta = {'fine_label_names': list(CIFAR100_CATEGORIES),
            'coarse_label_names': list(CIFAR100_SUPERCLASSES)}
    with open(osp.join(folder, 'meta'), 'wb') as f:
        pickle.dump(meta, f, protocol=2)
    return root


@DATASETS.register_module(force=True)
class GeneratedCIFAR100(CIFAR100):
    """mmpretrain's CIFAR100 on :func:`write_cifar100` files: no md5 check, no
    download, only the files of its own split needed (same arguments
    otherwise)."""
    train_list = [[name, None] for name, _ in CIFAR100.train_list]
    test_list = [[name, None] for name, _ in CIFAR100.test_list]
    meta = dict(CIFAR100.meta, md5=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **dict(kwargs, download=False))

    def _check_integrity(self) -> bool:
        files = self.train_list if self.split == 'train' else self.test_list
        folder = osp.join(self.data_prefix['root'], self.base_folder)
        return all(osp.isfile(osp.join(folder, name)) for name, _ in files)
