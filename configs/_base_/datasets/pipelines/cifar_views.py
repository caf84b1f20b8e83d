# CIFAR views: view 0 "regular" (the classifier's view), views 1-2 "sim" for
# the contrastive branch (ConCutMix's `uncutout-sim` recipe, the one its
# CIFAR scripts use; BCL's repository has no CIFAR code). No CutMix: that is
# ConCutMix's own method, not SKCL's. See docs/pipelines.md.
#
# Every *_views.py here defines the same names:
#   train_pipeline             one view (regular_view): what the dataset bases
#                              load; any single-view head trains on it
#   multi_view_train_pipeline  SKCL's / BCL's three views; their configs pick it:
#     train_dataloader = dict(dataset=dict(pipeline=_base_.multi_view_train_pipeline))
#   test_pipeline, data_preprocessor (normalisation, one view or several)
#
# View order, the contract of every multi_view_train_pipeline here: view 0 is
# the classifier view (the transforms of train_pipeline), the contrastive
# views follow. MultiView(num_views=[1, 2], transforms=[regular_view,
# sim_view]) keeps that order (the code side:
# skcl_mm/models/data_preprocessors/view_order.py).
#
# Using these pieces from another config (mmengine 0.10.7, python configs):
#   _base_ = ['<relative path>/pipelines/cifar_views.py']
#   multi_view_train_pipeline = [
#       dict(type='MultiView', num_views=[1, 2],
#            transforms=[_base_.regular_view_cutout, _base_.sim_view]),
#       dict(type='PackInputs')]
# In a python config `_base_` is a real variable while the file runs, so
# `_base_.x` works anywhere, inside expressions too (`_base_.regular_view +
# [...]`). The `{{_base_.x}}` form is a text placeholder: it works only as a
# whole value, never inside an expression. Redefine the pipelines whenever
# you change a view: the base's pipelines hold the base's views.
#
# Images from mmpretrain's CIFAR datasets are RGB uint8 (H, W, 3): grey and
# jitter weights below are for RGB, and the preprocessor keeps to_rgb=False.

# View 0: RandomCrop 32 pad 4, flip, AutoAugment (CIFAR-10 policy, 25
# sub-policies, fill 128): ConCutMix's Uncut_augmentation_regular. Cutout (1
# hole of 16x16) is optional below; neither code base uses it (BCL's has no
# CIFAR code, ConCutMix's 'cutout-sim' choice has no branch in main.py).
regular_view = [
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='CifarAutoAugment'),
]
# The hole holds the mean pixel (0 after normalisation).
cutout = dict(type='Cutout', shape=16, prob=1.0, pad_val=(125, 123, 114))
regular_view_cutout = [*regular_view, cutout]

# Views 1-2: RandomResizedCrop(32, scale 0.2-1), flip, ColorJitter(.4, .4, .4,
# .1) with p .8, grey p .2, Gaussian blur p .5. HueSafeColorJitter replaces
# ColorJitter: mmcv-lite 2.2.0's hue step crashes under numpy 2. The blur
# follows ConCutMix's GaussianBlur([.1, 2.]): PIL blur with radius (sigma)
# uniform in [0.1, 2.0] on the 32x32 image (magnitude_std='inf' draws the
# level uniformly in [0, 10], mapped linearly onto magnitude_range).
sim_view = [
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.2, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomApply', prob=0.8, transforms=[
        dict(type='HueSafeColorJitter', brightness=0.4, contrast=0.4,
             saturation=0.4, hue=0.1, channel_order='rgb')]),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.299, 0.587, 0.114)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf',
         prob=0.5),
]

train_pipeline = [*regular_view, dict(type='PackInputs')]
multi_view_train_pipeline = [
    dict(type='MultiView', num_views=[1, 2],
         transforms=[regular_view, sim_view]),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]

# One view -> (B, 3, 32, 32); 3 views -> (3B, 3, 32, 32), view-major. Mean /
# std of ConCutMix's CIFAR code (0.4914, 0.4822, 0.4465) / (0.2023, 0.1994,
# 0.2010), times 255.
# The runner merges this into model.data_preprocessor unless the model sets
# its own.
data_preprocessor = dict(
    type='MultiViewClsDataPreprocessor',
    mean=[125.307, 122.961, 113.8575],
    std=[51.5865, 50.847, 51.255],
    to_rgb=False)
