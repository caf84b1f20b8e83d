# A stock LinearClsHead on the long-tailed wrapper over generated CIFAR-10 files
# (tests/fixtures/cifar.py), found through the SKCL_TEST_CIFAR10 variable.
_base_ = ['../../../configs/_base_/default_runtime.py']
custom_imports = dict(imports=['skcl_mm', 'tests.fixtures.cifar'],
                      allow_failed_imports=False)

data_root = '{{$SKCL_TEST_CIFAR10:data/cifar10}}'
model = dict(
    type='ImageClassifier',
    backbone=dict(type='CifarResNet', depth=20),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=64,
              loss=dict(type='CrossEntropyLoss')),
    data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=10,
                           mean=[125.3, 123.0, 113.9], std=[63.0, 62.1, 66.7]))

train_dataloader = dict(
    batch_size=8, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='LongTailHierarchyDataset', imbalance_factor=4, hierarchy='cifar10',
        dataset=dict(type='CIFAR10Fixture', data_root=data_root, split='train',
                     pipeline=[dict(type='RandomCrop', crop_size=32, padding=4),
                               dict(type='RandomFlip', prob=0.5),
                               dict(type='PackInputs')])))
val_dataloader = dict(
    batch_size=16, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='LongTailHierarchyDataset', hierarchy='cifar10',
        dataset=dict(type='CIFAR10Fixture', data_root=data_root, split='test',
                     pipeline=[dict(type='PackInputs')])))
val_evaluator = dict(type='LongTailAccuracy', many_thr=15, few_thr=8)
test_dataloader = val_dataloader
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]
train_cfg = dict(by_epoch=False, max_iters=2, val_interval=2)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, interval=2))
log_processor = dict(by_epoch=False)
