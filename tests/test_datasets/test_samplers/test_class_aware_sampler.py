"""Tests of skcl_mm/datasets/samplers/class_aware_sampler.py."""
import json
from collections import Counter

import numpy as np
import pytest
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.dataset import BaseDataset
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

import skcl_mm  # noqa: F401  (registers the sampler)
from skcl_mm.datasets.samplers import ClassAwareSampler, class_aware_stream
from tests.tools_runner import free_port

# 5 classes, 500 -> 2 images: imbalance 250.
COUNTS = [500, 100, 20, 5, 2]


class LabelList(BaseDataset):
    """A real BaseDataset whose data_list holds one ``gt_label`` per sample."""

    def __init__(self, counts, **kwargs):
        self.counts = counts
        super().__init__(ann_file='', serialize_data=False, **kwargs)

    def load_data_list(self):
        return [dict(gt_label=c, sample_idx=i)
                for i, c in enumerate(np.repeat(np.arange(len(self.counts)),
                                                self.counts).tolist())]

    def get_gt_labels(self):
        return np.array([info['gt_label'] for info in self.data_list])


class CatIdsOnly:
    """A dataset that only offers ``get_cat_ids`` (like a ConcatDataset of parts)."""

    def __init__(self, labels):
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def get_cat_ids(self, idx):
        return self.labels[idx]


def test_long_tailed_labels_become_uniform():
    dataset = LabelList(COUNTS)
    sampler = ClassAwareSampler(dataset, seed=0)
    indices = list(sampler)
    assert len(indices) == len(sampler) == sum(COUNTS) == 627
    per_class = Counter(dataset.get_gt_labels()[indices].tolist())
    # 627 draws over 5 classes in shuffled rounds: 125 or 126 each.
    assert sorted(per_class) == [0, 1, 2, 3, 4]
    assert min(per_class.values()) >= 125 and max(per_class.values()) <= 126
    # The rarest class (2 images) repeats its images evenly: 62/63 (or 63/63).
    rare = Counter(i for i in indices if i >= sum(COUNTS[:4]))
    assert max(rare.values()) - min(rare.values()) <= 1


def test_images_of_a_class_cycle_before_repeating():
    dataset = LabelList([10, 3])
    indices = list(ClassAwareSampler(dataset, seed=5))  # 13 samples: ~6-7 per class
    first_class = [i for i in indices if i < 10]
    # Class 0 has 10 images and is drawn at most 7 times: no repeats.
    assert len(first_class) == len(set(first_class))


def test_consecutive_samples_per_class():
    dataset = LabelList(COUNTS)
    labels = dataset.get_gt_labels()
    indices = list(ClassAwareSampler(dataset, num_samples_per_class=4, seed=1))
    blocks = labels[indices[:624]].reshape(-1, 4)
    assert (blocks == blocks[:, :1]).all()
    counts = Counter(blocks[:, 0].tolist())  # 156 draws over 5 classes
    assert min(counts.values()) >= 31 and max(counts.values()) <= 32


def test_deterministic_per_seed_and_epoch():
    dataset = LabelList(COUNTS)
    a = ClassAwareSampler(dataset, seed=3)
    b = ClassAwareSampler(dataset, seed=3)
    assert list(a) == list(b)
    epoch0 = list(a)
    a.set_epoch(1)
    b.set_epoch(1)
    assert list(a) == list(b) != epoch0
    a.set_epoch(0)
    assert list(a) == epoch0
    assert list(ClassAwareSampler(dataset, seed=4)) != epoch0


def test_cat_ids_dataset_and_missing_classes():
    labels = [[0]] * 6 + [[7]] * 2  # classes 1..6 have no sample
    sampler = ClassAwareSampler(CatIdsOnly(labels), seed=0)
    assert sampler.num_classes == 2
    drawn = [labels[i][0] for i in sampler]
    assert Counter(drawn) == {0: 4, 7: 4}


def test_construction_errors():
    with pytest.raises(ValueError,
                       match='num_samples_per_class must be an int >= 1, got 0'):
        ClassAwareSampler(LabelList([3]), num_samples_per_class=0, seed=0)
    with pytest.raises(ValueError, match='one label per sample; sample 1 has 2'):
        ClassAwareSampler(CatIdsOnly([[0], [0, 1]]), seed=0)
    with pytest.raises(ValueError, match='seed must be >= 0'):
        ClassAwareSampler(LabelList([3]), seed=-1)
    with pytest.raises(ValueError, match='empty dataset'):
        ClassAwareSampler(CatIdsOnly([]), seed=0)
    with pytest.raises(TypeError, match='get_gt_labels'):
        ClassAwareSampler([1, 2, 3], seed=0)


def test_stream_helper_length_not_multiple_of_block():
    rng = np.random.default_rng(0)
    stream = class_aware_stream([np.array([0, 1]), np.array([2])], 7, 3, rng)
    assert stream.shape == (7, ) and set(stream.tolist()) <= {0, 1, 2}


def _rank_worker(rank, port, path):
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=2)
    try:
        out = {}
        for round_up in (True, False):
            # seed=None: rank 0's random seed is broadcast to rank 1.
            sampler = ClassAwareSampler(LabelList([30, 7, 2]), seed=None,
                                        round_up=round_up)
            sampler.set_epoch(2)
            out[str(round_up)] = dict(
                indices=list(sampler), len=len(sampler), seed=sampler.seed,
                stream=sampler.global_stream().tolist())
        with open(f'{path}/rank{rank}.json', 'w') as f:
            json.dump(out, f)
    finally:
        dist.destroy_process_group()


def test_two_gloo_ranks_share_one_stream(tmp_path):
    mp.spawn(_rank_worker, args=(free_port(), str(tmp_path)), nprocs=2)
    ranks = [json.loads((tmp_path / f'rank{r}.json').read_text()) for r in (0, 1)]
    for round_up, size, lens in (('True', 40, (20, 20)), ('False', 39, (20, 19))):
        r0, r1 = ranks[0][round_up], ranks[1][round_up]
        assert r0['seed'] == r1['seed'] and r0['stream'] == r1['stream']
        # 39 samples: rounded up to 40 (20 + 20), or kept at 39 (20 + 19).
        assert len(r0['stream']) == size and (r0['len'], r1['len']) == lens
        # Rank 0 yields positions [0, 20), rank 1 [20, end): disjoint, and
        # together the whole global stream in order.
        assert r0['indices'] + r1['indices'] == r0['stream']
    # Without round-up the global stream is the one a single process yields.
    r0 = ranks[0]['False']
    single = ClassAwareSampler(LabelList([30, 7, 2]), seed=r0['seed'], round_up=False)
    single.set_epoch(2)
    assert list(single) == r0['stream']


def test_runner_builds_dataloader(cifar10_root):
    from tests.fixtures.cifar import \
        CIFAR10Fixture  # noqa: F401  (registers it)
    cfg = dict(
        batch_size=10, num_workers=0,
        sampler=dict(type='ClassAwareSampler'),
        dataset=dict(
            type='LongTailHierarchyDataset', imbalance_factor=4, hierarchy='cifar10',
            dataset=dict(type='CIFAR10Fixture', data_root=cifar10_root,
                         split='train', pipeline=[dict(type='PackInputs')])))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        loader = Runner.build_dataloader(cfg, seed=7)
    assert isinstance(loader.sampler, ClassAwareSampler) and loader.sampler.seed == 7
    labels = []
    for batch in loader:
        labels += [int(s.gt_label) for s in batch['data_samples']]
        assert batch['inputs'][0].shape == (3, 32, 32)
    # 105 images (20 -> 5 per class); class-aware: 10 or 11 of each class.
    assert len(labels) == 105
    counts = Counter(labels)
    assert len(counts) == 10 and min(counts.values()) >= 10 and max(counts.values()) <= 11
