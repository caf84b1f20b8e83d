"""Tests of tools/analysis_tools/seed_results.py on hand-written scalars.json files."""
import json
import math
import os

import pytest
from analysis_tools.seed_results import (best_and_last, format_markdown,
                                         mean_std, run_evaluations, summarize)


def train_line(it, epoch=None):
    line = dict(lr=0.1, data_time=0.01, loss=2.0, time=0.1, iter=it, step=it)
    if epoch is not None:
        line['epoch'] = epoch
    return line


def val_line(top1, many=None, medium=None, few=None, prefix='long_tail', step=0):
    line = {f'{prefix}/top1': top1}
    for name, value in (('many', many), ('medium', medium), ('few', few)):
        if value is not None:
            line[f'{prefix}/{name}'] = value
    line.update({f'{prefix}/level0_top1': 99.0, 'data_time': 0.002, 'time': 0.03,
                 'step': step})
    return line


def write_run(work_dir, parts):
    """parts: {timestamp: [records]} -> <work_dir>/<timestamp>/vis_data/scalars.json."""
    for stamp, records in parts.items():
        folder = os.path.join(work_dir, stamp, 'vis_data')
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, 'scalars.json'), 'w') as f:
            f.writelines(json.dumps(r) + '\n' for r in records)
    return str(work_dir)


def iter_run(work_dir, evals, prefix='long_tail'):
    """An iteration-based run: 2 train lines then one validation per entry."""
    records = []
    for k, metrics in enumerate(evals):
        records += [train_line(2 * k + 1), train_line(2 * k + 2),
                    val_line(*metrics, prefix=prefix)]
    return write_run(work_dir, {'20260101_000000': records})


def test_mean_std_by_hand():
    mean, std = mean_std([50.0, 52.0, 57.0])
    # mean 53; deviations -3, -1, 4 -> (9 + 1 + 16) / (3 - 1) = 13
    assert mean == 53.0 and math.isclose(std, math.sqrt(13))
    assert mean_std([41.5]) == (41.5, None)


def test_iteration_based_positions_come_from_training_lines(tmp_path):
    wd = iter_run(tmp_path, [(40, 60, 30, 10), (55, 70, 50, 20), (50, 65, 45, 25)])
    evals = run_evaluations(wd)
    # mmengine logs val step 0 in iteration-based runs: use the train iter.
    assert [e.iter for e in evals] == [2, 4, 6]
    assert evals[1].metrics == dict(top1=55, many=70, medium=50, few=20,
                                    level0_top1=99.0)
    chosen = best_and_last(evals)
    assert chosen['best'].at == 'iter 4' and chosen['last'].at == 'iter 6'


def test_epoch_based_run(tmp_path):
    records = [train_line(10, epoch=1), val_line(30, 1, 2, 3, step=1),
               train_line(20, epoch=2), val_line(35, 4, 5, 6, step=2)]
    wd = write_run(tmp_path, {'20260101_000000': records})
    chosen = best_and_last(run_evaluations(wd))
    assert chosen['best'].at == chosen['last'].at == 'epoch 2'
    assert chosen['best'].iter == 20


def test_ties_keep_the_first_best(tmp_path):
    wd = iter_run(tmp_path, [(50, 1, 1, 1), (50, 2, 2, 2)])
    assert best_and_last(run_evaluations(wd))['best'].iter == 2


def test_resumed_run_is_merged_in_time_order(tmp_path):
    first = [train_line(1), train_line(2), val_line(40), train_line(3),
             train_line(4), val_line(45)]
    # Resumed from the iter-4 checkpoint: training continues at iter 5.
    second = [train_line(5), train_line(6), val_line(42)]
    wd = write_run(tmp_path, {'20260101_090000': first, '20260101_120000': second})
    evals = run_evaluations(wd)
    assert [(e.iter, e.metrics['top1']) for e in evals] == [(2, 40), (4, 45), (6, 42)]
    assert evals[-1].source.endswith(os.path.join('20260101_120000', 'vis_data',
                                                  'scalars.json'))


def test_resume_from_older_checkpoint_replaces_later_evaluations(tmp_path):
    first = [train_line(1), train_line(2), val_line(40), train_line(3),
             train_line(4), val_line(45)]
    again = [train_line(3), train_line(4), val_line(44)]  # resumed from iter 2
    wd = write_run(tmp_path, {'20260101_090000': first, '20260102_090000': again})
    evals = run_evaluations(wd)
    assert [(e.iter, e.metrics['top1']) for e in evals] == [(2, 40), (4, 44)]


def test_summary_over_three_seeds(tmp_path):
    # last top1 50 / 52 / 57 (mean 53, std sqrt(13)); best top1 60 / 52 / 58.
    runs = {0: [(60, 80, 55, 30), (50, 70, 45, 20)],
            1: [(52, 72, 50, 22)],
            2: [(58, 75, 55, 40), (57, 76, 54, 38)]}
    work_dirs = {s: iter_run(tmp_path / f'seed_{s}', e) for s, e in runs.items()}
    summary = summarize(work_dirs)
    assert summary['splits'] == ['top1', 'many', 'medium', 'few']
    assert summary['absent'] == []
    last = summary['aggregate']['last']
    assert last['top1']['mean'] == 53 and math.isclose(last['top1']['std'], math.sqrt(13))
    best = summary['aggregate']['best']
    # best few: 30, 22, 40 -> mean 30.667, deviations -0.667, -8.667, 9.333
    assert math.isclose(best['few']['mean'], 92 / 3)
    assert math.isclose(best['few']['std'], math.sqrt((0.4444 + 75.1111 + 87.1111) / 2),
                        rel_tol=1e-4)
    assert summary['per_seed'][0]['best']['at'] == 'iter 2'
    assert summary['per_seed'][0]['last']['at'] == 'iter 4'
    md = format_markdown(summary, title='cfg.py')
    # last many 70/72/76: mean 72.67, std sqrt(18.67 / 2) = 3.06; medium 45/50/54:
    # 49.67, sqrt(40.67 / 2) = 4.51; few 20/22/38: 26.67, sqrt(194.67 / 2) = 9.87
    assert ('| last | 53.00 ± 3.61 | 72.67 ± 3.06 | 49.67 ± 4.51 | 26.67 ± 9.87 |'
            in md)
    assert '| 0 | best | iter 2 | 60.00 | 80.00 | 55.00 | 30.00 |' in md
    assert 'n=3' in md and 'Not logged' not in md
    json.dumps(summary)  # JSON-ready


def test_accuracy_prefix_gives_top1_only(tmp_path):
    work_dirs = {s: iter_run(tmp_path / f'seed_{s}', [(v, )], prefix='accuracy')
                 for s, v in ((0, 70.0), (1, 72.0))}
    summary = summarize(work_dirs, prefix='accuracy')
    assert summary['splits'] == ['top1']
    assert summary['absent'] == ['many', 'medium', 'few']
    md = format_markdown(summary)
    assert 'Not logged by `accuracy`: many, medium, few.' in md
    assert '| best | 71.00 ± 1.41 |' in md


def test_single_seed_has_no_std(tmp_path):
    summary = summarize({5: iter_run(tmp_path, [(61.0, 1, 2, 3)])})
    assert summary['aggregate']['last']['top1'] == dict(mean=61.0, std=None)
    assert '| last | 61.00 | 1.00 | 2.00 | 3.00 |' in format_markdown(summary)


def test_errors_name_the_work_dir(tmp_path):
    missing = str(tmp_path / 'seed_9')
    with pytest.raises(FileNotFoundError, match='seed_9 does not exist'):
        run_evaluations(missing)
    os.makedirs(tmp_path / 'empty')
    with pytest.raises(FileNotFoundError,
                       match='No <timestamp>/vis_data/scalars.json in .*empty'):
        run_evaluations(str(tmp_path / 'empty'))
    wd = iter_run(tmp_path / 'acc', [(70, )], prefix='accuracy')
    with pytest.raises(ValueError, match=r"long_tail/top1.*acc; metric prefixes logged "
                       r"there: \['accuracy'\]"):
        run_evaluations(wd)
    only_train = write_run(tmp_path / 'train_only', {'1': [train_line(1)]})
    with pytest.raises(ValueError, match='no validation ran'):
        run_evaluations(only_train)


def test_mixed_evaluators_are_refused(tmp_path):
    work_dirs = {0: iter_run(tmp_path / 'a', [(50, 1, 2, 3)]),
                 1: iter_run(tmp_path / 'b', [(50, )])}
    with pytest.raises(ValueError,
                       match=r'"many" is logged by seeds \[0\] but not in .*b'):
        summarize(work_dirs)


def test_broken_line_is_reported(tmp_path):
    wd = iter_run(tmp_path, [(50, 1, 2, 3)])
    path = os.path.join(wd, '20260101_000000', 'vis_data', 'scalars.json')
    with open(path, 'a') as f:
        f.write('{"loss": 1.0, "it\n')
    with pytest.raises(ValueError, match='scalars.json:4 is not a JSON object'):
        run_evaluations(wd)


def _epoch_run(work_dir, last_epoch, max_epochs):
    """An epoch-based run evaluated every epoch up to ``last_epoch``, with the
    config mmengine dumps into the work dir."""
    records = []
    for epoch in range(1, last_epoch + 1):
        records += [train_line(10 * epoch, epoch=epoch), val_line(30 + epoch, step=epoch)]
    wd = write_run(work_dir, {'20260101_000000': records})
    with open(os.path.join(wd, '20260101_000000', 'vis_data', 'config.py'), 'w') as f:
        f.write(f'train_cfg = dict(by_epoch=True, max_epochs={max_epochs}, val_interval=1)\n')
    with open(os.path.join(wd, 'notes.py'), 'w') as f:  # a user's file is not read
        f.write('train_cfg = dict(by_epoch=True, max_epochs=200)\n')
    return wd


def test_unfinished_runs_are_named_not_averaged(tmp_path):
    """A run killed in epoch 2 of 3 must not be averaged with finished runs."""
    work_dirs = {0: _epoch_run(tmp_path / 'seed_0', 3, 3),
                 1: _epoch_run(tmp_path / 'seed_1', 2, 3)}
    with pytest.raises(ValueError, match=r'seed 1 \(.*seed_1\): last evaluation at '
                                         r'epoch 2 of 3.*--allow-unfinished'):
        summarize(work_dirs)
    summary = summarize(work_dirs, allow_unfinished=True)
    assert summary['per_seed'][1]['last']['at'] == 'epoch 2'
    assert summarize({0: work_dirs[0]})['per_seed'][0]['last']['at'] == 'epoch 3'


def test_iteration_based_runs_are_not_checked(tmp_path):
    wd = iter_run(tmp_path / 'seed_0', [(50, 60, 40, 30)])
    with open(os.path.join(wd, '20260101_000000', 'vis_data', 'config.py'), 'w') as f:
        f.write('train_cfg = dict(by_epoch=False, max_iters=103, val_interval=103)\n')
    assert summarize({0: wd})['per_seed'][0]['last']['at'] == 'iter 2'
