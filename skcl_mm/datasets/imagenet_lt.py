"""ImageNetLT: ImageNet images listed by the ImageNet-LT split files (Liu et al. 2019).

The split lists ``ImageNet_LT_{train,val,test}.txt`` hold one ``relative/path
label`` per line (115,846 train images, 1,280 down to 5 per class; val: 20 per
class drawn from ImageNet train; test: 50 per class from ImageNet val, in wnid
sub-folders). Paths are relative to the ImageNet root that holds ``train/`` and
``val/``.
"""
import os.path as osp
from typing import List

from mmpretrain.datasets import CustomDataset
from mmpretrain.datasets.categories import IMAGENET_CATEGORIES
from mmpretrain.registry import DATASETS

# mmpretrain's ImageNet names, with the two classes both called "crane" told
# apart (index 134 is the bird, 517 the machine): descriptions and the
# semantic graph are keyed by class name.
IMAGENET_LT_CLASSES = tuple(
    {134: 'crane (bird)', 517: 'crane (machine)'}.get(i, name)
    for i, name in enumerate(IMAGENET_CATEGORIES))
SPLITS = ('train', 'val', 'test')
LISTS_HELP = ('The ImageNet-LT lists (ImageNet_LT_train.txt, ImageNet_LT_val.txt, '
              'ImageNet_LT_test.txt) come with the OLTR release (Liu et al., '
              'CVPR 2019); put them in the ImageNet root or give ann_file=.')


@DATASETS.register_module()
class ImageNetLT(CustomDataset):
    """ImageNet-LT split of ImageNet, read from its list file.

    Args:
        data_root (str): ImageNet root (holding ``train/`` and ``val/``).
        split (str): ``'train'``, ``'val'`` or ``'test'``; picks
            ``ImageNet_LT_{split}.txt`` unless ``ann_file`` is given.
        ann_file (str): The list file, relative to ``data_root`` or absolute.
        check_files (bool): Check before training that every listed image
            exists (the first few missing paths are reported). Defaults to True.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.CustomDataset`
            (``pipeline``, ``metainfo``, ``data_prefix``, ...).
    """
    METAINFO = {'classes': IMAGENET_LT_CLASSES}

    def __init__(self, data_root: str = '', split: str = 'train', ann_file: str = '',
                 check_files: bool = True, **kwargs):
        if split not in SPLITS:
            raise ValueError(f'split must be one of {SPLITS}, got {split!r}.')
        self.split = split
        self.check_files = check_files
        ann_file = ann_file or f'ImageNet_LT_{split}.txt'
        path = ann_file if osp.isabs(ann_file) else osp.join(data_root, ann_file)
        if not osp.isfile(path):
            raise FileNotFoundError(f'ImageNet-LT {split} list {path!r} does not '
                                    f'exist. {LISTS_HELP}')
        kwargs.setdefault('test_mode', split != 'train')
        super().__init__(data_root=data_root, ann_file=ann_file, with_label=True,
                         **kwargs)

    def load_data_list(self) -> List[dict]:
        data_list = super().load_data_list()
        num_classes = len(self.metainfo['classes'])
        bad = [(i + 1, d['gt_label']) for i, d in enumerate(data_list)
               if not 0 <= d['gt_label'] < num_classes]
        if bad:
            raise ValueError(
                f'{len(bad)} lines of {self.ann_file} have a label outside '
                f'[0, {num_classes}), e.g. (line, label) {bad[:5]}.')
        if self.check_files:
            self._check_images_exist(data_list)
        return data_list

    def _check_images_exist(self, data_list: List[dict]):
        missing = [d['img_path'] for d in data_list if not osp.isfile(d['img_path'])]
        if missing:
            raise FileNotFoundError(
                f'{len(missing)} of {len(data_list)} images listed in '
                f'{self.ann_file} do not exist, e.g. {missing[:5]}. Check '
                f'data_root ({self.data_root!r}: it should hold train/ and val/) '
                'or set check_files=False to skip this check.')
