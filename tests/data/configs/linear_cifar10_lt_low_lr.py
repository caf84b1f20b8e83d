# linear_cifar10_lt.py with a 5x smaller learning rate: the second config of
# run_seeds.py --compare tests.
_base_ = './linear_cifar10_lt.py'
optim_wrapper = dict(optimizer=dict(lr=0.01))
