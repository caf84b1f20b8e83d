# Plain cross-entropy on the SKCL recipe (no logit adjustment, no contrastive
# branch): the lower bound of Table 1.
_base_ = './la_resnet32_cifar100lt.py'
model = dict(head=dict(loss=dict(tau=0.0)))
