"""BCL's torchvision CIFAR views (the pipeline speed reference)."""
import random

import numpy as np
import torch
from analysis_tools.bcl_reference_pipeline import (CIFAR_MEAN, BCLCifarViews,
                                                   PILGaussianBlur)
from PIL import Image


def test_three_normalised_views_of_the_right_shape():
    torch.manual_seed(0)
    random.seed(0)
    img = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    views = BCLCifarViews(32, num_sim=2)(img)
    assert len(views) == 3
    for view in views:
        assert view.shape == (3, 32, 32) and view.dtype == torch.float32
    # a mid-grey pixel maps near 0 after Normalize; raw 0..255 would not
    grey = np.full((32, 32, 3), 125, np.uint8)
    regular = BCLCifarViews(32, num_sim=0).regular(Image.fromarray(grey))
    assert regular.abs().max() < 3.0
    assert abs(125 / 255 - CIFAR_MEAN[0]) < 0.01


def test_views_differ_and_blur_smooths():
    img = np.random.default_rng(1).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    torch.manual_seed(1)
    random.seed(1)
    first, second, third = BCLCifarViews(32)(img)
    assert not torch.equal(second, third)
    blurred = np.asarray(PILGaussianBlur((2.0, 2.0))(Image.fromarray(img)))
    assert blurred.astype(float).std() < img.astype(float).std() / 2
