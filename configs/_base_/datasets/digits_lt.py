# Long-tailed handwritten digits: scikit-learn's 1,797 real scans (no download),
# imbalance 10 (124 -> 12 training images per class, 503 in all), grouped by stroke shape
# (closed loop / straight stroke / open curve), 50 balanced test images per
# class. Views like CIFAR's minus flips (a mirrored digit is another symbol).
regular_view = [
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='CifarAutoAugment'),
]
sim_view = [
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.5, 1.0)),
    dict(type='RandomApply', prob=0.8, transforms=[
        dict(type='HueSafeColorJitter', brightness=0.4, contrast=0.4,
             saturation=0.0, hue=0.0, channel_order='rgb')]),
    dict(type='GaussianBlur', magnitude_range=(0.1, 1.0), magnitude_std='inf',
         prob=0.5),
]
train_pipeline = [
    dict(type='MultiView', num_views=[1, 2], transforms=[regular_view, sim_view]),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]
# Pixel mean / std of the scans (scaled to 0-255), the same on the 3 channels.
data_preprocessor = dict(type='MultiViewClsDataPreprocessor', mean=[77.8] * 3,
                         std=[95.9] * 3, to_rgb=False)

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='LongTailHierarchyDataset', imbalance_factor=10, hierarchy='digits',
        many_thr=60, few_thr=20,  # TrainCountsHook hands them to the metric
        pipeline=train_pipeline,
        dataset=dict(type='SklearnDigits', split='train')))
val_dataloader = dict(
    batch_size=250,
    num_workers=0,
    persistent_workers=False,  # mmpretrain's own train.py would force True
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='LongTailHierarchyDataset', hierarchy='digits',
        pipeline=test_pipeline,
        dataset=dict(type='SklearnDigits', split='test')))
test_dataloader = val_dataloader
# Thresholds (set on the training dataset above, followed by the metric):
# many > 60, few < 20 training images
# (3 / 5 / 2 classes: 124, 96, 74 | 57 ... 20 | 16, 12).
val_evaluator = dict(type='LongTailAccuracy')
test_evaluator = val_evaluator
custom_hooks = [
    dict(type='TrainCountsHook'),
    dict(type='SemanticGraphHook', descriptions='digits'),
]
