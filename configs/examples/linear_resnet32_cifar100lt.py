# A stock mmpretrain head on the CIFAR-100-LT dataset base: CifarResNet-32 +
# GAP + LinearClsHead (plain cross-entropy), nothing of SKCL. The dataset base
# gives one training view, the test pipeline, the normalisation and
# LongTailAccuracy; TrainCountsHook (a default hook) hands the training counts
# to the metric, so the log has many / medium / few beside top-1 / top-5.
#   python tools/train.py configs/examples/linear_resnet32_cifar100lt.py
_base_ = [
    '../_base_/datasets/cifar100_lt.py',
    '../_base_/schedules/cifar_lt_sgd_300e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    type='ImageClassifier',
    backbone=dict(type='CifarResNet', depth=32),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=100, in_channels=64,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
              topk=(1, 5)))
