# BCL baseline (Zhu et al., CVPR 2022) on the SKCL recipe: one level, the class
# prototypes as extra keys of the balanced contrastive denominator, one
# temperature (0.1), logit-adjusted CE; no semantic graph (SemanticGraphHook
# has nothing to do). Same head, views and schedule as SKCL; BCLLoss instead
# of SKCLLoss.
_base_ = '../skcl_resnet32_cifar100lt.py'
model = dict(head=dict(
    level_num_classes=[100],
    level_loss_weights=[2.0],
    contrastive_loss=dict(_delete_=True, type='BCLLoss', loss_weight=0.6,
                          temperature=0.1)))
train_dataloader = dict(dataset=dict(hierarchy=None))
val_dataloader = dict(dataset=dict(hierarchy=None))
test_dataloader = val_dataloader
