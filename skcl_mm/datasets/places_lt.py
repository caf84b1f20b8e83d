"""PlacesLT: Places365 images listed by the Places-LT split files (Liu et al. 2019).

OLTR's lists ``Places_LT_{train,val,test}.txt`` hold one ``relative/path
label`` per line over Places365-Standard: 62,500 train images (4,980 down to
5 per class), val 20 per class (7,300, drawn from Places365 train), test 100
per class (36,500, Places365's val set). As released they name the folders
of Places365-Standard's "easy format" (``places365standard_easyformat.tar``
unpacks to ``places365_standard/`` with ``train/<folder>/`` and
``val/<folder>/``)::

    train/airfield/00004851.jpg 0
    train/apartment_building-outdoor/00001893.jpg 8
    val/airfield/Places365_val_00003597.jpg 0

``data_root`` is the folder the paths start from (``places365_standard/``).
Labels follow the lists, not ``categories_places365.txt`` (two swaps, see
:mod:`skcl_mm.datasets.places365_categories`); class names are
:data:`PLACES_LT_CLASSES`. Errors of the list (line-numbered), of the labels
and missing images are those of :class:`~skcl_mm.datasets.split_list.SplitListDataset`;
with ``check_folders`` a listed image in the folder of another class than its
label is an error too (a list labelled in ``categories_places365.txt`` order).
"""
from typing import List

from mmpretrain.registry import DATASETS
from .image_list import SHOW
from .places365_categories import (PLACES_LT_CATEGORIES, PLACES_LT_CLASSES,
                                   PLACES_LT_FOLDERS)
from .split_list import SplitListDataset

# Folder name (easy format 'desert-sand', or the category 'desert/sand' as in
# the nested data_256/ layout) -> Places-LT label.
FOLDER_LABELS = {**{c: i for i, c in enumerate(PLACES_LT_CATEGORIES)},
                 **{f: i for i, f in enumerate(PLACES_LT_FOLDERS)}}
LABEL_ORDER_HELP = (
    'Places-LT labels follow OLTR\'s lists: desert_road (116) comes before '
    'desert/sand (117) and desert/vegetation (118), field_road (141) before '
    'field/wild (142), unlike categories_places365.txt. Use the released lists, '
    'or set check_folders=False if your labels are meant to differ.')


def listed_folder_label(path: str) -> int:
    """The Places-LT label of the class folder ``path`` lies in, or -1 when
    its folder is not a Places365 class folder (e.g. a flat ``val_256/``)."""
    folders = path.replace('\\', '/').split('/')[:-1]
    for depth in (2, 1):  # 'desert/sand' (nested layout), then 'desert-sand'
        if len(folders) >= depth:
            label = FOLDER_LABELS.get('/'.join(folders[-depth:]))
            if label is not None:
                return label
    return -1


@DATASETS.register_module()
class PlacesLT(SplitListDataset):
    """Places-LT split of Places365-Standard, read from its list file.

    Args:
        data_root (str): The folder the listed paths start from (the easy
            format's ``places365_standard/``, holding ``train/`` and ``val/``).
        split (str): ``'train'``, ``'val'`` or ``'test'``; picks
            ``Places_LT_{split}.txt`` unless ``ann_file`` is given.
        ann_file (str): The list file, relative to ``data_root`` or absolute.
        check_files (bool): Check before training that every listed image
            exists. Defaults to True.
        check_folders (bool): With the default classes, refuse a list that
            puts an image of one class folder under another class's label.
            Defaults to True.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.CustomDataset`.
    """
    METAINFO = {'classes': PLACES_LT_CLASSES}
    DATASET_NAME = 'Places-LT'
    LIST_PATTERN = 'Places_LT_{split}.txt'
    LISTS_HELP = ('The Places-LT lists (Places_LT_train.txt, Places_LT_val.txt, '
                  'Places_LT_test.txt) come with the OLTR release (Liu et al., '
                  'CVPR 2019); put them in data_root or give ann_file=.')
    ROOT_HELP = ('it should hold train/ and val/ of Places365-Standard\'s easy '
                 'format, places365standard_easyformat.tar')

    def __init__(self, *args, check_folders: bool = True, **kwargs):
        self.check_folders = check_folders
        super().__init__(*args, **kwargs)

    def check_entries(self, paths: List[str], labels: List[int], lines: List[int]):
        """Refuse images whose class folder is another class than their label
        (only with ``check_folders`` and the default classes)."""
        if not self.check_folders or tuple(self.metainfo['classes']) != PLACES_LT_CLASSES:
            return
        bad = []
        for path, label, line in zip(paths, labels, lines):
            folder = listed_folder_label(path)
            if folder not in (-1, label):
                bad.append(f'line {line}: {path!r} has label {label} '
                           f'({PLACES_LT_CLASSES[label]}), its folder is label '
                           f'{folder} ({PLACES_LT_CLASSES[folder]})')
        if bad:
            raise ValueError(
                f'{self.list_source}: {len(bad)} image(s) lie in the folder of '
                f'another class than their label: ' + '; '.join(bad[:SHOW])
                + (' ...' if len(bad) > SHOW else '') + f'. {LABEL_ORDER_HELP}')
