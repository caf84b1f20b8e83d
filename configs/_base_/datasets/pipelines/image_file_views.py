# The CIFAR views (cifar_views.py) for your own image files at CIFAR scale:
# LoadImageFromFile reads BGR, every image is resized to 32x32 first, and the
# colour steps take BGR (jitter channel_order='bgr', grey weights in BGR
# order); the preprocessor turns the batch to RGB (to_rgb=True) before the
# CIFAR mean/std. AutoAugment's colour ops assume BGR, as these images are.
# For larger images use imagenet_views.py (224 px, ResNet-50) instead.
_base_ = ['./cifar_views.py']

image_size = 32
load_image = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size)),
]
sim_view = [
    dict(type='RandomResizedCrop', scale=image_size, crop_ratio_range=(0.2, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomApply', prob=0.8, transforms=[
        dict(type='HueSafeColorJitter', brightness=0.4, contrast=0.4,
             saturation=0.4, hue=0.1, channel_order='bgr')]),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.299)),  # BGR
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf',
         prob=0.5),
]
train_pipeline = [*load_image, *_base_.regular_view, dict(type='PackInputs')]
multi_view_train_pipeline = [  # view order: cifar_views.py
    *load_image,
    dict(type='MultiView', num_views=[1, 2],
         transforms=[_base_.regular_view, sim_view]),
    dict(type='PackInputs'),
]
test_pipeline = [*load_image, dict(type='PackInputs')]
data_preprocessor = dict(to_rgb=True)
