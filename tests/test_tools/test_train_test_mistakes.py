"""tools/train.py and tools/test.py on inputs a new user gets wrong: one message
that names the setting and the fix, no traceback, before any work."""
import pytest
import torch

from tests.tools_runner import REPO
from tests.tools_runner import run_tool_failing as fails

QUICKSTART = 'configs/quickstart/skcl_resnet32_digitslt.py'


def test_config_with_a_syntax_error(tmp_path):
    config = tmp_path / 'mine.py'
    config.write_text(f"_base_ = ['{REPO}/{QUICKSTART}']\n"
                      'model = dict(head=dict(topk=(1, ))\n')
    output = fails(['tools/train.py', str(config)])
    assert (f"config {config} line 2: Python syntax error: '(' was never closed; the line "
            "reads 'model = dict(head=dict(topk=(1, ))'") in output


def test_misspelt_cfg_option(tmp_path):
    output = fails(['tools/train.py', QUICKSTART, '--work-dir', str(tmp_path),
                    '--cfg-options', 'train_cfg.max_epoch=1'])
    assert ("EpochBasedTrainLoop (train_cfg) has no setting 'max_epoch' (building it would "
            'fail). Did you mean train_cfg.max_epochs?') in output


def test_a_components_own_check_ends_without_traceback(tmp_path):
    """SKCLLoss refuses mode='f_f_' while the Runner builds the model."""
    output = fails(['tools/train.py', QUICKSTART, '--work-dir', str(tmp_path),
                    '--cfg-options', 'model.head.contrastive_loss.mode=f_f_'])
    assert "error: SKCLLoss mode must be one of" in output and "Did you mean 'F-F'?" in output
    log = ''.join(p.read_text() for p in tmp_path.glob('*/*.log'))
    assert 'error: SKCLLoss mode must be one of' in log  # the run's log file has it too


def test_multi_view_pipeline_with_the_stock_preprocessor(tmp_path):
    output = fails(['tools/train.py', QUICKSTART, '--work-dir', str(tmp_path),
                    '--cfg-options', 'data_preprocessor.type=ClsDataPreprocessor'])
    assert ("the training pipeline has MultiView (each sample is a list of views), but "
            "data_preprocessor is 'ClsDataPreprocessor'") in output
    assert not (tmp_path / 'last_checkpoint').exists()


@pytest.mark.parametrize('args, message', [
    (['--launcher', 'pytorch'], '--launcher pytorch: RANK, WORLD_SIZE, MASTER_ADDR, '
     'MASTER_PORT not set'),
    (['--cfg-options', 'randomness.seed=-1'], 'randomness.seed=-1 (int) must be a whole '
     'number from 0 to 2**32 - 1'),
], ids=['launcher', 'seed'])
def test_run_settings(tmp_path, args, message):
    assert message in fails(['tools/train.py', QUICKSTART, '--work-dir', str(tmp_path),
                             *args])


@pytest.mark.skipif(torch.cuda.is_available(), reason='the refusal is for CPU-only machines')
def test_mixed_precision_config_on_a_cpu(tmp_path):
    output = fails(['tools/train.py', 'configs/skcl_resnet32_cifar100lt_fast.py',
                    '--work-dir', str(tmp_path)])
    assert ('optim_wrapper is AmpOptimWrapper (mixed precision), which mmengine runs on '
            'a CUDA GPU only') in output
    assert 'configs/skcl_resnet32_cifar100lt_resident.py' in output


def test_test_tool_with_swapped_arguments(tmp_path):
    checkpoint = tmp_path / 'epoch_1.pth'
    checkpoint.write_bytes(b'')
    assert (f'the order is tools/test.py CONFIG CHECKPOINT: tools/test.py {QUICKSTART} '
            f'{checkpoint}') in fails(['tools/test.py', str(checkpoint), QUICKSTART])
