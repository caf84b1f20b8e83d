"""Tests for skcl_mm.models.data_preprocessors.gpu_augment."""
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

import skcl_mm  # noqa: F401  (registers the preprocessor)
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from tests.device_support import host_sync_is_an_error, needs_cuda

MEAN = [125.307, 122.961, 113.8575]
STD = [51.5865, 50.847, 51.255]
IDENTITY_VIEWS = [dict(num_views=1, transforms=[]), dict(num_views=2, transforms=[])]


def build(views=IDENTITY_VIEWS, **kwargs):
    return MODELS.build(dict(type='GPUAugmentDataPreprocessor', views=views,
                             mean=MEAN, std=STD, **kwargs))


def packed_batch(num=4, size=32, seed=0):
    """What PackInputs + pseudo_collate give for uint8 RGB images."""
    rng = np.random.default_rng(seed)
    samples = []
    for i in range(num):
        img = torch.from_numpy(rng.integers(0, 256, (3, size, size), dtype=np.uint8))
        sample = DataSample().set_gt_label(i % 3)
        sample.set_field(torch.tensor([0, i % 3]), 'gt_level_labels')
        samples.append(dict(inputs=img, data_samples=sample))
    return pseudo_collate(samples)


def normalised(images):
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (torch.stack(list(images)).float() - mean) / std


def test_training_builds_view_major_views_and_keeps_labels():
    pre = build(channels_last=True)
    assert pre.num_views == 3
    data = packed_batch(4)
    out = pre(data, training=True)
    expected = normalised(data['inputs'])
    assert out['inputs'].shape == (12, 3, 32, 32)
    assert out['inputs'].is_contiguous(memory_format=torch.channels_last)
    for view in range(3):  # identity transforms: every view is the batch
        torch.testing.assert_close(out['inputs'][view * 4:(view + 1) * 4], expected)
    assert len(out['data_samples']) == 4
    assert [int(s.gt_label) for s in out['data_samples']] == [0, 1, 2, 0]
    # a (B, 3, H, W) tensor batch (default_collate) works the same
    stacked = pre({**data, 'inputs': torch.stack(list(data['inputs']))}, training=True)
    torch.testing.assert_close(stacked['inputs'], out['inputs'])


def test_evaluation_only_normalises():
    data = packed_batch(2)
    out = build()(data, training=False)
    torch.testing.assert_close(out['inputs'], normalised(data['inputs']))


def test_each_view_runs_its_transforms_with_fresh_randomness():
    views = [dict(num_views=1, transforms=[]),
             dict(num_views=2, transforms=[dict(type='BatchRandomFlip', prob=0.5)])]
    pre = build(views)
    data = packed_batch(64)
    torch.manual_seed(0)
    out = pre(data, training=True)['inputs']
    plain = normalised(data['inputs'])
    flipped = plain.flip(-1)
    for view in (1, 2):
        rows = out[view * 64:(view + 1) * 64]
        same = (rows == plain).flatten(1).all(1)
        mirror = (rows == flipped).flatten(1).all(1)
        assert bool((same | mirror).all())  # every image flipped or not
        assert 10 < int(mirror.sum()) < 54  # about half, per sample
    second, third = out[64:128], out[128:]
    assert not torch.equal(second, third)  # the two sim views draw apart


@pytest.mark.parametrize('kwargs, match', [
    (dict(to_rgb=True), 'to_rgb=False'),
    (dict(batch_augments=dict(augments=dict(type='Mixup', alpha=0.2))), 'batch_augments'),
    (dict(views=[]), r'views=\[dict\(num_views=N'),
    (dict(views=[dict(num_views=0, transforms=[])]), 'int >= 1'),
    (dict(views=[dict(num=1, transforms=[])]), r'views\[0\] must be'),
    (dict(views=[dict(num_views=1, transforms=dict())]), 'list of batch transform'),
])
def test_construction_errors_name_the_fix(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build(**kwargs)


def test_input_errors_name_the_fix():
    pre = build()
    data = packed_batch(2)
    with pytest.raises(ValueError, match='no MultiView'):
        pre({**data, 'inputs': [list(data['inputs']), list(data['inputs'])]},
            training=True)
    mixed = [data['inputs'][0], torch.zeros(3, 28, 28, dtype=torch.uint8)]
    with pytest.raises(ValueError, match='one size per batch'):
        pre({**data, 'inputs': mixed}, training=True)


def natural_images(num, seed=0):
    """Smooth colour images (bilinear upsampling of 4x4 noise) plus fine noise."""
    gen = torch.Generator().manual_seed(seed)
    coarse = torch.rand(num, 3, 4, 4, generator=gen) * 255
    smooth = torch.nn.functional.interpolate(coarse, size=32, mode='bilinear',
                                             align_corners=False)
    noise = torch.randn(num, 3, 32, 32, generator=gen) * 12
    return (smooth + noise).clamp(0, 255).round().to(torch.uint8)


def cpu_views(images):
    """The CPU pipeline of cifar_views.py on (N, 3, H, W) uint8 -> V (N, 3, H, W) float."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmpretrain.registry import TRANSFORMS
    cfg = Config.fromfile('configs/_base_/datasets/pipelines/cifar_views.py')
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        pipeline = [TRANSFORMS.build(t) for t in cfg.multi_view_train_pipeline]
        views = []
        for i, img in enumerate(images):
            results = dict(img=img.permute(1, 2, 0).numpy().copy(), gt_label=0,
                           sample_idx=i)
            for t in pipeline:
                results = t(results)
            views.append(torch.stack(results['inputs']).float())
    return torch.stack(views, 1)  # (V, N, 3, H, W)


def config_views_preprocessor(device='cpu'):
    """The views of cifar_gpu_views.py, no normalisation, on ``device``."""
    from mmengine.config import Config
    cfg = Config.fromfile('configs/_base_/datasets/pipelines/cifar_gpu_views.py')
    pre = MODELS.build(dict(type='GPUAugmentDataPreprocessor',
                            views=cfg.gpu_data_preprocessor['views'],
                            mean=[0., 0., 0.], std=[1., 1., 1.]))
    return pre.to(device)


def gpu_views(images, device='cpu'):
    pre = config_views_preprocessor(device)
    out = pre(dict(inputs=list(images)), training=True)['inputs'].cpu()
    return out.view(pre.num_views, len(images), *out.shape[1:])


@pytest.mark.parametrize('device', ['cpu', pytest.param('cuda', marks=needs_cuda)])
def test_gpu_views_match_the_cpu_views_in_distribution(device):
    """Same shapes, value ranges and per-view statistics as cifar_views.py."""
    images = natural_images(400)
    np.random.seed(0)
    torch.manual_seed(0)
    cpu = cpu_views(images)
    gpu = gpu_views(images, device)
    assert cpu.shape == gpu.shape == (3, 400, 3, 32, 32)
    assert gpu.min() >= 0 and gpu.max() <= 255
    sim_cpu, sim_gpu = cpu[1:].flatten(0, 1), gpu[1:].flatten(0, 1)

    def grey_fraction(views):
        rgb = views.flatten(2)
        return ((rgb[:, 0] == rgb[:, 1]) & (rgb[:, 1] == rgb[:, 2])).all(1).float().mean()

    # RandomGrayscale p = 0.2 on the sim views: 800 views, SE ~ 0.014
    assert abs(grey_fraction(sim_gpu) - grey_fraction(sim_cpu)) < 0.07
    assert 0.13 < grey_fraction(sim_gpu) < 0.27
    for view in range(3):
        c, g = cpu[view], gpu[view]
        # mean brightness and contrast of the views (per-image means and stds)
        assert abs(c.mean() - g.mean()) < 0.05 * c.mean(), view
        assert abs(c.std() - g.std()) < 0.1 * c.std(), view
        c_std, g_std = c.flatten(1).std(1), g.flatten(1).std(1)
        assert abs(c_std.mean() - g_std.mean()) < 0.1 * c_std.mean(), view
    # the regular view's zero padding (RandomCrop pad 4) shows up alike
    pad_cpu = (cpu[0] == 0).all(1).float().mean()
    pad_gpu = (gpu[0] == 0).all(1).float().mean()
    assert abs(pad_cpu - pad_gpu) < 0.5 * pad_cpu + 0.005


@needs_cuda
def test_gpu_views_on_cuda_never_synchronise_with_the_host():
    """After the first batch (constants reach the device once), building the
    views of a batch already on the GPU launches work without waiting for it."""
    pre = config_views_preprocessor('cuda')
    images = natural_images(256).cuda()
    pre(dict(inputs=images), training=True)
    torch.cuda.synchronize()
    with host_sync_is_an_error():
        out = pre(dict(inputs=images), training=True)['inputs']
    assert out.is_cuda and out.shape == (3 * 256, 3, 32, 32)


def _two_rank_worker(rank, port, path, seeds):
    import torch.distributed as dist
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=2)
    try:
        torch.manual_seed(seeds[rank])
        pre = build([dict(num_views=1, transforms=[dict(type='BatchRandomFlip', prob=0.5)])])
        try:
            result = pre(packed_batch(32), training=True)['inputs']
        except RuntimeError as error:
            result = str(error)
    finally:
        dist.destroy_process_group()
    torch.save(result, f'{path}/rank{rank}.pt')


@pytest.mark.parametrize('seeds', [(0, 0), (0, 1)], ids=['one_seed', 'seed_per_rank'])
def test_ranks_with_one_seed_are_stopped_before_drawing_twin_views(tmp_path, seeds):
    """Two gloo ranks: one seed on both (mmengine's default) would give every
    rank the same views of its samples; a seed per rank gives different ones."""
    from tests.tools_runner import free_port
    torch.multiprocessing.start_processes(
        _two_rank_worker, args=(free_port(), str(tmp_path), seeds), nprocs=2,
        join=True, start_method='fork')
    results = [torch.load(tmp_path / f'rank{r}.pt') for r in range(2)]
    if seeds[0] == seeds[1]:
        for message in results:
            assert 'diff_rank_seed=True' in message and 'ranks [1] draw' in message
    else:
        assert not torch.equal(*results)  # same images, different flips


def test_gpuaug_config_seeds_each_rank_apart():
    from mmengine.config import Config

    from tests.tools_runner import REPO
    cfg = Config.fromfile(f'{REPO}/configs/skcl_resnet32_cifar100lt_gpuaug.py')
    assert cfg.randomness.diff_rank_seed is True


def test_config_views_trace_as_one_graph_for_torch_compile():
    """The transforms of the three views of the _gpuaug config trace as one
    graph for torch.compile: no host reads (a per-call blur bound was one).
    (The preprocessor's one-time rank check, first batch only, is not traced.)"""
    import torch._dynamo as dynamo
    pre = config_views_preprocessor()

    def views(images):
        return [pre._augment(images, transforms)
                for view, transforms in zip(pre.views, pre.view_transforms)
                for _ in range(view['num_views'])]

    images = torch.randint(0, 256, (4, 3, 32, 32)).float()
    explanation = dynamo.explain(views)(images)
    assert explanation.graph_break_count == 0, explanation.break_reasons
    assert explanation.graph_count == 1
