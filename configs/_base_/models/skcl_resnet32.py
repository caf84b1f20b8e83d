# ResNet-32 (LT literature: 16/32/64 channels, option-A shortcuts, 64-d) + GAP +
# SKCLHead for a two-level hierarchy (CIFAR-100: 20 superclasses, 100 classes).
# Experiment configs set level_num_classes; baseline configs change the head's losses.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='CifarResNet', depth=32),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='SKCLHead',
        in_channels=64,
        level_num_classes=[20, 100],  # coarsest level first, like the dataset
        cosine_classifier=False,  # BCL's CIFAR recipe: plain linear classifier
        mlp_hidden_channels=512,  # projection and prototype MLP 64-512-128 (BCL)
        feat_channels=128,
        # Logit adjustment (Menon et al.) with the training priors of every
        # level: tau 1.0 as in BCL; TrainCountsHook hands the counts to the head.
        loss=dict(type='LogitAdjustedCrossEntropyLoss', tau=1.0),
        # CE weights per level (coarsest first). The paper gives none: fine 2.0
        # is BCL's CE weight; the coarse level gets 1.0 (an auxiliary task that
        # should not outweigh the fine one; see docs/loss.md).
        level_loss_weights=[1.0, 2.0],
        contrastive_loss=dict(
            type='SKCLLoss',
            loss_weight=0.6,  # BCL's contrastive weight (paper: not given)
            temperature=0.1,  # tau (paper)
            proto_temperature=0.2,  # tau' > tau (paper)
            mode='both',  # Top-K over both levels (paper, Table 4 "both")
            num_neighbours=2),  # K = 2 for CIFAR (paper)
        topk=(1, 5)),
)

# The method's own pieces beside the head: SemanticGraphHook builds the Top-K
# table before training from the training dataset's descriptions (its
# `descriptions=`), K and mode from the head; a head that reads no graph (BCL,
# CE) makes it a no-op. The three views come from the dataset's view recipe:
# configs that combine this with a dataset base select them with
#   train_dataloader = dict(dataset=dict(pipeline=_base_.multi_view_train_pipeline))
custom_hooks = [dict(type='SemanticGraphHook')]
