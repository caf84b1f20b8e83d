# ResNet-50 + SKCLHead over iNaturalist 2018's seven ranks, coarsest first:
# 6 kingdoms, 25 phyla, 57 classes, 273 orders, 1,120 families, 4,412 genera,
# 8,142 species (14,035 nodes, each a prototype; nodes are taxonomy paths, so
# the placeholder family "NA" of three orders counts three times). Widths,
# cosine classifier and weights as skcl_resnet50.py (BCL's recipe).
_base_ = ['./skcl_resnet50.py']
model = dict(head=dict(
    level_num_classes=[6, 25, 57, 273, 1120, 4412, 8142],
    # Fine CE 1.0 (BCL's alpha). The six coarse levels share half the fine
    # weight, as CIFAR's one coarse level (1.0 beside 2.0): a reasoned
    # default, not measured (docs/loss.md, "Weights").
    level_loss_weights=[0.5 / 6] * 6 + [1.0],
    # K = 4 as the paper's ImageNet-LT run (it has no iNaturalist run).
    contrastive_loss=dict(num_neighbours=4)))
