# SGD for CIFAR-LT: lr 0.15 at batch 256, momentum 0.9, wd 5e-4 (ConCutMix),
# 5 linear warm-up epochs, x0.1 at epochs 160 and 180 of 200 (BCL/ConCutMix)
# stretched to the paper's 300 epochs: 240 and 270.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.15, momentum=0.9, weight_decay=5e-4,
                   nesterov=False))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, milestones=[240, 270], gamma=0.1),
]
train_cfg = dict(by_epoch=True, max_epochs=300, val_interval=5)
val_cfg = dict()
test_cfg = dict()
# lr above is for 256 images per step; the runner rescales it linearly for
# other totals (GPUs x per-GPU batch), so 1, 4 or 8 GPUs need no edit.
auto_scale_lr = dict(base_batch_size=256, enable=True)
