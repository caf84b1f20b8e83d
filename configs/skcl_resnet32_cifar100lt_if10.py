# SKCL, ResNet-32, CIFAR-100-LT imbalance 10 (paper Table 1: 65.86 top-1).
_base_ = './skcl_resnet32_cifar100lt.py'
train_dataloader = dict(dataset=dict(imbalance_factor=10))
