"""LongTailAccuracy: top-k, many / medium / few and per-level accuracy."""
import logging
import os
from typing import List, Optional, Sequence, Tuple, Union

import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmpretrain.registry import METRICS

from skcl_mm.datasets.long_tail_hierarchy import split_many_medium_few
from .long_tail_args import check_metric_args, check_thresholds
from .long_tail_stats import (best_classes, group_means, infer_fine_to_level,
                              level_accuracies, per_class_accuracy, topk_accuracy)
from .per_class_report import (plot_per_class, resolve_output_path,
                               write_per_class_file)
from .train_counts import (CountsSource, check_class_order, check_counts,
                           check_counts_length, load_train_counts,
                           read_train_counts_file)

GROUPS = ('many', 'medium', 'few')


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

    Training counts come from :meth:`set_train_counts` (``TrainCountsHook``
    calls it with the train dataset's ``class_counts``), else from
    ``train_counts``. Never from ``dataset_meta``: that describes the
    evaluated (test) set.

    Args:
        topk (int | Sequence[int]): Top-k accuracies to report. Defaults to 1.
        many_thr (int, optional): More than this many training images is
            "many". Default: the training dataset's (``TrainCountsHook`` hands
            it over, or the ``train_counts`` file gives it), else 100.
        few_thr (int, optional): Fewer than this many training images is
            "few". Default: the training dataset's, else 20.
        train_counts (None | list[int] | str): Per-class training counts, or a
            JSON file with them, such as the ``train_counts.json`` that
            ``TrainCountsHook`` writes into the training work dir (see
            :func:`read_train_counts_file`; its class names and thresholds
            are used too).
        per_class_file (str, optional): ``.json`` or ``.csv`` file for the
            per-class table (class, group, train count, test count, accuracy);
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
                 train_counts: CountsSource = None,
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
        self.many_thr, self.few_thr = args['thresholds']
        self.per_class_file = args['per_class_file']
        self.plot_file = args['plot_file']
        self.out_dir = args['out_dir']
        self._counts_source = None if train_counts is None else (
            f'train_counts={os.fspath(train_counts)!r}'
            if isinstance(train_counts, (str, os.PathLike))
            else 'the train_counts argument')
        self._train_classes = None
        if isinstance(train_counts, (str, os.PathLike)):
            counts_file = read_train_counts_file(train_counts)
            self.train_counts = counts_file['class_counts']
            self._train_classes = counts_file['classes']
            if counts_file['thresholds'] is not None:
                self._adopt_thresholds(counts_file['thresholds'],
                                       self._counts_source)
        else:
            self.train_counts = load_train_counts(train_counts)
        self._warned = set()

    @BaseMetric.dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict) -> None:
        """Set the evaluated dataset's meta and check the counts against it."""
        self._dataset_meta = dataset_meta
        if self.train_counts is not None:
            self._check_against_meta(self.train_counts, self._train_classes,
                                     self._counts_source)

    def _check_against_meta(self, counts, classes, source: str) -> None:
        """One count per evaluated class, and the training class order."""
        if self._meta_classes():
            check_counts_length(counts, len(self._meta_classes()), source,
                                "dataset_meta['classes']")
            check_class_order(classes, self._meta_classes(), source)

    def set_train_counts(self, class_counts: Sequence[int],
                         source: str = 'the training dataset',
                         thresholds: Optional[Tuple[int, int]] = None,
                         classes: Optional[Sequence[str]] = None) -> None:
        """Use these per-class training counts (they replace ``train_counts``).

        Args:
            class_counts (Sequence[int]): (C,) training images per finest class.
            source (str): Where they come from, for messages.
            thresholds (tuple[int, int], optional): ``(many_thr, few_thr)`` of
                the training dataset; they apply where this metric was built
                without its own (a differing own value wins, with a warning).
            classes (Sequence[str], optional): (C,) training class names; an
                evaluated dataset that orders its classes differently is an
                error (its scores would be compared with the wrong classes).
        """
        counts = check_counts(class_counts, source)
        self._check_against_meta(counts, classes, source)
        if thresholds is not None:
            self._adopt_thresholds(thresholds, source)
        self.train_counts, self._counts_source = counts, source
        self._train_classes = None if classes is None else list(classes)
        split = split_many_medium_few(counts, self.many_thr, self.few_thr)
        print_log(
            f'{type(self).__name__}: training counts from {source}: '
            f'{len(counts)} classes, many/medium/few = '
            + '/'.join(str(len(split[g])) for g in GROUPS)
            + f' (> {self.many_thr}, {self.few_thr}-{self.many_thr}, '
            f'< {self.few_thr} images).', logger='current')

    def _adopt_thresholds(self, thresholds: Tuple[int, int], source: str) -> None:
        """Take the dataset's many/few thresholds where none were given."""
        given = self._own_thresholds
        merged = tuple(int(theirs) if own is None else own
                       for own, theirs in zip(given, thresholds))
        check_thresholds(*merged)
        differing = [f'{name}={own} (dataset: {theirs})'
                     for name, own, theirs in zip(('many_thr', 'few_thr'), given,
                                                  thresholds)
                     if own is not None and own != theirs]
        if differing:
            print_log(f'{type(self).__name__}: own thresholds {", ".join(differing)} '
                      f'differ from {source}; the metric uses its own. Leave them '
                      'unset to follow the dataset.', logger='current',
                      level=logging.WARNING)
        self.many_thr, self.few_thr = merged

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
        self._write_reports(acc, test_counts)
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
        if self.train_counts is None:
            self._warn_once('no_counts', (
                f'{type(self).__name__}: no training counts, so only overall '
                'accuracy is reported. For many/medium/few add '
                "dict(type='TrainCountsHook') to custom_hooks (counts from the "
                'train_dataloader dataset), or give the metric train_counts= a '
                'list of per-class counts or a JSON file of them.'))
            return {}
        check_counts_length(self.train_counts, len(acc), self._counts_source,
                            'the evaluated labels')
        absent = (test_counts == 0).nonzero().flatten().tolist()
        if absent:
            names = [self._class_name(c) for c in absent]
            self._warn_once('absent', (
                f'{type(self).__name__}: {len(absent)} classes have no test '
                f'sample and are left out of the per-class means: '
                f'{names[:10]}{" ..." if len(names) > 10 else ""}'))
        split = split_many_medium_few(self.train_counts, self.many_thr, self.few_thr)
        metrics = {}
        for group, mean in group_means(acc, split).items():
            if mean is None:
                why = 'has a test sample' if split[group] else 'exists'
                self._warn_once(f'empty_{group}', (
                    f'{type(self).__name__}: no "{group}" class {why} '
                    f'(thresholds > {self.many_thr} / < {self.few_thr} '
                    f'training images), so {group} is not reported.'))
            else:
                metrics[group] = mean
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

    def _write_reports(self, acc, test_counts):
        if self.per_class_file is None and self.plot_file is None:
            return
        rows = self._per_class_rows(acc, test_counts)
        for name, writer in ((self.per_class_file, write_per_class_file),
                             (self.plot_file, plot_per_class)):
            if name is not None:
                path = writer(rows, resolve_output_path(name, self.out_dir))
                print_log(f'{type(self).__name__}: wrote {os.path.abspath(path)}',
                          logger='current')

    def _per_class_rows(self, acc, test_counts) -> List[dict]:
        counts, group_of = self.train_counts, {}
        if counts is not None:
            split = split_many_medium_few(counts, self.many_thr, self.few_thr)
            group_of = {c: g for g in GROUPS for c in split[g]}
        return [dict(index=c, **{'class': self._class_name(c)},
                     group=group_of.get(c),
                     train_count=None if counts is None else counts[c],
                     test_count=int(test_counts[c]),
                     accuracy=None if test_counts[c] == 0 else float(acc[c]))
                for c in range(len(acc))]

    def _num_classes(self, gt, pred) -> int:
        """C from dataset_meta, else the counts, else the largest label seen."""
        if self._meta_classes():
            num_classes, source = len(self._meta_classes()), "dataset_meta['classes']"
        elif self.train_counts is not None:
            num_classes, source = len(self.train_counts), self._counts_source
        else:
            return int(max(gt.max(), pred.max())) + 1
        low, high = int(min(gt.min(), pred.min())), int(max(gt.max(), pred.max()))
        if low < 0 or high >= num_classes:
            raise ValueError(f'Labels and predictions span [{low}, {high}] but '
                             f'{source} gives {num_classes} classes; expected '
                             f'values in [0, {num_classes}).')
        return num_classes

    def _meta_classes(self):
        return (self.dataset_meta or {}).get('classes')

    def _class_name(self, index: int) -> str:
        classes = self._meta_classes()
        return str(classes[index]) if classes else str(index)

    def _warn_once(self, key: str, message: str):
        if key not in self._warned:
            self._warned.add(key)
            print_log(message, logger='current', level=logging.WARNING)
