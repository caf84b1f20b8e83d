# The ImageNet views of imagenet_views.py built on the device from JPEG bytes
# (GPUDecodeDataPreprocessor, docs/gpu_decoding.md): the dataloader workers
# only read files (LoadImageBytes); the preprocessor decodes each batch on
# the GPU (nvJPEG), crops every image once per view into a 224 x 224 batch and
# runs the batch transforms with per-sample randomness. Same operations,
# parameters and probabilities as the CPU views; each difference is noted
# where it occurs. Images are RGB throughout (the CPU views hold BGR).
#
# Use (see configs/skcl_resnet50_imagenetlt_gpudecode.py): with this file
# next to a config that inherits imagenet_views.py,
#   views=[dict(num_views=1, crop=_base_.gpu_decode_crop, transforms=[
#              *_base_.gpu_decode_regular_transforms,
#              dict(_base_.gpu_decode_randaugment,
#                   policies=_base_.bcl_randaugment_policies)]),
#          _base_.gpu_decode_sim_view]
# (the RandAugment policies are imagenet_views.py's list: a base cannot read
# another base's variables, and mmengine refuses two bases that both inherit
# imagenet_views.py, so the config that joins them adds the list).

# RandomResizedCrop(224, scale 0.08-1, ratio 3/4-4/3), the same box rule.
# Difference: bilinear resampling by torch's antialiased port of PIL's filter
# in float (PIL: 8-bit fixed point), within a few grey levels
# (tests/test_datasets/test_transforms/test_batch/test_resized_crop_list.py).
gpu_decode_crop = dict(type='BatchListRandomResizedCrop', size=224,
                       scale=(0.08, 1.0), ratio=(3. / 4., 4. / 3.))
# View 0 "regular": crop, flip, ColorJitter(.4, .4, .4, hue 0), RandAugment.
gpu_decode_regular_transforms = [
    dict(type='BatchRandomFlip', prob=0.5),
    dict(type='BatchColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
         hue=0.0),
]
# RandAugment n2 m10 mstd 0.5, each op p 0.5, bicubic geometric ops (the
# policies: see the note at the top). pad_val is imagenet_views.py's BGR fill
# [104, 116, 124] in RGB order (BatchRandAugment takes RGB).
gpu_decode_randaugment = dict(
    type='BatchRandAugment', num_policies=2, magnitude_level=10,
    magnitude_std=0.5, total_level=10,
    hparams=dict(pad_val=[124, 116, 104], interpolation='bicubic'))
# Views 1-2 "sim": crop, flip, ColorJitter(.4, .4, .4, .1) p .8, grey p .2
# (luma weights in RGB order: the CPU view's BGR (0.114, 0.587, 0.299)).
gpu_decode_sim_view = dict(
    num_views=2,
    crop=gpu_decode_crop,
    transforms=[
        dict(type='BatchRandomFlip', prob=0.5),
        dict(type='BatchRandomApply', prob=0.8, transforms=[
            dict(type='BatchColorJitter', brightness=0.4, contrast=0.4,
                 saturation=0.4, hue=0.1)]),
        dict(type='BatchRandomGrayscale', prob=0.2,
             channel_weights=(0.299, 0.587, 0.114)),
    ])
# Validation / test: ResizeEdge 256 (short edge) + CenterCrop 224, decoded
# and resized on the device too (same antialiased-bilinear difference).
gpu_decode_eval_crop = dict(type='BatchListResizeCenterCrop', edge=256, size=224)
# Every loader ships file bytes; img_path stays in the data sample (messages).
byte_pipeline = [
    dict(type='LoadImageBytes'),
    dict(type='PackInputs', input_key='img_bytes'),
]
