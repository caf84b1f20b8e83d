# SKCL, ResNet-32, CIFAR-100-LT imbalance 100 on one CUDA GPU, as fast as this
# project knows how (docs/fast_training.md): the device-resident data and
# GPU-side views of the _resident config, bf16 autocast without a GradScaler
# (its overflow check reads the GPU every step), channels_last, cuDNN
# autotuning, and the training step compiled into CUDA graphs
# (CompileTrainStepHook). Same recipe as configs/skcl_resnet32_cifar100lt.py;
# bf16 and the resident batch order (DefaultSampler's, drop_last) differ.
#   python tools/train.py configs/skcl_resnet32_cifar100lt_fast.py
_base_ = './skcl_resnet32_cifar100lt_resident.py'
optim_wrapper = dict(type='AmpOptimWrapper', dtype='bfloat16',
                     loss_scale=dict(enabled=False))
data_preprocessor = dict(channels_last=True)
# Every rank holds the same batch (DefaultSampler, drop_last): the loss's
# cross-rank gather needs no per-step row-count exchange (a host sync).
model = dict(head=dict(contrastive_loss=dict(equal_rank_batches=True)))
env_cfg = dict(cudnn_benchmark=True)
custom_hooks = [*_base_.custom_hooks, dict(type='CompileTrainStepHook')]
