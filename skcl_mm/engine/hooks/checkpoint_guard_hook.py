"""CheckpointGuardHook: a loaded checkpoint must fit the run, or the run stops."""
from typing import List

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop

from mmpretrain.registry import HOOKS
from skcl_mm.datasets.subset_fingerprint import subset_differences
from ..checkpoint_fit import (checkpoint_dataset_meta, checkpoint_state_dict,
                              class_problems, input_shape_problem,
                              sample_shape, unused_weights_note,
                              weight_problems)

BACKBONE_ONLY = ("to start from its backbone only, load it with "
                 "model.backbone.init_cfg=dict(type='Pretrained', checkpoint=PATH, "
                 "prefix='backbone.') instead of load_from")


class CheckpointMismatchError(RuntimeError):
    """A checkpoint was made for another model, class list, subset or input."""


@HOOKS.register_module()
class CheckpointGuardHook(Hook):
    """Stop a run whose checkpoint would train or score something else.

    mmengine loads checkpoints non-strictly: weights of another shape or name
    are skipped with a log line, and a resumed run on another dataset only
    warns. This hook checks, when a checkpoint is loaded (``--resume``,
    ``load_from``, ``tools/test.py``) and before any step:

    * every weight of the model is in the checkpoint with the same shape
      (another class count or number of hierarchy levels is named as such);
    * the class names and their order, per level, equal those of the data
      used now (the training set when training, else the evaluated set);
    * in a training run, the training subset is the one the checkpoint was
      trained on (``subset_fingerprint`` of
      :class:`~skcl_mm.datasets.LongTailHierarchyDataset`): another imbalance
      factor, seed, split or hierarchy stops the run, naming the setting,
      unless ``allow_other_subset`` (``tools/train.py --allow-other-subset``);
    * in an evaluation run, the first batch has the ``[C, H, W]`` shape of
      the training inputs, which this hook records in every checkpoint it
      saves (``meta['input_shape']``).

    Args:
        allow_other_subset (bool): Resume or load into training on another
            subset, with a warning. Defaults to False.
        check_input_shape (bool): Check the first evaluated batch against
            the recorded training input shape. Defaults to True.
    """
    priority = 'VERY_HIGH'

    def __init__(self, allow_other_subset: bool = False,
                 check_input_shape: bool = True):
        for name, value in (('allow_other_subset', allow_other_subset),
                            ('check_input_shape', check_input_shape)):
            if not isinstance(value, bool):
                raise TypeError(f'CheckpointGuardHook: {name} must be True or '
                                f'False, got {value!r} ({type(value).__name__}).')
        self.allow_other_subset = allow_other_subset
        self.check_input_shape = check_input_shape
        self._train_input_shape = None   # seen in this run's training
        self._loaded_input_shape = None  # recorded in the loaded checkpoint
        self._checked_eval_batch = False

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Raise :class:`CheckpointMismatchError` listing every mismatch."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        training, dataset, what = _data_in_use(runner)
        recorded = checkpoint_dataset_meta(checkpoint)
        state = checkpoint_state_dict(checkpoint)
        problems = weight_problems(state, model)
        if dataset is not None:
            problems += class_problems(recorded, dict(dataset.metainfo), what)
        if training and dataset is not None:
            problems += self._subset_problems(runner, recorded, dict(dataset.metainfo))
        if problems:
            raise CheckpointMismatchError(_message(problems, training))
        self._loaded_input_shape = (checkpoint.get('meta') or {}).get('input_shape')
        unused = unused_weights_note(state, model)
        if unused:
            runner.logger.warning(f'CheckpointGuardHook: {unused}.')
        if not recorded.get('classes'):
            runner.logger.warning(
                'CheckpointGuardHook: the checkpoint records no class names (not '
                'written by an mmengine training run?): its class order cannot be '
                'checked against the data.')

    def _subset_problems(self, runner, recorded: dict, current: dict) -> List[str]:
        old, new = recorded.get('subset_fingerprint'), current.get('subset_fingerprint')
        if new is None:
            return []  # a dataset that does not fingerprint its subset
        if old is None:
            runner.logger.warning(
                'CheckpointGuardHook: the checkpoint records no training subset '
                '(made before skcl_mm recorded it, or on a dataset without '
                'LongTailHierarchyDataset): the subset cannot be checked.')
            return []
        differences = subset_differences(old, new)
        if differences and self.allow_other_subset:
            runner.logger.warning(
                'CheckpointGuardHook: training on another subset than the '
                'checkpoint\'s, as allowed (allow_other_subset=True): '
                + '; '.join(differences))
            return []
        return [f'training subset: {line}' for line in differences]

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if self._train_input_shape is None and isinstance(data_batch, dict):
            self._train_input_shape = sample_shape(data_batch.get('inputs'))

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        shape = self._train_input_shape or self._loaded_input_shape
        if shape is not None:
            checkpoint.setdefault('meta', {})['input_shape'] = [int(n) for n in shape]

    def before_val_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        self._check_eval_batch(data_batch, 'the first validation batch')

    def before_test_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        self._check_eval_batch(data_batch, 'the first test batch')

    def _check_eval_batch(self, data_batch, source: str) -> None:
        """Evaluation runs of a loaded checkpoint: inputs of its training shape."""
        if (self._checked_eval_batch or not self.check_input_shape
                or self._train_input_shape is not None
                or self._loaded_input_shape is None or not isinstance(data_batch, dict)):
            return
        self._checked_eval_batch = True
        shape = sample_shape(data_batch.get('inputs'))
        problem = None if shape is None else input_shape_problem(
            self._loaded_input_shape, shape, source)
        if problem:
            raise CheckpointMismatchError(
                f'The checkpoint does not fit this evaluation: {problem}. (An '
                'evaluation at another resolution on purpose: '
                '--cfg-options default_hooks.checkpoint_guard.check_input_shape=False.)')


def _data_in_use(runner):
    """(training?, the dataset whose classes the checkpoint must match, its name).

    The Runner builds the loop of the current call (train / val / test)
    before it loads a checkpoint; the others stay configs.
    """
    loops = [('train', '_train_loop', 'the training set'),
             ('test', '_test_loop', 'the test set'),
             ('val', '_val_loop', 'the validation set')]
    for stage, attribute, what in loops:
        loop = getattr(runner, attribute, None)
        if isinstance(loop, BaseLoop):
            dataset = getattr(loop.dataloader, 'dataset', None)
            return stage == 'train', dataset, what
    return False, None, 'the data'


def _message(problems: List[str], training: bool) -> str:
    lines = '\n'.join(f'  - {line}' for line in problems)
    fixes = ['load a checkpoint trained with this config (same classes in the same '
             'order, same hierarchy levels), or the config it was trained with']
    if training:
        if any(line.startswith('training subset') for line in problems):
            fixes.append('to train on another subset from it deliberately: '
                         'tools/train.py --allow-other-subset')
        fixes.append(BACKBONE_ONLY)
    return ('The checkpoint does not fit this run:\n' + lines + '\nFix: '
            + '; '.join(fixes) + '.')



def ensure_checkpoint_guard(cfg, allow_other_subset: bool = False):
    """Add the guard to ``cfg.default_hooks`` when a config lacks it (configs
    that do not inherit skcl_mm's default runtime); set ``allow_other_subset``
    when asked (it is never turned off here)."""
    hooks = cfg.get('default_hooks')
    if hooks is None:
        cfg.default_hooks = hooks = {}
    guard = hooks.get('checkpoint_guard')
    if guard is None:
        hooks['checkpoint_guard'] = guard = dict(type='CheckpointGuardHook')
    if allow_other_subset:
        guard['allow_other_subset'] = True
    return cfg
