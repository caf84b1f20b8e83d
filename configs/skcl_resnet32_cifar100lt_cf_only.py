# Ablation (paper Table 4): Top-K neighbours from the other level only
# (coarse-to-fine links); CIFAR-100-LT IF100, paper: 51.9 top-1.
_base_ = './skcl_resnet32_cifar100lt.py'
model = dict(head=dict(contrastive_loss=dict(mode='C-F')))
