"""skcl_mm/utils/train_length.py: run lengths and validation settings a user gets
wrong, checked before any work (through prepare_config, on real config files)."""
import pytest
from mmengine.config import Config

from skcl_mm.utils.train_length import validation_note
from tests.test_utils.test_schedule_scaling import prepare, write

BASE = """
param_scheduler = [dict(type='LinearLR', by_epoch=True, begin=0, end=2,
                        convert_to_iter_based=True)]
param_scheduler_written_for = dict(max_epochs=20, param_scheduler=param_scheduler)
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=5)
val_cfg = dict()
val_dataloader = dict(batch_size=2)
"""


@pytest.fixture
def config(tmp_path):
    return write(tmp_path, 'run.py', BASE)


@pytest.mark.parametrize('value', ['0', '-3', '1.5', "'ten'"])
def test_max_epochs_must_be_a_positive_whole_number(config, value):
    with pytest.raises(SystemExit, match=r"train_cfg.max_epochs=.* the run length must be a "
                       r'positive whole number \(e.g. --cfg-options train_cfg.max_epochs=1'):
        prepare(config, f'train_cfg.max_epochs={value}')


def test_max_iters_on_an_epoch_loop_names_both_fixes(config):
    with pytest.raises(SystemExit) as err:
        prepare(config, 'train_cfg.max_iters=100')
    assert 'train_cfg counts epochs (by_epoch=True) but also sets max_iters=100' in str(err.value)
    # The switch the message names works (None drops the key).
    cfg = prepare(config, 'train_cfg.by_epoch=False', 'train_cfg.max_iters=100',
                  'train_cfg.max_epochs=None', 'param_scheduler.0.by_epoch=False',
                  'param_scheduler.0.convert_to_iter_based=False', 'param_scheduler.0.end=10')
    assert dict(cfg.train_cfg) == dict(by_epoch=False, max_iters=100, val_interval=5)


def test_train_cfg_without_by_epoch_or_with_type_and_by_epoch(tmp_path):
    config = write(tmp_path, 'run.py', 'train_cfg = dict(max_epochs=3)\n')
    with pytest.raises(SystemExit, match=r'needs by_epoch: by_epoch=True with max_epochs'):
        prepare(config)
    config = write(tmp_path, 'run.py', "train_cfg = dict(type='EpochBasedTrainLoop', "
                   'by_epoch=True, max_epochs=3)\n')
    with pytest.raises(SystemExit, match=r"sets both type='EpochBasedTrainLoop' and by_epoch"):
        prepare(config)


@pytest.mark.parametrize('value', ['0', '-1', '2.5'])
def test_val_interval_must_be_positive(config, value):
    with pytest.raises(SystemExit, match=rf'train_cfg.val_interval={value} must be a positive '
                       r'whole number .* use --no-validate'):
        prepare(config, f'train_cfg.val_interval={value}')
    prepare(config, f'train_cfg.val_interval={value}', no_validate=True)


def test_val_begin_beyond_the_run_stops(config):
    with pytest.raises(SystemExit, match=r'train_cfg.val_begin=8 > max_epochs=5: no validation '
                       r'would run and no best checkpoint be saved'):
        prepare(config, 'train_cfg.max_epochs=5', 'train_cfg.val_begin=8')
    prepare(config, 'train_cfg.max_epochs=5', 'train_cfg.val_begin=5')


def test_val_interval_beyond_the_run_is_a_note(config):
    cfg = prepare(config, 'train_cfg.max_epochs=2')
    assert validation_note(cfg) == (
        'Validation: train_cfg.val_interval=5 > max_epochs=2, so the model is validated '
        'once, after the last epoch (mmengine always validates the last one); the best '
        'checkpoint is the last.')
    assert validation_note(prepare(config, 'train_cfg.max_epochs=5')) == ''
    assert validation_note(Config(dict(train_cfg=dict(max_epochs=2, val_interval=5),
                                       val_cfg=None))) == ''


def test_custom_loop_types_are_left_to_their_loop(tmp_path):
    config = write(tmp_path, 'run.py', "train_cfg = dict(type='MyLoop', steps=0)\n")
    assert dict(prepare(config).train_cfg) == dict(type='MyLoop', steps=0)
