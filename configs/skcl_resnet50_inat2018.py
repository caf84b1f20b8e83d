# SKCL, ResNet-50, iNaturalist 2018 over all seven taxonomic ranks (14,035
# nodes), 100 epochs, AMP. The SKCL paper has no iNaturalist run; the recipe
# is BCL's (Zhu et al., CVPR 2022) iNaturalist 2018 run: its README command
# (--lr 0.2 --epochs 100 --arch resnet50 --use-norm True --wd 1e-4 --cos True
# --cl_views sim-sim) and main.py defaults (batch 256, CE weight alpha 1.0,
# contrastive beta 0.35, MLP 2048-2048-1024, RandAugment n2 m10 on the
# classifier view, iNaturalist mean/std). Temperatures are SKCL's (tau 0.1,
# tau' 0.2; BCL's default is 0.07). The graph's node texts are the taxonomy
# paths (descriptions='dataset'); an LLM set: docs/inat2018.md.
#   bash tools/dist_train.sh configs/skcl_resnet50_inat2018.py 4
_base_ = [
    '_base_/models/skcl_resnet50_inat2018.py',
    '_base_/datasets/inat2018.py',
    '_base_/schedules/inat2018_sgd_100e.py',
    '_base_/default_runtime.py',
]
# SKCL trains on the three views of the dataset's view recipe.
train_dataloader = dict(dataset=dict(pipeline=_base_.multi_view_train_pipeline))
# The graph is built (about 6 min on a 2-core CPU, then cached), its pictures
# are not: at 14,035 nodes the hook's per-genus pages (4,412 panels) took 37
# min there, on rank 0 while the other ranks wait (docs/benchmarks.md,
# "iNaturalist 2018 at full size").
custom_hooks = [dict(type='SemanticGraphHook', save_figures=False)]
data_preprocessor = dict(channels_last=True)  # faster convolutions under AMP
