"""SplitListDataset: a subclass names its dataset, lists and root; entries reach its check."""
import numpy as np
import pytest
from PIL import Image

from skcl_mm.datasets.split_list import SplitListDataset


class ToyLists(SplitListDataset):
    METAINFO = {'classes': ('a', 'b')}
    DATASET_NAME = 'Toy-LT'
    LIST_PATTERN = 'toy_{split}.txt'
    LISTS_HELP = 'Toy lists come with the toy release.'
    ROOT_HELP = 'it should hold images/'

    def check_entries(self, paths, labels, lines):
        self.seen = (paths, labels, lines)


@pytest.fixture
def root(tmp_path):
    (tmp_path / 'images').mkdir()
    for name in ('x.jpg', 'y.jpg'):
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / 'images' / name)
    (tmp_path / 'toy_val.txt').write_text('\nimages/x.jpg 0\r\nimages/y.jpg\t1\n')
    return tmp_path


def test_reads_the_split_list_and_hands_entries_to_the_subclass(root):
    ds = ToyLists(data_root=str(root), split='val')
    assert ds.test_mode and ds.get_gt_labels().tolist() == [0, 1]
    assert ds.seen == (['images/x.jpg', 'images/y.jpg'], [0, 1], [2, 3])
    assert ds.list_source == f"Toy-LT val list '{root / 'toy_val.txt'}'"


def test_messages_name_the_subclass_lists_and_root(root):
    with pytest.raises(FileNotFoundError, match=r"Toy-LT train list '.*toy_train.txt' does not "
                                                r'exist. Toy lists come with the toy release.'):
        ToyLists(data_root=str(root), split='train')
    (root / 'toy_train.txt').write_text('images/x.jpg 0\nimages/z.jpg 1\nimages/y.jpg 2\n')
    with pytest.raises(ValueError, match=r"Toy-LT train list .*: 1 line\(s\) have a label "
                                         r'outside \[0, 2\).*\(3, 2\)'):
        ToyLists(data_root=str(root), split='train')
    (root / 'toy_train.txt').write_text('images/x.jpg 0\nimages/z.jpg 1\n')
    with pytest.raises(FileNotFoundError, match=r"1 of 2 images .*z.jpg.*it should hold images/"):
        ToyLists(data_root=str(root), split='train')
    assert len(ToyLists(data_root=str(root), split='train', check_files=False)) == 2
