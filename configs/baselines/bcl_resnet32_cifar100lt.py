# BCL baseline (Zhu et al., CVPR 2022) on the SKCL recipe: one level, the class
# prototypes as extra keys of the balanced contrastive denominator, one
# temperature (0.1), logit-adjusted CE; no semantic graph. Same head and loss
# code as SKCL (SKCLLoss mode='bcl').
_base_ = '../skcl_resnet32_cifar100lt.py'
model = dict(head=dict(
    level_num_classes=[100],
    level_loss_weights=[2.0],
    contrastive_loss=dict(mode='bcl', num_neighbours=0)))
train_dataloader = dict(dataset=dict(hierarchy=None))
val_dataloader = dict(dataset=dict(hierarchy=None))
test_dataloader = val_dataloader
