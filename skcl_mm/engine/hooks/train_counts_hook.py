"""TrainCountsHook: hand the training set's class counts to the head and metrics."""
import copy
import os.path as osp
from typing import List, Optional, Tuple

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner.priority import get_priority

from mmpretrain.registry import DATASETS, HOOKS
from skcl_mm.structures.train_counts import TrainCounts

COUNTS_FILE = 'train_counts.json'


@HOOKS.register_module()
class TrainCountsHook(Hook):
    """Give the training images per class to the model head and the metrics.

    Once per run (the first of ``before_train`` / ``before_val`` /
    ``before_test``) it makes a :class:`~skcl_mm.structures.TrainCounts`
    record of the training dataset (see :meth:`TrainCounts.from_dataset`): in
    a training run the train dataloader's dataset; in a val / test-only run
    the dataset of ``cfg.train_dataloader``, built on its own (not the train
    loop) when ``build_train_dataset`` is True. Then:

    * the head (``model.head``, DDP unwrapped) gets
      ``head.set_class_counts(counts.level_counts)`` if it has that method;
    * every metric of the val / test evaluator with ``set_train_counts`` gets
      ``set_train_counts(counts)`` and, with ``set_out_dir``, the run's log
      dir for its per-class files;
    * in a training run, rank 0 writes the record to
      ``work_dir/train_counts.json`` (:meth:`TrainCounts.to_file`):
      ``tools/test.py`` can then read the counts from there
      (``test_evaluator.train_counts=...``) without the training data.

    Without a training dataset the metrics keep their own ``train_counts``;
    the log says so. Listed twice (a config's ``custom_hooks`` beside the
    default hook), the instance that runs first acts and the others log once
    that they are duplicates.

    Args:
        build_train_dataset (bool): In runs without a train loop, build the
            training dataset from the ``train_dataloader`` config to read its
            counts. Defaults to True.
    """
    priority = 'ABOVE_NORMAL'  # before any validation; counts set once

    def __init__(self, build_train_dataset: bool = True):
        self.build_train_dataset = build_train_dataset
        self._counts: Optional[TrainCounts] = None
        self._searched = False
        self._file_written = False
        self._duplicate_told = False
        self._metrics_done = set()  # ids of metrics already handed counts

    def before_train(self, runner) -> None:
        if self._is_duplicate(runner):
            return
        self._make_counts(runner, lambda: (runner.train_dataloader.dataset, None))
        if self._counts is not None and not self._file_written and is_main_process():
            self._file_written = True
            self._write_counts_file(runner)
        if runner.val_loop is not None:  # built by train() when configured
            self._hand_to_metrics(runner, runner.val_evaluator, 'val')

    def before_val(self, runner) -> None:
        if not self._is_duplicate(runner):
            self._make_counts(runner, lambda: self._dataset_from_cfg(runner))
            self._hand_to_metrics(runner, runner.val_evaluator, 'val')

    def before_test(self, runner) -> None:
        if not self._is_duplicate(runner):
            self._make_counts(runner, lambda: self._dataset_from_cfg(runner))
            self._hand_to_metrics(runner, runner.test_evaluator, 'test')

    def _is_duplicate(self, runner) -> bool:
        """Whether another TrainCountsHook runs before this one (it acts)."""
        mine = [hook for hook in runner.hooks if isinstance(hook, TrainCountsHook)]
        if self not in mine or mine[0] is self:  # not registered: acts alone
            return False
        if not self._duplicate_told:
            self._duplicate_told = True
            paths = _config_paths(runner.cfg, type(self))
            paths = paths if len(paths) == len(mine) else [None] * len(mine)
            me, acting = paths[mine.index(self)], paths[0]
            ignored = self.build_train_dataset != mine[0].build_train_dataset
            (runner.logger.warning if ignored else runner.logger.info)(
                f'{type(self).__name__} ({me or "registered twice"}) is a '
                f'duplicate of {acting or "the first one"}, which acts; this one '
                'does nothing.' + (
                    f' Its build_train_dataset={self.build_train_dataset} is '
                    f'ignored: set it on {acting or "the first one"}.'
                    if ignored else ''))
        return True

    def _make_counts(self, runner, find_dataset) -> None:
        """The record, once per run, handed to the head; a log line either way."""
        if self._searched:
            return
        self._searched = True
        dataset, why_not = find_dataset()
        if dataset is None:
            runner.logger.warning(
                f'{type(self).__name__}: no training counts ({why_not}); '
                'metrics use their own train_counts, the head keeps its priors.')
            return
        self._counts = counts = TrainCounts.from_dataset(dataset)
        split = counts.many_medium_few()
        runner.logger.info(
            f'{type(self).__name__}: {sum(counts.class_counts)} training images in '
            f'{counts.num_classes} classes, {len(counts.level_counts)} level(s) '
            f'{[len(level) for level in counts.level_counts]}, many/medium/few '
            'classes ' + '/'.join(str(len(split[g])) for g in ('many', 'medium', 'few'))
            + f', from {type(dataset).__name__}.')
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        head = getattr(model, 'head', None)
        if head is not None and callable(getattr(head, 'set_class_counts', None)):
            head.set_class_counts(counts.level_counts)
            runner.logger.info(f'{type(self).__name__}: per-level counts set in '
                               f'{type(head).__name__}.')

    def _dataset_from_cfg(self, runner) -> Tuple[object, Optional[str]]:
        """The ``train_dataloader`` config's dataset, built alone (no loader,
        no train loop), and, when None, the reason."""
        loader = runner.cfg.get('train_dataloader')
        if not loader:
            return None, 'the config has no train_dataloader'
        if not self.build_train_dataset:
            return None, 'build_train_dataset=False'
        dataset_cfg = loader.get('dataset')
        if dataset_cfg is None:
            return None, 'the train_dataloader config has no dataset'
        if not isinstance(dataset_cfg, dict):  # an already built dataset
            return dataset_cfg, None
        try:
            return DATASETS.build(copy.deepcopy(dataset_cfg)), None
        except Exception as error:  # report any build failure, go on without
            return None, ('building the train_dataloader dataset failed: '
                          f'{type(error).__name__}: {error}')

    def _hand_to_metrics(self, runner, evaluator, stage: str) -> None:
        for metric in getattr(evaluator, 'metrics', []):
            if id(metric) in self._metrics_done:
                continue
            self._metrics_done.add(id(metric))
            if callable(getattr(metric, 'set_out_dir', None)):
                metric.set_out_dir(runner.log_dir)
            if not callable(getattr(metric, 'set_train_counts', None)):
                continue
            if self._counts is not None:
                metric.set_train_counts(self._counts)
                continue
            own = getattr(metric, 'train_counts', None)
            runner.logger.warning(
                f'{type(self).__name__}: {type(metric).__name__} ({stage}) '
                + ('uses its own train_counts.' if own is not None else
                   'has no train_counts either: only overall accuracy.'))

    def _write_counts_file(self, runner) -> None:
        """``work_dir/train_counts.json`` and how tools/test.py reads it."""
        path = osp.join(runner.work_dir, COUNTS_FILE)
        self._counts.to_file(path)
        paths = _config_paths(runner.cfg, type(self))
        option = f'{paths[0]}.build_train_dataset=False' if paths else (
            'build_train_dataset=False (on this TrainCountsHook)')
        runner.logger.info(
            f'{type(self).__name__}: wrote {path}; tools/test.py without the '
            f'training data reads it with --cfg-options {option} '
            f'test_evaluator.train_counts={path}')


def _config_paths(cfg, hook_type: type) -> List[str]:
    """Config keys of the ``hook_type`` entries (``default_hooks.<name>``,
    ``custom_hooks.<i>``) in the order the Runner runs them: default hooks
    registered first, then custom hooks, each placed by priority."""
    entries = [(f'default_hooks.{name}', hook)
               for name, hook in (cfg.get('default_hooks') or {}).items()]
    entries += [(f'custom_hooks.{i}', hook)
                for i, hook in enumerate(cfg.get('custom_hooks') or [])]
    names = (hook_type.__name__, hook_type)
    found = [(get_priority(hook.get('priority', hook_type.priority)), path)
             for path, hook in entries
             if isinstance(hook, dict) and (
                 hook.get('type') in names
                 or str(hook.get('type')).split('.')[-1] == hook_type.__name__)]
    return [path for _, path in sorted(found, key=lambda item: item[0])]
