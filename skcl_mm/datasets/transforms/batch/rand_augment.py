"""BatchRandAugment: mmpretrain's RandAugment on a batch, per-sample draws.

The policies are parsed by mmpretrain's own ``RandAugment`` (the same config
dict the CPU pipeline takes: ``policies``, ``num_policies``,
``magnitude_level``, ``magnitude_std``, ``total_level``, ``hparams``), so the
op set, ranges, probabilities, random signs, pad values and interpolation are
exactly the CPU transform's; only the execution is batched. Per sample and
per slot (``num_policies`` slots): an op drawn uniformly (with replacement,
as ``np.random.choice``), a coin with the op's ``prob``, a level
``clip(N(magnitude_level, magnitude_std), 0, total_level)`` mapped linearly
onto ``magnitude_range``, and a sign flip with ``random_negative_prob``.

The ops are those of :mod:`.auto_augment_ops` (mirrors of mmcv's cv2 ops,
exactness documented there), plus :func:`solarize_add`. mmcv's grey image
reads channel 0 as blue, and the CPU ImageNet views hold BGR images when
RandAugment runs: this transform takes RGB batches (like every batch
transform), flips them to BGR around the ops, and takes ``pad_val`` in RGB.

Vectorised like :class:`.auto_augment.BatchCifarAutoAugment`: per slot every
op kind runs on the whole batch and ``torch.where`` keeps it where a
sample drew it; no loop over samples, no host synchronisation.
"""
from typing import List, Optional, Sequence, Union

import torch
from torch import Tensor

from mmpretrain.registry import MODELS
from .common import check_images, constant
from .op_dispatch import FACTOR, GEOMETRIC, PLAIN, VALUE, apply_op

SUPPORTED = sorted({*PLAIN, *VALUE, *FACTOR, *GEOMETRIC, 'SolarizeAdd'})


def solarize_add(images: Tensor, magnitude: Tensor, thr: float) -> Tensor:
    """mmpretrain ``SolarizeAdd``: ``min(img + magnitude, 255)`` where
    ``img < thr``, truncated to uint8 (``astype``). Exact.

    Args:
        images (Tensor): (B, 3, H, W) float, integral values in [0, 255].
        magnitude (Tensor): (B,) added value.
        thr (float): Pixels below it get the addition.

    Returns:
        Tensor: (B, 3, H, W) float32.
    """
    added = torch.floor((images + magnitude.view(-1, 1, 1, 1)).clamp(max=255.))
    return torch.where(images < thr, added.to(images.dtype), images)


def _rgb_to_bgr(values) -> tuple:
    """A 3-value fill in RGB order, reversed; a number stays a number."""
    return tuple(values)[::-1] if isinstance(values, Sequence) else values


def _op_kind(op) -> tuple:
    """The batched call an mmpretrain op becomes: ops sharing it run as one."""
    name = type(op).__name__
    if name in GEOMETRIC:
        return (name, op.interpolation, _rgb_to_bgr(op.pad_val))
    if name == 'SolarizeAdd':
        return (name, float(op.thr))
    return (name, )


def _check_op(op) -> None:
    name = type(op).__name__
    if name not in SUPPORTED:
        raise ValueError(f'BatchRandAugment supports the op types {SUPPORTED}, got '
                         f'{name!r}; remove it from the policies or train with the '
                         'CPU RandAugment.')
    if name not in PLAIN and op.magnitude_range is None:
        raise ValueError(f'BatchRandAugment: {name} needs a magnitude_range (fixed '
                         'magnitudes are BatchCifarAutoAugment\'s), got '
                         f'{op!r}.')


@MODELS.register_module()
class BatchRandAugment:
    """RandAugment with mmpretrain's arguments, on (B, 3, H, W) RGB batches.

    Args:
        policies (list[dict]): mmpretrain op dicts, each with a
            ``magnitude_range`` unless it has no magnitude (AutoContrast,
            Equalize, Invert). Supported types: :data:`SUPPORTED`.
        num_policies (int): Ops drawn per sample. Defaults to 2.
        magnitude_level (float): Mean level. Defaults to 10.
        magnitude_std (float | str): Std of the level (0: fixed; 'inf':
            uniform in [0, magnitude_level]). Defaults to 0.5.
        total_level (float): Level that maps to the end of a range. Defaults
            to 10.
        hparams (dict): Defaults for the ops (``pad_val`` in RGB order,
            ``interpolation``), as mmpretrain's ``hparams``. Defaults to
            None: ``dict(pad_val=128)``, mmpretrain's default.
    """

    def __init__(self, policies: List[dict], num_policies: int = 2,
                 magnitude_level: float = 10, magnitude_std: Union[float, str] = 0.5,
                 total_level: float = 10, hparams: Optional[dict] = None):
        from mmpretrain.datasets.transforms import RandAugment
        self.cpu = RandAugment(policies, num_policies, magnitude_level,
                               magnitude_std, total_level,
                               dict(hparams or dict(pad_val=128)))
        for op in self.cpu.transforms:
            _check_op(op)
        self.ops = list(self.cpu.transforms)
        self.kinds = sorted({_op_kind(op) for op in self.ops}, key=str)
        self._tables = self._build_tables()

    def _build_tables(self) -> dict:
        """(P,) per op, as tuples: kind id, prob, range start and end, negative
        prob, vertical; made into device tensors by :meth:`_tables_on`."""
        rows = [(self.kinds.index(_op_kind(op)), op.prob,
                 *(op.magnitude_range or (0., 0.)), op.random_negative_prob,
                 getattr(op, 'direction', None) == 'vertical') for op in self.ops]
        names = ('kind', 'prob', 'start', 'end', 'neg', 'vertical')
        columns = zip(*rows)
        tables = {name: tuple(float(v) for v in column) for name, column in zip(names, columns)}
        tables['kind'] = tuple(int(v) for v in tables['kind'])
        tables['vertical'] = tuple(bool(v) for v in tables['vertical'])
        return tables

    def _tables_on(self, device: torch.device) -> dict:
        """The tables on ``device`` (:func:`~.common.constant`: cached in eager,
        built on the device under ``torch.compile``, no host copy in a graph)."""
        dtypes = dict(kind=torch.long, vertical=torch.bool)
        return {key: constant(values, dtypes.get(key, torch.float64), device)
                for key, values in self._tables.items()}

    def _levels(self, shape, device: torch.device) -> Tensor:
        """Per-draw levels, as ``BaseAugTransform.random_magnitude``."""
        level, std = float(self.cpu.magnitude_level), self.cpu.magnitude_std
        if std == 'inf':
            return level * torch.rand(shape, device=device, dtype=torch.float64)
        if std > 0:
            noisy = level + std * torch.randn(shape, device=device, dtype=torch.float64)
            return noisy.clamp(0., float(self.cpu.total_level))
        return torch.full(shape, level, device=device, dtype=torch.float64)

    def _apply_kind(self, images: Tensor, kind: int, value: Tensor,
                    vertical: Tensor) -> Tensor:
        """Run op kind ``kind`` on the whole (BGR) batch with per-sample values."""
        name, *fixed = self.kinds[kind]
        if name == 'SolarizeAdd':
            return solarize_add(images, value, fixed[0])
        return apply_op(images, name, value, vertical, fixed)

    def __call__(self, images: Tensor) -> Tensor:
        """Augment each image with ``num_policies`` random ops.

        Args:
            images (Tensor): (B, 3, H, W) float RGB, integral values in [0, 255].

        Returns:
            Tensor: (B, 3, H, W) float32 RGB, a new tensor.
        """
        check_images(images)
        B, dev = images.shape[0], images.device
        tables = self._tables_on(dev)
        slots = self.cpu.num_policies
        chosen = torch.randint(len(self.ops), (B, slots), device=dev)
        start, end = tables['start'][chosen], tables['end'][chosen]
        magnitude = self._levels((B, slots), dev) / float(self.cpu.total_level) * (
            end - start) + start
        coins = torch.rand(2, B, slots, device=dev, dtype=torch.float64)
        apply = coins[0] < tables['prob'][chosen]
        value = torch.where(coins[1] < tables['neg'][chosen], -magnitude, magnitude)
        out = images.float().flip(1)  # RGB -> BGR, as the CPU ops see it
        for k in range(slots):
            kind = tables['kind'][chosen[:, k]]
            vertical = tables['vertical'][chosen[:, k]]
            step = out
            for kind_id in range(len(self.kinds)):
                mask = ((kind == kind_id) & apply[:, k]).view(B, 1, 1, 1)
                changed = self._apply_kind(out, kind_id, value[:, k], vertical)
                step = torch.where(mask, changed, step)
            out = step
        return out.flip(1)

    def __repr__(self) -> str:
        names = [type(op).__name__ for op in self.ops]
        return (f'{type(self).__name__}(num_policies={self.cpu.num_policies}, '
                f'magnitude_level={self.cpu.magnitude_level}, '
                f'magnitude_std={self.cpu.magnitude_std}, ops={names})')
