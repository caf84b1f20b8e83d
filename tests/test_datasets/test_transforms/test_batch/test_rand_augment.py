"""Tests for skcl_mm.datasets.transforms.batch.rand_augment."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

import skcl_mm  # noqa: F401
from mmpretrain.registry import MODELS, TRANSFORMS
from skcl_mm.datasets.transforms.batch.rand_augment import (BatchRandAugment,
                                                            solarize_add)
from tests.fixtures.jpegs import textured

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__))))))
POLICIES = Config.fromfile(osp.join(
    REPO, 'configs/_base_/datasets/pipelines/imagenet_views.py')).bcl_randaugment_policies
GEOMETRIC = ('Rotate', 'Shear', 'Translate')
BGR_FILL, RGB_FILL = [104, 116, 124], [124, 116, 104]
# Every op with its sign fixed positive, and the geometric ops also negative.
CASES = [(index, False) for index in range(len(POLICIES))] + [
    (index, True) for index, p in enumerate(POLICIES) if p['type'] in GEOMETRIC]


def _one_op(policy, negative):
    """The op always applied at a fixed level (7 of 10), sign fixed."""
    policy = dict(policy, prob=1.0)
    if policy['type'] in GEOMETRIC:
        policy['random_negative_prob'] = float(negative)
    return [policy]


def _cpu_rgb(policy, pixels):
    """mmpretrain's RandAugment on the BGR array the CPU views hold, as RGB."""
    cpu = TRANSFORMS.build(dict(type='RandAugment', policies=policy, num_policies=1,
                                magnitude_level=7, magnitude_std=0,
                                hparams=dict(pad_val=BGR_FILL, interpolation='bicubic')))
    out = cpu(dict(img=np.ascontiguousarray(pixels[..., ::-1])))['img']
    return torch.from_numpy(out[..., ::-1].astype(np.float32)).permute(2, 0, 1)


@pytest.mark.parametrize('index, negative', CASES, ids=[
    f"{POLICIES[i]['type']}-{POLICIES[i].get('direction', '')}-{'neg' if n else 'pos'}"
    for i, n in CASES])
def test_each_op_matches_mmpretrain_on_the_cpu_views_bgr_image(index, negative):
    policy = POLICIES[index]
    pixels = textured(32, 40, seed=index)
    ours = BatchRandAugment(_one_op(policy, negative), num_policies=1, magnitude_level=7,
                            magnitude_std=0, hparams=dict(pad_val=RGB_FILL,
                                                          interpolation='bicubic'))
    batch = torch.from_numpy(pixels).permute(2, 0, 1)[None].float().repeat(2, 1, 1, 1)
    out = ours(batch)
    expected = _cpu_rgb(_one_op(policy, negative), pixels)
    diff = (out - expected).abs()
    assert not torch.equal(expected, batch[0]) or policy['type'] == 'Solarize'
    if policy['type'] in GEOMETRIC:  # bicubic: cv2's fixed-point weights
        assert float(diff.max()) <= 1 and float((diff > 0).float().mean()) < 0.01
    else:
        assert float(diff.max()) == 0, policy


def test_op_set_is_the_configs_policies_through_mmpretrains_parser():
    """The gpudecode config's RandAugment = the CPU view's (imagenet_views.py):
    same ops, ranges, probabilities, signs, directions, interpolation; fill
    in RGB order."""
    cfg = Config.fromfile(osp.join(REPO, 'configs/skcl_resnet50_imagenetlt_gpudecode.py'))
    (gpu_cfg, ) = [t for t in cfg.data_preprocessor.views[0].transforms
                   if t['type'] == 'BatchRandAugment']
    cpu_cfg = [t for t in cfg.regular_view if t['type'] == 'RandAugment'][0]
    gpu = MODELS.build(copy.deepcopy(gpu_cfg))
    cpu = TRANSFORMS.build(copy.deepcopy(cpu_cfg))
    assert gpu_cfg.policies == cpu_cfg.policies == POLICIES
    for key in ('num_policies', 'magnitude_level', 'magnitude_std', 'total_level'):
        assert getattr(gpu.cpu, key) == getattr(cpu, key), key
    assert gpu_cfg.hparams.pad_val == cpu_cfg.hparams.pad_val[::-1]
    assert len(gpu.ops) == len(cpu.transforms) == 15
    for ours, theirs in zip(gpu.ops, cpu.transforms):
        assert type(ours) is type(theirs)
        for key in ('prob', 'random_negative_prob', 'magnitude_range', 'direction',
                    'interpolation', 'thr'):
            assert getattr(ours, key, None) == getattr(theirs, key, None), (ours, key)


def test_solarize_add_matches_mmpretrain():
    pixels = textured(16, 16)
    op = TRANSFORMS.build(dict(type='SolarizeAdd', magnitude=77.6, prob=1.0))
    expected = op(dict(img=pixels.copy()))['img']
    images = torch.from_numpy(pixels).permute(2, 0, 1)[None].float()
    out = solarize_add(images, torch.tensor([77.6], dtype=torch.float64), 128.)
    assert torch.equal(out[0].permute(1, 2, 0), torch.from_numpy(expected).float())


def test_samples_draw_their_own_ops_and_levels():
    ours = BatchRandAugment(POLICIES, hparams=dict(pad_val=RGB_FILL))
    image = torch.from_numpy(textured(24, 24)).permute(2, 0, 1).float()
    batch = image[None].repeat(64, 1, 1, 1)
    torch.manual_seed(0)
    out = ours(batch)
    assert out.shape == batch.shape and out.dtype == torch.float32
    assert torch.equal(out, out.round()) and 0 <= float(out.min()) <= float(out.max()) <= 255
    unchanged = int((out == batch).flatten(1).all(1).sum())
    assert 5 < unchanged < 40  # (1 - p)^2 = 1/4 of 64, plus no-op draws
    assert len({row.numpy().tobytes() for row in out}) > 30


def test_unsupported_ops_are_refused():
    with pytest.raises(ValueError, match="supports the op types .* got 'Cutout'"):
        BatchRandAugment([dict(type='Cutout', shape=4)])
    with pytest.raises(ValueError, match='Rotate needs a magnitude_range'):
        BatchRandAugment([dict(type='Rotate', angle=30.)])
