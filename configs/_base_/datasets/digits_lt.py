# Long-tailed handwritten digits: scikit-learn's 1,797 real scans (no download),
# imbalance 10 (124 -> 12 training images per class, 503 in all), grouped by stroke shape
# (closed loop / straight stroke / open curve), 50 balanced test images per
# class. Views in pipelines/digits_views.py.
_base_ = ['./pipelines/digits_views.py']

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='LongTailHierarchyDataset', imbalance_factor=10, hierarchy='digits',
        many_thr=60, few_thr=20,  # TrainCountsHook hands them to the metric
        descriptions='digits',
        pipeline=_base_.train_pipeline,
        dataset=dict(type='SklearnDigits', split='train')))
val_dataloader = dict(
    batch_size=250,
    num_workers=0,
    persistent_workers=False,  # mmpretrain's own train.py would force True
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='LongTailHierarchyDataset', hierarchy='digits',
        pipeline=_base_.test_pipeline,
        dataset=dict(type='SklearnDigits', split='test')))
test_dataloader = val_dataloader
# Thresholds (set on the training dataset above, followed by the metric):
# many > 60, few < 20 training images
# (3 / 5 / 2 classes: 124, 96, 74 | 57 ... 20 | 16, 12).
val_evaluator = dict(type='LongTailAccuracy')
test_evaluator = val_evaluator
