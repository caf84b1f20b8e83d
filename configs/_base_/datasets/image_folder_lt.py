# Your own long-tailed, hierarchical images, as image folders (docs/own_data.md):
#   data/my_images/hierarchy.yaml       the label tree, leaves = folder names
#   data/my_images/descriptions.json    tools/generate_descriptions.py --classes
#                                       data/my_images/hierarchy.yaml --out ...
#   data/my_images/train/<class>/*.png  taken as given (no subsampling)
#   data/my_images/val/<class>/*.png    every class folder present
# Image folders sort their classes by name, the same in both splits. For
# annotation lists use CustomDataset(ann_file=..., metainfo=dict(classes=[...]))
# with one class order on both.
_base_ = ['./pipelines/image_file_views.py']

data_root = 'data/my_images'
train_dataloader = dict(
    batch_size=64,  # per GPU; auto_scale_lr rescales lr for other totals
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='LongTailHierarchyDataset',
        hierarchy=f'{data_root}/hierarchy.yaml',
        many_thr=100, few_thr=20,  # "many" > 100, "few" < 20 training images
        descriptions=f'{data_root}/descriptions.json',  # read by SKCL only
        pipeline=_base_.train_pipeline,
        dataset=dict(type='CustomDataset', data_root=data_root,
                     data_prefix='train')))
val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='LongTailHierarchyDataset',
        hierarchy=f'{data_root}/hierarchy.yaml',
        pipeline=_base_.test_pipeline,
        # test_mode: a class without validation images is left out of the
        # per-class means (with a warning) instead of stopping the run.
        dataset=dict(type='CustomDataset', data_root=data_root,
                     data_prefix='val', test_mode=True)))
test_dataloader = val_dataloader
val_evaluator = dict(type='LongTailAccuracy')
test_evaluator = val_evaluator
