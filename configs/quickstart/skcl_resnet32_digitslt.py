# Offline quickstart: SKCL end to end on real data that ships with
# scikit-learn, on a CPU in a few minutes:
#   python tools/train.py configs/quickstart/skcl_resnet32_digitslt.py
# Same model and loss as the CIFAR recipe (but for the projector's views,
# below); a short schedule for 503 images.
_base_ = [
    '../_base_/models/skcl_resnet32.py',
    '../_base_/datasets/digits_lt.py',
    '../_base_/default_runtime.py',
]
# SKCL trains on the three views of the dataset's view recipe.
train_dataloader = dict(dataset=dict(pipeline=_base_.multi_view_train_pipeline))
# The projection MLP sees views 1-2 only (the head's default), unlike the CIFAR
# recipe (all three views, as BCL): the README's quickstart numbers were
# measured so.
model = dict(head=dict(level_num_classes=[3, 10], topk=(1, ),
                       project_classifier_view=False))

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=2,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=2, T_max=18, eta_min=1e-4),
]
# Written for 20 epochs; tools/train.py scales the points to train_cfg.max_epochs.
param_scheduler_written_for = dict(max_epochs=20, param_scheduler=param_scheduler)
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=5)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(logger=dict(interval=5))
# lr 0.05 is for 16 images per step; more processes scale it linearly.
auto_scale_lr = dict(base_batch_size=16, enable=True)
