# BCL twin of configs/skcl_resnet32_cifar100lt_if50.py (paper Table 1, BCL
# row: 56.32 top-1).
_base_ = './bcl_resnet32_cifar100lt.py'
train_dataloader = dict(dataset=dict(imbalance_factor=50))
