# SKCL, ResNet-32, CIFAR-10-LT imbalance 100 (paper Table 1: 87.50 top-1).
# The CIFAR-100-LT recipe (skcl_resnet32_cifar100lt.py: the paper's "following
# [30]", without ConCutMix's CutMix) with CIFAR-10's two-level hierarchy.
_base_ = [
    '_base_/models/skcl_resnet32.py',
    '_base_/datasets/cifar10_lt.py',
    '_base_/schedules/cifar_lt_sgd_300e.py',
    '_base_/default_runtime.py',
]
# SKCL trains on the three views of the dataset's view recipe.
train_dataloader = dict(dataset=dict(pipeline=_base_.multi_view_train_pipeline))
model = dict(head=dict(level_num_classes=[2, 10]))  # vehicles/animals + 10
