# SKCL, ResNet-50, ImageNet-LT, 90 epochs, AMP (paper Table 3: many / medium /
# few / all 71.5 / 56.8 / 41.5 / 60.4). One level, K = 4.
#   bash tools/dist_train.sh configs/skcl_resnet50_imagenetlt.py 4
_base_ = [
    '_base_/models/skcl_resnet50.py',
    '_base_/datasets/imagenet_lt.py',
    '_base_/schedules/imagenet_lt_sgd_90e.py',
    '_base_/default_runtime.py',
]
# SKCL trains on the three views of the dataset's view recipe.
train_dataloader = dict(dataset=dict(pipeline=_base_.multi_view_train_pipeline))
data_preprocessor = dict(channels_last=True)  # faster convolutions under AMP
