# SKCL on iNaturalist 2018 with two ranks only, genus and species (4,412 +
# 8,142 nodes): the levels= option of LongTailHierarchyDataset keeps named
# levels of the dataset's taxonomy. The coarse CE weight stays half the fine
# one (see _base_/models/skcl_resnet50_inat2018.py).
_base_ = './skcl_resnet50_inat2018.py'
model = dict(head=dict(level_num_classes=[4412, 8142], level_loss_weights=[0.5, 1.0]))
train_dataloader = dict(dataset=dict(levels=['genus', 'species']))
val_dataloader = dict(dataset=dict(levels=['genus', 'species']))
test_dataloader = val_dataloader
