"""analysis_tools.batch_throughput: a run's training images from its files, and
the batch figures (real runs: test_run_seeds.py, test_reproduce.py)."""
import json

import pytest
from analysis_tools.batch_throughput import summarize_batch, trained_images


def write_run(root, train_cfg: str, loader: str, counts=(7, 5, 3), resumed=None,
              stamp='20260101_000000'):
    """A work dir as mmengine and TrainCountsHook leave it."""
    vis = root / stamp / 'vis_data'
    vis.mkdir(parents=True)
    (vis / 'config.py').write_text(f'train_cfg = {train_cfg}\ntrain_dataloader = {loader}\n')
    log = 'mmengine - INFO - started\n'
    if resumed:
        log += f'mmengine - INFO - resumed epoch: {resumed[0]}, iter: {resumed[1]}\n'
    (root / stamp / f'{stamp}.log').write_text(log)
    if counts is not None:
        (root / 'train_counts.json').write_text(json.dumps(dict(class_counts=list(counts))))
    return str(root)


@pytest.mark.parametrize('loader,processes,resumed,images', [
    ('dict(batch_size=4)', 1, None, 3 * 15),          # every image once per epoch
    ('dict(batch_size=4)', 1, (1, 4), 2 * 15),        # resumed after epoch 1
    ('dict(batch_size=4, drop_last=True)', 1, None, 3 * 12),  # 3 full batches
    ('dict(batch_size=4)', 2, None, 3 * 16),          # 2 ranks x ceil(15 / 2)
    ('dict(batch_size=3, drop_last=True)', 2, None, 3 * 12),  # 2 ranks x 2 batches of 3
])
def test_epoch_based_images(tmp_path, loader, processes, resumed, images):
    run = write_run(tmp_path, 'dict(by_epoch=True, max_epochs=3)', loader, resumed=resumed)
    assert trained_images(run, processes) == images


def test_iteration_based_images_and_unknowns(tmp_path):
    run = write_run(tmp_path / 'a', 'dict(by_epoch=False, max_iters=10)',
                    'dict(batch_size=4)', resumed=(0, 6))
    assert trained_images(run, 2) == (10 - 6) * 4 * 2
    no_counts = write_run(tmp_path / 'b', 'dict(by_epoch=True, max_epochs=3)',
                          'dict(batch_size=4)', counts=None)
    assert trained_images(no_counts) is None
    (tmp_path / 'c').mkdir()
    assert trained_images(str(tmp_path / 'c')) is None  # never started
    # the latest start counts: a second folder resumed at epoch 2
    write_run(tmp_path / 'a', 'dict(by_epoch=True, max_epochs=3)', 'dict(batch_size=4)',
              resumed=(2, 8), stamp='20260102_000000')
    assert trained_images(run) == 15


def test_batch_figures():
    runs = [dict(label='a', work_dir='A', start=100.0, end=110.0, images=50),
            dict(label='b', work_dir='B', start=101.0, end=113.0, images=60)]
    batch = summarize_batch(runs, 100.0, 114.0, 2)
    assert batch['wall_s'] == 14 and batch['run_s_sum'] == 22
    assert batch['speedup'] == pytest.approx(22 / 14)
    assert batch['runs_per_hour'] == pytest.approx(2 * 3600 / 14)
    assert batch['images'] == 110 and batch['images_per_s_batch'] == pytest.approx(110 / 14)
    assert batch['images_per_s_sum'] == pytest.approx(50 / 10 + 60 / 12)
    assert [(r['start_s'], r['end_s']) for r in batch['per_run']] == [(0, 10), (1, 13)]
    runs[1]['images'] = None
    partial = summarize_batch(runs, 100.0, 114.0, 2)
    assert partial['images'] is None and partial['images_per_s_batch'] is None
    assert partial['images_per_s_sum'] == pytest.approx(5.0)  # the runs that know theirs


def test_a_dump_naming_modules_of_elsewhere_is_read_without_importing_them(tmp_path):
    run = write_run(tmp_path / 'a', 'dict(by_epoch=True, max_epochs=2)',
                    "dict(batch_size=4)\ncustom_imports = dict(imports=['not_here'], "
                    'allow_failed_imports=False)')
    assert trained_images(run) == 2 * 15
    broken = write_run(tmp_path / 'b', 'dict(max_epochs=2', 'dict(batch_size=4)')
    assert trained_images(broken) is None
