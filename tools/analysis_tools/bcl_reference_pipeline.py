"""BCL's CIFAR training views with torchvision/PIL: the pipeline speed reference."""
import random
from typing import Callable, List, Sequence

import numpy as np
from PIL import Image, ImageFilter

# BCL's CIFAR normalisation (mean, std of the training pixels, 0-1 scale).
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2023, 0.1994, 0.2010)


class PILGaussianBlur:
    """PIL Gaussian blur with a radius drawn uniformly in ``sigma`` (MoCo/BCL).

    Args:
        sigma (Sequence[float]): (low, high) of the blur radius.
            Defaults to (0.1, 2.0).
    """

    def __init__(self, sigma: Sequence[float] = (0.1, 2.0)):
        self.sigma = tuple(sigma)

    def __call__(self, img: Image.Image) -> Image.Image:
        radius = random.uniform(*self.sigma)
        return img.filter(ImageFilter.GaussianBlur(radius=radius))


def regular_transform(size: int = 32) -> Callable:
    """View 0: RandomCrop(size, 4), flip, AutoAugment(CIFAR10), ToTensor, Normalize."""
    from torchvision import transforms as T
    return T.Compose([
        T.RandomCrop(size, padding=4),
        T.RandomHorizontalFlip(),
        T.AutoAugment(T.AutoAugmentPolicy.CIFAR10),
        T.ToTensor(),
        T.Normalize(CIFAR_MEAN, CIFAR_STD),
    ])


def sim_transform(size: int = 32) -> Callable:
    """Views 1-2: RRC(size, 0.2-1), flip, jitter p .8, grey p .2, blur p .5."""
    from torchvision import transforms as T
    return T.Compose([
        T.RandomResizedCrop(size, scale=(0.2, 1.0)),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.RandomApply([PILGaussianBlur((0.1, 2.0))], p=0.5),
        T.ToTensor(),
        T.Normalize(CIFAR_MEAN, CIFAR_STD),
    ])


class BCLCifarViews:
    """1 regular + ``num_sim`` sim views of a uint8 (H, W, 3) RGB array, as BCL.

    Like BCL's dataset ``__getitem__``: the array becomes a PIL image, then
    each view applies its own torchvision transform.

    Args:
        size (int): output side. Defaults to 32.
        num_sim (int): contrastive views. Defaults to 2.
    """

    def __init__(self, size: int = 32, num_sim: int = 2):
        self.regular = regular_transform(size)
        self.sim = sim_transform(size)
        self.num_sim = num_sim

    def __call__(self, img: np.ndarray) -> List:
        """(H, W, 3) uint8 -> list of 1 + num_sim float (3, size, size) tensors."""
        pil = Image.fromarray(img)
        return [self.regular(pil)] + [self.sim(pil) for _ in range(self.num_sim)]
