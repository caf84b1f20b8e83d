# Ablation (paper Table 4, "C-F only", in the paper's own words: "only the
# corresponding coarse-grained category"): every anchor's one coarse target is
# its own superclass, read from the CIFAR-100 label tree (the dataset's
# fine_to_level), not chosen by description similarity: M_i = {y_i,
# parent(y_i)}, K = 1 (one coarser level). CIFAR-100-LT IF100, paper: 51.9
# top-1. The other reading, Top-2 among all 20 superclass nodes:
# skcl_resnet32_cifar100lt_cf_only.py. docs/loss.md, "Modes and K".
#   python tools/train.py configs/skcl_resnet32_cifar100lt_cf_parent.py
_base_ = './skcl_resnet32_cifar100lt.py'
model = dict(head=dict(contrastive_loss=dict(mode='C-F-parent', num_neighbours=1)))
