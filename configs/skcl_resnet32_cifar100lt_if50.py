# SKCL, ResNet-32, CIFAR-100-LT imbalance 50 (paper Table 1: 58.13 top-1).
_base_ = './skcl_resnet32_cifar100lt.py'
train_dataloader = dict(dataset=dict(imbalance_factor=50))
