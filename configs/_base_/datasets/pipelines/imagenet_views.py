# ImageNet-LT views (BCL's ImageNet recipe): view 0 "regular" for the
# classifier, views 1-2 "sim" for the contrastive branch; the names and view
# order of cifar_views.py (train_pipeline: the regular view alone). Images
# come from LoadImageFromFile in BGR order; the preprocessor turns them to
# RGB. Resizing is bilinear, torchvision's default that BCL's code uses.

# BCL's RandAugment is timm's rand-n2-m10-mstd0.5: the original (not the
# "increasing") op set, where a higher level weakens Posterize (level / 10 * 4
# bits kept) and Solarize (threshold level / 10 * 256) and sets the enhance
# factor to level / 10 * 1.8 + 0.1 without a random sign. mmpretrain's
# 'timm_increasing' set would posterize to 0 bits and solarize almost every
# pixel at level 10. mmpretrain maps a level L to val1 + (val2 - val1) * L / 10;
# each op runs with probability 0.5, as in timm. (mmpretrain rounds Posterize
# bits up where timm rounds down, e.g. 4 bits instead of 3 at level 9.5.)
bcl_randaugment_policies = [
    dict(type='AutoContrast'),
    dict(type='Equalize'),
    dict(type='Invert'),
    dict(type='Rotate', magnitude_range=(0, 30)),
    dict(type='Posterize', magnitude_range=(0, 4)),
    dict(type='Solarize', magnitude_range=(0, 256)),
    dict(type='SolarizeAdd', magnitude_range=(0, 110)),
    dict(type='ColorTransform', magnitude_range=(-0.9, 0.9), random_negative_prob=0.),
    dict(type='Contrast', magnitude_range=(-0.9, 0.9), random_negative_prob=0.),
    dict(type='Brightness', magnitude_range=(-0.9, 0.9), random_negative_prob=0.),
    dict(type='Sharpness', magnitude_range=(-0.9, 0.9), random_negative_prob=0.),
    dict(type='Shear', magnitude_range=(0, 0.3), direction='horizontal'),
    dict(type='Shear', magnitude_range=(0, 0.3), direction='vertical'),
    dict(type='Translate', magnitude_range=(0, 0.45), direction='horizontal'),
    dict(type='Translate', magnitude_range=(0, 0.45), direction='vertical'),
]
regular_view = [
    dict(type='RandomResizedCrop', scale=224, backend='pillow',
         interpolation='bilinear'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='HueSafeColorJitter', brightness=0.4, contrast=0.4,
         saturation=0.4, hue=0.0, channel_order='bgr'),
    # (timm draws bilinear or bicubic for the geometric ops; bicubic here.)
    dict(type='RandAugment', policies=bcl_randaugment_policies, num_policies=2,
         total_level=10, magnitude_level=10, magnitude_std=0.5,
         hparams=dict(pad_val=[104, 116, 124], interpolation='bicubic')),
]
sim_view = [
    dict(type='RandomResizedCrop', scale=224, backend='pillow',
         interpolation='bilinear'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomApply', prob=0.8, transforms=[
        dict(type='HueSafeColorJitter', brightness=0.4, contrast=0.4,
             saturation=0.4, hue=0.1, channel_order='bgr')]),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.299)),  # BGR
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    *regular_view,
    dict(type='PackInputs'),
]
multi_view_train_pipeline = [  # view order: cifar_views.py (view 0 classifies)
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=[1, 2], transforms=[regular_view, sim_view]),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow',
         interpolation='bilinear'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
data_preprocessor = dict(
    type='MultiViewClsDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
