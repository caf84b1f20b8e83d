"""skcl_mm/engine/hooks/compile_train_step_hook.py: the fast CIFAR configs
train through mmengine's Runner with the step compiled (aot_eager on the CPU:
the same graphs inductor would get, without a C++ build), to the same losses
as eager, and the compiled parts hold no host synchronisation."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.runner import Runner

from skcl_mm.engine.hooks import CompileTrainStepHook
from tests.fixtures.resident_cifar import REPO, on_fixture

FAST = osp.join(REPO, 'configs/skcl_resnet32_cifar100lt_fast.py')
BCL_FAST = osp.join(REPO, 'configs/baselines/bcl_resnet32_cifar100lt_fast.py')


def _cpu_fast_cfg(config, root, work_dir, compiled=True):
    """``config`` on the fixture, one epoch of 3 batches, float32 (AmpOptimWrapper
    needs CUDA), the hook on aot_eager; ``compiled=False`` drops the hook."""
    cfg = on_fixture(config, root, batch_size=96, epochs=1)
    cfg.optim_wrapper = dict(type='OptimWrapper', optimizer=cfg.optim_wrapper.optimizer)
    cfg.randomness = dict(seed=0, diff_rank_seed=True)
    hooks = [h for h in cfg.custom_hooks if h['type'] != 'CompileTrainStepHook']
    if compiled:
        hooks.append(dict(type='CompileTrainStepHook', backend='aot_eager'))
    cfg.custom_hooks = hooks
    cfg.work_dir = work_dir
    return cfg


@pytest.fixture(scope='module')
def graph_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('SKCL_MM_CACHE', str(tmp_path_factory.mktemp('graphs')))
        yield


def _train(cfg):
    runner = Runner.from_cfg(cfg)
    try:
        runner.train()
    finally:
        torch._dynamo.reset()
    return runner


@pytest.fixture(scope='module')
def eager_and_compiled(cifar100_root, tmp_path_factory, graph_cache):
    runs = {}
    for name, compiled in (('eager', False), ('compiled', True)):
        cfg = _cpu_fast_cfg(FAST, cifar100_root, str(tmp_path_factory.mktemp(name)),
                            compiled)
        runs[name] = _train(cfg)
    return runs


def test_fast_config_compiled_trains_like_eager(eager_and_compiled):
    eager, compiled = eager_and_compiled['eager'], eager_and_compiled['compiled']
    model = compiled.model
    assert hasattr(model.loss, '_torchdynamo_orig_callable')
    assert hasattr(model.data_preprocessor.forward, '_torchdynamo_orig_callable')
    assert not hasattr(eager.model.loss, '_torchdynamo_orig_callable')
    losses = [run.message_hub.log_scalars['train/loss'].data[0] for run in (eager, compiled)]
    # iteration 1 eager, 2 and 3 compiled: the same losses (the update between
    # them included)
    assert len(losses[0]) == len(losses[1]) == 3 and np.isfinite(losses[0]).all()
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-4)
    (log, ) = glob.glob(osp.join(compiled.log_dir, '*.log'))
    with open(log) as f:
        assert ('CompileTrainStepHook: compiled data_preprocessor.forward and loss '
                "with {'backend': 'aot_eager', 'dynamic': False, 'mode': "
                "'reduce-overhead'} after iteration 1") in f.read()


def test_compiled_parts_hold_no_host_sync(eager_and_compiled):
    """After the first batch (its one-time label checks read the host), the
    views and the forward + loss trace as one graph each: no ``.item()``, no
    data-dependent branch, nothing that would stop a CUDA graph capture."""
    runner = eager_and_compiled['eager']
    model = runner.model
    batch = next(iter(runner.train_dataloader))
    try:
        views = torch._dynamo.explain(model.data_preprocessor)(batch, True)
        data = model.data_preprocessor(batch, True)
        loss = torch._dynamo.explain(model.loss)(data['inputs'], data['data_samples'])
    finally:
        torch._dynamo.reset()
    for part, explained in (('views', views), ('forward + loss', loss)):
        reasons = [b.reason.splitlines()[0] for b in explained.break_reasons]
        assert explained.graph_count == 1 and not reasons, (part, reasons)


def test_bcl_fast_twin_forward_has_no_host_sync(cifar100_root, tmp_path, graph_cache):
    cfg = _cpu_fast_cfg(BCL_FAST, cifar100_root, str(tmp_path), compiled=False)
    runner = _train(cfg)  # eager, 2 iterations: past the first batch's checks
    model, batch = runner.model, next(iter(runner.train_dataloader))
    data = model.data_preprocessor(batch, True)
    try:
        explained = torch._dynamo.explain(model.loss)(data['inputs'], data['data_samples'])
    finally:
        torch._dynamo.reset()
    assert explained.graph_break_count == 0, explained.break_reasons


@pytest.mark.parametrize('kwargs, match', [
    (dict(mode='fast'), 'mode must be one of'),
    (dict(backend=''), 'backend must be'),
    (dict(dynamic='no'), 'dynamic'),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        CompileTrainStepHook(**kwargs)


def test_two_compile_switches_are_refused(eager_and_compiled):
    runner = eager_and_compiled['eager']
    hook = CompileTrainStepHook(backend='aot_eager')
    runner.cfg.compile = dict(backend='aot_eager')
    try:
        with pytest.raises(ValueError, match='remove `compile` from the config'):
            hook.before_train(runner)
    finally:
        runner.cfg.compile = None
    runner.model.head.compile_loss = True
    try:
        with pytest.raises(ValueError, match='compile_loss=False'):
            hook.before_train(runner)
    finally:
        runner.model.head.compile_loss = False
