# SKCL, ResNet-152 (ImageNet-pretrained), Places-LT, 30 epochs, AMP, on
# Places365's scene hierarchy (3 + 16 + 365 classes). OLTR's protocol (Liu et
# al., CVPR 2019): the pretrained ResNet-152 fine-tuned for 30 epochs at batch
# 128 (schedule: _base_/schedules/places_lt_sgd_30e.py). The paper has no
# Places-LT result; BCL published none either.
#   bash tools/dist_train.sh configs/skcl_resnet152_placeslt.py 4
_base_ = [
    '_base_/models/skcl_resnet152.py',
    '_base_/datasets/places_lt.py',
    '_base_/schedules/places_lt_sgd_30e.py',
    '_base_/default_runtime.py',
]
# SKCL trains on the three views of the dataset's view recipe.
train_dataloader = dict(dataset=dict(pipeline=_base_.multi_view_train_pipeline))
data_preprocessor = dict(channels_last=True)  # faster convolutions under AMP
