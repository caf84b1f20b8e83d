# Runtime shared by every skcl_mm config: mmpretrain scope, skcl_mm registered.
default_scope = 'mmpretrain'
custom_imports = dict(imports=['skcl_mm'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # LT protocol: validate every few epochs (train_cfg.val_interval) and keep
    # the best checkpoint by top-1 beside the last one (papers usually quote
    # the best epoch; report both).
    # Every epoch; the last two are kept, because mmengine deletes the oldest
    # kept checkpoint before it writes the next: with one kept, a crash or
    # Ctrl-C during a save would leave none. A crash costs at most one epoch.
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2,
                    save_last=True, save_best='long_tail/top1', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='VisualizationHook', enable=False),
    # Distributed runs: average the BatchNorm statistics of the ranks before
    # each validation, so the validated model is the one saved (without it
    # each rank validates its own statistics and rank 0's are saved).
    sync_buffers=dict(type='SyncBuffersHook'),
    # --resume from another run's checkpoint must not delete that run's best.
    own_best_checkpoint=dict(type='OwnBestCheckpointHook'),
    # A loaded checkpoint (--resume, load_from, tools/test.py) must fit the
    # model, classes, training subset and input shape of the run, or it stops.
    checkpoint_guard=dict(type='CheckpointGuardHook'),
    # Training images per class, handed to the head (logit adjustment) and to
    # LongTailAccuracy (many / medium / few), whatever the head.
    train_counts=dict(type='TrainCountsHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # nccl on GPUs; skcl_mm's tools switch to gloo on a machine without CUDA.
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
