"""skcl_mm/utils/schedule_scaling.py and train_length.py through prepare_config,
on the shipped configs and on config files a user writes."""
import argparse
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config

from skcl_mm.utils.launch import (add_runner_args, prepare_config,
                                  protocol_notes)
from skcl_mm.utils.schedule_iterations import fit_schedule_to_epoch_length
from tests.tools_runner import REPO

CIFAR = osp.join(REPO, 'configs/skcl_resnet32_cifar100lt.py')
BCL = osp.join(REPO, 'configs/baselines/bcl_resnet32_cifar100lt.py')
IMAGENET = osp.join(REPO, 'configs/skcl_resnet50_imagenetlt.py')
QUICKSTART = osp.join(REPO, 'configs/quickstart/skcl_resnet32_digitslt.py')
EXAMPLE = osp.join(REPO, 'configs/examples/skcl_resnet32_image_folder.py')
SHIPPED = sorted(f for f in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
                 if '_base_' not in f)


def prepare(config, *options, no_validate=False, tool='train', work_dir='/tmp/unused'):
    """prepare_config(args) with the arguments tools/train.py (or test.py) parses."""
    parser = argparse.ArgumentParser()
    parser.add_argument('config')
    parser.add_argument('--no-validate', action='store_true')
    argv = [config, '--work-dir', work_dir] + (['--no-validate'] * no_validate)
    args = add_runner_args(parser).parse_args(argv + (['--cfg-options', *options]
                                                      if options else []))
    loaders = ('test_dataloader', ) if tool == 'test' else None
    return prepare_config(args) if loaders is None else prepare_config(args, loaders)


def points(cfg):
    return [{k: v for k, v in s.items() if k in ('begin', 'end', 'T_max', 'milestones')}
            for s in cfg.param_scheduler]


@pytest.mark.parametrize('config', [CIFAR, BCL])
def test_cifar_schedule_at_200_epochs_is_bcls_own(config):
    cfg = prepare(config, 'train_cfg.max_epochs=200')
    warmup, steps = cfg.param_scheduler
    assert warmup['begin'] == 0 and warmup['end'] == pytest.approx(5 * 200 / 300)
    assert warmup['convert_to_iter_based'] is True
    assert steps['milestones'] == [160, 180] and steps['gamma'] == 0.1
    assert cfg.param_scheduler_scaled == (
        'param_scheduler: points written for 300 epochs (param_scheduler_written_for) '
        'scaled x0.6667 to train_cfg.max_epochs=200: [0] LinearLR end 5 -> 3.333; '
        '[1] MultiStepLR milestones [240, 270] -> [160, 180]')


def test_cifar_one_epoch_smoke_run_keeps_whole_milestones():
    cfg = prepare(CIFAR, 'train_cfg.max_epochs=1')
    assert points(cfg) == [dict(begin=0, end=pytest.approx(5 / 300)),
                           dict(milestones=[1, 1])]  # both decays at the very end


def test_written_length_changes_nothing():
    cfg = prepare(CIFAR)
    assert points(cfg) == [dict(begin=0, end=5), dict(milestones=[240, 270])]
    assert 'param_scheduler_scaled' not in cfg


def test_test_tool_does_not_scale():
    cfg = prepare(CIFAR, 'train_cfg.max_epochs=1', tool='test')
    assert points(cfg)[1] == dict(milestones=[240, 270])


def test_imagenet_cosine_follows_max_epochs():
    cfg = prepare(IMAGENET, 'train_cfg.max_epochs=45')
    assert points(cfg) == [dict(T_max=45.0)]


@pytest.mark.parametrize('epochs, per_iteration', [(1, True), (2, True), (10, False)])
def test_quickstart_schedule_at_short_lengths(epochs, per_iteration):
    """The cosine steps once per epoch; where its scaled points are no longer
    whole epochs it is stepped per iteration, so the points stay exact."""
    cfg = prepare(QUICKSTART, f'train_cfg.max_epochs={epochs}')
    ratio = epochs / 20
    assert points(cfg) == [dict(begin=0, end=pytest.approx(2 * ratio)),
                           dict(begin=pytest.approx(2 * ratio), T_max=pytest.approx(18 * ratio))]
    assert cfg.param_scheduler[1].get('convert_to_iter_based', False) is per_iteration


def test_image_folder_example_at_five_epochs():
    cfg = prepare(EXAMPLE, 'train_cfg.max_epochs=5')
    assert points(cfg) == [dict(begin=0, end=pytest.approx(0.25)),
                           dict(begin=pytest.approx(0.25), T_max=pytest.approx(4.75))]
    assert cfg.param_scheduler_scaled.endswith(
        '[1] CosineAnnealingLR begin 5 -> 0.25, T_max 95 -> 4.75, '
        'convert_to_iter_based None -> True')


def test_epoch_stepped_ramp_too_short_for_whole_epochs_is_stepped_per_iteration(tmp_path):
    config = write(tmp_path, 'ramp.py', """
param_scheduler = [dict(type='LinearLR', by_epoch=True, begin=0, end=10),
                   dict(type='StepLR', by_epoch=True, step_size=30, gamma=0.1)]
param_scheduler_written_for = dict(max_epochs=100, param_scheduler=param_scheduler)
train_cfg = dict(by_epoch=True, max_epochs=100)
""")
    cfg = prepare(config, 'train_cfg.max_epochs=10')  # end 10 -> 1: one step
    assert cfg.param_scheduler[0] == dict(type='LinearLR', by_epoch=True, begin=0, end=1.0,
                                          convert_to_iter_based=True)
    assert cfg.param_scheduler[1]['step_size'] == 3
    assert 'convert_to_iter_based' not in cfg.param_scheduler[1]


@pytest.mark.parametrize('config', SHIPPED, ids=lambda p: osp.relpath(p, REPO))
def test_every_shipped_config_trains_at_any_length(config):
    for epochs in (1, 2, 7):
        cfg = prepare(config, f'train_cfg.max_epochs={epochs}')
        for sched in cfg.param_scheduler:
            assert sched.get('end', epochs) <= epochs
            assert sched.get('begin', 0) + sched.get('T_max', 0) <= epochs
            assert all(1 <= m <= epochs for m in sched.get('milestones', []))


def test_rerun_from_the_dumped_config_is_not_scaled_twice(tmp_path):
    cfg = prepare(QUICKSTART, 'train_cfg.max_epochs=2')
    dumped = tmp_path / 'config.py'
    cfg.dump(str(dumped))  # what mmengine writes to <timestamp>/vis_data/config.py
    again = prepare(str(dumped))
    assert points(again) == points(cfg)
    assert 'param_scheduler_scaled' not in again


def test_cfg_options_on_the_points_are_used_as_written():
    cfg = prepare(CIFAR, 'train_cfg.max_epochs=200', 'param_scheduler.1.milestones=[150,190]')
    assert points(cfg) == [dict(begin=0, end=5), dict(milestones=[150, 190])]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


OWN = """
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, milestones=[60, 80]),
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=5)
"""


def test_own_schedule_beyond_max_epochs_stops_with_the_fix(tmp_path):
    config = write(tmp_path, 'own.py', OWN)
    assert points(prepare(config)) == [dict(begin=0, end=5), dict(milestones=[60, 80])]
    with pytest.raises(SystemExit) as err:
        prepare(config, 'train_cfg.max_epochs=10')
    message = str(err.value)
    assert message.startswith(f'{config}: param_scheduler does not fit train_cfg.max_epochs=10')
    assert ('param_scheduler[1] (MultiStepLR) milestones [60, 80] lie beyond '
            'max_epochs=10') in message
    assert ('param_scheduler_written_for = dict(max_epochs=100, '
            'param_scheduler=param_scheduler)') in message
    assert 'param_scheduler.1.milestones=[...]' in message


def test_own_schedule_declared_scales(tmp_path):
    config = write(tmp_path, 'own.py', OWN + 'param_scheduler_written_for = dict('
                   'max_epochs=100, param_scheduler=param_scheduler)\n')
    cfg = prepare(config, 'train_cfg.max_epochs=10')
    assert points(cfg) == [dict(begin=0, end=pytest.approx(0.5)), dict(milestones=[6, 8])]


def test_child_replacing_a_declared_schedule_is_not_scaled(tmp_path):
    """The inherited declaration (300 epochs) does not describe the child's points."""
    config = write(tmp_path, 'child.py', f"_base_ = '{CIFAR}'\nparam_scheduler = [dict("
                   "type='MultiStepLR', by_epoch=True, milestones=[60, 80])]\n"
                   "train_cfg = dict(max_epochs=100)\n")
    assert points(prepare(config)) == [dict(milestones=[60, 80])]
    with pytest.raises(SystemExit, match=r'milestones \[60, 80\] lie beyond max_epochs=2.*'
                       r'describes another param_scheduler: this one was replaced by a '
                       r'child config or --cfg-options'):
        prepare(config, 'train_cfg.max_epochs=2')


@pytest.mark.parametrize('scheduler, found', [
    ("dict(type='CosineAnnealingLR', by_epoch=True, begin=30, T_max=70)",
     'begin=30 is not before max_epochs=20 (end defaults to it)'),
    ("dict(type='LinearLR', by_epoch=True, begin=5, end=5)", 'end=5 is not after begin=5'),
    ("dict(type='CosineAnnealingLR', by_epoch=True, T_max=-5)", 'T_max=-5 must be positive'),
    ("dict(type='CosineAnnealingLR', by_epoch=True, T_max=90)",
     'begin=0 + T_max=90 lies beyond max_epochs=20 (the cosine would stop short'),
    ("dict(type='LinearLR', by_epoch=False, end=100, convert_to_iter_based=True)",
     'convert_to_iter_based=True needs by_epoch=True'),
])
def test_undeclared_points_mmengine_would_fail_on(tmp_path, scheduler, found):
    config = write(tmp_path, 'own.py', f'param_scheduler = [{scheduler}]\n'
                   'train_cfg = dict(by_epoch=True, max_epochs=20)\n')
    with pytest.raises(SystemExit) as err:
        prepare(config)
    assert f'param_scheduler[0] ({scheduler.split(chr(39))[1]}) {found}' in str(err.value)


def test_iteration_based_schedule_scales_in_whole_iterations(tmp_path):
    config = write(tmp_path, 'iters.py', """
param_scheduler = [
    dict(type='LinearLR', by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', by_epoch=False, milestones=[6000, 8000]),
]
param_scheduler_written_for = dict(max_iters=10000, param_scheduler=param_scheduler)
train_cfg = dict(by_epoch=False, max_iters=10000, val_interval=1000)
""")
    cfg = prepare(config, 'train_cfg.max_iters=15', 'train_cfg.val_interval=5')
    # 500 * 15 / 10000 = 0.75 iterations; a LinearLR needs 2 steps to reach the lr.
    assert points(cfg) == [dict(begin=0, end=2), dict(milestones=[9, 12])]
    with pytest.raises(SystemExit, match='states max_iters=10000 but train_cfg counts epochs'):
        prepare(config, 'train_cfg.by_epoch=True', 'train_cfg.max_iters=None',
                'train_cfg.max_epochs=3')


@pytest.mark.parametrize('declaration, found', [
    ('dict(max_epochs=100)', 'must hold one positive integer length'),
    ('dict(max_epochs=100, max_iters=5, param_scheduler=param_scheduler)', 'must hold one'),
    ('dict(max_epochs=0, param_scheduler=param_scheduler)', 'must hold one positive'),
])
def test_malformed_declaration_names_the_form(tmp_path, declaration, found):
    config = write(tmp_path, 'own.py', OWN + f'param_scheduler_written_for = {declaration}\n')
    with pytest.raises(SystemExit, match=found + r'.*e\.g\. param_scheduler_written_for = '
                       r'dict\(max_epochs=300, param_scheduler=param_scheduler\)'):
        prepare(config, 'train_cfg.max_epochs=10')


def test_declaration_inconsistent_with_its_own_points(tmp_path):
    config = write(tmp_path, 'own.py', OWN + 'param_scheduler_written_for = dict('
                   'max_epochs=50, param_scheduler=param_scheduler)\n')
    with pytest.raises(SystemExit, match=r'written for 50 epochs, but its points do not fit'
                       r'.*milestones \[12, 16\] lie beyond max_epochs=10'):
        prepare(config, 'train_cfg.max_epochs=10')


@pytest.mark.parametrize('epochs', [1, 2])
def test_quickstart_schedule_in_a_short_real_run(tmp_path, epochs):
    """The quickstart's schedule (written for 20 epochs) on the small runner's
    10 images: 3 iterations per epoch, so the scaled warm-up (0.1 or 0.2 epochs)
    is under the 2 iterations a LinearLR needs and is fitted to them."""
    from mmengine.runner import Runner

    from tests.fixtures.small_runner import make_cfg, read_log
    quick = Config.fromfile(QUICKSTART)
    base = make_cfg(tmp_path, f'quick{epochs}')
    base.param_scheduler = quick.param_scheduler
    base.param_scheduler_written_for = quick.param_scheduler_written_for
    base.train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=5)
    base.dump(str(tmp_path / 'quick.py'))
    cfg = prepare(str(tmp_path / 'quick.py'), f'train_cfg.max_epochs={epochs}',
                  work_dir=str(tmp_path))
    runner = Runner.from_cfg(cfg)
    # What tools/train.py does between building the Runner and training.
    fitted = fit_schedule_to_epoch_length(runner)
    for note in protocol_notes(cfg):
        runner.logger.info(note)
    runner.train()
    log = read_log(runner)
    assert f'scaled x{epochs / 20:g} to train_cfg.max_epochs={epochs}' in log
    assert fitted == [
        f'param_scheduler[0] (LinearLR): epoch points (begin=0, end={epochs / 10:g}) are '
        'under 2 iterations apart at 3 iterations per epoch (mmengine would fail, or hold '
        'the start value all run); it now runs from iteration 0 to 2.']
    assert fitted[0] in log
    lrs = [float(lr) for lr in re.findall(r'Epoch\(train\) +\[\d+\]\[\d/3\]  lr: (\S+)', log)]
    assert len(lrs) == 3 * epochs
    # Warm-up from 10% of the small runner's lr 0.01, then the cosine decays
    # within the short run.
    assert lrs[0] == pytest.approx(0.001) and max(lrs) > 0.004 and lrs[-1] < 0.003
    assert log.count('long_tail/top1:') == 1 and f'Epoch(val) [{epochs}]' in log


def test_resume_says_the_checkpoint_schedule_wins(tmp_path):
    cfg = prepare(QUICKSTART, 'train_cfg.max_epochs=21')
    cfg.resume, cfg.work_dir = True, str(tmp_path)  # tools/train.py --resume
    notes = [n for n in protocol_notes(cfg) if n.startswith('param_scheduler:')]
    assert notes and 'restores the schedule' not in notes[0]  # nothing to resume yet
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_20.pth'))
    notes = [n for n in protocol_notes(cfg) if n.startswith('param_scheduler:')]
    assert len(notes) == 1 and notes[0].endswith(
        'x1.05 to train_cfg.max_epochs=21: [0] LinearLR end 2 -> 2.1; [1] CosineAnnealingLR '
        'begin 2 -> 2.1, T_max 18 -> 18.9, convert_to_iter_based None -> True (--resume: '
        'mmengine then restores the schedule saved in the checkpoint)')
