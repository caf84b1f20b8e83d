"""SplitListDataset: images named by a split list file, with clear errors.

A split list holds one ``relative/path label`` per line (ImageNet-LT,
Places-LT); the paths are relative to ``data_root``. The list is parsed by
:func:`skcl_mm.datasets.image_list.parse_image_list` (errors name the line;
blank lines, tabs, CRLF and a BOM are accepted); a label outside the classes
and, with ``check_files``, a listed image that does not exist stop before any
training, naming the first few lines or paths. A subclass names its dataset,
its list files and where they come from, and may check the entries further
(:meth:`SplitListDataset.check_entries`).
"""
import os.path as osp
from typing import List

from mmpretrain.datasets import CustomDataset
from .image_list import SHOW, listed_images, parse_image_list


class SplitListDataset(CustomDataset):
    """Base of the datasets read from ``{LIST_PATTERN}`` split lists.

    Subclasses set ``METAINFO`` (the classes), ``DATASET_NAME`` (named in
    messages), ``LIST_PATTERN`` (e.g. ``'Places_LT_{split}.txt'``),
    ``LISTS_HELP`` (where the lists come from) and ``ROOT_HELP`` (what
    ``data_root`` holds).

    Args:
        data_root (str): The folder the listed paths are relative to.
        split (str): ``'train'``, ``'val'`` or ``'test'``; picks the list
            ``LIST_PATTERN.format(split=split)`` unless ``ann_file`` is given.
        ann_file (str): The list file, relative to ``data_root`` or absolute.
        check_files (bool): Check before training that every listed image
            exists (the first few missing paths are reported). Defaults to True.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.CustomDataset`
            (``pipeline``, ``metainfo``, ``data_prefix``, ...).
    """
    SPLITS = ('train', 'val', 'test')
    DATASET_NAME = ''
    LIST_PATTERN = ''
    LISTS_HELP = ''
    ROOT_HELP = ''

    def __init__(self, data_root: str = '', split: str = 'train', ann_file: str = '',
                 check_files: bool = True, **kwargs):
        if split not in self.SPLITS:
            raise ValueError(f'{type(self).__name__}: split must be one of '
                             f'{self.SPLITS}, got {split!r}.')
        self.split = split
        self.check_files = check_files
        ann_file = ann_file or self.LIST_PATTERN.format(split=split)
        path = ann_file if osp.isabs(ann_file) else osp.join(data_root, ann_file)
        if not osp.isfile(path):
            raise FileNotFoundError(f'{self.DATASET_NAME} {split} list {path!r} '
                                    f'does not exist. {self.LISTS_HELP}')
        kwargs.setdefault('test_mode', split != 'train')
        super().__init__(data_root=data_root, ann_file=ann_file, with_label=True,
                         **kwargs)

    @property
    def list_source(self) -> str:
        """How messages name the list: ``"Places-LT train list '...'"``."""
        return f'{self.DATASET_NAME} {self.split} list {self.ann_file!r}'

    def load_data_list(self) -> List[dict]:
        """Parse the list, check the labels (and the subclass's entry check)
        and, with ``check_files``, the images."""
        paths, labels, lines = parse_image_list(self.ann_file, self.list_source)
        self._check_label_range(labels, lines)
        self.check_entries(paths, labels, lines)
        return listed_images(self, paths, labels, self.ROOT_HELP)

    def check_entries(self, paths: List[str], labels: List[int], lines: List[int]):
        """Further checks of the parsed entries; raise ValueError naming the
        lines. Nothing by default.

        Args:
            paths (list[str]): The listed paths, as written.
            labels (list[int]): Their labels (within the classes).
            lines (list[int]): The line number of each.
        """

    def _check_label_range(self, labels: List[int], lines: List[int]):
        num_classes = len(self.metainfo['classes'])
        bad = [(line, label) for line, label in zip(lines, labels)
               if label >= num_classes]
        if bad:
            raise ValueError(
                f'{self.list_source}: {len(bad)} line(s) have a label outside [0, '
                f'{num_classes}) (the dataset has {num_classes} classes), e.g. '
                f'(line, label) {bad[:SHOW]}. Check the list against the class '
                'list (metainfo classes).')
