"""BatchCifarAutoAugment: the CIFAR-10 AutoAugment policy on a batch of images.

Mirrors :class:`skcl_mm.datasets.transforms.CifarAutoAugment` (mmpretrain
``AutoAugment`` with ``CIFAR10_POLICY`` and ``hparams=dict(pad_val=128)``):
every image draws one sub-policy uniformly, then applies its ops in order,
each with its own ``prob`` and, for ops with ``random_negative_prob``, a
random sign. The ops are the batched mirrors of
:mod:`.auto_augment_ops` (exactness per op documented there).

Vectorised: the policy becomes (S, K) tables (op kind, prob, value,
negative prob, vertical) at construction; per call each slot k runs every op
kind present in slot k once on the whole batch and keeps it where the
sample's op is that kind and its coin says apply (``torch.where``). No loop
over samples, no host sync.
"""
from typing import List, Optional, Sequence, Union

import torch
from torch import Tensor

from mmpretrain.registry import MODELS
from skcl_mm.datasets.transforms.cifar_auto_augment import CIFAR10_POLICY
from .common import constant
from .op_dispatch import apply_op

# type -> (key of its fixed value or None, mmpretrain's default
# random_negative_prob; 0 where the op has no sign). Enhance ops get
# factor 1 + value.
_OPS = {
    'Invert': (None, 0.), 'AutoContrast': (None, 0.), 'Equalize': (None, 0.),
    'Solarize': ('thr', 0.), 'Posterize': ('bits', 0.),
    'Contrast': ('magnitude', .5), 'Brightness': ('magnitude', .5),
    'ColorTransform': ('magnitude', .5), 'Sharpness': ('magnitude', .5),
    'Rotate': ('angle', .5), 'Translate': ('magnitude', .5),
    'Shear': ('magnitude', .5),
}
_GEOMETRIC = {'Rotate': 'nearest', 'Translate': 'nearest', 'Shear': 'bicubic'}
_COMMON_KEYS = {'type', 'prob', 'random_negative_prob'}
_TABLE_DTYPES = {'kind': torch.long, 'vertical': torch.bool}  # others float64


def _check_op(op: dict) -> None:
    """Raise a clear error for an op this batched policy cannot mirror."""
    kind = op.get('type')
    if kind not in _OPS:
        raise ValueError(f'BatchCifarAutoAugment supports op types '
                         f'{sorted(_OPS)}, got {kind!r}. Use one of those or '
                         'the CPU CifarAutoAugment.')
    allowed = set(_COMMON_KEYS)
    if _OPS[kind][0] is not None:
        allowed.add(_OPS[kind][0])
    if kind in _GEOMETRIC:
        allowed |= {'pad_val', 'interpolation'}
    if kind in ('Translate', 'Shear'):
        allowed.add('direction')
    extra = set(op) - allowed
    if extra:
        raise ValueError(f'{kind}: unsupported keys {sorted(extra)} (fixed '
                         f'values only; allowed {sorted(allowed)}), got {op}.')
    if _OPS[kind][0] is not None and op.get(_OPS[kind][0]) is None:
        raise ValueError(f'{kind} needs a fixed {_OPS[kind][0]!r}, got {op}.')
    if op.get('direction', 'horizontal') not in ('horizontal', 'vertical'):
        raise ValueError(f"{kind}: direction must be 'horizontal' or "
                         f"'vertical', got {op['direction']!r}.")
    interp = op.get('interpolation', 'nearest')
    if interp not in ('nearest', 'bilinear', 'bicubic'):
        raise ValueError(f"{kind}: interpolation must be 'nearest', "
                         f"'bilinear' or 'bicubic', got {interp!r}.")
    if not 0. <= op.get('prob', .5) <= 1.:
        raise ValueError(f'{kind}: prob must be in [0, 1], got {op}.')


def _kind_key(op: dict, pad_val) -> tuple:
    """Ops sharing a key run as one batched call (direction is per sample)."""
    kind = op['type']
    if kind not in _GEOMETRIC:
        return (kind, )
    fill = op.get('pad_val', pad_val)
    fill = tuple(fill) if isinstance(fill, Sequence) else fill
    return (kind, op.get('interpolation', _GEOMETRIC[kind]), fill)


@MODELS.register_module()
class BatchCifarAutoAugment:
    """Batched AutoAugment (default: the 25 CIFAR-10 sub-policies).

    Args:
        policies (list[list[dict]], optional): Sub-policies of mmpretrain op
            dicts with fixed magnitudes, all of the same length. Defaults to
            :data:`CIFAR10_POLICY`.
        pad_val (int | Sequence[int]): Fill of geometric ops that do not set
            their own (``AutoAugment``'s ``hparams=dict(pad_val=128)``).
            As in mmcv, Rotate with a number fills (pad_val, 0, 0).
    """

    def __init__(self, policies: Optional[List[List[dict]]] = None,
                 pad_val: Union[int, Sequence[int]] = 128):
        policies = CIFAR10_POLICY if policies is None else policies
        if not policies or len({len(sub) for sub in policies}) != 1:
            raise ValueError('policies must be a non-empty list of sub-policies '
                             'of equal length, got lengths '
                             f'{[len(sub) for sub in policies]}.')
        if isinstance(pad_val, Sequence) and len(pad_val) != 3:
            raise ValueError(f'pad_val must be a number or 3 values, got {pad_val}.')
        self.policies = policies
        self.pad_val = pad_val
        for sub in policies:
            for op in sub:
                _check_op(op)
        self.kinds = sorted({_kind_key(op, pad_val) for sub in policies
                             for op in sub}, key=str)
        self._tables = self._build_tables(policies)

    def _build_tables(self, policies) -> dict:
        """(S, K) tables as nested tuples: kind id, prob, value, negative
        prob, vertical; made into device tensors by :meth:`_tables_on`."""
        rows = {'kind': [], 'prob': [], 'value': [], 'neg': [], 'vertical': []}
        for sub in policies:
            row = {key: [] for key in rows}
            for op in sub:
                value_key, neg = _OPS[op['type']]
                row['kind'].append(self.kinds.index(_kind_key(op, self.pad_val)))
                row['prob'].append(float(op.get('prob', .5)))
                row['value'].append(float(op[value_key]) if value_key else 0.)
                row['neg'].append(float(op.get('random_negative_prob', neg))
                                  if neg else 0.)
                row['vertical'].append(op.get('direction') == 'vertical')
            for key in rows:
                rows[key].append(tuple(row[key]))
        self.slot_kinds = [sorted({kinds[k] for kinds in rows['kind']})
                           for k in range(len(policies[0]))]
        return {key: tuple(val) for key, val in rows.items()}

    def _tables_on(self, device: torch.device) -> dict:
        """The tables on ``device`` (:func:`~.common.constant`: cached in
        eager, built on the device under ``torch.compile``)."""
        return {key: constant(values, _TABLE_DTYPES.get(key, torch.float64), device)
                for key, values in self._tables.items()}

    def _apply_kind(self, images: Tensor, kind: int, value: Tensor,
                    vertical: Tensor) -> Tensor:
        """Run op kind ``kind`` on the whole batch with per-sample values."""
        name, *geo = self.kinds[kind]
        return apply_op(images, name, value, vertical, geo)

    def __call__(self, images: Tensor) -> Tensor:
        """Augment each image with one random sub-policy.

        Args:
            images (Tensor): (B, 3, H, W) float, integral values in [0, 255].

        Returns:
            Tensor: (B, 3, H, W) float32, a new tensor.
        """
        if images.dim() != 4 or images.shape[1] != 3:
            raise ValueError('Expected images of shape (B, 3, H, W), got '
                             f'{tuple(images.shape)}.')
        B, dev = images.shape[0], images.device
        tables = self._tables_on(dev)
        sub = torch.randint(len(self.policies), (B, ), device=dev)
        out = images.float()
        for k, kinds in enumerate(self.slot_kinds):
            kind = tables['kind'][sub, k]
            coins = torch.rand(2, B, device=dev, dtype=torch.float64)
            apply = coins[0] < tables['prob'][sub, k]
            negative = coins[1] < tables['neg'][sub, k]
            value = torch.where(negative, -1., 1.) * tables['value'][sub, k]
            vertical = tables['vertical'][sub, k]
            step = out
            for kind_id in kinds:
                mask = ((kind == kind_id) & apply).view(B, 1, 1, 1)
                changed = self._apply_kind(out, kind_id, value, vertical)
                step = torch.where(mask, changed, step)
            out = step
        return out.clone() if out is images else out

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(policies=<{len(self.policies)} '
                f'sub-policies>, pad_val={self.pad_val})')
