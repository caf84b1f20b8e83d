"""INat2018: the iNaturalist 2018 images with their seven-rank taxonomy.

The release (https://github.com/visipedia/inat_comp/tree/master/2018)
unpacks to ``train_val2018/<supercategory>/<category id>/<image>.jpg`` beside
the COCO-style annotation files ``train2018.json`` (437,513 images) and
``val2018.json`` (24,426: 3 per class): ``images`` (``id``, ``file_name``
relative to the root), ``annotations`` (``image_id``, ``category_id``) and
``categories`` (8,142 species with ``id``, ``name``, ``supercategory``,
``kingdom``, ``phylum``, ``class``, ``order``, ``family``, ``genus``). The
annotation files' taxonomic names are obfuscated; the release's
``categories.json`` holds the real ones, by the same ids.

The split may instead come from the lists of BCL, PaCo and RIDE
(``iNaturalist18_train.txt`` / ``_val.txt``: ``train_val2018/... <category
id>`` per line, parsed by :mod:`skcl_mm.datasets.image_list`); the taxonomy
then still comes from a JSON category list. Labels are the category ids in
increasing order (0..8141 in the release); class names and the hierarchy are
those of :mod:`skcl_mm.datasets.inat_taxonomy` (names made unique).
"""
import os.path as osp
from typing import Dict, List, Optional, Tuple

from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS
from .hierarchies import Hierarchy
from .image_list import SHOW, listed_images, parse_image_list
from .inat_taxonomy import Taxonomy, categories_of, read_json

SPLITS = ('train', 'val')
RELEASE = 'https://github.com/visipedia/inat_comp/tree/master/2018'
LAYOUT = ('data_root should hold train2018.json, val2018.json (and '
          'categories.json) beside train_val2018/<supercategory>/<id>/*.jpg, '
          f'as the release ({RELEASE}) unpacks')
LISTS_HELP = ('The lists iNaturalist18_train.txt / iNaturalist18_val.txt ("path '
              'category-id" lines) come with the code of BCL, PaCo and RIDE; put '
              'them in data_root or give an absolute ann_file')


def _under(root: str, path: str) -> str:
    return path if osp.isabs(path) else osp.join(root, path)


@DATASETS.register_module()
class INat2018(BaseDataset):
    """iNaturalist 2018, read from an annotation JSON or a ``path label`` list.

    Args:
        data_root (str): The folder holding ``train_val2018/`` and the
            annotation files.
        split (str): ``'train'`` or ``'val'``; picks ``{split}2018.json``
            unless ``ann_file`` is given.
        ann_file (str): The release's JSON or a ``.txt`` list of ``path
            label`` lines (labels are category ids), relative to
            ``data_root`` or absolute.
        categories_file (str, optional): Where the taxonomy is read: an
            annotation JSON or ``categories.json`` (the real names), relative
            to ``data_root`` or absolute. None: the ``ann_file`` when it is a
            JSON, else ``{split}2018.json`` in ``data_root``.
        check_files (bool): Check before training that every image exists
            (the first few missing paths are named). Defaults to True.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.BaseDataset`
            (``pipeline``, ``test_mode``, ...). ``metainfo`` may not set
            ``classes``: they come from the categories.
    """

    def __init__(self, data_root: str = '', split: str = 'train',
                 ann_file: str = '', categories_file: Optional[str] = None,
                 check_files: bool = True, metainfo: Optional[dict] = None,
                 **kwargs):
        if split not in SPLITS:
            raise ValueError(f'INat2018: split must be one of {SPLITS} (the '
                             f'release\'s test split is unlabelled), got {split!r}.')
        self.split, self.check_files = split, check_files
        ann_file = ann_file or f'{split}2018.json'
        ann_path = _under(data_root, ann_file)
        self._require(ann_path, f'{split} annotations (ann_file)',
                      LISTS_HELP if ann_file.endswith('.txt') else LAYOUT)
        self._content = None  # the annotation JSON, parsed once
        self.taxonomy = Taxonomy(self._categories(data_root, ann_path, categories_file))
        if metainfo and metainfo.get('classes') is not None:
            raise ValueError(
                'INat2018: metainfo classes are not accepted: the class names '
                'come from the categories (unique species names; label i is the '
                'i-th category id in increasing order); remove '
                'metainfo=dict(classes=...).')
        kwargs.setdefault('test_mode', split != 'train')
        super().__init__(ann_file=ann_file, data_root=data_root,
                         metainfo=dict(metainfo or {}, classes=self.taxonomy.classes),
                         **kwargs)

    @staticmethod
    def _require(path: str, what: str, hint: str = LAYOUT) -> None:
        if not osp.isfile(path):
            why = 'is a directory' if osp.isdir(path) else 'does not exist'
            raise FileNotFoundError(f'INat2018 {what}: {path!r} {why}. {hint}.')

    def _categories(self, data_root: str, ann_path: str,
                    categories_file: Optional[str]) -> List[dict]:
        """The checked categories, from ``categories_file`` or the JSON."""
        if categories_file:
            path = _under(data_root, categories_file)
            if osp.basename(path) == 'categories.json' and not osp.isfile(path):
                raise FileNotFoundError(
                    f'INat2018 categories_file {path!r} does not exist. It is the '
                    'un-obfuscated category list of the release (categories.json.'
                    f'tar.gz, {RELEASE}): extract it into data_root, or set '
                    'categories_file=None to use the obfuscated names of the '
                    'annotation JSON.')
        else:
            path = ann_path if ann_path.endswith('.json') else _under(
                data_root, f'{self.split}2018.json')
        self._require(path, 'categories (categories_file)')
        source = f'INat2018 categories {path!r}'
        content = read_json(path, source)
        if path == ann_path:
            self._content = content
        return categories_of(content, source)

    def label_hierarchy(self) -> Hierarchy:
        """The seven ranks, coarsest first (``hierarchy='dataset'`` of
        :class:`LongTailHierarchyDataset`)."""
        return self.taxonomy.hierarchy()

    def label_texts(self) -> Dict[str, str]:
        """Unique name -> taxonomy path text of every node (``descriptions=
        'dataset'`` of :class:`LongTailHierarchyDataset`)."""
        return self.taxonomy.texts()

    def load_data_list(self) -> List[dict]:
        """Images and labels of the JSON or list, checked before training."""
        source = f'INat2018 {self.split} annotations {self.ann_file!r}'
        if self.ann_file.endswith('.json'):
            paths, labels = self._from_json(source)
        else:
            paths, labels = self._from_list(source)
        self._content = None
        return listed_images(self, paths, labels, 'it should hold train_val2018/')

    def _from_list(self, source: str) -> Tuple[List[str], List[int]]:
        paths, cat_ids, lines = parse_image_list(self.ann_file, source)
        label_of = self.taxonomy.label_of_id()
        bad = [(line, i) for line, i in zip(lines, cat_ids) if i not in label_of]
        if bad:
            raise ValueError(
                f'{source}: {len(bad)} line(s) have a label that is no category '
                f'id of the taxonomy ({len(label_of)} categories, ids '
                f'{min(label_of)}..{max(label_of)}), e.g. (line, label) '
                f'{bad[:SHOW]}. Check the list against categories_file.')
        return paths, [label_of[i] for i in cat_ids]

    def _from_json(self, source: str) -> Tuple[List[str], List[int]]:
        content = self._content or read_json(self.ann_file, source)
        images, annotations = (content.get(key) if isinstance(content, dict) else None
                               for key in ('images', 'annotations'))
        if not isinstance(images, list) or not isinstance(annotations, list):
            raise ValueError(
                f'{source} has no "images" and "annotations" lists (keys: '
                f'{sorted(content)[:8] if isinstance(content, dict) else type(content).__name__}'
                '); give train2018.json or val2018.json (test2018.json is unlabelled).')
        category_of = _categories_by_image(annotations, source)
        label_of = self.taxonomy.label_of_id()
        paths, labels, problems = [], [], []
        for index, image in enumerate(images):
            if not isinstance(image, dict) or not isinstance(image.get('file_name'), str):
                problems.append(f'images[{index}] has no "file_name"')
                continue
            cat_id = category_of.get(image.get('id'))
            if cat_id not in label_of:
                problems.append(f'image {image.get("id")!r} ({image["file_name"]}) has '
                                + ('no annotation' if cat_id is None else
                                   f'category {cat_id!r}, not in the categories'))
                continue
            paths.append(image['file_name'])
            labels.append(label_of[cat_id])
        if problems:
            raise ValueError(f'{source}: {len(problems)} of {len(images)} images '
                             f'cannot be labelled: {"; ".join(problems[:SHOW])}'
                             f'{" ..." if len(problems) > SHOW else ""}.')
        if not paths:
            raise ValueError(f'{source} lists no images.')
        return paths, labels


def _categories_by_image(annotations: list, source: str) -> Dict[int, int]:
    """image id -> category id; an image with two categories is an error."""
    category_of, clashes = {}, []
    for index, ann in enumerate(annotations):
        if not isinstance(ann, dict) or not {'image_id', 'category_id'} <= set(ann):
            raise ValueError(f'{source}: annotations[{index}] is not an object '
                             'with "image_id" and "category_id".')
        seen = category_of.setdefault(ann['image_id'], ann['category_id'])
        if seen != ann['category_id']:
            clashes.append(f'image {ann["image_id"]!r}: {seen!r} and '
                           f'{ann["category_id"]!r}')
    if clashes:
        raise ValueError(f'{source}: {len(clashes)} images have two categories '
                         f'(one label per image), e.g. {clashes[:SHOW]}.')
    return category_of
