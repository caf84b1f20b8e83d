"""Tests of the batched CIFAR AutoAugment: every op against mmpretrain/mmcv,
the sub-policy draw, probabilities and signs, and the transform contract."""
import numpy as np
import pytest
import torch

import mmpretrain.datasets  # noqa: F401  (registers the CPU ops)
from mmpretrain.registry import MODELS, TRANSFORMS
from skcl_mm.datasets.transforms.batch import auto_augment_ops as ops
from skcl_mm.datasets.transforms.batch.auto_augment import \
    BatchCifarAutoAugment
from skcl_mm.datasets.transforms.cifar_auto_augment import (CIFAR10_POLICY,
                                                            CifarAutoAugment)
from tests.test_datasets.test_transforms.test_batch.distribution_checks import \
    chi_square_uniform


def _images(n=8, seed=0):
    """Half uniform noise, half smooth random walks: (n, 32, 32, 3) uint8 RGB."""
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 256, (n // 2, 32, 32, 3), dtype=np.uint8)
    walk = np.cumsum(rng.integers(-8, 9, (n - n // 2, 32, 32, 3)), axis=2)
    smooth = np.clip(walk + rng.integers(40, 200, (n - n // 2, 1, 1, 3)), 0, 255)
    return np.concatenate([noise, smooth.astype(np.uint8)])


def _to_tensor(arrays):
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).float()


def _reference(cfg, arrays):
    """The mmpretrain op applied to each HWC uint8 RGB array, as (B, 3, H, W)."""
    op = TRANSFORMS.build(cfg)
    return _to_tensor([op.transform({'img': a.copy()})['img'] for a in arrays])


def _full(value, n=8):
    return torch.full((n, ), float(value), dtype=torch.float64)


_VERT = torch.ones(8, dtype=torch.bool)
_HORI = torch.zeros(8, dtype=torch.bool)
# (id, mmpretrain cfg, batched call, max abs diff, max fraction differing)
CASES = [
    ('invert', dict(type='Invert'), lambda x: ops.invert(x), 0, 0.),
    ('solarize', dict(type='Solarize', thr=256 * 7 / 9),
     lambda x: ops.solarize(x, _full(256 * 7 / 9)), 0, 0.),
    ('solarize0', dict(type='Solarize', thr=0.),
     lambda x: ops.solarize(x, _full(0.)), 0, 0.),
    ('posterize', dict(type='Posterize', bits=5),
     lambda x: ops.posterize(x, _full(5)), 0, 0.),
    ('posterize4', dict(type='Posterize', bits=4),
     lambda x: ops.posterize(x, _full(4)), 0, 0.),
    ('equalize', dict(type='Equalize'), lambda x: ops.equalize(x), 0, 0.),
    ('autocontrast', dict(type='AutoContrast'),
     lambda x: ops.auto_contrast(x), 0, 0.),
    ('brightness+', dict(type='Brightness', magnitude=.6),
     lambda x: ops.brightness(x, _full(1.6)), 0, 0.),
    ('brightness-', dict(type='Brightness', magnitude=-.9),
     lambda x: ops.brightness(x, _full(.1)), 0, 0.),
    ('contrast+', dict(type='Contrast', magnitude=.3),
     lambda x: ops.contrast(x, _full(1.3)), 0, 0.),
    ('contrast-', dict(type='Contrast', magnitude=-.7),
     lambda x: ops.contrast(x, _full(.3)), 0, 0.),
    ('color+', dict(type='ColorTransform', magnitude=.9),
     lambda x: ops.color(x, _full(1.9)), 0, 0.),
    ('color-', dict(type='ColorTransform', magnitude=-.3),
     lambda x: ops.color(x, _full(.7)), 0, 0.),
    ('sharpness+', dict(type='Sharpness', magnitude=.3),
     lambda x: ops.sharpness(x, _full(1.3)), 0, 0.),
    ('sharpness-', dict(type='Sharpness', magnitude=-.9),
     lambda x: ops.sharpness(x, _full(.1)), 0, 0.),
    ('rotate', dict(type='Rotate', angle=-30 * 2 / 9, pad_val=128),
     lambda x: ops.rotate(x, _full(-30 * 2 / 9)), 255, .01),
    ('rotate30', dict(type='Rotate', angle=30., pad_val=128),
     lambda x: ops.rotate(x, _full(30.)), 255, .01),
    ('translate_h', dict(type='Translate', magnitude=150 / 331, pad_val=128),
     lambda x: ops.translate(x, _full(150 / 331), _HORI), 255, .01),
    ('translate_v', dict(type='Translate', magnitude=-150 / 331 * 8 / 9,
                         direction='vertical', pad_val=128),
     lambda x: ops.translate(x, _full(-150 / 331 * 8 / 9), _VERT), 255, .01),
    ('shear_v', dict(type='Shear', magnitude=.3 * 8 / 9, direction='vertical',
                     pad_val=128),
     lambda x: ops.shear(x, _full(.3 * 8 / 9), _VERT), 1, .01),
    ('shear_h', dict(type='Shear', magnitude=-.3 * 7 / 9, pad_val=128),
     lambda x: ops.shear(x, _full(-.3 * 7 / 9), _HORI), 1, .01),
    ('shear_nearest', dict(type='Shear', magnitude=-.3 * 7 / 9, pad_val=128,
                           interpolation='nearest', direction='vertical'),
     lambda x: ops.shear(x, _full(-.3 * 7 / 9), _VERT,
                         interpolation='nearest'), 255, .02),
]


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_op_matches_mmpretrain(case):
    _, cfg, call, max_diff, max_frac = case
    cfg = dict(cfg, prob=1.)
    if 'magnitude' in cfg or 'angle' in cfg:
        cfg['random_negative_prob'] = 0.
    arrays = _images()
    x = _to_tensor(arrays)
    out = call(x)
    diff = (out - _reference(cfg, arrays)).abs()
    assert out.shape == x.shape and out.dtype == torch.float32
    assert torch.equal(out, out.round()) and out.min() >= 0 and out.max() <= 255
    assert diff.max() <= max_diff, f'max diff {diff.max()}'
    assert (diff > 0).float().mean() <= max_frac, f'{(diff > 0).float().mean()}'


def test_ops_change_images():
    """Guard against a vacuous match: the ops really transform."""
    x = _to_tensor(_images())
    for out in (ops.equalize(x), ops.rotate(x, _full(10.)),
                ops.shear(x, _full(.2), _VERT), ops.sharpness(x, _full(1.5))):
        assert (out != x).float().mean() > .1


def test_equalize_flat_channel_unchanged():
    x = torch.full((2, 3, 8, 8), 77.)
    x[1, 0, 0, 0] = 3.
    assert torch.equal(ops.equalize(x), x)
    assert torch.equal(ops.auto_contrast(x[:1]), x[:1])


def _brightness_policy(magnitudes, prob=1., neg=0.):
    return [[dict(type='Brightness', magnitude=m, prob=prob,
                  random_negative_prob=neg),
             dict(type='Invert', prob=0.)] for m in magnitudes]


def test_sub_policy_draw_is_uniform():
    """25 sub-policies brighten a grey image by 2 % steps: the output level
    tells which one was drawn; chi-square with 24 dof below its 0.999 quantile."""
    levels = [.02 * i + .005 for i in range(25)]
    transform = BatchCifarAutoAugment(_brightness_policy(levels))
    torch.manual_seed(0)
    out = transform(torch.full((2500, 3, 4, 4), 100.))
    index = ((out[:, 0, 0, 0] - 100.) / 2.).round().long()
    assert torch.equal(out[:, 0, 0, 0], 100. + 2. * index)
    chi2 = chi_square_uniform(index, 25)
    assert chi2 < 51.2, f'chi2 {chi2}, counts {torch.bincount(index).tolist()}'


def test_prob_and_sign_distribution():
    """prob .3, random_negative_prob .5: 15 % brighter, 15 % darker, 70 % same."""
    n = 4000
    transform = BatchCifarAutoAugment(_brightness_policy([.5], prob=.3, neg=.5))
    torch.manual_seed(1)
    level = transform(torch.full((n, 3, 2, 2), 100.))[:, 0, 0, 0]
    for value, expected in ((150., .15), (50., .15), (100., .7)):
        frac = (level == value).double().mean()
        se = (expected * (1 - expected) / n) ** .5
        assert abs(frac - expected) < 4 * se, f'{value}: {frac} vs {expected}'


def test_ops_in_order_and_direction_per_sample():
    arrays = _images(8, seed=3)
    x = _to_tensor(arrays)
    chain = BatchCifarAutoAugment([[dict(type='Solarize', thr=128, prob=1.),
                                    dict(type='Invert', prob=1.)]])
    ref = _reference(dict(type='Invert', prob=1.),
                     [a.copy() for a in _to_hwc(_reference(
                         dict(type='Solarize', thr=128, prob=1.), arrays))])
    assert torch.equal(chain(x), ref)
    moves = [dict(type='Translate', magnitude=.25, prob=1., direction=d,
                  random_negative_prob=0.) for d in ('horizontal', 'vertical')]
    transform = BatchCifarAutoAugment([[m, dict(type='Invert', prob=0.)]
                                       for m in moves])
    torch.manual_seed(2)
    out = transform(x)
    refs = [_reference(dict(m, pad_val=128), arrays) for m in moves]
    is_h = (out == refs[0]).flatten(1).all(1)
    is_v = (out == refs[1]).flatten(1).all(1)
    assert torch.all(is_h | is_v) and is_h.any() and is_v.any()


def test_every_policy_op_selected_per_sample():
    """One sub-policy per op of CIFAR10_POLICY (first occurrence, applied with
    its sign fixed): every output image equals the mmpretrain result of one of
    them (<= 1 grey level for bicubic Shear), and every op is drawn."""
    firsts = {}
    for sub in CIFAR10_POLICY:
        for op in sub:
            firsts.setdefault(op['type'], dict(op, prob=1.))
    singles = [dict(op, random_negative_prob=0.) if op['type'] in _SIGNED else op
               for op in firsts.values()]
    assert len(singles) == 12
    transform = BatchCifarAutoAugment([[op, dict(type='Invert', prob=0.)]
                                       for op in singles])
    arrays = _images(96, seed=9)
    x = _to_tensor(arrays)
    torch.manual_seed(5)
    out = transform(x)
    refs = torch.stack([_reference(dict(op, pad_val=128)
                                   if op['type'] in ('Rotate', 'Shear', 'Translate')
                                   else op, arrays) for op in singles])
    diff = (out.unsqueeze(0) - refs).abs().flatten(2).amax(2)  # (12, B)
    matched = diff <= 1
    assert torch.all(matched.any(0)), 'an output matches no single-op reference'
    assert torch.all(matched.any(1)), 'an op was never drawn'


_SIGNED = ('Contrast', 'Brightness', 'ColorTransform', 'Sharpness', 'Shear',
           'Translate', 'Rotate')


def _to_hwc(images):
    return list(images.permute(0, 2, 3, 1).numpy().astype(np.uint8))


def test_changed_fraction_matches_cpu_policy():
    """Fraction of images the policy changes: batched vs CifarAutoAugment on
    the same 600 images, within 4 standard errors."""
    arrays = _images(600, seed=5)
    cpu = CifarAutoAugment()
    np.random.seed(0)
    changed_cpu = np.mean([
        not np.array_equal(cpu.transform({'img': a.copy()})['img'], a)
        for a in arrays])
    torch.manual_seed(0)
    x = _to_tensor(arrays)
    out = BatchCifarAutoAugment()(x)
    changed_gpu = (out != x).flatten(1).any(1).double().mean().item()
    se = ((changed_cpu * (1 - changed_cpu) + changed_gpu * (1 - changed_gpu))
          / 600) ** .5
    assert 0.3 < changed_gpu < 0.95
    assert abs(changed_cpu - changed_gpu) < 4 * se, (changed_cpu, changed_gpu)


def test_contract():
    transform = MODELS.build(dict(type='BatchCifarAutoAugment'))
    x = _to_tensor(_images(32, seed=7))
    before = x.clone()
    torch.manual_seed(3)
    out = transform(x)
    assert torch.equal(x, before), 'input modified'
    assert out.shape == x.shape and out.dtype == torch.float32
    assert out.device == x.device and out.data_ptr() != x.data_ptr()
    assert out.min() >= 0 and out.max() <= 255 and torch.equal(out, out.round())
    torch.manual_seed(3)
    assert torch.equal(transform(x), out)
    torch.manual_seed(4)
    assert not torch.equal(transform(x), out)
    assert 'pad_val=128' in repr(transform) and '25 sub-policies' in repr(transform)
    assert len(transform.kinds) == 12


@pytest.mark.parametrize('policies, match', [
    ([[dict(type='Cutout', shape=4)]], 'supports op types'),
    ([[dict(type='Contrast', magnitude_range=(0, .9))]], 'unsupported keys'),
    ([[dict(type='Rotate', angle=3.)], [dict(type='Invert'), dict(type='Invert')]],
     'equal length'),
    ([[dict(type='Shear', magnitude=.1, interpolation='lanczos')]], 'interpolation'),
    ([[dict(type='Solarize')]], "needs a fixed 'thr'"),
])
def test_invalid_policies(policies, match):
    with pytest.raises(ValueError, match=match):
        BatchCifarAutoAugment(policies)
