# Fine-tuning schedule of OLTR's Places-LT stage 1 (config/Places_LT/stage_1.py):
# 30 epochs at batch 128, SGD momentum 0.9, weight decay 5e-4, lr 0.1 for the
# new layers and 0.001 for the pretrained ResNet-152 (lr_mult 0.01), x0.1 every
# 10 epochs; PaCo's Places-LT run (paco_fp16_places.py) also trains 30 epochs
# at batch 128 with weight decay 5e-4. Mixed precision (fp16, dynamic loss scale).
optim_wrapper = dict(
    type='AmpOptimWrapper', loss_scale='dynamic',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.01)}))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[10, 20], gamma=0.1),
]
# Points written for 30 epochs: tools/train.py scales them to train_cfg.max_epochs
# (see cifar_lt_sgd_300e.py).
param_scheduler_written_for = dict(max_epochs=30, param_scheduler=param_scheduler)
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128, enable=True)
