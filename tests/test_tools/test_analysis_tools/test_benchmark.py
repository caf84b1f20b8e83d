"""tools/analysis_tools/benchmark.py and benchmark_setup.py: timing, setup, pipelines."""
import copy

import pytest
import torch
from analysis_tools import benchmark as bm
from analysis_tools import benchmark_setup as setup
from mmengine.config import Config

CPU = torch.device('cpu')
QUICKSTART = 'configs/quickstart/skcl_resnet32_digitslt.py'


def test_median_time_runs_warmup_then_iters_and_takes_median():
    calls = []
    seconds = bm.median_time(lambda: calls.append(1), iters=3, warmup=2,
                             device=CPU)
    assert len(calls) == 5
    assert 0 <= seconds < 0.1
    with pytest.raises(ValueError, match='iters >= 1'):
        bm.median_time(lambda: None, iters=0, warmup=0, device=CPU)


def test_check_amp_and_autocast():
    bm.check_amp(CPU, 'bf16')
    bm.check_amp(CPU, 'none')
    with pytest.raises(ValueError, match='--amp bf16'):
        bm.check_amp(CPU, 'fp16')
    with pytest.raises(ValueError, match='must be one of'):
        bm.check_amp(CPU, 'int8')
    with bm.autocast(CPU, 'bf16'):
        out = torch.ones(2, 2) @ torch.ones(2, 2)
    assert out.dtype == torch.bfloat16
    with bm.autocast(CPU, 'none'):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32


def test_device_info_keys():
    info = bm.device_info(CPU)
    assert info['device'] == 'cpu' and info['torch_version'] == torch.__version__
    assert info['num_threads'] == torch.get_num_threads()
    assert isinstance(info['device_name'], str) and info['device_name']


def test_long_tail_counts_and_random_graph():
    counts = setup.long_tail_counts(100)
    assert counts[0] == 500 and counts[-1] == 5 and sum(counts) == 10847
    graph = setup.random_graph(100, 120, 2, torch.Generator().manual_seed(0))
    assert graph.shape == (100, 2) and graph.dtype == torch.long
    assert not (graph == torch.arange(100)[:, None]).any()
    assert (graph[:, 0] != graph[:, 1]).all() and graph.max() < 120
    with pytest.raises(ValueError, match='needs at least 4 nodes'):
        setup.random_graph(3, 3, 3, torch.Generator())


def test_synthetic_batch_matches_the_collated_layout():
    data = setup.synthetic_batch(4, 3, 32, [20, 100])
    assert len(data['inputs']) == 3
    assert all(v.shape == (4, 3, 32, 32) and v.dtype == torch.uint8
               for v in data['inputs'])
    levels = torch.stack([s.gt_level_labels for s in data['data_samples']])
    fine = torch.cat([s.gt_label for s in data['data_samples']])
    assert levels.shape == (4, 2) and torch.equal(levels[:, 1], fine)
    assert torch.equal(levels[:, 0], fine % 20)
    single = setup.synthetic_batch(4, 1, 32, [10])
    assert single['inputs'].shape == (4, 3, 32, 32)


def test_build_model_prepares_the_head_and_ce_config():
    cfg = Config.fromfile(QUICKSTART)
    model_cfg = setup.model_config(cfg)
    assert model_cfg['data_preprocessor']['type'] == 'MultiViewClsDataPreprocessor'
    model = setup.build_model(model_cfg, CPU, channels_last=True)
    assert model.head.has_semantic_graph and model.head.has_class_counts
    assert model.data_preprocessor.channels_last and model.training
    ce_cfg = setup.ce_model_config(model_cfg, 10)
    assert ce_cfg['head'] == dict(type='LinearClsHead', num_classes=10,
                                  in_channels=64, loss=dict(
                                      type='CrossEntropyLoss', loss_weight=1.0))
    assert ce_cfg['backbone'] == model_cfg['backbone']
    broken = copy.deepcopy(model_cfg)
    broken['head'].pop('in_channels')
    with pytest.raises(ValueError, match='in_channels'):
        setup.ce_model_config(broken, 10)


def test_optim_wrapper_config_per_amp_mode():
    cuda = torch.device('cuda')
    base = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1),
                loss_scale='dynamic')
    fp16 = setup.optim_wrapper_config(base, cuda, 'fp16')
    assert fp16['type'] == 'AmpOptimWrapper' and fp16['dtype'] == 'float16'
    assert fp16['loss_scale'] == 'dynamic'  # the config's
    bf16 = setup.optim_wrapper_config(base, cuda, 'bf16')
    # no GradScaler (its inf check would sync with the host every step)
    assert bf16['dtype'] == 'bfloat16' and bf16['loss_scale'] == dict(enabled=False)
    cpu = setup.optim_wrapper_config(dict(base, type='AmpOptimWrapper', dtype='float16'),
                                     CPU, 'bf16')
    assert cpu == dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1))
    assert base['loss_scale'] == 'dynamic'  # the caller's config is not changed


def test_model_timings_on_a_tiny_batch():
    cfg = Config.fromfile(QUICKSTART)
    model = setup.build_model(setup.model_config(cfg), CPU)
    optim = setup.build_optim_wrapper(model, cfg.optim_wrapper, CPU)
    before = model.head.classifiers[-1].weight.detach().clone()
    data = setup.synthetic_batch(4, 3, 32, setup.level_num_classes(model.head))
    started = []
    times = bm.model_timings(model, optim, data, iters=1, warmup=0, device=CPU,
                             progress=started.append)
    assert set(times) == {'backbone_s', 'head_loss_s', 'step_s'}
    assert all(t > 0 for t in times.values())
    # the row names of the report, announced as each timing starts
    assert started == [bm.PARTS['backbone'], bm.PARTS['head_loss'], bm.PARTS['step']]
    assert bm.PARTS['step'] == 'whole train step'
    # step_s is the whole train step: it really updated the parameters
    assert not torch.equal(before, model.head.classifiers[-1].weight)


def test_pipeline_views_single_view_and_measure():
    cfg = Config.fromfile('configs/_base_/datasets/pipelines/cifar_views.py')
    pipeline = bm.build_pipeline(cfg.multi_view_train_pipeline)
    assert bm.count_views(pipeline) == 3
    images = setup.random_images(2, 32)
    packed = pipeline(bm.mm_sample(images[0], 0))
    assert [v.shape for v in packed['inputs']] == [(3, 32, 32)] * 3
    single = bm.single_view_pipeline(pipeline)
    assert single(bm.mm_sample(images[0], 0))['inputs'].shape == (3, 32, 32)
    assert bm.count_views(single) == 1
    threads = torch.get_num_threads()
    seen = []
    seconds = bm.measure_pipelines(
        dict(a=lambda img: seen.append(('a', torch.get_num_threads())),
             b=lambda img: seen.append(('b', torch.get_num_threads()))),
        images, iters=2, warmup=1)
    assert set(seconds) == {'a', 'b'} and all(v > 0 for v in seconds.values())
    # interleaved rounds, each over every image, one thread
    assert seen == [('a', 1), ('a', 1), ('b', 1), ('b', 1)] * 3
    assert torch.get_num_threads() == threads
    with pytest.raises(ValueError, match='iters >= 1'):
        bm.measure_pipelines(dict(a=len), images, iters=0, warmup=0)


def test_pipeline_source_feeds_jpeg_files_to_a_loading_pipeline():
    """ImageNet-style pipelines (LoadImageFromFile first) get real JPEGs."""
    import os.path as osp

    from PIL import Image
    cfg = Config.fromfile('configs/_base_/datasets/pipelines/imagenet_views.py')
    pipeline = bm.build_pipeline(cfg.multi_view_train_pipeline)
    assert bm.count_views(pipeline) == 3  # MultiView after the loader
    source = bm.PipelineSource(pipeline, source_size=(60, 80))
    assert source.loads_files and source.output_size == 224
    paths = source.items(2)
    assert all(p.endswith('.JPEG') and osp.isfile(p) for p in paths)
    assert Image.open(paths[0]).size == (80, 60)  # (W, H)
    packed = pipeline(source.sample(paths[1]))
    assert [v.shape for v in packed['inputs']] == [(3, 224, 224)] * 3
    single = bm.single_view_pipeline(pipeline)
    assert single(source.sample(paths[0]))['inputs'].shape == (3, 224, 224)
    folder = osp.dirname(paths[0])
    source.cleanup()
    assert not osp.exists(folder)
    arrays = bm.PipelineSource(bm.build_pipeline(
        Config.fromfile('configs/_base_/datasets/pipelines/cifar_views.py')
        .multi_view_train_pipeline))
    assert not arrays.loads_files and arrays.output_size == 32
    assert arrays.source_size == (32, 32) and arrays.items(3)[0].shape == (32, 32, 3)
