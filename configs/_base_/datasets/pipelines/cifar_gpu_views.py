# The CIFAR views of cifar_views.py built on the device by
# GPUAugmentDataPreprocessor: the dataloader ships each uint8 RGB image once
# (PackInputs only), and batched transforms make 1 regular + 2 sim views per
# sample on the GPU, with per-sample randomness. Same operations, parameters
# and probabilities as the CPU views (docs/pipelines.md, "GPU-side views").
#
# Use (see configs/skcl_resnet32_cifar100lt_gpuaug.py):
#   _base_ = [..., '<relative path>/pipelines/cifar_gpu_views.py']
#   data_preprocessor = _base_.gpu_data_preprocessor
#   train_dataloader = dict(dataset=dict(pipeline=_base_.gpu_train_pipeline))

# View 0: RandomCrop 32 pad 4, flip, AutoAugment (CIFAR-10 policy, fill 128).
gpu_regular_view = [
    dict(type='BatchRandomCrop', size=32, padding=4),
    dict(type='BatchRandomFlip', prob=0.5),
    dict(type='BatchCifarAutoAugment', pad_val=128),
]
# Views 1-2: RandomResizedCrop(32, scale 0.2-1), flip, ColorJitter(.4, .4, .4,
# .1) with p .8, grey p .2, Gaussian blur (sigma 0.1-2) p .5.
gpu_sim_view = [
    dict(type='BatchRandomResizedCrop', size=32, scale=(0.2, 1.0)),
    dict(type='BatchRandomFlip', prob=0.5),
    dict(type='BatchRandomApply', prob=0.8, transforms=[
        dict(type='BatchColorJitter', brightness=0.4, contrast=0.4,
             saturation=0.4, hue=0.1)]),
    dict(type='BatchRandomGrayscale', prob=0.2,
         channel_weights=(0.299, 0.587, 0.114)),
    dict(type='BatchGaussianBlur', sigma=(0.1, 2.0), prob=0.5),
]
gpu_train_pipeline = [dict(type='PackInputs')]
gpu_data_preprocessor = dict(
    _delete_=True,
    type='GPUAugmentDataPreprocessor',
    views=[dict(num_views=1, transforms=gpu_regular_view),
           dict(num_views=2, transforms=gpu_sim_view)],
    mean=[125.307, 122.961, 113.8575],
    std=[51.5865, 50.847, 51.255],
    to_rgb=False)
