"""ImageNetLT: ImageNet images listed by the ImageNet-LT split files (Liu et al. 2019).

The split lists ``ImageNet_LT_{train,val,test}.txt`` hold one ``relative/path
label`` per line (115,846 train images, 1,280 down to 5 per class; val: 20 per
class drawn from ImageNet train; test: 50 per class from ImageNet val, in wnid
sub-folders). Paths are relative to the ImageNet root that holds ``train/`` and
``val/``. The list is parsed by :func:`skcl_mm.datasets.image_list.parse_image_list`
(errors name the line; blank lines, tabs, CRLF and a BOM are accepted).
"""
import os.path as osp
from typing import List

from mmengine.fileio import get_file_backend

from mmpretrain.datasets import CustomDataset
from mmpretrain.datasets.categories import IMAGENET_CATEGORIES
from mmpretrain.registry import DATASETS
from .image_list import parse_image_list

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
        """Parse the list (rules: :mod:`skcl_mm.datasets.image_list`), check
        the labels against the classes and, with ``check_files``, the images."""
        source = f'ImageNet-LT {self.split} list {self.ann_file!r}'
        paths, labels, lines = parse_image_list(self.ann_file, source)
        num_classes = len(self.metainfo['classes'])
        bad = [(line, label) for line, label in zip(lines, labels)
               if label >= num_classes]
        if bad:
            raise ValueError(
                f'{source}: {len(bad)} line(s) have a label outside [0, '
                f'{num_classes}) (the dataset has {num_classes} classes), e.g. '
                f'(line, label) {bad[:5]}. Check the list against the class '
                'list (metainfo classes).')
        backend = get_file_backend(self.img_prefix, enable_singleton=True)
        data_list = [dict(img_path=backend.join_path(self.img_prefix, path),
                          gt_label=label) for path, label in zip(paths, labels)]
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
