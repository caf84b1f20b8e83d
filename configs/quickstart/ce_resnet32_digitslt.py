# Cross-entropy twin of the quickstart: same backbone, regular view (the
# dataset's own train_pipeline), schedule; one level, no contrastive branch,
# no logit adjustment.
_base_ = './skcl_resnet32_digitslt.py'
model = dict(head=dict(level_num_classes=[10], level_loss_weights=[1.0],
                       loss=dict(tau=0.0), contrastive_loss=None))
train_dataloader = dict(dataset=dict(hierarchy=None,
                                     pipeline=_base_.train_pipeline))
val_dataloader = dict(dataset=dict(hierarchy=None))
test_dataloader = val_dataloader
