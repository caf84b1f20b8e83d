"""skcl_mm/engine/runner/device_resident_loop.py: the resident configs train
with mmengine's Runner (hooks, checkpoints, resume), on one process and on two
gloo ranks through tools/dist_train.sh (each rank its DefaultSampler shard)."""
import glob
import json
import os.path as osp
import shutil

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from skcl_mm.datasets.device_resident_loader import DeviceResidentLoader
from skcl_mm.engine.runner import DeviceResidentEpochBasedTrainLoop
from tests.fixtures.resident_cifar import BCL, IMPORTS, REPO, SKCL, on_fixture
from tests.tools_runner import free_port, run_tool


def _log(runner):
    (path, ) = glob.glob(osp.join(runner.log_dir, '*.log'))
    with open(path) as f:
        return f.read()


@pytest.fixture(scope='module')
def graph_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('SKCL_MM_CACHE', str(tmp_path_factory.mktemp('graphs')))
        yield


@pytest.fixture(scope='module')
def two_epochs(cifar100_root, tmp_path_factory, graph_cache):
    """configs/skcl_resnet32_cifar100lt_resident.py, 2 epochs of 4 batches."""
    cfg = on_fixture(SKCL, cifar100_root, epochs=2)
    cfg.work_dir = str(tmp_path_factory.mktemp('resident'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def test_resident_config_trains_through_the_runner(two_epochs):
    runner = two_epochs
    assert type(runner.train_loop) is DeviceResidentEpochBasedTrainLoop
    assert isinstance(runner.train_dataloader, DeviceResidentLoader)
    assert (runner.epoch, runner.iter) == (2, 8)  # 306 images // 64, drop_last
    log = _log(runner)
    assert 'DeviceResidentLoader: 306 images (3x32x32 uint8' in log
    assert 'ignored: num_workers, persistent_workers' in log
    assert 'Epoch(train) [2][4/4]' in log and 'long_tail/top1' in log
    assert runner.model.head.has_semantic_graph and runner.model.head.has_class_counts
    assert osp.isfile(osp.join(runner.work_dir, 'epoch_2.pth'))


def test_resume_continues_with_epoch_3(two_epochs, cifar100_root, tmp_path):
    cfg = on_fixture(SKCL, cifar100_root, epochs=3)
    checkpoint = shutil.copy(osp.join(two_epochs.work_dir, 'epoch_2.pth'), tmp_path)
    cfg.update(work_dir=str(tmp_path), resume=True, load_from=checkpoint)
    runner = Runner.from_cfg(cfg)
    runner.train()
    log = _log(runner)
    assert 'resumed epoch: 2, iter: 8' in log
    assert 'Epoch(train) [3][4/4]' in log and 'Epoch(train) [1][' not in log
    assert (runner.epoch, runner.iter) == (3, 12)


def test_a_model_without_device_views_is_refused_before_training(cifar100_root, tmp_path):
    cfg = Config.fromfile(osp.join(REPO, 'configs/skcl_resnet32_cifar100lt.py'))
    resident = on_fixture(SKCL, cifar100_root)
    cfg.merge_from_dict(dict(train_dataloader=resident.train_dataloader, work_dir=str(tmp_path),
                             val_dataloader=resident.val_dataloader,
                             custom_imports=resident.custom_imports))
    cfg.train_cfg = resident.train_cfg  # the loop switch on the CPU-views config
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ValueError, match="type='GPUAugmentDataPreprocessor'.*got "
                       'MultiViewClsDataPreprocessor'):
        runner.train()
    assert not glob.glob(osp.join(str(tmp_path), "*.pth"))


def test_iteration_counting_is_refused():
    with pytest.raises(ValueError, match='by_epoch=False is not supported'):
        DeviceResidentEpochBasedTrainLoop(None, {}, max_epochs=1, by_epoch=False)


def _shard_config(path, cifar100_root):
    data = dict(type='CIFAR100Fixture', data_root=cifar100_root)
    path.write_text(f"""_base_ = {BCL!r}
custom_imports = dict(imports={IMPORTS!r}, allow_failed_imports=False)
train_dataloader = dict(batch_size=51, dataset=dict(imbalance_factor=2, dataset={data!r}))
val_dataloader = dict(dataset=dict(dataset={data!r}))
test_dataloader = val_dataloader
model = dict(backbone=dict(depth=8))
train_cfg = dict(max_epochs=2)
custom_hooks = [dict(type='SemanticGraphHook'), dict(type='ResidentBatchRecorderHook')]
""")
    return str(path)


def test_two_gloo_ranks_each_train_on_their_default_sampler_shard(cifar100_root, tmp_path):
    """tools/dist_train.sh, 2 CPU processes: per epoch the ranks' samples are
    disjoint, together the epoch's permutation (DefaultSampler: seed + epoch,
    rank r takes every 2nd index from r), with the dataset's labels."""
    config = _shard_config(tmp_path / 'bcl_resident_shards.py', cifar100_root)
    run_tool(['bash', 'tools/dist_train.sh', config, '2', '--work-dir', str(tmp_path),
              '--no-validate'], dict(PORT=str(free_port())), timeout=300)
    records = [json.loads((tmp_path / f'batches_rank{r}.json').read_text()) for r in (0, 1)]
    assert records[0]['seed'] == records[1]['seed']  # rank 0's, broadcast
    labels = _fixture_labels(cifar100_root)
    for epoch in (0, 1):
        order = torch.randperm(306, generator=torch.Generator().manual_seed(
            records[0]['seed'] + epoch)).tolist()
        shards = []
        for rank, record in enumerate(records):
            batches = record['epochs'][epoch]
            assert [len(b['index']) for b in batches] == [51, 51, 51]
            shard = [i for b in batches for i in b['index']]
            assert shard == order[rank::2]
            assert [i for b in batches for i in b['label']] == [labels[i] for i in shard]
            shards.append(set(shard))
        assert not shards[0] & shards[1] and shards[0] | shards[1] == set(range(306))


def _fixture_labels(cifar100_root):
    from mmengine.registry import init_default_scope

    from mmpretrain.registry import DATASETS
    init_default_scope('mmpretrain')
    dataset = DATASETS.build(on_fixture(BCL, cifar100_root).train_dataloader.dataset)
    return dataset.get_gt_labels().tolist()
