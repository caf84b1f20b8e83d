# BCL baseline on the fast one-GPU path of configs/skcl_resnet32_cifar100lt_fast.py
# (device-resident data, GPU-side views, bf16 without a GradScaler,
# channels_last, the training step compiled into CUDA graphs). Same recipe as
# bcl_resnet32_cifar100lt.py otherwise.
#   python tools/train.py configs/baselines/bcl_resnet32_cifar100lt_fast.py
_base_ = './bcl_resnet32_cifar100lt_resident.py'
optim_wrapper = dict(type='AmpOptimWrapper', dtype='bfloat16',
                     loss_scale=dict(enabled=False))
data_preprocessor = dict(channels_last=True)
model = dict(head=dict(contrastive_loss=dict(equal_rank_batches=True)))
env_cfg = dict(cudnn_benchmark=True)
custom_hooks = [*_base_.custom_hooks, dict(type='CompileTrainStepHook')]
