# SKCL on your own images (docs/own_data.md): image folders and a label tree
# under data/my_images, images resized to 32x32, ResNet-32, CIFAR views.
# Copy this file and edit the lines marked EDIT, then
#   python tools/generate_descriptions.py --classes data/my_images/hierarchy.yaml \
#       --out data/my_images/descriptions.json --model MODEL [--base-url URL]
#   python tools/train.py configs/examples/skcl_resnet32_image_folder.py
_base_ = [
    '../_base_/models/skcl_resnet32.py',
    '../_base_/datasets/image_folder_lt.py',
    '../_base_/default_runtime.py',
]
# SKCL trains on the three views of the dataset's view recipe.
train_dataloader = dict(dataset=dict(pipeline=_base_.multi_view_train_pipeline))
# EDIT: classes per level of data/my_images/hierarchy.yaml, coarsest first.
model = dict(head=dict(level_num_classes=[2, 6], topk=(1, )))

# 100 epochs: 5 linear warm-up, then cosine; lr 0.05 for 64 images per step.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=5, T_max=95, eta_min=0.),
]
# Written for 100 epochs; tools/train.py scales the points to train_cfg.max_epochs
# (edit param_scheduler and this line together).
param_scheduler_written_for = dict(max_epochs=100, param_scheduler=param_scheduler)
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=64, enable=True)
