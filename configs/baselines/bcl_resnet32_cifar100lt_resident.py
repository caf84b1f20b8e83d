# BCL baseline (bcl_resnet32_cifar100lt.py) on the device-resident CIFAR-100-LT
# path of configs/skcl_resnet32_cifar100lt_resident.py: the views made on the
# device by GPUAugmentDataPreprocessor, batches drawn from the uint8 training
# subset kept on the device, in DefaultSampler order. Same recipe otherwise.
#   python tools/train.py configs/baselines/bcl_resnet32_cifar100lt_resident.py
_base_ = [
    './bcl_resnet32_cifar100lt.py',
    '../_base_/datasets/pipelines/cifar_gpu_views.py',
]
data_preprocessor = _base_.gpu_data_preprocessor
train_dataloader = dict(drop_last=True,
                        dataset=dict(pipeline=_base_.gpu_train_pipeline))
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
train_cfg = dict(_delete_=True, type='DeviceResidentEpochBasedTrainLoop',
                 max_epochs=_base_.train_cfg.max_epochs,
                 val_interval=_base_.train_cfg.val_interval)
