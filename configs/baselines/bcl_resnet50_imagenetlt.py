# BCL baseline on the SKCL ImageNet-LT recipe: prototypes as extra keys of the
# balanced denominator, one temperature, no semantic graph (BCLLoss).
# The temperature stays SKCL's 0.1 (BCL's own ImageNet-LT run used 0.07).
_base_ = '../skcl_resnet50_imagenetlt.py'
model = dict(head=dict(contrastive_loss=dict(
    _delete_=True, type='BCLLoss', loss_weight=0.35, temperature=0.1)))
