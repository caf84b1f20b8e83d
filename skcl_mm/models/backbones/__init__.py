"""Backbones: CifarResNet (6n+2, option-A shortcuts) for 32x32 inputs."""
from .cifar_resnet import CifarResNet

__all__ = ['CifarResNet']
