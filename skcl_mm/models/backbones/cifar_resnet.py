"""CifarResNet: the 6n+2 ResNet of He et al. (2016, Sec. 4.2) used by the LT literature.

Three stages of ``n`` BasicBlocks with 16 / 32 / 64 channels and strides 1 / 2 / 2,
a 3x3 stem without pooling, option-A shortcuts (stride-2 subsampled identity,
zero-padded on the channel axis, no parameters) and Kaiming-normal convolutions.
ResNet-32 (n = 5) has 463,504 parameters and a 64-d feature after pooling: the
backbone of LDAM-DRW, BCL, ConCutMix and SKCL for CIFAR-10/100-LT.
"""
from typing import Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.model import constant_init
from torch.nn.modules.batchnorm import _BatchNorm

from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS
from skcl_mm.utils.checks import check_bool, check_int, is_int

STAGE_CHANNELS = (16, 32, 64)
STAGE_STRIDES = (1, 2, 2)


def blocks_per_stage(depth: int) -> int:
    """Number of BasicBlocks per stage for a 6n+2 depth.

    Args:
        depth (int): Total number of weighted layers, 6n + 2 with n >= 1.

    Returns:
        int: n.

    Raises:
        ValueError: If ``depth`` is not of the form 6n + 2.
    """
    if not is_int(depth) or depth < 8 or (depth - 2) % 6 != 0:
        raise ValueError(
            f'CifarResNet depth must be 6n+2 with n >= 1 (e.g. 20, 32, 44, 56, '
            f'110), got {depth!r}; pick one of those (ResNet-32 is depth=32).')
    return (depth - 2) // 6


def check_images(x: torch.Tensor, in_channels: int) -> None:
    """Input must be a (B, in_channels, H, W) batch (shape only, no sync)."""
    if x.dim() != 4:
        raise ValueError(
            f'CifarResNet expects a (B, C, H, W) batch, got shape '
            f'{tuple(x.shape)}. A MultiView pipeline needs data_preprocessor='
            "dict(type='MultiViewClsDataPreprocessor', ...), which puts the "
            'views on the batch axis.')
    if x.shape[1] != in_channels:
        raise ValueError(
            f'CifarResNet in_channels={in_channels} but the images have '
            f'{x.shape[1]} channels (shape {tuple(x.shape)}); set '
            f'in_channels={x.shape[1]} or load the images with that many.')


def option_a_shortcut(x: torch.Tensor, out_channels: int,
                      stride: int) -> torch.Tensor:
    """Option-A identity shortcut: subsample spatially, zero-pad channels.

    Args:
        x (Tensor): (B, C_in, H, W) block input.
        out_channels (int): C_out >= C_in; the extra channels are split
            evenly before and after the input channels.
        stride (int): Spatial subsampling step (1 or 2).

    Returns:
        Tensor: (B, C_out, H / stride, W / stride), same memory format as ``x``.
    """
    shortcut = x[:, :, ::stride, ::stride]
    extra = out_channels - x.shape[1]
    if extra == 0:
        return shortcut
    # F.pad's last pairs are (W, H, C): pad the channel axis only. It keeps
    # the channels_last layout of a channels_last input.
    return F.pad(shortcut, (0, 0, 0, 0, extra // 2, extra - extra // 2))


class BasicBlockA(nn.Module):
    """3x3-3x3 residual block with an option-A shortcut.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the first convolution. Defaults to 1.
        norm_cfg (dict): mmcv norm layer config. Defaults to ``dict(type='BN')``.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 norm_cfg: dict = dict(type='BN')):
        super().__init__()
        self.out_channels = out_channels
        self.stride = stride
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1,
                               bias=False)
        self.bn1 = build_norm_layer(norm_cfg, out_channels)[1]
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = build_norm_layer(norm_cfg, out_channels)[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C_in, H, W) -> (B, C_out, H / stride, W / stride)."""
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out = out + option_a_shortcut(x, self.out_channels, self.stride)
        return F.relu(out)


@MODELS.register_module()
class CifarResNet(BaseBackbone):
    """ResNet-(6n+2) for 32x32 inputs, option-A shortcuts (He et al., 2016).

    Layers are named ``conv1``, ``bn1``, ``layer1``..``layer3`` as in the
    LDAM-DRW / BCL code, so their checkpoints map by prefix.

    Args:
        depth (int): 6n + 2: 20, 32, 44, 56, 110, ... Defaults to 32.
        in_channels (int): Input image channels. Defaults to 3.
        out_indices (Sequence[int]): Stages (0, 1, 2; negatives count from
            the end) whose feature maps are returned. Defaults to ``(2, )``.
        frozen_stages (int): -1 freezes nothing, 0 the stem, k the stem and
            stages 1..k (mmpretrain's ResNet convention). Defaults to -1.
        norm_cfg (dict): Norm layer config (``dict(type='SyncBN')`` for
            multi-GPU). Defaults to ``dict(type='BN')``.
        norm_eval (bool): Keep every norm layer in eval mode while training.
            Defaults to False.
        init_cfg (dict | list[dict], optional): mmengine init config applied
            by ``init_weights``; the convolutions are Kaiming-normal
            (fan_in, ReLU gain) from construction, as in the LT code bases.
    """

    def __init__(self,
                 depth: int = 32,
                 in_channels: int = 3,
                 out_indices: Sequence[int] = (2, ),
                 frozen_stages: int = -1,
                 norm_cfg: dict = dict(type='BN'),
                 norm_eval: bool = False,
                 init_cfg=None):
        super().__init__(init_cfg)
        self.depth = depth
        self.num_blocks = blocks_per_stage(depth)
        self.in_channels = check_int(
            'CifarResNet in_channels', in_channels, minimum=1,
            fix='Channels of the input images: 3 for RGB, 1 for grayscale.')
        self.out_indices = self._check_out_indices(out_indices)
        self.frozen_stages = check_int(
            'CifarResNet frozen_stages', frozen_stages, minimum=-1,
            maximum=len(STAGE_CHANNELS), fix='-1 trains every layer.')
        self.norm_eval = check_bool('CifarResNet norm_eval', norm_eval)

        self.conv1 = nn.Conv2d(in_channels, STAGE_CHANNELS[0], 3, 1, 1,
                               bias=False)
        self.bn1 = build_norm_layer(norm_cfg, STAGE_CHANNELS[0])[1]
        channels = STAGE_CHANNELS[0]
        for i, (width, stride) in enumerate(zip(STAGE_CHANNELS, STAGE_STRIDES)):
            blocks = [BasicBlockA(channels, width, stride, norm_cfg)]
            blocks += [BasicBlockA(width, width, 1, norm_cfg)
                       for _ in range(self.num_blocks - 1)]
            self.add_module(f'layer{i + 1}', nn.Sequential(*blocks))
            channels = width
        self.out_channels = channels
        self._kaiming_init()
        self._freeze_stages()

    @staticmethod
    def _check_out_indices(out_indices: Sequence[int]) -> Tuple[int, ...]:
        """Normalise stage indices to 0..2, rejecting anything else."""
        if is_int(out_indices):
            out_indices = (out_indices, )
        num_stages = len(STAGE_CHANNELS)
        if not isinstance(out_indices, (list, tuple)):
            raise TypeError(f'out_indices must be a sequence of stage indices, '
                            f'got {out_indices!r} ({type(out_indices).__name__})'
                            '; use (2, ) for the final 64-channel map.')
        bad = [i for i in out_indices
               if not is_int(i) or not -num_stages <= i < num_stages]
        if bad or len(out_indices) == 0:
            raise ValueError(
                f'out_indices must be a non-empty sequence of stage indices in '
                f'[-{num_stages}, {num_stages - 1}], got {tuple(out_indices)}; '
                f'use (2, ) for the final 64-channel map.')
        return tuple(sorted(i % num_stages for i in out_indices))

    def _kaiming_init(self):
        """Kaiming-normal convolutions (fan_in), BN weight 1 and bias 0."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
            elif isinstance(m, (_BatchNorm, nn.GroupNorm)):
                constant_init(m, 1)

    def _freeze_stages(self):
        """Put frozen layers in eval mode and stop their gradients."""
        frozen = []
        if self.frozen_stages >= 0:
            frozen += [self.conv1, self.bn1]
        frozen += [getattr(self, f'layer{i}')
                   for i in range(1, self.frozen_stages + 1)]
        for module in frozen:
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Feature maps of the requested stages.

        Args:
            x (Tensor): (B, C, H, W) images; NCHW or channels_last.

        Returns:
            tuple[Tensor]: One (B, C_s, H_s, W_s) map per ``out_indices``
            entry; for 32x32 input stage 2 gives (B, 64, 8, 8).
        """
        check_images(x, self.in_channels)
        x = F.relu(self.bn1(self.conv1(x)))
        outs = []
        for i in range(len(STAGE_CHANNELS)):
            x = getattr(self, f'layer{i + 1}')(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def train(self, mode: bool = True):
        """Switch mode, keeping frozen stages and (optionally) norms in eval."""
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self
