# ResNet-32 (LT literature: 16/32/64 channels, option-A shortcuts, 64-d) + GAP +
# SKCLHead for a two-level hierarchy (CIFAR-100: 20 superclasses, 100 classes).
# Experiment configs set level_num_classes; baseline configs change the head's losses.
# Where each setting comes from, and how it differs from the paper, BCL's code
# and ConCutMix's code: docs/loss.md, "Recipe audit". BCL's repository has no
# CIFAR code; the CIFAR head follows ConCutMix's CIFAR scripts and ResNet-32
# (run_files/cifar*.sh, models/resnet32.py).
model = dict(
    type='ImageClassifier',
    backbone=dict(type='CifarResNet', depth=32),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='SKCLHead',
        in_channels=64,
        level_num_classes=[20, 100],  # coarsest level first, like the dataset
        # Plain linear classifiers: ConCutMix's CIFAR scripts do not pass
        # --use_norm (its cosine classifier). The prototypes are MLP images of
        # the classifier's class rows, as with ConCutMix's cosine classifier
        # and in BCL's ImageNet code. (ConCutMix's prototype MLP on a plain
        # classifier maps the transposed weight: 64 feature rows, not classes;
        # see the audit.) cosine_classifier=True, cosine_scale=30.0 gives the
        # cosine variant.
        cosine_classifier=False,
        mlp_hidden_channels=512,  # projection and prototype MLP 64-512-128 (ConCutMix)
        feat_channels=128,
        # All three views pass the projection MLP (its BatchNorm sees the
        # classifier view too), view 0 is dropped before the loss: as BCL's and
        # ConCutMix's code do. False: views 1-2 only (the head's default).
        project_classifier_view=True,
        # Logit adjustment (Menon et al.) with the training priors of every
        # level, tau 1.0: BCL's LogitAdjust default, which its code never
        # changes. ConCutMix's CIFAR scripts tune it per setting (0.75-1.0);
        # the paper says "cross-entropy" (tau=0 gives plain CE).
        # TrainCountsHook hands the counts to the head.
        loss=dict(type='LogitAdjustedCrossEntropyLoss', tau=1.0),
        # CE weights per level (coarsest first). The paper gives none: fine 2.0
        # is ConCutMix's CIFAR CE weight (--alpha 2); the coarse level gets 1.0
        # (an auxiliary task that should not outweigh the fine one; see
        # docs/loss.md).
        level_loss_weights=[1.0, 2.0],
        contrastive_loss=dict(
            type='SKCLLoss',
            loss_weight=0.6,  # ConCutMix's CIFAR --beta 0.6 (paper: not given)
            temperature=0.1,  # tau (paper; ConCutMix's CIFAR --temp 0.1)
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
