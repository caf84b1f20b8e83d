"""GPUDecodeDataPreprocessor: JPEG bytes in, the training views out, all on the device.

The dataloader workers only read files (``LoadImageBytes``); this preprocessor
decodes the batch on the model's device (:func:`.image_decode.decode_batch`:
nvJPEG on CUDA, the CPU decoder on a CPU), crops every variable-size image
into a fixed-size batch once per view (``BatchListRandomResizedCrop``), and
runs the view's batch transforms (:mod:`skcl_mm.datasets.transforms.batch`).
Evaluation batches get one crop (``BatchListResizeCenterCrop``). This moves
the JPEG decoding that binds ImageNet-LT / iNaturalist training to the CPU
onto the GPU (docs/gpu_decoding.md).
"""
from typing import List, Sequence

from mmpretrain.registry import MODELS
from skcl_mm.datasets.transforms.batch.resized_crop_list import LIST_CROPS
from .gpu_augment import check_ranks_draw_differently
from .image_decode import decode_batch
from .multi_view import MultiViewClsDataPreprocessor
from .view_order import stack_views

NAME = 'GPUDecodeDataPreprocessor'
_VIEW_KEYS = {'num_views', 'crop', 'transforms'}


def check_decode_views(views) -> List[dict]:
    """``views`` as a list of ``dict(num_views=N, crop=..., transforms=[...])``."""
    example = ("dict(num_views=1, crop=dict(type='BatchListRandomResizedCrop', "
               "size=224), transforms=[...])")
    if not isinstance(views, (list, tuple)) or not views:
        raise ValueError(f'{NAME} needs views=[{example}, ...], got {views!r}.')
    for index, view in enumerate(views):
        if not isinstance(view, dict) or set(view) != _VIEW_KEYS:
            raise ValueError(f'{NAME} views[{index}] must be {example} (keys '
                             f'{sorted(_VIEW_KEYS)}), got {view!r}.')
        count = view['num_views']
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError(f'{NAME} views[{index}].num_views must be an int >= 1, '
                             f'got {count!r}.')
        if not isinstance(view['transforms'], (list, tuple)):
            raise ValueError(f'{NAME} views[{index}].transforms must be a list of '
                             f'batch transform configs, got {view["transforms"]!r}.')
    return list(views)


def build_list_crop(cfg: dict, where: str):
    """Build a crop of variable-size image lists (one of ``LIST_CROPS``)."""
    crop = MODELS.build(cfg)
    if not isinstance(crop, LIST_CROPS):
        names = [cls.__name__ for cls in LIST_CROPS]
        raise ValueError(f'{NAME} {where} must crop a list of variable-size images '
                         f'into one batch ({names}), got {type(crop).__name__}.')
    return crop


def _file_names(data_samples, batch: int) -> List[str]:
    """The ``img_path`` of each sample (PackInputs keeps it), for messages."""
    samples = data_samples or [None] * batch
    return [getattr(sample, 'img_path', None) or f'sample {i}'
            for i, sample in enumerate(samples)]


@MODELS.register_module()
class GPUDecodeDataPreprocessor(MultiViewClsDataPreprocessor):
    """Decodes JPEG bytes and builds V augmented views on the device.

    Input (training and evaluation) is what ``LoadImageBytes`` +
    ``PackInputs(input_key='img_bytes')`` + ``pseudo_collate`` give: a list
    of B 1-D uint8 tensors of file bytes, and B data samples. Training: each
    entry of ``views`` runs ``num_views`` times: its ``crop`` turns the B
    decoded images into a (B, 3, S, S) batch, then its ``transforms`` run on
    that batch, each time with fresh per-sample randomness; views go
    view-major on the batch axis (:mod:`.view_order`), then mean/std as in
    :class:`MultiViewClsDataPreprocessor`. Evaluation: ``eval_crop`` only.
    A distributed run checks on its first training batch that the ranks draw
    different random numbers (``randomness=dict(..., diff_rank_seed=True)``).

    Args:
        views (list[dict]): ``dict(num_views=N, crop=<list crop config>,
            transforms=[batch transform configs])`` per kind of view, view 0
            (the classifier view) first.
        eval_crop (dict): The list crop of validation and test batches.
            Defaults to ``BatchListResizeCenterCrop(edge=256, size=224)``.
        **kwargs: :class:`MultiViewClsDataPreprocessor` arguments (``mean``,
            ``std``, ``channels_last``, ...). ``to_rgb`` must be False (the
            decoder gives RGB) and ``batch_augments`` unset.
    """

    def __init__(self, views: Sequence[dict], eval_crop: dict = None, **kwargs):
        if kwargs.get('to_rgb'):
            raise ValueError(f'{NAME} decodes to RGB; set to_rgb=False (the CPU '
                             'ImageNet recipe sets to_rgb=True for its BGR images).')
        if kwargs.get('batch_augments'):
            raise ValueError(f'{NAME} does not run batch_augments (Mixup/CutMix '
                             'across views is undefined); remove them.')
        super().__init__(**kwargs)
        self.views = check_decode_views(views)
        self.view_crops = [build_list_crop(view['crop'], f'views[{i}].crop')
                           for i, view in enumerate(self.views)]
        self.view_transforms = [[MODELS.build(t) for t in view['transforms']]
                                for view in self.views]
        self.eval_crop = build_list_crop(eval_crop or dict(
            type='BatchListResizeCenterCrop', edge=256, size=224), 'eval_crop')
        self._ranks_checked = False

    @property
    def num_views(self) -> int:
        """V, the number of views a training batch becomes."""
        return sum(view['num_views'] for view in self.views)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Decode, crop and augment (training) or crop (evaluation), normalise.

        Args:
            data (dict): ``inputs`` (list of B 1-D uint8 byte tensors) and
                optional ``data_samples`` (list of B DataSample).
            training (bool): Build the views (True) or the evaluation crop.

        Returns:
            dict: ``inputs`` (V*B, 3, S, S) float in training, else (B, 3, S,
            S); ``data_samples`` as given, labels on the device.
        """
        inputs = data['inputs']
        names = _file_names(data.get('data_samples'), len(inputs))
        images = decode_batch(inputs, self.device, names)
        if not training:
            batch = self.eval_crop(images)
            return super().forward({**data, 'inputs': batch}, training)
        if not self._ranks_checked:
            check_ranks_draw_differently(self.device, 'GPUDecodeDataPreprocessor')
            self._ranks_checked = True
        views = []
        for view, crop, transforms in zip(self.views, self.view_crops,
                                          self.view_transforms):
            for _ in range(view['num_views']):
                batch = crop(images)
                for transform in transforms:
                    batch = transform(batch)
                views.append(batch)
        return super().forward({**data, 'inputs': stack_views(views)}, training)
