"""BCLLoss: the BCL baseline (Zhu et al., CVPR 2022) as a loss module."""
from typing import Dict, Optional, Sequence

from torch import Tensor

from mmpretrain.registry import MODELS
from .balanced_contrastive import bcl_loss_terms
from .gathered_contrastive import GatheredContrastiveLoss


@MODELS.register_module()
class BCLLoss(GatheredContrastiveLoss):
    """BCL's balanced contrastive loss: ``loss_weight * mean_i l_i``.

    No semantic graph: the fine-class prototypes join the balanced
    denominator as one extra sample per class, with one temperature (see
    :func:`bcl_loss_terms`). It shares the gather and the scaling with
    :class:`SKCLLoss` and reads the same prototypes from the head (the fine
    ones: the first ``level_num_classes[-1]`` rows).

    Args:
        loss_weight (float): lambda (>= 0). Defaults to 0.6 (BCL's CIFAR
            weight; 0.35 for ImageNet-LT).
        temperature (float): tau. Defaults to 0.1.
        level_num_classes (Sequence[int], optional): classes per level,
            coarsest first (the head passes its own); without it every
            prototype is taken for a fine class.
        gather_distributed (bool, optional): see :class:`SKCLLoss`.
        equal_rank_batches (bool): see :class:`SKCLLoss`.
    """
    name = 'BCLLoss'

    def __init__(self, loss_weight: float = 0.6, temperature: float = 0.1,
                 level_num_classes: Optional[Sequence[int]] = None,
                 gather_distributed: Optional[bool] = None,
                 equal_rank_batches: bool = False):
        super().__init__(loss_weight, temperature, level_num_classes,
                         gather_distributed, equal_rank_batches)

    def anchor_terms(self, anchors, labels, self_index, keys, key_labels,
                     prototypes, neighbours) -> Dict[str, Tensor]:
        """``loss_bcl``, (N,)."""
        num_fine = (prototypes.shape[0] if self.level_num_classes is None
                    else self.level_num_classes[-1])
        return dict(loss_bcl=bcl_loss_terms(
            anchors, labels, self_index, keys, key_labels,
            prototypes[:num_fine], self.temperature))
