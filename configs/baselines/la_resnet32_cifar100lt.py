# Logit-adjusted cross-entropy (Menon et al., ICLR 2021) on the SKCL recipe:
# the same backbone, regular view (crop, flip, AutoAugment) and schedule; one
# level, no contrastive branch, so only the regular view is loaded (the
# dataset's own train_pipeline in place of SKCL's three views). CE weight
# 1.0, the plain LA loss: SKCL's 2.0 weighs its CE against the contrastive
# term, absent here (level_loss_weights=[2.0] doubles the CE step instead).
_base_ = '../skcl_resnet32_cifar100lt.py'
model = dict(head=dict(level_num_classes=[100], level_loss_weights=[1.0],
                       contrastive_loss=None))
train_dataloader = dict(dataset=dict(hierarchy=None,
                                     pipeline=_base_.train_pipeline))
val_dataloader = dict(dataset=dict(hierarchy=None))
test_dataloader = val_dataloader
