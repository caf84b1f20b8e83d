# CIFAR-100-LT (LDAM-DRW profile, imbalance 100: 10,847 training images) with the
# CIFAR-100 superclass hierarchy; the balanced test set validates and tests
# (the LT literature has no separate validation split for CIFAR). Data only:
# one training view (the classifier's), the shipped class descriptions; the
# methods' pieces (SKCL's views, its graph hook) come with their configs.
# Per-class counts as BCL's / ConCutMix's IMBALANCECIFAR; the images kept
# differ (they shuffle with numpy's global seed, 0 / 10; here a local
# generator, seed 0). Shuffled, not class-balanced, batches, as theirs.
_base_ = ['./pipelines/cifar_views.py']

data_root = 'data/cifar100'  # mmpretrain's CIFAR100 downloads itself here
imbalance_factor = 100
train_dataloader = dict(
    batch_size=256,  # per GPU; auto_scale_lr rescales lr for other totals
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='LongTailHierarchyDataset',
        imbalance_factor=imbalance_factor,
        seed=0,  # the per-class subset; independent of the training seed
        hierarchy='cifar100',
        descriptions='cifar100',  # shipped texts of the 100 + 20 classes
        pipeline=_base_.train_pipeline,
        dataset=dict(type='CIFAR100', data_root=data_root, split='train')))
val_dataloader = dict(
    batch_size=256,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='LongTailHierarchyDataset',
        hierarchy='cifar100',
        pipeline=_base_.test_pipeline,
        dataset=dict(type='CIFAR100', data_root=data_root, split='test')))
test_dataloader = val_dataloader
# Overall top-1/top-5, many (>100) / medium / few (<20) and superclass accuracy.
val_evaluator = dict(type='LongTailAccuracy', topk=(1, 5))
test_evaluator = val_evaluator
