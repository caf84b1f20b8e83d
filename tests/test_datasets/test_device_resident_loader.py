"""skcl_mm/datasets/device_resident_loader.py: the resident batches are the
DataLoader's batches (same subset, labels, level labels, order), and the
loader's own settings stop before work when wrong."""
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from skcl_mm.datasets.device_resident_loader import DeviceResidentLoader
from tests.fixtures.log_capture import logged_messages
from tests.fixtures.resident_cifar import SKCL, on_fixture


@pytest.fixture(scope='module')
def loader_cfg(cifar100_root):
    init_default_scope('mmpretrain')  # what the Runner sets, for build_dataloader
    return dict(on_fixture(SKCL, cifar100_root, batch_size=64).train_dataloader)


def _labels_of(samples, field):
    return torch.stack([torch.as_tensor(s.get(field)).reshape(-1) for s in samples])


@pytest.mark.parametrize('drop_last', [False, True])
def test_batches_are_the_dataloader_batches(loader_cfg, drop_last):
    cfg = dict(loader_cfg, drop_last=drop_last)
    resident = DeviceResidentLoader(cfg, seed=7)
    worker = Runner.build_dataloader(cfg, seed=7)  # the dataloader path, same seed
    assert len(resident) == len(worker) == (306 // 64 if drop_last else 5)
    assert resident.dataset.metainfo['subset_fingerprint'] == \
        worker.dataset.metainfo['subset_fingerprint']
    orders = []
    for epoch in (0, 1):  # what DistSamplerSeedHook does before each epoch
        resident.sampler.set_epoch(epoch)
        worker.sampler.set_epoch(epoch)
        batches = list(zip(resident, worker, strict=True))
        assert len(batches) == len(worker)
        for mine, theirs in batches:
            labels, samples = mine['data_samples'], theirs['data_samples']
            assert torch.equal(mine['inputs'], torch.stack(theirs['inputs']))
            assert labels.sample_idx.tolist() == [s.sample_idx for s in samples]
            assert torch.equal(labels.gt_label, _labels_of(samples, 'gt_label')[:, 0])
            assert torch.equal(labels.gt_level_labels, _labels_of(samples, 'gt_level_labels'))
        orders.append(torch.cat([m['data_samples'].sample_idx for m, _ in batches]))
    assert not torch.equal(*orders)  # a new permutation each epoch


def test_an_epoch_has_the_class_and_level_counts_of_the_subset(loader_cfg):
    loader = DeviceResidentLoader(dict(loader_cfg, drop_last=False), seed=0)
    labels = [batch['data_samples'] for batch in loader]
    index = torch.cat([b.sample_idx for b in labels])
    assert sorted(index.tolist()) == list(range(306))
    meta = loader.dataset.metainfo
    fine = torch.cat([b.gt_label for b in labels])
    assert torch.bincount(fine, minlength=100).tolist() == list(meta['class_counts'])
    levels = torch.cat([b.gt_level_labels for b in labels])
    for level, counts in enumerate(meta['level_counts']):
        assert torch.bincount(levels[:, level], minlength=len(counts)).tolist() == list(counts)
    assert loader.images.dtype == torch.uint8 and loader.images.shape == (306, 3, 32, 32)


def test_sampler_seed_follows_runner_rule(loader_cfg):
    """diff_rank_seed=True: the sampler gets seed=None (rank 0 draws one), as
    in Runner.build_dataloader; else the run's seed."""
    assert DeviceResidentLoader(loader_cfg, seed=5).sampler.seed == 5
    np.random.seed(3)
    drawn = DeviceResidentLoader(loader_cfg, seed=5, diff_rank_seed=True).sampler.seed
    np.random.seed(3)
    assert drawn == Runner.build_dataloader(loader_cfg, seed=5, diff_rank_seed=True).sampler.seed


def test_worker_settings_are_ignored_with_one_log_line(loader_cfg):
    with logged_messages('resident_loader_test') as messages:
        DeviceResidentLoader(dict(loader_cfg, num_workers=4, persistent_workers=True))
    (line, ) = [m for m in messages if m.startswith('DeviceResidentLoader')]
    assert '306 images (3x32x32 uint8' in line and 'on cpu' in line
    assert 'ignored: num_workers, persistent_workers (no workers)' in line


@pytest.mark.parametrize('change, match', [
    (dict(batch_sampler=dict(type='AspectRatioBatchSampler')), r"keys \['batch_sampler'\]"),
    (dict(sampler=None), 'needs sampler'),
    (dict(batch_size=0), 'batch_size must be an int >= 1, got 0')])
def test_loader_settings_errors_name_the_fix(loader_cfg, change, match):
    cfg = {k: v for k, v in dict(loader_cfg, **change).items() if v is not None}
    with pytest.raises(ValueError, match=match):
        DeviceResidentLoader(cfg)
