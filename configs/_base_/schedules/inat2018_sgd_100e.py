# SGD for iNaturalist 2018 (BCL's README command: --lr 0.2 --epochs 100 --wd
# 1e-4 --cos True, batch 256): momentum 0.9, cosine over 100 epochs, stepped
# once per epoch as BCL's adjust_lr; mixed precision (fp16 with dynamic loss
# scale) as the ImageNet-LT schedule.
optim_wrapper = dict(
    type='AmpOptimWrapper', loss_scale='dynamic',
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=100, eta_min=0.0),
]
# Points written for 100 epochs: tools/train.py scales them to
# train_cfg.max_epochs (see cifar_lt_sgd_300e.py).
param_scheduler_written_for = dict(max_epochs=100, param_scheduler=param_scheduler)
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256, enable=True)
