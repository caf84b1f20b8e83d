"""tools/analysis_tools/run_progress.py: following a scalars.json as it grows."""
import json

from analysis_tools.run_progress import RunFollower, planned_length

TRAIN = dict(lr=0.1, loss=2.0)


def start_run(work_dir, name, config_text=None):
    vis_data = work_dir / name / 'vis_data'
    vis_data.mkdir(parents=True)
    if config_text is not None:
        (vis_data / 'config.py').write_text(config_text)
    return vis_data / 'scalars.json'


def append(path, *records, newline=True):
    with open(path, 'a') as f:
        f.write('\n'.join(json.dumps(r) for r in records) + ('\n' if newline else ''))


def test_epoch_based_run_reports_each_validation_once(tmp_path):
    follower = RunFollower(str(tmp_path))
    assert follower.poll() == []  # nothing started yet
    scalars = start_run(tmp_path, '20260101_000000',
                        'train_cfg = dict(by_epoch=True, max_epochs=20)\n')
    append(scalars, dict(TRAIN, epoch=1, iter=5, step=5))
    append(scalars, {'long_tail/top1': 40.0, 'step': 1})
    assert follower.poll() == [dict(at='epoch 1/20', value=40.0)]
    assert follower.poll() == []
    with open(scalars, 'a') as f:
        f.write('not json\n')  # skipped (the report, not the progress, names it)
    append(scalars, dict(TRAIN, epoch=2, iter=10, step=10))
    # a validation line still being written waits for its newline
    append(scalars, {'long_tail/top1': 71.25, 'step': 2}, newline=False)
    assert follower.poll() == []
    with open(scalars, 'a') as f:
        f.write('\n')
    assert follower.poll() == [dict(at='epoch 2/20', value=71.25)]


def test_iteration_based_run_and_another_metric(tmp_path):
    scalars = start_run(tmp_path, '20260101_000000',
                        'train_cfg = dict(by_epoch=False, max_iters=300)\n')
    follower = RunFollower(str(tmp_path), 'accuracy/top1')
    append(scalars, dict(TRAIN, iter=100, step=100), {'accuracy/top1': 12.5, 'step': 0},
           {'long_tail/top1': 1.0, 'step': 0})
    assert follower.poll() == [dict(at='iter 100/300', value=12.5)]


def test_runs_already_in_the_work_dir_are_skipped(tmp_path):
    old = start_run(tmp_path, '20260101_000000')
    append(old, dict(TRAIN, epoch=1, iter=5), {'long_tail/top1': 5.0, 'step': 1})
    follower = RunFollower(str(tmp_path))
    assert follower.poll() == []
    new = start_run(tmp_path, '20260102_000000')  # a resumed run, no config dump yet
    append(new, dict(TRAIN, epoch=6, iter=30), {'long_tail/top1': 50.0, 'step': 6})
    assert follower.poll() == [dict(at='epoch 6', value=50.0)]


def test_planned_length(tmp_path):
    (tmp_path / 'config.py').write_text('train_cfg = dict(max_epochs=3)\n')
    assert planned_length(str(tmp_path)) == ('epoch', 3)
    (tmp_path / 'config.py').write_text('train_cfg = dict(by_epoch=False, max_iters=9)\n')
    assert planned_length(str(tmp_path)) == ('iter', 9)
    (tmp_path / 'config.py').write_text('this is not python(\n')
    assert planned_length(str(tmp_path)) == ('epoch', None)
