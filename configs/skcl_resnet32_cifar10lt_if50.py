# SKCL, ResNet-32, CIFAR-10-LT imbalance 50 (paper Table 1: 88.16 top-1).
_base_ = './skcl_resnet32_cifar10lt.py'
train_dataloader = dict(dataset=dict(imbalance_factor=50))
