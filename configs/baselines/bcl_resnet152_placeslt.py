# BCL baseline on the SKCL Places-LT recipe: one level (the 365 scenes), the
# class prototypes as extra keys of the balanced denominator, one temperature
# (0.1), logit-adjusted CE; no semantic graph (BCLLoss). Same backbone, views
# and schedule as SKCL.
_base_ = '../skcl_resnet152_placeslt.py'
model = dict(head=dict(
    level_num_classes=[365],
    level_loss_weights=[1.0],
    contrastive_loss=dict(_delete_=True, type='BCLLoss', loss_weight=0.35,
                          temperature=0.1)))
train_dataloader = dict(dataset=dict(hierarchy=None))
val_dataloader = dict(dataset=dict(hierarchy=None))
test_dataloader = dict(dataset=dict(hierarchy=None))
