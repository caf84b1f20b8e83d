# BCL twin of configs/skcl_resnet32_cifar10lt_if10.py (paper Table 1, BCL
# row: 90.91 top-1).
_base_ = './bcl_resnet32_cifar10lt.py'
train_dataloader = dict(dataset=dict(imbalance_factor=10))
