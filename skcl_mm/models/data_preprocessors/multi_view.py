"""MultiViewClsDataPreprocessor: V views of B samples become one (V*B, C, H, W) batch."""
from typing import List, Sequence

import torch
import torch.nn.functional as F

from mmpretrain.models.utils.data_preprocessor import ClsDataPreprocessor
from mmpretrain.registry import MODELS


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


@MODELS.register_module()
class MultiViewClsDataPreprocessor(ClsDataPreprocessor):
    """ClsDataPreprocessor that also takes the views of a ``MultiView`` pipeline.

    Single-view input (a (B, C, H, W) tensor or a list of (C, H, W) tensors)
    goes through :class:`ClsDataPreprocessor` unchanged. Multi-view input
    (each sample's ``inputs`` a list of V (C, H, W) tensors, collated by
    mmengine into a list over V, see :func:`split_views`) gets the same
    per-image processing (BGR->RGB flip when ``to_rgb``, float, mean/std,
    padding) and the views are concatenated view-major on the batch axis:
    rows ``v*B .. (v+1)*B - 1`` hold view v of samples 0..B-1. Labels are
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
        super().__init__(**kwargs)
        self.channels_last = channels_last
        self._non_blocking = non_blocking

    def forward(self, data: dict, training: bool = False) -> dict:
        """Normalise, pad and stack (see :meth:`_stack`), optionally channels_last.

        Args:
            data (dict): ``inputs`` (single- or multi-view) and optional
                ``data_samples`` (list of B DataSample).
            training (bool): Whether batch augmentations may run.

        Returns:
            dict: ``inputs`` (V*B, C, H, W) float tensor and ``data_samples``.
        """
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
            joined = torch.cat([self.cast_data(view) for view in inputs])
            return super().forward({**data, 'inputs': joined}, training)
        views = split_views(inputs)
        if len(views) == 1:
            return super().forward({**data, 'inputs': views[0]}, training)
        shapes = {tuple(img.shape) for view in views for img in view}
        if len(shapes) == 1:
            # Common case: one uint8 stack, processed by the batched branch.
            stacked = torch.stack([img for view in views for img in view])
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
        return {'inputs': torch.cat(batches), 'data_samples': data_samples}
