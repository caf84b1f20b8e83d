# BCL twin of configs/skcl_resnet32_cifar10lt.py (paper Table 1, BCL row:
# 84.31 top-1): one level of 10 classes, BCLLoss instead of SKCLLoss, no
# semantic graph; same views, schedule and logit-adjusted CE.
_base_ = '../skcl_resnet32_cifar10lt.py'
model = dict(head=dict(
    level_num_classes=[10],
    level_loss_weights=[2.0],
    contrastive_loss=dict(_delete_=True, type='BCLLoss', loss_weight=0.6,
                          temperature=0.1)))
train_dataloader = dict(dataset=dict(hierarchy=None))
val_dataloader = dict(dataset=dict(hierarchy=None))
test_dataloader = val_dataloader
