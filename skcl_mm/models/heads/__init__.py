"""Heads: SKCLHead and its building blocks."""
from .level_classifier import CosineLinear, build_level_classifier
from .mlp import mlp_bn
from .skcl_head import SKCLHead

__all__ = ['CosineLinear', 'build_level_classifier', 'mlp_bn', 'SKCLHead']
