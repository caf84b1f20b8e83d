"""Tests for skcl_mm.datasets.transforms.cifar_auto_augment."""
import mmcv
import numpy as np
import pytest
from PIL import Image

import skcl_mm  # noqa: F401  (registers CifarAutoAugment)
from mmpretrain.registry import TRANSFORMS
from skcl_mm.datasets.transforms import CIFAR10_POLICY, CifarAutoAugment

# Cubuk et al. (2019), Table 7 / DeepVoltaire's CIFAR10Policy:
# (p1, op1, magnitude index 1, p2, op2, magnitude index 2).
REFERENCE = [
    (0.1, 'invert', 7, 0.2, 'contrast', 6),
    (0.7, 'rotate', 2, 0.3, 'translateX', 9),
    (0.8, 'sharpness', 1, 0.9, 'sharpness', 3),
    (0.5, 'shearY', 8, 0.7, 'translateY', 9),
    (0.5, 'autocontrast', 8, 0.9, 'equalize', 2),
    (0.2, 'shearY', 7, 0.3, 'posterize', 7),
    (0.4, 'color', 3, 0.6, 'brightness', 7),
    (0.3, 'sharpness', 9, 0.7, 'brightness', 9),
    (0.6, 'equalize', 5, 0.5, 'equalize', 1),
    (0.6, 'contrast', 7, 0.6, 'sharpness', 5),
    (0.7, 'color', 7, 0.5, 'translateX', 8),
    (0.3, 'equalize', 7, 0.4, 'autocontrast', 8),
    (0.4, 'translateY', 3, 0.2, 'sharpness', 6),
    (0.9, 'brightness', 6, 0.2, 'color', 8),
    (0.5, 'solarize', 2, 0.0, 'invert', 3),
    (0.2, 'equalize', 0, 0.6, 'autocontrast', 0),
    (0.2, 'equalize', 8, 0.6, 'equalize', 4),
    (0.9, 'color', 9, 0.6, 'equalize', 6),
    (0.8, 'autocontrast', 4, 0.2, 'solarize', 8),
    (0.1, 'brightness', 3, 0.7, 'color', 0),
    (0.4, 'solarize', 5, 0.9, 'autocontrast', 3),
    (0.9, 'translateY', 9, 0.7, 'translateY', 9),
    (0.9, 'autocontrast', 2, 0.8, 'solarize', 3),
    (0.8, 'equalize', 8, 0.1, 'invert', 3),
    (0.7, 'translateY', 9, 0.9, 'autocontrast', 1),
]

RANGES = {
    'shearY': np.linspace(0, 0.3, 10),
    'translateX': np.linspace(0, 150 / 331, 10),
    'translateY': np.linspace(0, 150 / 331, 10),
    'rotate': np.linspace(0, 30, 10),
    'color': np.linspace(0.0, 0.9, 10),
    'posterize': np.round(np.linspace(8, 4, 10), 0).astype(int),
    'solarize': np.linspace(256, 0, 10),
    'contrast': np.linspace(0.0, 0.9, 10),
    'sharpness': np.linspace(0.0, 0.9, 10),
    'brightness': np.linspace(0.0, 0.9, 10),
}


def expected_op(prob, name, index):
    """The mmpretrain op dict one reference entry should become."""
    if name in ('invert', 'autocontrast', 'equalize'):
        op = {'invert': 'Invert', 'autocontrast': 'AutoContrast',
              'equalize': 'Equalize'}[name]
        return dict(type=op, prob=prob)
    value = RANGES[name][index]
    if name == 'rotate':
        return dict(type='Rotate', angle=-value, prob=prob,
                    random_negative_prob=0.)
    if name.startswith('translate'):
        direction = 'horizontal' if name.endswith('X') else 'vertical'
        return dict(type='Translate', magnitude=value, prob=prob,
                    direction=direction)
    if name == 'shearY':
        return dict(type='Shear', magnitude=value, prob=prob,
                    direction='vertical')
    if name == 'posterize':
        return dict(type='Posterize', bits=int(value), prob=prob)
    if name == 'solarize':
        return dict(type='Solarize', thr=value, prob=prob)
    op = {'color': 'ColorTransform', 'contrast': 'Contrast',
          'sharpness': 'Sharpness', 'brightness': 'Brightness'}[name]
    return dict(type=op, magnitude=value, prob=prob)


def assert_op_equal(got, want):
    assert got.keys() == want.keys(), (got, want)
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, abs=1e-9), (got, want)
        else:
            assert got[key] == value, (got, want)


def test_policy_matches_reference_table():
    assert len(CIFAR10_POLICY) == 25
    for sub_policy, (p1, n1, i1, p2, n2, i2) in zip(CIFAR10_POLICY, REFERENCE):
        assert len(sub_policy) == 2
        assert_op_equal(sub_policy[0], expected_op(p1, n1, i1))
        assert_op_equal(sub_policy[1], expected_op(p2, n2, i2))


def test_builds_from_registry_with_fill_128():
    t = TRANSFORMS.build(dict(type='CifarAutoAugment'))
    assert isinstance(t, CifarAutoAugment)
    assert len(t.transforms) == 25
    fills = [op.pad_val for sub in t.transforms for op in sub.transforms
             if hasattr(op, 'pad_val')]
    assert fills and all(fill == 128 for fill in fills)
    custom = CifarAutoAugment(policies=[[dict(type='Invert', prob=1.)]])
    img = np.full((4, 4, 3), 10, np.uint8)
    assert np.all(custom(dict(img=img))['img'] == 245)


def test_many_seeds_keep_shape_and_dtype():
    t = CifarAutoAugment()
    img = np.random.default_rng(0).integers(0, 256, (32, 32, 3), np.uint8)
    changed = 0
    for seed in range(200):
        np.random.seed(seed)
        out = t(dict(img=img.copy()))['img']
        assert out.shape == (32, 32, 3) and out.dtype == np.uint8
        changed += not np.array_equal(out, img)
    assert 100 < changed < 200  # some draws apply no op (e.g. p=0.1, 0.2)


def test_rotate_turns_like_pil():
    """PIL's rotate(+a) (the reference) equals mmcv's rotate by -a."""
    img = np.zeros((32, 32, 3), np.uint8)
    img[4:12, 4:28] = 255  # a horizontal bar in the top half
    angle = 30.
    pil = np.asarray(Image.fromarray(img).rotate(angle, fillcolor=(128, ) * 3))
    bar = (pil == 255).all(-1)

    def overlap(mmcv_angle):
        out = mmcv.imrotate(img, mmcv_angle, border_value=128,
                            interpolation='nearest')
        return ((out == 255).all(-1) & bar).sum() / bar.sum()

    assert overlap(-angle) > 0.95 and overlap(angle) < 0.6
