"""ImageNetLT: ImageNet images listed by the ImageNet-LT split files (Liu et al. 2019).

The split lists ``ImageNet_LT_{train,val,test}.txt`` hold one ``relative/path
label`` per line (115,846 train images, 1,280 down to 5 per class; val: 20 per
class drawn from ImageNet train; test: 50 per class from ImageNet val, in wnid
sub-folders). Paths are relative to the ImageNet root that holds ``train/`` and
``val/``. The list is parsed by :func:`skcl_mm.datasets.image_list.parse_image_list`
(errors name the line; blank lines, tabs, CRLF and a BOM are accepted).
"""
from mmpretrain.datasets.categories import IMAGENET_CATEGORIES
from mmpretrain.registry import DATASETS
from .split_list import SplitListDataset

# mmpretrain's ImageNet names, with the two classes both called "crane" told
# apart (index 134 is the bird, 517 the machine): descriptions and the
# semantic graph are keyed by class name.
IMAGENET_LT_CLASSES = tuple(
    {134: 'crane (bird)', 517: 'crane (machine)'}.get(i, name)
    for i, name in enumerate(IMAGENET_CATEGORIES))


@DATASETS.register_module()
class ImageNetLT(SplitListDataset):
    """ImageNet-LT split of ImageNet, read from its list file (the list
    rules and checks of :class:`SplitListDataset`).

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
    DATASET_NAME = 'ImageNet-LT'
    LIST_PATTERN = 'ImageNet_LT_{split}.txt'
    LISTS_HELP = ('The ImageNet-LT lists (ImageNet_LT_train.txt, ImageNet_LT_val.txt, '
                  'ImageNet_LT_test.txt) come with the OLTR release (Liu et al., '
                  'CVPR 2019); put them in the ImageNet root or give ann_file=.')
    ROOT_HELP = 'it should hold train/ and val/'
