"""TrainCountsHook: hand the training set's class counts to the head and metrics."""
import copy
import inspect
import os.path as osp
from typing import List

import numpy as np
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop
from mmpretrain.registry import DATASETS, HOOKS

from skcl_mm.datasets.long_tail_hierarchy import split_many_medium_few
from skcl_mm.evaluation.metrics.train_counts import write_train_counts_file

COUNTS_FILE = 'train_counts.json'


@HOOKS.register_module()
class TrainCountsHook(Hook):
    """Give the training images per class to the model head and the metrics.

    Once per run (the first of ``before_train`` / ``before_val`` /
    ``before_test``) it reads the training dataset's metainfo:
    ``class_counts`` (finest classes) and ``level_counts`` (per level,
    coarsest first; ``[class_counts]`` when absent). Without
    ``class_counts`` in the metainfo the counts come from the dataset's
    ``get_gt_labels()``. The dataset is the train loop's when it exists, else
    it is built from the ``train_dataloader`` config (test-only runs) when
    ``build_train_dataset`` is True. Then:

    * the head (``model.head``, DDP unwrapped) gets
      ``head.set_class_counts(level_counts)`` if it has that method;
    * every metric of the val / test evaluator with ``set_train_counts`` gets
      ``set_train_counts(class_counts)`` (plus the dataset's
      ``thresholds=(many_thr, few_thr)`` when the dataset has them and the
      training ``classes``, where the metric takes them, as
      ``LongTailAccuracy`` does) and, with ``set_out_dir``, the run's log dir
      for its per-class files;
    * in a training run, rank 0 writes all of it to
      ``work_dir/train_counts.json`` (with the dataset's
      ``subset_fingerprint`` where its metainfo has one): ``tools/test.py``
      can then read the counts from there (``test_evaluator.train_counts=...``)
      without the training data.

    Without a training dataset the metrics keep their own ``train_counts``;
    the log says so.

    Args:
        build_train_dataset (bool): In runs without a train loop, build the
            training dataset from the ``train_dataloader`` config to read its
            counts. Defaults to True.
    """
    priority = 'ABOVE_NORMAL'  # before any validation; counts set once

    def __init__(self, build_train_dataset: bool = True):
        self.build_train_dataset = build_train_dataset
        self._counts = None  # dict of what _find_counts found, once found
        self._searched = False
        self._head_done = False
        self._metrics_done = set()  # ids of metrics already handed counts

    def before_train(self, runner) -> None:
        self._hand_over(runner, 'val')

    def before_val(self, runner) -> None:
        self._hand_over(runner, 'val')

    def before_test(self, runner) -> None:
        self._hand_over(runner, 'test')

    def _hand_over(self, runner, stage: str) -> None:
        if not self._searched:
            self._searched = True
            self._counts = self._find_counts(runner)
        if self._counts is not None and not self._head_done:
            self._head_done = True
            self._set_head_counts(runner)
            self._write_counts_file(runner)
        self._set_metric_counts(runner, stage)

    def _find_counts(self, runner):
        """dict of class_counts, level_counts, thresholds ((many_thr, few_thr)
        or None) and classes (or None); None with a log line when there is no
        training dataset."""
        dataset, why_not = self._train_dataset(runner)
        if dataset is None:
            runner.logger.warning(
                f'{type(self).__name__}: no training counts ({why_not}); '
                'metrics use their own train_counts, the head keeps its priors.')
            return None
        class_counts, level_counts = dataset_counts(dataset)
        split = (dataset.metainfo.get('many_medium_few')
                 or split_many_medium_few(class_counts))
        runner.logger.info(
            f'{type(self).__name__}: {sum(class_counts)} training images in '
            f'{len(class_counts)} classes, {len(level_counts)} level(s) '
            f'{[len(c) for c in level_counts]}, many/medium/few classes '
            + '/'.join(str(len(split[g])) for g in ('many', 'medium', 'few'))
            + f', from {type(dataset).__name__}.')
        thresholds = None
        if hasattr(dataset, 'many_thr') and hasattr(dataset, 'few_thr'):
            thresholds = (int(dataset.many_thr), int(dataset.few_thr))
        classes = dataset.metainfo.get('classes')
        return dict(class_counts=class_counts, level_counts=level_counts,
                    thresholds=thresholds,
                    classes=None if classes is None else list(classes),
                    subset_fingerprint=dataset.metainfo.get('subset_fingerprint'))

    def _train_dataset(self, runner):
        """The training dataset and, when None, the reason."""
        train_loop = getattr(runner, '_train_loop', None)
        if isinstance(train_loop, BaseLoop):
            return train_loop.dataloader.dataset, None
        # No train loop (test/val only): the dataloader is still a config,
        # read here without building the train loop or its dataloader.
        loader = getattr(runner, '_train_dataloader', None)
        if not loader:
            return None, 'the config has no train_dataloader'
        if not isinstance(loader, dict):  # a built DataLoader
            return loader.dataset, None
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

    def _set_head_counts(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        head = getattr(model, 'head', None)
        if head is None or not callable(getattr(head, 'set_class_counts', None)):
            return
        head.set_class_counts(self._counts['level_counts'])
        runner.logger.info(f'{type(self).__name__}: per-level counts set in '
                           f'{type(head).__name__}.')

    def _set_metric_counts(self, runner, stage: str) -> None:
        for metric in _stage_metrics(runner, stage):
            if id(metric) in self._metrics_done:
                continue
            self._metrics_done.add(id(metric))
            if callable(getattr(metric, 'set_out_dir', None)):
                metric.set_out_dir(runner.log_dir)
            if not callable(getattr(metric, 'set_train_counts', None)):
                continue
            if self._counts is not None:
                self._hand_counts(metric)
            else:
                own = getattr(metric, 'train_counts', None)
                runner.logger.warning(
                    f'{type(self).__name__}: {type(metric).__name__} ({stage}) '
                    + ('uses its own train_counts.' if own is not None else
                       'has no train_counts either: only overall accuracy.'))

    def _write_counts_file(self, runner) -> None:
        """``work_dir/train_counts.json`` in training runs, on rank 0."""
        if not isinstance(getattr(runner, '_train_loop', None), BaseLoop):
            return
        if not is_main_process():
            return
        path = osp.join(runner.work_dir, COUNTS_FILE)
        write_train_counts_file(path, self._counts['classes'],
                                self._counts['class_counts'],
                                self._counts['level_counts'],
                                self._counts['thresholds'],
                                self._counts['subset_fingerprint'])
        hooks = list(runner.cfg.get('custom_hooks') or [])
        index = next((i for i, hook in enumerate(hooks)
                      if hook.get('type') in (type(self).__name__, type(self))), 'N')
        runner.logger.info(
            f'{type(self).__name__}: wrote {path}; tools/test.py without the '
            'training data reads it with --cfg-options '
            f'custom_hooks.{index}.build_train_dataset=False '
            f'test_evaluator.train_counts={path}')

    def _hand_counts(self, metric) -> None:
        """Counts, and the dataset's thresholds and class names where the
        metric takes them."""
        extra = {name: self._counts[name] for name in ('thresholds', 'classes')
                 if self._counts[name] is not None and _takes(metric, name)}
        metric.set_train_counts(self._counts['class_counts'], **extra)


def dataset_counts(dataset) -> tuple:
    """Per-class and per-level training counts of a dataset.

    Args:
        dataset: A dataset with ``metainfo`` (and ``get_gt_labels()`` when
            the metainfo has no ``class_counts``).

    Returns:
        tuple[list[int], list[list[int]]]: ``class_counts`` (C,) and
        ``level_counts`` (coarsest level first; ``[class_counts]`` when the
        metainfo has none).
    """
    meta = dataset.metainfo
    if 'class_counts' not in meta and callable(getattr(dataset, 'full_init', None)):
        dataset.full_init()  # lazily initialised wrappers fill their metainfo here
        meta = dataset.metainfo
    if 'class_counts' in meta:
        class_counts = [int(c) for c in meta['class_counts']]
    else:
        labels = np.asarray(dataset.get_gt_labels(), dtype=np.int64).reshape(-1)
        num_classes = len(meta.get('classes') or ()) or int(labels.max()) + 1
        class_counts = np.bincount(labels, minlength=num_classes).tolist()
    level_counts = meta.get('level_counts') or [class_counts]
    return class_counts, [[int(c) for c in level] for level in level_counts]


def _stage_metrics(runner, stage: str) -> List:
    """Metrics of the val or test evaluator, if that loop is built."""
    loop = getattr(runner, f'_{stage}_loop', None)
    if not isinstance(loop, BaseLoop):
        return []
    return list(getattr(loop.evaluator, 'metrics', []))


def _takes(metric, argument: str) -> bool:
    """Whether ``metric.set_train_counts`` has a parameter named ``argument``."""
    try:
        params = inspect.signature(metric.set_train_counts).parameters
    except (TypeError, ValueError):
        return False
    return argument in params
