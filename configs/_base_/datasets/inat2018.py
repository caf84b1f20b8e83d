# iNaturalist 2018 (Van Horn et al., CVPR 2018): 437,513 training images of
# 8,142 species (1,000 down to 2 per class) over seven taxonomic ranks; the
# val split (24,426 images, 3 per class) validates and reports, as in BCL,
# PaCo and RIDE (the release's test split is unlabelled). data_root holds
# train_val2018/, train2018.json, val2018.json and categories.json (the
# release's real names: the annotation files' names are obfuscated).
# hierarchy='dataset': the seven ranks kingdom ... species, coarsest first,
# names made unique (skcl_mm/datasets/inat_taxonomy.py); descriptions=
# 'dataset': every node's taxonomy path as its text, so the semantic graph
# builds offline, without an LLM (docs/inat2018.md).
_base_ = ['./pipelines/imagenet_views.py']

data_root = 'data/inat2018'
train_dataloader = dict(
    batch_size=64,  # per GPU: 4 GPUs x 64 = BCL's 256 (auto_scale_lr otherwise)
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='LongTailHierarchyDataset',  # counts from the annotations as given
        hierarchy='dataset',
        descriptions='dataset',
        pipeline=_base_.train_pipeline,
        dataset=dict(type='INat2018', data_root=data_root, split='train',
                     categories_file='categories.json')))
val_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='LongTailHierarchyDataset',
        hierarchy='dataset',
        pipeline=_base_.test_pipeline,
        dataset=dict(type='INat2018', data_root=data_root, split='val',
                     categories_file='categories.json')))
test_dataloader = val_dataloader
val_evaluator = dict(type='LongTailAccuracy', topk=(1, 5))
test_evaluator = val_evaluator
# BCL's iNaturalist normalisation (main.py: mean (0.466, 0.471, 0.380), std
# (0.195, 0.194, 0.192), RGB), x 255; the views are BCL's ImageNet ones.
data_preprocessor = dict(mean=[118.83, 120.105, 96.9], std=[49.725, 49.47, 48.96])
