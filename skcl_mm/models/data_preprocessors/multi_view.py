"""MultiViewClsDataPreprocessor: V views of B samples become one (V*B, C, H, W) batch."""
from typing import List, Sequence

import torch
import torch.nn.functional as F

from mmpretrain.models.utils.data_preprocessor import ClsDataPreprocessor
from mmpretrain.registry import MODELS
from skcl_mm.utils.checks import (check_bool, check_int, check_number,
                                  check_number_list)
from .view_order import stack_views

NAME = 'MultiViewClsDataPreprocessor'


def split_views(inputs) -> List[List[torch.Tensor]]:
    """List the views of a collated ``MultiView`` batch, view-major.

    Both mmengine collate functions already put the view axis first:
    ``pseudo_collate`` transposes the per-sample lists into a list over V of
    sequences over B of (C, H, W) tensors; ``default_collate`` gives a list
    over V of (B, C, H, W) tensors.

    Args:
        inputs (list): Collated ``inputs`` of a multi-view batch.

    Returns:
        list[list[Tensor]]: ``views[v][b]`` is the (C, H, W) view v of sample b.

    Raises:
        ValueError: If the views do not all hold the same number of samples.
    """
    views = [list(view.unbind(0)) if isinstance(view, torch.Tensor)
             else list(view) for view in inputs]
    sizes = sorted({len(view) for view in views})
    if len(sizes) != 1:
        raise ValueError(
            f'Every view of a multi-view batch needs the same number of '
            f'samples, got {sizes}; collate MultiView output with '
            f'pseudo_collate or default_collate.')
    return views


def is_multi_view(inputs) -> bool:
    """True for collated ``MultiView`` output (see :func:`split_views`).

    A (B, C, H, W) tensor or a list of (C, H, W) tensors is single-view; a
    list of sequences or of (B, C, H, W) tensors holds views.
    """
    if isinstance(inputs, torch.Tensor) or len(inputs) == 0:
        return False
    first = inputs[0]
    return isinstance(first, (list, tuple)) or first.dim() == 4


def _stacked_views_of_one_shape(inputs) -> bool:
    """True for ``default_collate`` views: V (B, C, H, W) tensors, one shape."""
    return (all(isinstance(view, torch.Tensor) and view.dim() == 4
                for view in inputs)
            and len({tuple(view.shape) for view in inputs}) == 1)


def pad_to_same_size(batches: Sequence[torch.Tensor],
                     pad_value: float) -> List[torch.Tensor]:
    """Pad (N, C, H, W) tensors at the bottom/right to their largest H and W."""
    height = max(b.shape[-2] for b in batches)
    width = max(b.shape[-1] for b in batches)
    return [F.pad(b, (0, width - b.shape[-1], 0, height - b.shape[-2]),
                  'constant', pad_value) for b in batches]


def check_normalization(mean, std) -> None:
    """``mean`` and ``std`` come together, one finite value per channel, std > 0."""
    if mean is None and std is None:
        return
    if mean is None or std is None:
        given, other = ('mean', 'std') if std is None else ('std', 'mean')
        raise ValueError(f'{NAME} got {given} but no {other}: give both (one '
                         'value per channel, e.g. mean=[125.3, 123.0, 113.9], '
                         'std=[63.0, 62.1, 66.7] for CIFAR) or neither.')
    mean = check_number_list(f'{NAME} mean', mean, min_length=1,
                             fix='One value per image channel (0-255 scale).')
    check_number_list(f'{NAME} std', std, minimum=0, open_minimum=True,
                      length=len(mean), fix=f'One value > 0 per channel, as '
                      f'many as mean ({len(mean)}); 0 divides by zero.')


def check_stock_options(kwargs: dict) -> None:
    """The ClsDataPreprocessor options that mmpretrain does not check."""
    for name in ('to_rgb', 'to_onehot'):
        if name in kwargs:
            check_bool(f'{NAME} {name}', kwargs[name])
    if 'pad_size_divisor' in kwargs:
        check_int(f'{NAME} pad_size_divisor', kwargs['pad_size_divisor'],
                  minimum=1, fix='1 pads nothing.')
    if 'pad_value' in kwargs:
        check_number(f'{NAME} pad_value', kwargs['pad_value'])
    if kwargs.get('num_classes') is not None:
        check_int(f'{NAME} num_classes', kwargs['num_classes'], minimum=1)


def _channels(inputs) -> int:
    """Channels of the first image of a single- or multi-view batch."""
    first = inputs
    while isinstance(first, (list, tuple)) and len(first):
        first = first[0]
    if not isinstance(first, torch.Tensor) or first.dim() < 3:
        return -1
    return first.shape[-3]


def check_channels(inputs, num_values: int) -> None:
    """A mean/std of more than one value needs that many image channels."""
    channels = _channels(inputs)
    if num_values > 1 and channels not in (-1, num_values):
        raise ValueError(
            f'{NAME} mean/std have {num_values} values but the images have '
            f'{channels} channels; give one value per channel (or a single '
            'value for all).')


@MODELS.register_module()
class MultiViewClsDataPreprocessor(ClsDataPreprocessor):
    """ClsDataPreprocessor that also takes the views of a ``MultiView`` pipeline.

    Single-view input (a (B, C, H, W) tensor or a list of (C, H, W) tensors)
    goes through :class:`ClsDataPreprocessor` unchanged. Multi-view input
    (each sample's ``inputs`` a list of V (C, H, W) tensors, collated by
    mmengine into a list over V, see :func:`split_views`) gets the same
    per-image processing (BGR->RGB flip when ``to_rgb``, float, mean/std,
    padding) and the views are stacked view-major on the batch axis (view 0,
    the classifier view, first: :mod:`.view_order`). Labels are
    processed once per sample (B data samples, not V*B).

    Batch augmentations (Mixup, CutMix) mix samples of one batch; they are
    allowed for single-view input (V = 1 included) and rejected for V > 1.

    A ``default_collate`` batch (V tensors of shape (B, C, H, W)) is copied
    to the device view by view and joined there: no host-side copy of all
    V*B images, and with the dataloader's pinned memory the copies run
    without waiting for the GPU (``non_blocking``).

    Args:
        channels_last (bool): Return the batch in ``torch.channels_last``
            memory format (same values), the faster layout for convolutions
            on recent GPUs, especially under AMP. Defaults to False.
        non_blocking (bool): Host-to-device copies of the images do not
            wait for the GPU (mmengine's ``BaseDataPreprocessor`` option,
            which mmpretrain's ``ClsDataPreprocessor`` does not pass on).
            Safe with pinned and with pageable memory. Defaults to True.
        **kwargs: The arguments of :class:`ClsDataPreprocessor` (``mean``,
            ``std``, ``to_rgb``, ``pad_size_divisor``, ``pad_value``,
            ``to_onehot``, ``num_classes``, ``batch_augments``).
    """

    def __init__(self, channels_last: bool = False, non_blocking: bool = True,
                 **kwargs):
        check_normalization(kwargs.get('mean'), kwargs.get('std'))
        check_stock_options(kwargs)
        super().__init__(**kwargs)
        self.channels_last = check_bool('MultiViewClsDataPreprocessor '
                                        'channels_last', channels_last)
        self._non_blocking = check_bool('MultiViewClsDataPreprocessor '
                                        'non_blocking', non_blocking)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Normalise, pad and stack (see :meth:`_stack`), optionally channels_last.

        Args:
            data (dict): ``inputs`` (single- or multi-view) and optional
                ``data_samples`` (list of B DataSample).
            training (bool): Whether batch augmentations may run.

        Returns:
            dict: ``inputs`` (V*B, C, H, W) float tensor and ``data_samples``.
        """
        if self._enable_normalize:
            check_channels(data['inputs'], self.mean.shape[0])
        out = self._stack(data, training)
        if self.channels_last:
            out['inputs'] = out['inputs'].contiguous(memory_format=torch.channels_last)
        return out

    def _stack(self, data: dict, training: bool) -> dict:
        """Normalise, pad and stack; views go view-major on the batch axis.

        Args:
            data (dict): ``inputs`` (single- or multi-view, see above) and
                optional ``data_samples`` (list of B DataSample).
            training (bool): Whether batch augmentations may run.

        Returns:
            dict: ``inputs`` (V*B, C, H, W) float tensor and ``data_samples``.
        """
        inputs = data['inputs']
        if not is_multi_view(inputs):
            return super().forward(data, training)
        if len(inputs) > 1 and training and self.batch_augments is not None:
            raise ValueError(
                f'batch_augments (Mixup/CutMix) mix the samples of a single '
                f'view, but this batch has {len(inputs)} views; remove '
                f'batch_augments from the data_preprocessor or use a '
                f'single-view pipeline.')
        if _stacked_views_of_one_shape(inputs):  # default_collate
            joined = stack_views([self.cast_data(view) for view in inputs])
            return super().forward({**data, 'inputs': joined}, training)
        views = split_views(inputs)
        if len(views) == 1:
            return super().forward({**data, 'inputs': views[0]}, training)
        shapes = {tuple(img.shape) for view in views for img in view}
        if len(shapes) == 1:
            # Common case: one uint8 stack, processed by the batched branch.
            stacked = stack_views([torch.stack(view) for view in views])
            return super().forward({**data, 'inputs': stacked}, training)
        return self._forward_mixed_sizes(views, data, training)

    def _forward_mixed_sizes(self, views: List[List[torch.Tensor]],
                             data: dict, training: bool) -> dict:
        """Process each view like a pseudo-collated batch, then pad and cat."""
        batches = []
        for v, view in enumerate(views):
            # Labels are handled once, with view 0.
            samples = data.get('data_samples') if v == 0 else None
            out = super().forward({'inputs': view, 'data_samples': samples},
                                  training)
            batches.append(out['inputs'])
            if v == 0:
                data_samples = out['data_samples']
        batches = pad_to_same_size(batches, self.pad_value)
        return {'inputs': stack_views(batches), 'data_samples': data_samples}
