"""BatchRandomApply: a sequence of batch transforms on a random subset of the batch."""
from typing import Sequence, Union

import torch
from torch import Tensor

from mmpretrain.registry import MODELS
from .common import check_images, check_prob


@MODELS.register_module()
class BatchRandomApply:
    """Apply a sequence of batch transforms to a random subset of the batch.

    Mirrors mmcv ``RandomApply(transforms, prob)``: each sample gets the
    whole sequence with probability ``prob``, else stays as it is. The
    sequence runs on the whole batch and samples are selected with
    ``torch.where``, so the inner transforms must keep the image size.

    Args:
        transforms (list[dict | callable]): Batch-transform configs (built
            with ``MODELS.build``) or built transforms.
        prob (float): Probability in [0, 1]. Defaults to 0.5.
    """

    def __init__(self, transforms: Union[dict, Sequence[Union[dict, object]]],
                 prob: float = 0.5):
        check_prob(prob, 'prob')
        if isinstance(transforms, dict) or callable(transforms):
            transforms = [transforms]
        if len(transforms) == 0:
            raise ValueError('transforms must hold at least one batch transform, got [].')
        self.transforms = [MODELS.build(t) if isinstance(t, dict) else t for t in transforms]
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f'Expected callable batch transforms, got {type(t).__name__}.')
        self.prob = prob

    def __call__(self, images: Tensor) -> Tensor:
        """Apply to a subset of (B, 3, H, W) -> (B, 3, H, W)."""
        check_images(images)
        apply = torch.rand(images.shape[0], device=images.device) < self.prob
        out = images
        for t in self.transforms:
            out = t(out)
        if out.shape != images.shape:
            raise ValueError(f'Inner transforms changed the shape {tuple(images.shape)} -> '
                             f'{tuple(out.shape)}; BatchRandomApply needs size-keeping ones.')
        return torch.where(apply[:, None, None, None], out, images)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(transforms={self.transforms}, prob={self.prob})'
