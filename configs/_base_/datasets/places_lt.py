# Places-LT (Liu et al., CVPR 2019, OLTR): 62,500 training images of
# Places365-Standard, 4,980 -> 5 per class; val (20 per class) selects, test
# (100 per class, Places365's val set) reports. 365 scenes under Places365's
# scene hierarchy (hierarchy='places365': 3 + 16 categories, coarsest first;
# docs/places_lt.md). data_root holds the easy format's train/ and val/ and
# the Places_LT_*.txt lists (README, "Data preparation"). Data only: one
# training view; the views are the ImageNet-LT recipe's.
_base_ = ['./pipelines/imagenet_views.py']

data_root = 'data/places365_standard'
hierarchy = 'places365'
train_dataloader = dict(
    batch_size=32,  # per GPU: 4 GPUs x 32 = OLTR's 128 (auto_scale_lr otherwise)
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='LongTailHierarchyDataset',  # counts from the list
        hierarchy=hierarchy,
        # The shipped texts of the 365 scenes and 19 coarse categories.
        descriptions='places365',
        pipeline=_base_.train_pipeline,
        dataset=dict(type='PlacesLT', data_root=data_root, split='train')))


def _evaluation_loader(split):
    """The val and test loaders differ in the list they read."""
    return dict(
        batch_size=128,
        num_workers=8,
        persistent_workers=True,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='LongTailHierarchyDataset',
            hierarchy=hierarchy,
            pipeline=_base_.test_pipeline,
            dataset=dict(type='PlacesLT', data_root=data_root, split=split)))


val_dataloader = _evaluation_loader('val')
test_dataloader = _evaluation_loader('test')
# Top-1/top-5, many (>100) / medium / few (<20) and per-level accuracy.
val_evaluator = dict(type='LongTailAccuracy', topk=(1, 5))
test_evaluator = val_evaluator
