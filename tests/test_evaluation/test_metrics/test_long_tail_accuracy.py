"""LongTailAccuracy through mmengine's Evaluator, against hand-computed values."""
import csv
import json
import logging

import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.logging import MMLogger

from mmpretrain.registry import METRICS
from mmpretrain.structures import DataSample
from skcl_mm.evaluation.metrics import LongTailAccuracy
from skcl_mm.structures import TrainCounts

CLASSES = ['c0', 'c1', 'c2', 'c3', 'c4']
# Training counts: c0 many (> 100), c1 and c4 medium, c2 and c3 few (< 20).
TRAIN_COUNTS = [200, 50, 10, 5, 30]
FINE_TO_LEVEL = [[0, 0, 1, 1, 1], [0, 1, 2, 3, 4]]
# (gt, best, second best) per test sample; c4 has no test sample.
SAMPLES = [(0, 0, 1), (0, 0, 2), (0, 0, 1), (0, 1, 0),
           (1, 1, 0), (1, 0, 2),
           (2, 0, 2),
           (3, 3, 2), (3, 3, 1), (3, 2, 0)]
# Hand values: per class 3/4, 1/2, 0/1, 2/3 -> top1 6/10; top2 (4+1+1+2)/10;
# many = 75, medium = 50 (c4 absent), few = (0 + 66.67) / 2;
# coarse level: only (2 -> 0) crosses superclasses -> 9/10.
EXPECTED = {'long_tail/top1': 60.0, 'long_tail/top2': 80.0,
            'long_tail/many': 75.0, 'long_tail/medium': 50.0,
            'long_tail/few': 100.0 / 3, 'long_tail/level0_top1': 90.0}


def make_samples(with_levels=True, with_scores=True):
    samples = []
    for gt, best, second in SAMPLES:
        sample = DataSample().set_gt_label(gt)
        if with_scores:
            score = torch.full((len(CLASSES), ), 0.02)
            score[best], score[second] = 0.6, 0.3
            sample.set_pred_score(score)
        else:
            sample.set_pred_label(best)
        if with_levels:
            levels = torch.tensor([FINE_TO_LEVEL[0][gt], gt])
            sample.set_field(levels, 'gt_level_labels')
        samples.append(sample)
    return samples


def evaluate(metric, samples, meta=None):
    evaluator = Evaluator(metric)
    evaluator.dataset_meta = dict(classes=CLASSES) if meta is None else meta
    evaluator.process(samples)
    return evaluator.evaluate(len(samples))


@pytest.fixture
def log_records():
    """Records logged through the current MMLogger during the test."""
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def warnings_of(records):
    return [r.getMessage() for r in records if r.levelno == logging.WARNING]


def test_registered_and_built_from_config():
    metric = METRICS.build(dict(type='LongTailAccuracy', topk=(1, 5)))
    assert isinstance(metric, LongTailAccuracy)
    assert metric.prefix == 'long_tail' and metric.topk == (1, 5)


@pytest.mark.parametrize('with_meta_table', [True, False])
def test_hand_values(with_meta_table, log_records):
    meta = dict(classes=CLASSES)
    if with_meta_table:
        meta['fine_to_level'] = FINE_TO_LEVEL
    metric = LongTailAccuracy(topk=(1, 2), train_counts=TRAIN_COUNTS)
    metrics = evaluate(metric, make_samples(), meta)
    assert metrics == pytest.approx(EXPECTED)
    absent = [m for m in warnings_of(log_records) if 'no test sample' in m]
    assert len(absent) == 1 and "['c4']" in absent[0]


def test_unseen_predicted_class_is_wrong_at_coarse_level():
    samples = make_samples()
    samples[0].set_pred_score(torch.tensor([0.0, 0.0, 0.0, 0.0, 1.0]))  # c4
    metric = LongTailAccuracy(train_counts=TRAIN_COUNTS)
    learned = evaluate(metric, samples)
    assert learned['long_tail/level0_top1'] == pytest.approx(80.0)
    meta = dict(classes=CLASSES, fine_to_level=FINE_TO_LEVEL)
    from_meta = evaluate(LongTailAccuracy(train_counts=TRAIN_COUNTS), samples, meta)
    assert from_meta['long_tail/level0_top1'] == pytest.approx(80.0)
    assert from_meta['long_tail/top1'] == pytest.approx(50.0)


def test_thresholds_are_configurable():
    metric = LongTailAccuracy(many_thr=40, few_thr=8, train_counts=TRAIN_COUNTS)
    metrics = evaluate(metric, make_samples(with_levels=False))
    # many {c0, c1} -> (75 + 50) / 2; medium {c2, c4} -> 0; few {c3}
    assert metrics['long_tail/many'] == pytest.approx(62.5)
    assert metrics['long_tail/medium'] == pytest.approx(0.0)
    assert metrics['long_tail/few'] == pytest.approx(200 / 3)
    assert 'long_tail/level0_top1' not in metrics


def test_thresholds_follow_the_training_dataset_unless_given(log_records):
    """TrainCountsHook hands the dataset's (many_thr, few_thr) with the counts."""
    follows = LongTailAccuracy()
    assert (follows.many_thr, follows.few_thr) == (100, 20)  # nothing handed yet
    follows.set_train_counts(TrainCounts(class_counts=TRAIN_COUNTS, many_thr=40, few_thr=8))
    assert (follows.many_thr, follows.few_thr) == (40, 8)
    metrics = evaluate(follows, make_samples(with_levels=False))
    assert metrics['long_tail/many'] == pytest.approx(62.5)  # as configured 40 / 8
    assert not any('thresholds' in m for m in warnings_of(log_records))
    own = LongTailAccuracy(many_thr=40)
    own.set_train_counts(TrainCounts(class_counts=TRAIN_COUNTS, many_thr=60, few_thr=8))
    assert (own.many_thr, own.few_thr) == (40, 8)  # own many, dataset's few
    assert any('many_thr=40 (dataset: 60)' in m for m in warnings_of(log_records))
    with pytest.raises(ValueError, match='Thresholds inverted'):
        LongTailAccuracy(few_thr=50).set_train_counts(
            TrainCounts(class_counts=TRAIN_COUNTS, many_thr=30, few_thr=10))


def test_empty_group_not_reported(log_records):
    metric = LongTailAccuracy(train_counts=[500, 400, 300, 200, 150])
    metrics = evaluate(metric, make_samples(with_levels=False))
    assert set(metrics) == {'long_tail/top1', 'long_tail/many'}
    assert any('no "few" class exists' in m for m in warnings_of(log_records))


def test_group_without_test_samples_not_reported(log_records):
    metric = LongTailAccuracy(train_counts=[200, 50, 10, 5, 1000])  # c4 many
    samples = [s for s in make_samples() if s.gt_label.item() != 0]
    metrics = evaluate(metric, samples)
    assert 'long_tail/many' not in metrics
    assert metrics['long_tail/medium'] == pytest.approx(50.0)
    assert any('no "many" class has a test sample' in m
               for m in warnings_of(log_records))


def test_without_counts_overall_only_and_one_warning(log_records):
    metric = LongTailAccuracy(topk=(1, 2), prefix='lt')
    for _ in range(2):
        metrics = evaluate(metric, make_samples())
        assert metrics == pytest.approx(
            {'lt/top1': 60.0, 'lt/top2': 80.0, 'lt/level0_top1': 90.0})
    hints = [m for m in warnings_of(log_records) if 'no training counts' in m]
    assert len(hints) == 1 and 'TrainCountsHook' in hints[0]


def test_pred_label_only_reports_top1(log_records):
    metric = LongTailAccuracy(topk=(1, 2), train_counts=TRAIN_COUNTS)
    metrics = evaluate(metric, make_samples(with_scores=False))
    assert 'long_tail/top2' not in metrics
    assert metrics['long_tail/top1'] == pytest.approx(60.0)
    assert metrics['long_tail/many'] == pytest.approx(75.0)
    assert any('top-2 needs pred_score' in m for m in warnings_of(log_records))


def test_counts_from_json_file_and_setter_override(tmp_path):
    path = tmp_path / 'train_meta.json'
    path.write_text(json.dumps(dict(classes=CLASSES, class_counts=TRAIN_COUNTS)))
    metric = LongTailAccuracy(train_counts=str(path))
    assert evaluate(metric, make_samples())['long_tail/few'] == pytest.approx(100 / 3)
    metric.set_train_counts(TrainCounts(class_counts=[5, 5, 500, 500, 500]))  # c2, c3 many
    metrics = evaluate(metric, make_samples())
    assert metrics['long_tail/many'] == pytest.approx(100 / 3)
    assert metrics['long_tail/few'] == pytest.approx(62.5)


@pytest.mark.parametrize('file_name', ['per_class.json', 'per_class.csv'])
def test_per_class_file_and_plot(tmp_path, file_name):
    metric = LongTailAccuracy(train_counts=TRAIN_COUNTS, per_class_file=file_name,
                              plot=True, out_dir=str(tmp_path / 'run'))
    evaluate(metric, make_samples())
    path = tmp_path / 'run' / file_name
    if file_name.endswith('.json'):
        rows = json.loads(path.read_text())['classes']
    else:
        with open(path, newline='') as f:
            rows = list(csv.DictReader(f))
    assert [r['class'] for r in rows] == CLASSES
    assert [int(r['train_count']) for r in rows] == TRAIN_COUNTS
    assert [int(r['test_count']) for r in rows] == [4, 2, 1, 3, 0]
    accs = [r['accuracy'] for r in rows]
    assert [float(a) for a in accs[:4]] == pytest.approx([75.0, 50.0, 0.0, 200 / 3])
    assert accs[4] in (None, '')
    assert [r['group'] for r in rows] == ['many', 'medium', 'few', 'few', 'medium']
    # The wrong best guesses of SAMPLES, per true class (a CSV cell holds JSON).
    confusions = [r['top_confusions'] for r in rows]
    if file_name.endswith('.csv'):
        confusions = [json.loads(c) for c in confusions]
    assert confusions == [[['c1', 1]], [['c0', 1]], [['c0', 1]], [['c2', 1]], []]
    png = (tmp_path / 'run' / 'per_class_accuracy.png').read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and len(png) > 1000


@pytest.mark.parametrize('kwargs, error, pattern', [
    (dict(many_thr=20, few_thr=100), ValueError, r'few_thr=100 > many_thr=20'),
    (dict(few_thr=150), ValueError, r'few_thr=150 > many_thr=100'),
    (dict(per_class_file='per_class.txt'), ValueError, r'\.json or \.csv'),
    (dict(per_class_file=3), TypeError,
     r'per_class_file must be a file or directory path \(str\), got 3 \(int\)'),
    (dict(plot='plot.jpg'), ValueError, r'\.png'),
    (dict(plot=1), ValueError, r'plot must be a bool or a \.png file name, got 1 \(int\)'),
    (dict(topk=(0, )), ValueError, r'topk\[0\] must be an int >= 1, got 0 .*Positive ints'),
    (dict(topk=True), TypeError, r'topk\[0\] .* got True \(bool\)'),
    (dict(topk=()), ValueError, r'topk must hold at least 1 value'),
    (dict(topk='1'), TypeError, r"topk must be a list, got '1' \(str\)"),
    (dict(many_thr='100'), TypeError,
     r"many_thr must be an int >= 0, got '100' \(str\)\. A number of training"),
    (dict(few_thr=20.5), TypeError, r'few_thr .* got 20\.5 \(float\)'),
    (dict(few_thr=-1), ValueError, r'few_thr must be an int >= 0, got -1'),
    (dict(out_dir=5), TypeError, r'out_dir must be a file or directory path'),
    (dict(collect_device='cuda'), ValueError,
     r"collect_device must be one of \('cpu', 'gpu'\), got 'cuda'"),
])
def test_construction_errors(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        LongTailAccuracy(**kwargs)


def test_path_objects_are_accepted(tmp_path):
    metric = LongTailAccuracy(topk=5, per_class_file=tmp_path / 'a.csv',
                              plot=tmp_path / 'a.png', out_dir=tmp_path)
    assert metric.topk == (5, ) and metric.per_class_file == str(tmp_path / 'a.csv')
    assert metric.plot_file == str(tmp_path / 'a.png')


def test_counts_length_checked_when_meta_arrives():
    evaluator = Evaluator(LongTailAccuracy(train_counts=[10, 20, 30]))
    with pytest.raises(ValueError, match=r'has 3 entries .* has 5 classes'):
        evaluator.dataset_meta = dict(classes=CLASSES)
    metric = LongTailAccuracy()
    metric.dataset_meta = dict(classes=CLASSES)
    with pytest.raises(ValueError, match=r'has 2 entries .* has 5 classes'):
        metric.set_train_counts(TrainCounts(class_counts=[1, 2]))


def test_set_train_counts_takes_the_record_only():
    with pytest.raises(TypeError, match=r'takes a TrainCounts record, got list; write '
                                        r'e\.g\. set_train_counts\(TrainCounts\('):
        LongTailAccuracy().set_train_counts(TRAIN_COUNTS)


def test_topk_larger_than_classes_is_an_error():
    with pytest.raises(ValueError, match='top-6 .* scores 5 classes'):
        evaluate(LongTailAccuracy(topk=(1, 6)), make_samples())


def test_label_outside_classes_is_an_error():
    samples = make_samples(with_levels=False)
    with pytest.raises(ValueError, match=r'span \[0, 3\] .* 3 classes'):
        evaluate(LongTailAccuracy(), samples[:9], dict(classes=CLASSES[:3]))


def test_evaluated_classes_must_be_in_the_training_order(tmp_path):
    """An image folder sorts its classes by name, a list keeps its order:
    scores of such a mix would be compared with the wrong classes."""
    path = tmp_path / 'train_counts.json'
    path.write_text(json.dumps(dict(classes=CLASSES[::-1], class_counts=TRAIN_COUNTS)))
    evaluator = Evaluator(LongTailAccuracy(train_counts=str(path)))
    with pytest.raises(ValueError, match=r"index 0 is 'c0' there and 'c4' in "
                                         r'training \(4 of 5 indices differ\)'):
        evaluator.dataset_meta = dict(classes=CLASSES)
    metric = LongTailAccuracy()
    metric.dataset_meta = dict(classes=CLASSES)
    swapped = ['c1', 'c0', 'c2', 'c3', 'c4']
    with pytest.raises(ValueError, match="index 0 is 'c0' there and 'c1'"):
        metric.set_train_counts(TrainCounts(class_counts=TRAIN_COUNTS, classes=swapped))
    metric.set_train_counts(TrainCounts(class_counts=TRAIN_COUNTS, classes=CLASSES))
    assert evaluate(metric, make_samples())['long_tail/top1'] == pytest.approx(60.0)


def test_counts_file_thresholds_apply_unless_the_metric_has_its_own(tmp_path):
    path = tmp_path / 'train_counts.json'
    path.write_text(json.dumps(dict(classes=CLASSES, class_counts=TRAIN_COUNTS,
                                    many_thr=40, few_thr=8)))
    metric = LongTailAccuracy(train_counts=str(path))
    assert (metric.many_thr, metric.few_thr) == (40, 8)
    # c0 (200), c1 (50) many; c2 (10), c4 (30) medium; c3 (5) few.
    metrics = evaluate(metric, make_samples())
    assert metrics['long_tail/many'] == pytest.approx(62.5)
    assert metrics['long_tail/few'] == pytest.approx(200 / 3)
    own = LongTailAccuracy(train_counts=str(path), many_thr=100)
    assert (own.many_thr, own.few_thr) == (100, 8)


def test_each_result_owns_its_storage():
    """Results are pickled to rank 0 in distributed evaluation: a row that is a
    view of the batch tensor would carry the whole batch with it."""
    metric = LongTailAccuracy(topk=(1, 2))
    metric.process(None, [s.to_dict() for s in make_samples()])
    for result in metric.results:
        for key in ('pred', 'gt_level_labels'):
            tensor = result[key]
            assert tensor.untyped_storage().nbytes() == tensor.numel() * tensor.element_size()


def test_class_names_compare_as_text(tmp_path):
    """A train_counts.json gives names back as strings, whatever they were."""
    path = tmp_path / 'train_counts.json'
    path.write_text(json.dumps(dict(classes=['0', '1', '2', '3', '4'],
                                    class_counts=TRAIN_COUNTS)))
    evaluator = Evaluator(LongTailAccuracy(train_counts=str(path)))
    evaluator.dataset_meta = dict(classes=[0, 1, 2, 3, 4])  # int names: same classes
