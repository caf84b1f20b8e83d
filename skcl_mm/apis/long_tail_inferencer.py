"""LongTailInferencer: predictions only from a checkpoint and inputs that fit the model."""
import os
from typing import List, Optional

import numpy as np
from mmengine.dataset import default_collate

from mmpretrain.apis import ImageClassificationInferencer, get_model
from skcl_mm.engine.checkpoint_file import read_checkpoint
from skcl_mm.engine.checkpoint_fit import (checkpoint_dataset_meta,
                                           checkpoint_state_dict,
                                           input_shape_problem,
                                           weight_problems)
from skcl_mm.engine.hooks.checkpoint_guard_hook import CheckpointMismatchError


class LongTailInferencer(ImageClassificationInferencer):
    """mmpretrain's ``ImageClassificationInferencer``, checked before it predicts.

    mmpretrain's inferencer loads a checkpoint non-strictly (weights of another
    shape are skipped with a log line) and scores any array it is given. This
    one stops instead:

    * the checkpoint is read with weights_only loading (a clear error for an
      empty, cut-off or unsafe file) and every weight of the config's model
      must be in it with the same shape (another class count or number of
      levels is named);
    * every input must be an image of the training input shape ``[C, H, W]``
      after the config's test pipeline (recorded in checkpoints by
      ``CheckpointGuardHook``; older checkpoints: the channel count of the
      data preprocessor), as uint8 0-255 values.

    Args:
        model (str | Config): The config the checkpoint was trained with.
        pretrained (str): The checkpoint file.
        device (str, optional): Device to run on. Defaults to the CPU.
        classes (list[str], optional): Class names to report; defaults to
            those recorded in the checkpoint.
        check_input_shape (bool): Refuse inputs of another size. Defaults to
            True (False: predict on other sizes on purpose; the channel count
            and dtype are checked still).

    Example:
        >>> from skcl_mm.apis import LongTailInferencer
        >>> inferencer = LongTailInferencer(CONFIG, pretrained=CHECKPOINT)
        >>> inferencer(rgb_uint8_image)[0]['pred_class']
    """

    def __init__(self, model, pretrained: str, device: Optional[str] = None,
                 classes: Optional[List[str]] = None, check_input_shape: bool = True,
                 **kwargs):
        if not isinstance(pretrained, (str, os.PathLike)):
            raise TypeError('LongTailInferencer: pretrained must be the path of '
                            f'a checkpoint file, got {pretrained!r}.')
        checkpoint = read_checkpoint(pretrained, 'pretrained checkpoint')
        network = get_model(model, pretrained=False, **kwargs)
        state = checkpoint_state_dict(checkpoint)
        problems = weight_problems(state, network)
        if problems:
            raise CheckpointMismatchError(
                f'LongTailInferencer: checkpoint {os.fspath(pretrained)!r} does not '
                'fit the model of the config:\n' + '\n'.join(f'  - {p}' for p in problems)
                + '\nGive the config the checkpoint was trained with.')
        network.load_state_dict(state, strict=False)  # every weight is there
        meta = checkpoint_dataset_meta(checkpoint)
        if meta:
            network._dataset_meta = meta
        recorded = (checkpoint.get('meta') or {}).get('input_shape')
        self.input_shape = None if recorded is None else [int(n) for n in recorded]
        self.input_channels = (self.input_shape[0] if self.input_shape
                               else _preprocessor_channels(network))
        self.check_input_shape = check_input_shape
        super().__init__(network, pretrained=False, device=device, classes=classes)
        self._check_classes(network)

    def _check_classes(self, network) -> None:
        head = getattr(network, 'head', None)
        num_classes = getattr(head, 'num_classes', None)
        if self.classes is not None and num_classes is not None \
                and len(self.classes) != int(num_classes):
            raise ValueError(
                f'LongTailInferencer: {len(self.classes)} class names for a model '
                f'with {num_classes} classes; give one name per class, in the '
                'training order (or leave classes=None for the checkpoint\'s).')

    def _init_pipeline(self, cfg):
        """The test pipeline, also when it sits on the dataset that
        ``LongTailHierarchyDataset`` wraps (mmpretrain looks one level only)."""
        dataset = cfg.test_dataloader.dataset
        while 'pipeline' not in dataset and isinstance(dataset.get('dataset'), dict):
            dataset = dataset['dataset']
        if 'pipeline' not in dataset:
            raise ValueError('LongTailInferencer: the config\'s test_dataloader '
                             'dataset has no pipeline; give one (PackInputs at least).')
        wrapped = cfg.copy()
        wrapped.test_dataloader.dataset = dict(pipeline=dataset['pipeline'])
        return super()._init_pipeline(wrapped)

    def preprocess(self, inputs: List, batch_size: int = 1):
        """Load, check and pipe each input; yield collated chunks."""
        def load_and_check(indexed):
            index, input_ = indexed
            data = self.pipeline(self._load(input_, index))
            self._check_shape(tuple(data['inputs'].shape), index)
            return data

        chunks = self._get_chunk_data(map(load_and_check, enumerate(inputs)), batch_size)
        yield from map(default_collate, chunks)

    def _load(self, input_, index: int) -> dict:
        from mmcv import imread
        if isinstance(input_, np.ndarray):
            _check_array(input_, index)
        img = imread(input_)
        if img is None:
            raise ValueError(f'LongTailInferencer: cannot read input {index} '
                             f'({input_!r}) as an image.')
        return dict(img=img, img_shape=img.shape[:2], ori_shape=img.shape[:2])

    def _check_shape(self, shape: tuple, index: int) -> None:
        channels_differ = (len(shape) != 3 or bool(self.input_channels)
                           and shape[0] != self.input_channels)
        if channels_differ:
            expected = self.input_shape or [self.input_channels, *shape[-2:]]
            problem = input_shape_problem(expected, shape, f'input {index}')
            raise ValueError(f'LongTailInferencer: {problem}.')
        problem = (input_shape_problem(self.input_shape, shape, f'input {index}')
                   if self.check_input_shape else None)
        if problem:
            raise ValueError(f'LongTailInferencer: {problem}. (Other sizes on '
                             'purpose: LongTailInferencer(..., check_input_shape=False).)')

def _check_array(img: np.ndarray, index: int) -> None:
    """An image array must be (H, W) or (H, W, C) uint8 with 0-255 values."""
    if img.ndim not in (2, 3):
        raise ValueError(f'LongTailInferencer: input {index} is an array of shape '
                         f'{list(img.shape)}; give one image (H, W, C), or a list '
                         'of images for a batch.')
    if img.dtype != np.uint8:
        hint = (' Its values lie in [0, 1]: multiply by 255.' if img.size and
                np.issubdtype(img.dtype, np.floating) and float(img.max()) <= 1.0 else '')
        raise ValueError(f'LongTailInferencer: input {index} has dtype {img.dtype}; '
                         'the model was trained on uint8 images with values 0-255: '
                         f'convert with img.astype(np.uint8).{hint}')


def _preprocessor_channels(network) -> Optional[int]:
    mean = getattr(getattr(network, 'data_preprocessor', None), 'mean', None)
    return int(mean.numel()) if getattr(mean, 'numel', None) else None
