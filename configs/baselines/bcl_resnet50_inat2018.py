# BCL baseline on the SKCL iNaturalist 2018 recipe: one level (the species),
# prototypes as extra keys of the balanced denominator, one temperature, no
# semantic graph (BCLLoss). The temperature stays SKCL's 0.1 (BCL's own run
# used its default 0.07), as in bcl_resnet50_imagenetlt.py.
_base_ = '../skcl_resnet50_inat2018.py'
model = dict(head=dict(
    level_num_classes=[8142],
    level_loss_weights=[1.0],
    contrastive_loss=dict(_delete_=True, type='BCLLoss', loss_weight=0.35,
                          temperature=0.1)))
train_dataloader = dict(dataset=dict(hierarchy=None))
val_dataloader = dict(dataset=dict(hierarchy=None))
test_dataloader = val_dataloader
