"""LongTailAccuracy: top-k, many / medium / few and per-level accuracy."""
import logging
import os
from typing import List, Optional, Sequence, Union

import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from mmpretrain.registry import METRICS
from skcl_mm.structures.train_counts import TrainCounts, split_many_medium_few
from .long_tail_args import check_metric_args
from .long_tail_groups import GROUPS, group_accuracies
from .long_tail_stats import (best_classes, infer_fine_to_level,
                              level_accuracies, per_class_accuracy,
                              top_confusions, topk_accuracy)
from .per_class_plot import plot_per_class
from .per_class_report import (TOP_CONFUSIONS, per_class_rows,
                               resolve_output_path, write_per_class_file)
from .train_counts_source import (CountsArgument, check_against_classes,
                                  counts_from_argument, effective_thresholds)


@METRICS.register_module()
class LongTailAccuracy(BaseMetric):
    """Accuracy of a long-tailed classifier, overall, per class group and level.

    Outputs (percent; ``long_tail`` is the default prefix):

    * ``long_tail/top{k}`` for every ``k`` of ``topk``;
    * ``long_tail/many``, ``/medium``, ``/few``: mean per-class top-1 accuracy
      of the classes with ``> many_thr``, ``few_thr..many_thr`` and
      ``< few_thr`` training images. Needs training counts; classes without a
      test sample are left out of the means (a warning names them), and a
      group without any class present is not reported;
    * ``long_tail/level{l}_top1``: top-1 accuracy at every coarser level ``l``
      (0 = coarsest) when samples carry ``gt_level_labels``; the predicted fine
      class maps to its level-``l`` label through ``dataset_meta
      ['fine_to_level']``, else through the (gt_label, gt_level_labels) pairs
      seen. The finest level's accuracy is ``top1``.

    Training counts are a :class:`~skcl_mm.structures.TrainCounts` record:
    the one :meth:`set_train_counts` hands over (``TrainCountsHook`` does, with
    the training dataset's), else the ``train_counts`` argument's. Never from
    ``dataset_meta``: that describes the evaluated (test) set.

    Args:
        topk (int | Sequence[int]): Top-k accuracies to report. Defaults to 1.
        many_thr (int, optional): More than this many training images is
            "many". Default: the training counts record's (the training
            dataset's, which ``TrainCountsHook`` hands over or the
            ``train_counts`` file gives), else
            :data:`~skcl_mm.structures.DEFAULT_MANY_THR` (100).
        few_thr (int, optional): Fewer than this many training images is
            "few". Default: the record's, else
            :data:`~skcl_mm.structures.DEFAULT_FEW_THR` (20).
        train_counts (None | list[int] | str): Per-class training counts, or a
            JSON file with them, such as the ``train_counts.json`` that
            ``TrainCountsHook`` writes into the training work dir (see
            :meth:`TrainCounts.from_file`; its class names and thresholds
            are used too).
        per_class_file (str, optional): ``.json`` or ``.csv`` file for the
            per-class table (class, group, train count, test count, accuracy,
            the ``TOP_CONFUSIONS`` classes it was most often mistaken for);
            relative paths go to the output directory (the run's log dir when
            ``TrainCountsHook`` runs). Rewritten at every evaluation.
        plot (bool | str): Save a PNG of per-class accuracy from head to tail;
            a string names the file (default ``per_class_accuracy.png``).
        out_dir (str, optional): Output directory of the files above.
        collect_device (str): ``'cpu'`` or ``'gpu'``, see ``BaseMetric``.
        prefix (str, optional): Key prefix; defaults to ``'long_tail'``.
        collect_dir (str, optional): See ``BaseMetric``.
    """
    default_prefix: Optional[str] = 'long_tail'

    def __init__(self,
                 topk: Union[int, Sequence[int]] = (1, ),
                 many_thr: Optional[int] = None,
                 few_thr: Optional[int] = None,
                 train_counts: CountsArgument = None,
                 per_class_file: Optional[str] = None,
                 plot: Union[bool, str] = False,
                 out_dir: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        args = check_metric_args(topk, many_thr, few_thr, per_class_file, plot,
                                 out_dir, collect_device)
        super().__init__(collect_device=collect_device, prefix=prefix,
                         collect_dir=collect_dir)
        self.topk = args['topk']
        self._own_thresholds = args['own_thresholds']
        self.per_class_file = args['per_class_file']
        self.plot_file = args['plot_file']
        self.out_dir = args['out_dir']
        self._counts, self._counts_source = counts_from_argument(train_counts)
        self.many_thr, self.few_thr = effective_thresholds(
            self._own_thresholds, self._counts, self._counts_source,
            type(self).__name__)
        self._warned = set()

    @property
    def train_counts(self) -> Optional[List[int]]:
        """(C,) training images per class in use, or None."""
        return None if self._counts is None else list(self._counts.class_counts)

    @BaseMetric.dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict) -> None:
        """Set the evaluated dataset's meta and check the counts against it."""
        self._dataset_meta = dataset_meta
        if self._counts is not None:
            check_against_classes(self._counts, self._meta_classes(),
                                  self._counts_source)

    def set_train_counts(self, counts: TrainCounts,
                         source: str = 'the training dataset') -> None:
        """Use this training counts record (it replaces ``train_counts``).

        Its thresholds apply where this metric was built without its own (a
        differing own value wins, with a warning); its class names must be
        the evaluated dataset's, in the same order (else the scores would be
        compared with the wrong classes).

        Args:
            counts (TrainCounts): The training counts.
            source (str): Where they come from, for messages.
        """
        if not isinstance(counts, TrainCounts):
            raise TypeError(
                f'{type(self).__name__}.set_train_counts takes a TrainCounts '
                f'record, got {type(counts).__name__}; write e.g. '
                'set_train_counts(TrainCounts(class_counts=[...])) '
                '(from skcl_mm.structures import TrainCounts).')
        check_against_classes(counts, self._meta_classes(), source)
        self.many_thr, self.few_thr = effective_thresholds(
            self._own_thresholds, counts, source, type(self).__name__)
        self._counts, self._counts_source = counts, source
        split = self._split()
        print_log(
            f'{type(self).__name__}: training counts from {source}: '
            f'{counts.num_classes} classes, many/medium/few = '
            + '/'.join(str(len(split[g])) for g in GROUPS)
            + f' (> {self.many_thr}, {self.few_thr}-{self.many_thr}, '
            f'< {self.few_thr} images).', logger='current')

    def set_out_dir(self, out_dir: str) -> None:
        """Directory of the per-class file and plot given as relative paths."""
        self.out_dir = out_dir

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep the best classes, the label and the level labels of each sample.

        Args:
            data_batch: A batch of data from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs with ``gt_label``
                (1,), ``pred_score`` (C,) or ``pred_label`` (1,), and
                optionally ``gt_level_labels`` (L,).
        """
        if not data_samples:
            return
        preds = best_classes(data_samples, self.topk).cpu()  # one copy per batch
        gts = torch.stack([torch.as_tensor(s['gt_label']).reshape(-1)[:1]
                           for s in data_samples]).cpu()
        levels = None
        if all('gt_level_labels' in s for s in data_samples):
            levels = torch.stack([torch.as_tensor(s['gt_level_labels']).reshape(-1)
                                  for s in data_samples]).cpu().long()
        # Each row cloned: a view would pickle (collect_results) its whole batch.
        for index, (pred, gt) in enumerate(zip(preds.long(), gts)):
            result = dict(gt_label=int(gt[0]), pred=pred.clone())
            if levels is not None:
                result['gt_level_labels'] = levels[index].clone()
            elif 'gt_level_labels' in data_samples[index]:
                result['gt_level_labels'] = torch.as_tensor(
                    data_samples[index]['gt_level_labels']).cpu().long().reshape(-1)
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> dict:
        """Compute the metrics of the class docstring from all results."""
        gt = torch.tensor([r['gt_label'] for r in results], dtype=torch.long)
        pred = torch.stack([r['pred'] for r in results])  # (N, K)
        num_classes = self._num_classes(gt, pred)
        metrics = self._topk_metrics(pred, gt)
        acc, test_counts = per_class_accuracy(pred[:, 0], gt, num_classes)
        metrics.update(self._group_metrics(acc, test_counts))
        if all('gt_level_labels' in r for r in results):
            levels = torch.stack([r['gt_level_labels'] for r in results])
            metrics.update(self._level_metrics(pred[:, 0], gt, levels, num_classes))
        self._write_reports(acc, test_counts, pred[:, 0], gt)
        return metrics

    def _topk_metrics(self, pred, gt) -> dict:
        metrics = {}
        for k in self.topk:
            if k > pred.shape[1]:
                self._warn_once(f'top{k}', f'{type(self).__name__}: top-{k} needs '
                                'pred_score in the data samples; only pred_label '
                                'came, so only top1 is reported.')
                continue
            metrics[f'top{k}'] = topk_accuracy(pred, gt, k)
        return metrics

    def _group_metrics(self, acc, test_counts) -> dict:
        if self._counts is None:
            self._warn_once('no_counts', (
                f'{type(self).__name__}: no training counts, so only overall '
                "accuracy is reported. For many/medium/few keep dict(type='"
                "TrainCountsHook') in the config's hooks (skcl_mm's "
                'default_runtime.py has it as default_hooks.train_counts; counts '
                'from the train_dataloader dataset), or give the metric '
                'train_counts= a list of per-class counts or a JSON file of them.'))
            return {}
        self._counts.check_num_classes(len(acc), self._counts_source,
                                       'the evaluated labels')
        metrics, notes = group_accuracies(
            acc, test_counts, self._split(), (self.many_thr, self.few_thr),
            self._class_names(len(acc)), type(self).__name__)
        for key, message in notes:
            self._warn_once(key, message)
        return metrics

    def _level_metrics(self, pred, gt, levels, num_classes) -> dict:
        table = (self.dataset_meta or {}).get('fine_to_level')
        if table is None:
            table = infer_fine_to_level(gt, levels, num_classes)
        else:
            table = torch.as_tensor(table, dtype=torch.long)
            if tuple(table.shape) != (levels.shape[1], num_classes):
                raise ValueError(
                    f"dataset_meta['fine_to_level'] has shape {tuple(table.shape)}"
                    f' but the samples have {levels.shape[1]} levels and '
                    f'{num_classes} classes: expected ({levels.shape[1]}, '
                    f'{num_classes}), coarsest level first.')
        accs = level_accuracies(pred, levels, table)
        return {f'level{lvl}_top1': a for lvl, a in enumerate(accs[:-1])}

    def _write_reports(self, acc, test_counts, pred, gt):
        if self.per_class_file is None and self.plot_file is None:
            return
        rows = per_class_rows(acc, test_counts, self._class_names(len(acc)),
                              self.train_counts,
                              None if self._counts is None else self._split(),
                              top_confusions(pred, gt, len(acc), TOP_CONFUSIONS))
        for name, writer in ((self.per_class_file, write_per_class_file),
                             (self.plot_file, plot_per_class)):
            if name is not None:
                path = writer(rows, resolve_output_path(name, self.out_dir))
                print_log(f'{type(self).__name__}: wrote {os.path.abspath(path)}',
                          logger='current')

    def _num_classes(self, gt, pred) -> int:
        """C from dataset_meta, else the counts, else the largest label seen."""
        if self._meta_classes():
            num_classes, source = len(self._meta_classes()), "dataset_meta['classes']"
        elif self._counts is not None:
            num_classes, source = self._counts.num_classes, self._counts_source
        else:
            return int(max(gt.max(), pred.max())) + 1
        low, high = int(min(gt.min(), pred.min())), int(max(gt.max(), pred.max()))
        if low < 0 or high >= num_classes:
            raise ValueError(f'Labels and predictions span [{low}, {high}] but '
                             f'{source} gives {num_classes} classes; expected '
                             f'values in [0, {num_classes}).')
        return num_classes

    def _split(self) -> dict:
        """The counts' many / medium / few classes at the thresholds in use."""
        return split_many_medium_few(self._counts.class_counts, self.many_thr,
                                     self.few_thr)

    def _meta_classes(self):
        return (self.dataset_meta or {}).get('classes')

    def _class_names(self, num_classes: int) -> List[str]:
        classes = self._meta_classes()
        return [str(classes[c]) if classes else str(c) for c in range(num_classes)]

    def _warn_once(self, key: str, message: str):
        if key not in self._warned:
            self._warned.add(key)
            print_log(message, logger='current', level=logging.WARNING)
