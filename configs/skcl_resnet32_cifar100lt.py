# SKCL, ResNet-32, CIFAR-100-LT imbalance 100, 300 epochs (paper Table 1:
# 54.02 top-1; Table 2: many / medium / few 68.3 / 54.1 / 37.2).
#   python tools/train.py configs/skcl_resnet32_cifar100lt.py
# The paper trains CIFAR "following [30]" (ConCutMix): its optimiser, views,
# widths and loss weights are here (sources: docs/loss.md, "Recipe audit").
# ConCutMix's own method, CutMix of the classifier view with semantically
# consistent labels, is not part of SKCL and not in this recipe.
_base_ = [
    '_base_/models/skcl_resnet32.py',
    '_base_/datasets/cifar100_lt.py',
    '_base_/schedules/cifar_lt_sgd_300e.py',
    '_base_/default_runtime.py',
]
# SKCL trains on the three views of the dataset's view recipe.
train_dataloader = dict(dataset=dict(pipeline=_base_.multi_view_train_pipeline))
