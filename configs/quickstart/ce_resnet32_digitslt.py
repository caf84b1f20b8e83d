# Cross-entropy twin of the quickstart: same backbone, regular view, schedule;
# one level, no contrastive branch, no logit adjustment.
_base_ = './skcl_resnet32_digitslt.py'
model = dict(head=dict(level_num_classes=[10], level_loss_weights=[1.0],
                       loss=dict(tau=0.0), contrastive_loss=None))
train_dataloader = dict(dataset=dict(
    hierarchy=None,
    pipeline=[*_base_.regular_view, dict(type='PackInputs')]))
val_dataloader = dict(dataset=dict(hierarchy=None))
test_dataloader = val_dataloader
