# SKCL, ResNet-32, CIFAR-100-LT imbalance 100, with the training views built
# on the GPU (GPUAugmentDataPreprocessor) instead of in the dataloader
# workers: for machines with few CPU cores per GPU. Same recipe otherwise.
#   python tools/train.py configs/skcl_resnet32_cifar100lt_gpuaug.py
_base_ = [
    './skcl_resnet32_cifar100lt.py',
    '_base_/datasets/pipelines/cifar_gpu_views.py',
]
data_preprocessor = _base_.gpu_data_preprocessor
train_dataloader = dict(num_workers=2,  # the workers only unpickle and pack
                        dataset=dict(pipeline=_base_.gpu_train_pipeline))
# The GPU draws the views: every rank needs its own random stream (the
# preprocessor checks this on the first batch of a distributed run).
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
