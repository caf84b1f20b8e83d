# SKCL, ResNet-50, iNaturalist 2018 (all seven ranks), with the JPEGs decoded
# and the three views built on the GPU (GPUDecodeDataPreprocessor) instead of
# in the dataloader workers, which then only read files. Same recipe
# otherwise (docs/gpu_decoding.md).
#   bash tools/dist_train.sh configs/skcl_resnet50_inat2018_gpudecode.py 4
_base_ = [
    './skcl_resnet50_inat2018.py',
    '_base_/datasets/pipelines/imagenet_decode_gpu_views.py',
]
# Merged into the recipe's preprocessor: iNaturalist's mean/std and
# channels_last stay.
data_preprocessor = dict(
    type='GPUDecodeDataPreprocessor',
    to_rgb=False,  # the decoder gives RGB
    views=[dict(num_views=1, crop=_base_.gpu_decode_crop, transforms=[
               *_base_.gpu_decode_regular_transforms,
               dict(_base_.gpu_decode_randaugment,
                    policies=_base_.bcl_randaugment_policies)]),
           _base_.gpu_decode_sim_view],
    eval_crop=_base_.gpu_decode_eval_crop)
train_dataloader = dict(num_workers=8,  # the workers only read files
                        dataset=dict(pipeline=_base_.byte_pipeline))
val_dataloader = dict(dataset=dict(pipeline=_base_.byte_pipeline))
# (test_dataloader is val_dataloader in the dataset base; set it here too.)
test_dataloader = dict(dataset=dict(pipeline=_base_.byte_pipeline))
# The GPU draws the views: every rank needs its own random stream (the
# preprocessor checks this on the first batch of a distributed run).
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
