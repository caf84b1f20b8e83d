# ResNet-50 (2048-d) + GAP + SKCLHead, one level of 1,000 classes (ImageNet-LT).
# Semantic graph hook and views: see skcl_resnet32.py. Sources and differences
# (BCL's main.py and models/resnext.py): docs/loss.md, "Recipe audit".
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=50),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='SKCLHead',
        in_channels=2048,
        level_num_classes=[1000],
        cosine_classifier=True,  # BCL's ImageNet-LT classifier, scale 30
        cosine_scale=30.0,
        mlp_hidden_channels=2048,  # projection and prototype MLP 2048-2048-1024
        feat_channels=1024,
        # All three views pass the projection MLP, view 0 dropped after (BCL).
        project_classifier_view=True,
        loss=dict(type='LogitAdjustedCrossEntropyLoss', tau=1.0),  # BCL's tau
        # BCL's ImageNet-LT weights (main.py: alpha 1.0, beta 0.35); the
        # paper gives neither. CIFAR uses ConCutMix's CIFAR pair 2.0 / 0.6.
        level_loss_weights=[1.0],
        contrastive_loss=dict(
            type='SKCLLoss',
            loss_weight=0.35,
            temperature=0.1,  # tau (paper; BCL used 0.07)
            proto_temperature=0.2,  # tau' (paper)
            mode='both',  # one level: every other class is a candidate
            num_neighbours=4),  # K = 4 for ImageNet-LT (paper)
        topk=(1, 5)),
)

custom_hooks = [dict(type='SemanticGraphHook')]
