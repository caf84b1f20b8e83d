"""CifarAutoAugment: the CIFAR-10 AutoAugment policy (Cubuk et al., 2019) of BCL / ConCutMix.

The 25 sub-policies of the ``CIFAR10Policy`` that BCL and ConCutMix use
(DeepVoltaire's transcription), written as mmpretrain ops. Each op there is
``(prob, name, magnitude index 0..9)`` with the index mapped linearly:
shear 0..0.3, translate 0..150/331 of the side, rotate 0..30 deg, colour /
contrast / sharpness / brightness 0..0.9 (factor 1 +- m), solarize 256..0,
posterize round(8..4) bits. Shear, translate and the enhance ops pick a
random sign (mmpretrain's default ``random_negative_prob=0.5``); rotate does
not (PIL's positive angle turns counter-clockwise, mmcv's clockwise, hence
the negative angles and ``random_negative_prob=0``). Fill value 128 comes
from ``AutoAugment``'s default ``hparams=dict(pad_val=128)``.
"""
from mmpretrain.datasets.transforms.auto_augment import AutoAugment
from mmpretrain.registry import TRANSFORMS


def _level(index: int, high: float, low: float = 0.) -> float:
    """Value of magnitude ``index`` on ``linspace(low, high, 10)``."""
    return low + (high - low) * index / 9


def _translate(prob, index, direction):
    return dict(type='Translate', magnitude=_level(index, 150 / 331),
                prob=prob, direction=direction)


def _shear_y(prob, index):
    return dict(type='Shear', magnitude=_level(index, 0.3), prob=prob,
                direction='vertical')


def _rotate(prob, index):
    return dict(type='Rotate', angle=-_level(index, 30.), prob=prob,
                random_negative_prob=0.)


def _enhance(op, prob, index):
    """Color / Contrast / Sharpness / Brightness: factor 1 +- 0.9 * index / 9."""
    return dict(type=op, magnitude=_level(index, 0.9), prob=prob)


def _solarize(prob, index):
    return dict(type='Solarize', thr=_level(index, 0., 256.), prob=prob)


def _posterize(prob, index):
    return dict(type='Posterize', bits=round(_level(index, 4., 8.)), prob=prob)


def _plain(op, prob):
    """AutoContrast / Equalize / Invert take no magnitude."""
    return dict(type=op, prob=prob)


# yapf: disable
CIFAR10_POLICY = [
    [_plain('Invert', 0.1),                    _enhance('Contrast', 0.2, 6)],
    [_rotate(0.7, 2),                          _translate(0.3, 9, 'horizontal')],
    [_enhance('Sharpness', 0.8, 1),            _enhance('Sharpness', 0.9, 3)],
    [_shear_y(0.5, 8),                         _translate(0.7, 9, 'vertical')],
    [_plain('AutoContrast', 0.5),              _plain('Equalize', 0.9)],
    [_shear_y(0.2, 7),                         _posterize(0.3, 7)],
    [_enhance('ColorTransform', 0.4, 3),       _enhance('Brightness', 0.6, 7)],
    [_enhance('Sharpness', 0.3, 9),            _enhance('Brightness', 0.7, 9)],
    [_plain('Equalize', 0.6),                  _plain('Equalize', 0.5)],
    [_enhance('Contrast', 0.6, 7),             _enhance('Sharpness', 0.6, 5)],
    [_enhance('ColorTransform', 0.7, 7),       _translate(0.5, 8, 'horizontal')],
    [_plain('Equalize', 0.3),                  _plain('AutoContrast', 0.4)],
    [_translate(0.4, 3, 'vertical'),           _enhance('Sharpness', 0.2, 6)],
    [_enhance('Brightness', 0.9, 6),           _enhance('ColorTransform', 0.2, 8)],
    [_solarize(0.5, 2),                        _plain('Invert', 0.0)],
    [_plain('Equalize', 0.2),                  _plain('AutoContrast', 0.6)],
    [_plain('Equalize', 0.2),                  _plain('Equalize', 0.6)],
    [_enhance('ColorTransform', 0.9, 9),       _plain('Equalize', 0.6)],
    [_plain('AutoContrast', 0.8),              _solarize(0.2, 8)],
    [_enhance('Brightness', 0.1, 3),           _enhance('ColorTransform', 0.7, 0)],
    [_solarize(0.4, 5),                        _plain('AutoContrast', 0.9)],
    [_translate(0.9, 9, 'vertical'),           _translate(0.7, 9, 'vertical')],
    [_plain('AutoContrast', 0.9),              _solarize(0.8, 3)],
    [_plain('Equalize', 0.8),                  _plain('Invert', 0.1)],
    [_translate(0.7, 9, 'vertical'),           _plain('AutoContrast', 0.9)],
]
# yapf: enable


@TRANSFORMS.register_module()
class CifarAutoAugment(AutoAugment):
    """AutoAugment with the CIFAR-10 policy as default (one sub-policy per call).

    Args:
        policies (list[list[dict]]): Sub-policies; defaults to
            :data:`CIFAR10_POLICY` (25 pairs of mmpretrain ops).
        hparams (dict): Defaults merged into every op that takes them.
            Defaults to ``dict(pad_val=128)`` (BCL's fill colour).
    """

    def __init__(self, policies=None, hparams=dict(pad_val=128)):
        super().__init__(
            policies=CIFAR10_POLICY if policies is None else policies,
            hparams=hparams)
