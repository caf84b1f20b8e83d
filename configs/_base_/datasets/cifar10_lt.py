# CIFAR-10-LT (imbalance 100: 12,406 images) with vehicles / animals above the
# ten classes. Same pipeline and protocol as CIFAR-100-LT.
_base_ = ['./cifar100_lt.py']

data_root = 'data/cifar10'
train_dataloader = dict(dataset=dict(
    hierarchy='cifar10',
    descriptions='cifar10',
    dataset=dict(type='CIFAR10', data_root=data_root)))
val_dataloader = dict(dataset=dict(
    hierarchy='cifar10',
    dataset=dict(type='CIFAR10', data_root=data_root)))
test_dataloader = val_dataloader
