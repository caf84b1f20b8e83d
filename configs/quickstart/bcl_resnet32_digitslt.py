# BCL twin of the quickstart: one level, prototypes in the balanced
# contrastive denominator (BCLLoss), logit-adjusted CE; no semantic graph.
_base_ = './skcl_resnet32_digitslt.py'
model = dict(head=dict(
    level_num_classes=[10], level_loss_weights=[2.0],
    contrastive_loss=dict(_delete_=True, type='BCLLoss', loss_weight=0.6,
                          temperature=0.1)))
train_dataloader = dict(dataset=dict(hierarchy=None))
val_dataloader = dict(dataset=dict(hierarchy=None))
test_dataloader = val_dataloader
