# ResNet-152 (2048-d) initialised from ImageNet + GAP + SKCLHead on Places365's
# three levels (3 top categories, 16 groups, 365 scenes; coarsest first). The
# head is the ImageNet-LT one (skcl_resnet50.py: cosine classifier s=30, MLPs
# 2048-2048-1024, BCL's ImageNet weights CE 1.0 / contrastive 0.35).
_base_ = ['./skcl_resnet50.py']
# OLTR's Places-LT protocol fine-tunes an ImageNet-pretrained ResNet-152 (OLTR
# used Caffe weights; this is mmpretrain's resnet152_8xb32_in1k, top-1 78.48).
# Loaded by the runner at init_weights(); tests replace the backbone.
pretrained = ('https://download.openmmlab.com/mmclassification/v0/resnet/'
              'resnet152_8xb32_in1k_20210901-4d7582fa.pth')
model = dict(
    backbone=dict(
        depth=152,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained, prefix='backbone')),
    head=dict(
        level_num_classes=[3, 16, 365],
        # Coarse levels at half the fine weight, the CIFAR ratio (1.0 / 2.0,
        # docs/loss.md); a reasoned default, not measured.
        level_loss_weights=[0.5, 0.5, 1.0],
        # K = 4 as for ImageNet-LT (paper); 'both' lets a scene's Top-K hold
        # its own groups as well as other scenes (the paper's best mode).
        contrastive_loss=dict(mode='both', num_neighbours=4)),
)
