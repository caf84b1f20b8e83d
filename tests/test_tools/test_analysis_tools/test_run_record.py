"""analysis_tools.run_record: what a reproduce run was started with."""
from analysis_tools.run_record import (differences, expected_record,
                                       read_record, run_state, write_record)

QUICKSTART = 'configs/quickstart/ce_resnet32_digitslt.py'


def test_the_record_holds_the_effective_config(tmp_path):
    record = expected_record(QUICKSTART, 2, ['--amp'], 1)
    flat = record['effective_config']
    assert flat['train_cfg.max_epochs'] == '20'  # from the config's own base
    assert flat['model.head.loss.tau'] == '0.0'  # the twin's own change
    assert record['seed'] == 2 and record['extra'] == ['--amp'] and not record['finished']


def test_states_of_a_run_dir(tmp_path):
    assert run_state(str(tmp_path / 'none')) == 'new'
    record = dict(seed=0, extra=[], processes=1, effective_config={}, finished=False)
    write_record(str(tmp_path), record)
    assert read_record(str(tmp_path)) == record
    assert run_state(str(tmp_path)) == 'restart'
    (tmp_path / 'last_checkpoint').write_text('epoch_3.pth')
    assert run_state(str(tmp_path)) == 'resume'
    write_record(str(tmp_path), dict(record, finished=True))
    assert run_state(str(tmp_path)) == 'finished'
    assert not (tmp_path / 'reproduce_run.json.tmp').exists()


def test_differences_name_each_setting():
    old = dict(seed=0, extra=[], processes=1, effective_config={
        'a.lr': '0.1', 'b': '1', 'gone': 'x'})
    new = dict(seed=0, extra=['--amp'], processes=4, effective_config={
        'a.lr': '0.2', 'b': '1', 'added': 'y'})
    assert differences(old, new) == [
        "extra: [] then, ['--amp'] now", 'processes: 1 then, 4 now',
        'config a.lr: 0.1 then, 0.2 now', 'config added: (absent) then, y now',
        'config gone: x then, (absent) now']
    assert differences(old, old) == []
    many = dict(old, effective_config={f'k{i}': str(i) for i in range(12)})
    assert differences(old, many, limit=3)[-1] == '... and 12 more config keys'  # 15 differ
