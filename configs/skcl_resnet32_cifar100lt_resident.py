# SKCL, ResNet-32, CIFAR-100-LT imbalance 100, device-resident: the uint8
# training subset (10,847 x 3 x 32 x 32, 33 MB) is read once onto the training
# device; each epoch's DefaultSampler order is copied there once and every
# batch is one index_select on the device; the views are made there by
# GPUAugmentDataPreprocessor (as in the _gpuaug config). No dataloader
# workers, no host-to-device copy per step. Same recipe, subset and sampler.
#   python tools/train.py configs/skcl_resnet32_cifar100lt_resident.py
_base_ = './skcl_resnet32_cifar100lt_gpuaug.py'
train_cfg = dict(_delete_=True, type='DeviceResidentEpochBasedTrainLoop',
                 max_epochs=_base_.train_cfg.max_epochs,
                 val_interval=_base_.train_cfg.val_interval)
# Static batch shapes (whole-step capture); the worker settings are ignored.
train_dataloader = dict(drop_last=True)
