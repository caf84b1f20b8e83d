# ImageNet-LT views (BCL's ImageNet recipe): view 0 "regular" for the
# classifier, views 1-2 "sim" for the contrastive branch. Images come from
# LoadImageFromFile in BGR order; the preprocessor turns them to RGB.
regular_view = [
    dict(type='RandomResizedCrop', scale=224, backend='pillow',
         interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='HueSafeColorJitter', brightness=0.4, contrast=0.4,
         saturation=0.4, hue=0.0, channel_order='bgr'),
    # RandAugment n=2, m=10 (timm's rand-n2-m10-mstd0.5 op set).
    dict(type='RandAugment', policies='timm_increasing', num_policies=2,
         total_level=10, magnitude_level=10, magnitude_std=0.5,
         hparams=dict(pad_val=[104, 116, 124], interpolation='bicubic')),
]
sim_view = [
    dict(type='RandomResizedCrop', scale=224, backend='pillow',
         interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomApply', prob=0.8, transforms=[
        dict(type='HueSafeColorJitter', brightness=0.4, contrast=0.4,
             saturation=0.4, hue=0.1, channel_order='bgr')]),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.299)),  # BGR
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=[1, 2], transforms=[regular_view, sim_view]),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
data_preprocessor = dict(
    type='MultiViewClsDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
