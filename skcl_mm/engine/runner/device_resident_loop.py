"""DeviceResidentEpochBasedTrainLoop: mmengine's epoch loop on a device-resident dataset.

Selected in a config with
``train_cfg = dict(type='DeviceResidentEpochBasedTrainLoop', max_epochs=N, val_interval=M)``.
The loop is mmengine's ``EpochBasedTrainLoop`` (hooks, validation, checkpoints
and resume unchanged); only its dataloader differs: the ``train_dataloader``
config becomes a :class:`~skcl_mm.datasets.device_resident_loader.DeviceResidentLoader`
on the model's device. Everything the resident path cannot do the same way as
the dataloader path stops here, before any work (see
:mod:`skcl_mm.datasets.device_resident_data`).
"""
import torch
from mmengine.model import is_model_wrapper
from mmengine.runner import EpochBasedTrainLoop

from mmpretrain.registry import LOOPS
from skcl_mm.datasets.device_resident_loader import DeviceResidentLoader
from skcl_mm.models.data_preprocessors.gpu_augment import \
    GPUAugmentDataPreprocessor

NAME = 'DeviceResidentEpochBasedTrainLoop'


def model_device(model) -> torch.device:
    """The device of the model's parameters (under DDP: this rank's GPU)."""
    parameter = next(model.parameters(), None)
    return torch.device('cpu') if parameter is None else parameter.device


def check_device_views(model) -> None:
    """Raise unless the model's data preprocessor builds the views on the device."""
    model = model.module if is_model_wrapper(model) else model
    preprocessor = getattr(model, 'data_preprocessor', None)
    if not isinstance(preprocessor, GPUAugmentDataPreprocessor):
        raise ValueError(
            f'{NAME} hands the model raw uint8 images (the dataset pipeline does not '
            'run), so the training views must be made on the device: set '
            "model.data_preprocessor to type='GPUAugmentDataPreprocessor' (inherit "
            'configs/skcl_resnet32_cifar100lt_gpuaug.py); got '
            f'{type(preprocessor).__name__}.')


@LOOPS.register_module()
class DeviceResidentEpochBasedTrainLoop(EpochBasedTrainLoop):
    """``EpochBasedTrainLoop`` whose batches come from the device, not workers.

    Args:
        runner (Runner): The runner.
        dataloader (dict | DeviceResidentLoader): The ``train_dataloader``
            config (turned into a :class:`DeviceResidentLoader` here) or a
            built loader.
        max_epochs (int): Training epochs.
        by_epoch (bool): Accepted as True only (base configs carry it); the
            loop counts epochs.
        **kwargs: ``val_begin``, ``val_interval``, ``dynamic_intervals`` of
            ``EpochBasedTrainLoop``.
    """

    def __init__(self, runner, dataloader, max_epochs: int, by_epoch: bool = True,
                 **kwargs):
        if by_epoch is not True:
            raise ValueError(
                f'{NAME} counts epochs: train_cfg.by_epoch={by_epoch!r} is not '
                'supported; set max_epochs (by_epoch=True), or use '
                "type='IterBasedTrainLoop' with the dataloader.")
        if isinstance(dataloader, dict):
            check_device_views(runner.model)
            randomness = runner._randomness_cfg  # what BaseLoop reads too
            dataloader = DeviceResidentLoader(
                dataloader, device=model_device(runner.model), seed=runner.seed,
                diff_rank_seed=randomness.get('diff_rank_seed', False))
        super().__init__(runner, dataloader, max_epochs, **kwargs)
