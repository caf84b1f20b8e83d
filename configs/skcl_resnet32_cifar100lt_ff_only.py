# Ablation (paper Table 4): Top-K neighbours among fine classes only;
# CIFAR-100-LT IF100, paper: 53.2 top-1.
_base_ = './skcl_resnet32_cifar100lt.py'
model = dict(head=dict(contrastive_loss=dict(mode='F-F')))
