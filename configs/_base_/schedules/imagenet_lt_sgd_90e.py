# SGD for ImageNet-LT (BCL): lr 0.1 at batch 256, momentum 0.9, wd 5e-4,
# cosine over 90 epochs, no warm-up; mixed precision (fp16 with dynamic loss
# scale; BCL trains in fp32). The cosine steps per iteration down to 0; BCL
# steps per epoch, lr * (1 + cos(pi * (e + 1) / 91)) / 2 (main.py adjust_lr).
optim_wrapper = dict(
    type='AmpOptimWrapper', loss_scale='dynamic',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=90, eta_min=0.0,
         convert_to_iter_based=True),
]
# Points written for 90 epochs: tools/train.py scales them to train_cfg.max_epochs
# (see cifar_lt_sgd_300e.py).
param_scheduler_written_for = dict(max_epochs=90, param_scheduler=param_scheduler)
train_cfg = dict(by_epoch=True, max_epochs=90, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256, enable=True)
