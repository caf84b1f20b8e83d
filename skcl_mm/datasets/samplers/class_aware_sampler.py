"""ClassAwareSampler: class-balanced sampling (Kang et al. 2020, Decoupling)."""
import math
from typing import Iterator, List, Optional, Sized

import numpy as np
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmpretrain.registry import DATA_SAMPLERS


def dataset_labels(dataset: Sized) -> np.ndarray:
    """Single-label class of every sample, ``(N,)`` int64.

    Reads ``dataset.get_gt_labels()`` when the dataset has it, else
    ``dataset.get_cat_ids(i)`` per sample (which must hold one label).
    """
    if hasattr(dataset, 'get_gt_labels'):
        labels = np.asarray(dataset.get_gt_labels())
    elif hasattr(dataset, 'get_cat_ids'):
        cat_ids = [dataset.get_cat_ids(i) for i in range(len(dataset))]
        multi = [i for i, ids in enumerate(cat_ids) if len(ids) != 1]
        if multi:
            raise ValueError(
                f'ClassAwareSampler needs one label per sample; sample {multi[0]} '
                f'has {len(cat_ids[multi[0]])} ({cat_ids[multi[0]]}).')
        labels = np.asarray([ids[0] for ids in cat_ids])
    else:
        raise TypeError(
            f'ClassAwareSampler reads labels through get_gt_labels() or '
            f'get_cat_ids(idx); {type(dataset).__name__} has neither.')
    if labels.ndim != 1 or labels.shape[0] != len(dataset):
        raise ValueError(
            f'Expected one label per sample, shape ({len(dataset)},), got labels '
            f'of shape {tuple(labels.shape)} from {type(dataset).__name__}. '
            'Multi-label datasets are not supported.')
    return labels.astype(np.int64)


def _cycled_permutations(items: np.ndarray, length: int,
                         rng: np.random.Generator) -> np.ndarray:
    """``length`` entries of fresh random permutations of ``items``, one after another."""
    rounds = math.ceil(length / len(items))
    return np.concatenate([rng.permutation(items) for _ in range(rounds)])[:length]


def class_aware_stream(class_indices: List[np.ndarray], length: int,
                       num_samples_per_class: int,
                       rng: np.random.Generator) -> np.ndarray:
    """A class-balanced stream of ``length`` dataset indices.

    Classes come in random order, every class once per round (a new order per
    round), so each class gets ``length / C`` places up to one round. Each
    class draw takes the next ``num_samples_per_class`` images of that class
    from its own cycle of random permutations (Kang et al. 2020,
    ``RandomCycleIter``): images of a class repeat only after all were used.

    Args:
        class_indices (list[np.ndarray]): Dataset indices of each non-empty class.
        length (int): Stream length.
        num_samples_per_class (int): Consecutive samples per class draw.
        rng (np.random.Generator): Source of randomness.

    Returns:
        np.ndarray: ``(length,)`` int64 dataset indices.
    """
    num_draws = math.ceil(length / num_samples_per_class)
    draws = _cycled_permutations(np.arange(len(class_indices)), num_draws, rng)
    draws_per_class = np.bincount(draws, minlength=len(class_indices))
    # images[c]: the images class c hands out, in order, over this stream
    images = [_cycled_permutations(idx, n * num_samples_per_class, rng)
              if n else idx[:0] for idx, n in zip(class_indices, draws_per_class)]
    used = np.zeros(len(class_indices), dtype=np.int64)
    stream = np.empty(num_draws * num_samples_per_class, dtype=np.int64)
    for k, c in enumerate(draws):
        block = slice(k * num_samples_per_class, (k + 1) * num_samples_per_class)
        stream[block] = images[c][used[c]:used[c] + num_samples_per_class]
        used[c] += num_samples_per_class
    return stream[:length]


@DATA_SAMPLERS.register_module()
class ClassAwareSampler(Sampler):
    """Class-balanced sampler: pick a class uniformly, then an image of it.

    The class-aware sampling of Decoupling (Kang et al., ICLR 2020) used to
    re-train the classifier of a long-tailed model: every class appears
    equally often whatever its number of images (see
    :func:`class_aware_stream`). An epoch has ``len(dataset)`` samples.

    Distributed use follows mmengine's ``DefaultSampler``: all ranks build the
    same global stream from ``seed + epoch`` (the seed is synchronised across
    ranks when ``None``), and rank ``r`` yields the ``r``-th contiguous block of
    it, so consecutive samples of a class stay on one rank. With ``round_up``
    the stream is ``ceil(len / world_size) * world_size`` long and every rank
    gets the same number of samples; without it the stream is ``len(dataset)``
    long and the first ranks get one sample more.

    Args:
        dataset (Sized): Dataset with ``get_gt_labels()`` or ``get_cat_ids(idx)``.
        num_samples_per_class (int): Consecutive samples taken from a class
            each time it is drawn. Defaults to 1.
        seed (int, optional): Seed of the stream, identical on all ranks.
            Defaults to None (a random seed shared by all ranks).
        round_up (bool): Lengthen the stream to a multiple of the world size.
            Defaults to True.
    """

    def __init__(self,
                 dataset: Sized,
                 num_samples_per_class: int = 1,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        if not isinstance(num_samples_per_class, int) or num_samples_per_class < 1:
            raise ValueError('num_samples_per_class must be an int >= 1, got '
                             f'{num_samples_per_class!r}.')
        if seed is not None and seed < 0:
            raise ValueError(f'seed must be >= 0 (or None), got {seed}.')
        if len(dataset) == 0:
            raise ValueError(f'ClassAwareSampler got an empty dataset '
                             f'({type(dataset).__name__}); check its data root.')
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.num_samples_per_class = num_samples_per_class
        self.seed = sync_random_seed() if seed is None else seed
        self.round_up = round_up
        self.epoch = 0
        labels = dataset_labels(dataset)
        self.class_indices = [np.flatnonzero(labels == c) for c in np.unique(labels)]
        if round_up:
            self.total_size = math.ceil(len(dataset) / self.world_size) * self.world_size
        else:
            self.total_size = len(dataset)
        self._start, self._stop = self._rank_block(self.rank)

    def _rank_block(self, rank: int):
        """``[start, stop)`` of ``rank``'s block of the global stream."""
        base, extra = divmod(self.total_size, self.world_size)
        start = rank * base + min(rank, extra)
        return start, start + base + (rank < extra)

    def global_stream(self) -> np.ndarray:
        """The whole epoch's stream (all ranks), ``(total_size,)`` indices."""
        rng = np.random.default_rng([self.seed, self.epoch])
        return class_aware_stream(self.class_indices, self.total_size,
                                  self.num_samples_per_class, rng)

    def __iter__(self) -> Iterator[int]:
        """Dataset indices of this rank for the current epoch."""
        return iter(self.global_stream()[self._start:self._stop].tolist())

    def __len__(self) -> int:
        """Number of samples this rank yields per epoch."""
        return self._stop - self._start

    @property
    def num_classes(self) -> int:
        """Number of classes with at least one sample (the ones drawn)."""
        return len(self.class_indices)

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch; each epoch has its own stream (same on all ranks)."""
        self.epoch = epoch
