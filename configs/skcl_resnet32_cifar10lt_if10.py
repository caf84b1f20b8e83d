# SKCL, ResNet-32, CIFAR-10-LT imbalance 10 (paper Table 1: 92.37 top-1).
_base_ = './skcl_resnet32_cifar10lt.py'
train_dataloader = dict(dataset=dict(imbalance_factor=10))
