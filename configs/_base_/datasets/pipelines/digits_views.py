# Views of the long-tailed digits (digits_lt.py): CIFAR's (cifar_views.py,
# whose names and view order these follow) minus flips, a mirrored digit
# being another symbol; no colour (grey scans), milder crops.
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
train_pipeline = [*regular_view, dict(type='PackInputs')]
multi_view_train_pipeline = [
    dict(type='MultiView', num_views=[1, 2], transforms=[regular_view, sim_view]),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]
# Pixel mean / std of the scans (scaled to 0-255), the same on the 3 channels.
data_preprocessor = dict(type='MultiViewClsDataPreprocessor', mean=[77.8] * 3,
                         std=[95.9] * 3, to_rgb=False)
