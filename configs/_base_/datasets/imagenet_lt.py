# ImageNet-LT (Liu et al. 2019): 115,846 training images, 1,280 -> 5 per class,
# one level of 1,000 classes; val (20 per class) selects, test (50 per class)
# reports. data_root holds train/, val/ and the ImageNet_LT_*.txt lists.
_base_ = ['./pipelines/imagenet_views.py']

data_root = 'data/imagenet'
train_dataloader = dict(
    batch_size=64,  # per GPU: 4 GPUs x 64 = BCL's 256 (auto_scale_lr otherwise)
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='LongTailHierarchyDataset',  # counts from the list, one level
        descriptions='imagenet',
        pipeline=_base_.train_pipeline,
        dataset=dict(type='ImageNetLT', data_root=data_root, split='train')))


def _evaluation_loader(split):
    """The val and test loaders differ in the list they read."""
    return dict(
        batch_size=128,
        num_workers=8,
        persistent_workers=True,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='LongTailHierarchyDataset',
            pipeline=_base_.test_pipeline,
            dataset=dict(type='ImageNetLT', data_root=data_root, split=split)))


val_dataloader = _evaluation_loader('val')
test_dataloader = _evaluation_loader('test')
val_evaluator = dict(type='LongTailAccuracy', topk=(1, 5))
test_evaluator = val_evaluator
