"""Tests for skcl_mm.models.data_preprocessors.multi_view."""
import copy

import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate, pseudo_collate
from mmengine.registry import DefaultScope

import skcl_mm  # noqa: F401  (registers the preprocessor)
from mmpretrain.models.utils.data_preprocessor import ClsDataPreprocessor
from mmpretrain.registry import MODELS, TRANSFORMS
from skcl_mm.models.data_preprocessors import MultiViewClsDataPreprocessor
from tests.device_support import host_sync_is_an_error, needs_cuda

MEAN = [125.307, 122.961, 113.8575]
STD = [51.5865, 50.847, 51.255]


def run_pipeline(pipeline, images, seed=0):
    """Real transforms + PackInputs on uint8 HWC images, one sample each."""
    np.random.seed(seed)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        transforms = [TRANSFORMS.build(t) for t in pipeline]
        samples = []
        for i, img in enumerate(images):
            results = dict(img=img, gt_label=i % 3, sample_idx=i)
            for t in transforms:
                results = t(results)
            results['data_samples'].set_field(
                torch.tensor([0, i % 3]), 'gt_level_labels')
            samples.append(results)
    return samples


def random_images(num, size=32, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
            for _ in range(num)]


def multi_view_batch(images, second=None, num_views=(1, 2)):
    """MultiView: view 0 untouched, later views flipped (or ``second``)."""
    second = second or [dict(type='RandomFlip', prob=1.0,
                             direction='horizontal')]
    pipeline = [dict(type='MultiView', num_views=list(num_views),
                     transforms=[[], second][:len(num_views)]),
                dict(type='PackInputs')]
    return pseudo_collate(run_pipeline(pipeline, images))


def normalise(img_hwc, to_rgb):
    chw = torch.from_numpy(np.ascontiguousarray(img_hwc)).permute(2, 0, 1)
    chw = chw.flip(0) if to_rgb else chw
    mean = torch.tensor(MEAN).view(3, 1, 1)
    std = torch.tensor(STD).view(3, 1, 1)
    return (chw.float() - mean) / std


@pytest.mark.parametrize('to_rgb', [False, True])
@pytest.mark.parametrize('collate', [pseudo_collate, default_collate])
def test_single_view_identical_to_stock(to_rgb, collate):
    pipeline = [dict(type='RandomCrop', crop_size=32, padding=4),
                dict(type='RandomFlip', prob=0.5, direction='horizontal'),
                dict(type='PackInputs')]
    batch = collate(run_pipeline(pipeline, random_images(4)))
    cfg = dict(mean=MEAN, std=STD, to_rgb=to_rgb)
    ours = MODELS.build(dict(type='MultiViewClsDataPreprocessor', **cfg))
    stock = ClsDataPreprocessor(**cfg)
    out = ours(copy.deepcopy(batch), training=True)
    ref = stock(copy.deepcopy(batch), training=True)
    assert torch.equal(out['inputs'], ref['inputs'])
    assert out['inputs'].shape == (4, 3, 32, 32)
    for a, b in zip(out['data_samples'], ref['data_samples']):
        assert torch.equal(a.gt_label, b.gt_label)
        assert torch.equal(a.gt_level_labels, b.gt_level_labels)
        assert a.sample_idx == b.sample_idx


def test_single_view_mixed_sizes_and_padding_identical_to_stock():
    images = random_images(2, 32) + random_images(1, 27, seed=1)
    batch = pseudo_collate(run_pipeline([dict(type='PackInputs')], images))
    cfg = dict(mean=MEAN, std=STD, pad_size_divisor=8, pad_value=-1.)
    out = MultiViewClsDataPreprocessor(**cfg)(copy.deepcopy(batch))
    ref = ClsDataPreprocessor(**cfg)(copy.deepcopy(batch))
    assert out['inputs'].shape == (3, 3, 32, 32)
    assert torch.equal(out['inputs'], ref['inputs'])


@pytest.mark.parametrize('to_rgb', [False, True])
def test_multi_view_is_view_major_and_normalised(to_rgb):
    images = random_images(4)
    batch = multi_view_batch(images)
    data_samples = copy.deepcopy(batch['data_samples'])
    pre = MultiViewClsDataPreprocessor(mean=MEAN, std=STD, to_rgb=to_rgb)
    out = pre(batch, training=True)
    inputs = out['inputs']
    assert inputs.shape == (12, 3, 32, 32) and inputs.dtype == torch.float32
    for b, img in enumerate(images):
        plain = normalise(img, to_rgb)
        flipped = normalise(img[:, ::-1], to_rgb)
        assert torch.allclose(inputs[b], plain, atol=1e-5)       # view 0
        assert torch.allclose(inputs[4 + b], flipped, atol=1e-5)  # view 1
        assert torch.allclose(inputs[8 + b], flipped, atol=1e-5)  # view 2
    assert len(out['data_samples']) == 4
    for got, before in zip(out['data_samples'], data_samples):
        assert torch.equal(got.gt_label, before.gt_label)
        assert torch.equal(got.gt_level_labels, before.gt_level_labels)
        assert got.sample_idx == before.sample_idx


def test_default_collate_layout_matches_pseudo_collate():
    images = random_images(3)
    samples = run_pipeline(
        [dict(type='MultiView', num_views=[1, 2],
              transforms=[[], [dict(type='RandomFlip', prob=1.0)]]),
         dict(type='PackInputs')], images)
    pre = MultiViewClsDataPreprocessor(mean=MEAN, std=STD, to_rgb=True)
    out_default = pre(default_collate(copy.deepcopy(samples)))
    out_pseudo = pre(pseudo_collate(copy.deepcopy(samples)))
    assert isinstance(default_collate(samples)['inputs'], list)
    assert torch.equal(out_default['inputs'], out_pseudo['inputs'])


def test_single_view_list_equals_stock_on_unwrapped():
    images = random_images(3)
    batch = multi_view_batch(images, num_views=(1, ))
    assert len(batch['inputs']) == 1 and len(batch['inputs'][0]) == 3
    unwrapped = dict(batch, inputs=list(batch['inputs'][0]))
    out = MultiViewClsDataPreprocessor(mean=MEAN, std=STD)(batch)
    ref = ClsDataPreprocessor(mean=MEAN, std=STD)(unwrapped)
    assert torch.equal(out['inputs'], ref['inputs'])


def test_views_of_different_sizes_are_padded():
    images = random_images(2)
    crop = [dict(type='RandomResizedCrop', scale=24)]
    batch = multi_view_batch(images, second=crop, num_views=(1, 1))
    pre = MultiViewClsDataPreprocessor(mean=MEAN, std=STD, pad_value=7.)
    out = pre(batch)['inputs']
    assert out.shape == (4, 3, 32, 32)
    assert torch.allclose(out[0], normalise(images[0], False), atol=1e-5)
    assert torch.all(out[2:, :, 24:, :] == 7.)
    assert torch.all(out[2:, :, :, 24:] == 7.)
    assert not torch.all(out[2:, :, :24, :24] == 7.)


def test_batch_augments_single_view_matches_stock_and_multi_view_raises():
    cfg = dict(mean=MEAN, std=STD, num_classes=3,
               batch_augments=dict(augments=dict(type='Mixup', alpha=1.)))
    pipeline = [dict(type='PackInputs')]
    single = pseudo_collate(run_pipeline(pipeline, random_images(4)))
    torch.manual_seed(0)
    np.random.seed(0)
    out = MultiViewClsDataPreprocessor(**cfg)(copy.deepcopy(single), True)
    torch.manual_seed(0)
    np.random.seed(0)
    ref = ClsDataPreprocessor(**cfg)(copy.deepcopy(single), True)
    assert torch.equal(out['inputs'], ref['inputs'])
    scores = torch.stack([s.gt_score for s in out['data_samples']])
    assert scores.shape == (4, 3)
    assert torch.equal(scores,
                       torch.stack([s.gt_score for s in ref['data_samples']]))

    multi = multi_view_batch(random_images(4))
    pre = MultiViewClsDataPreprocessor(**cfg)
    with pytest.raises(ValueError, match='3 views.*remove batch_augments'):
        pre(copy.deepcopy(multi), training=True)
    # Evaluation never mixes: multi-view input is fine there.
    assert pre(multi, training=False)['inputs'].shape == (12, 3, 32, 32)


def test_to_onehot_gives_one_score_per_sample():
    batch = multi_view_batch(random_images(4))
    pre = MultiViewClsDataPreprocessor(mean=MEAN, std=STD, to_onehot=True,
                                       num_classes=3)
    out = pre(batch, training=True)
    scores = torch.stack([s.gt_score for s in out['data_samples']])
    labels = torch.cat([s.gt_label for s in out['data_samples']])
    assert scores.shape == (4, 3)
    assert torch.equal(scores.argmax(1), labels)


def test_pseudo_collate_puts_views_first():
    # mmengine's pseudo_collate transposes per-sample view lists: [V][B].
    batch = multi_view_batch(random_images(4))
    assert len(batch['inputs']) == 3
    assert all(len(view) == 4 for view in batch['inputs'])


def test_unequal_view_sizes_raise():
    batch = multi_view_batch(random_images(3))
    batch['inputs'][1] = batch['inputs'][1][:2]
    with pytest.raises(ValueError, match='same number of samples'):
        MultiViewClsDataPreprocessor()(batch)


def test_channels_last_switch_keeps_values():
    views = [[torch.randint(0, 256, (3, 8, 8), dtype=torch.uint8) for _ in range(2)]
             for _ in range(3)]
    plain = MultiViewClsDataPreprocessor(mean=[1, 2, 3], std=[2, 2, 2])
    fast = MultiViewClsDataPreprocessor(mean=[1, 2, 3], std=[2, 2, 2], channels_last=True)
    a = plain({'inputs': views})['inputs']
    b = fast({'inputs': views})['inputs']
    assert b.shape == (6, 3, 8, 8)
    assert b.is_contiguous(memory_format=torch.channels_last)
    assert not a.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(a, b)


def test_non_blocking_copies_are_the_default_and_a_switch():
    assert MultiViewClsDataPreprocessor(mean=MEAN, std=STD)._non_blocking is True
    pre = MultiViewClsDataPreprocessor(mean=MEAN, std=STD, non_blocking=False)
    assert pre._non_blocking is False
    samples = run_pipeline([dict(type='MultiView', num_views=[1, 2],
                                 transforms=[[], [dict(type='RandomFlip', prob=1.0)]]),
                            dict(type='PackInputs')], random_images(3))
    blocking = pre(default_collate(copy.deepcopy(samples)))['inputs']
    default = MultiViewClsDataPreprocessor(mean=MEAN, std=STD)(
        default_collate(copy.deepcopy(samples)))['inputs']
    assert torch.equal(blocking, default) and default.shape == (9, 3, 32, 32)


@needs_cuda
def test_pinned_views_reach_cuda_without_a_host_sync():
    """A default_collate batch from pinned memory (the dataloader's) is copied
    view by view without waiting for the GPU, and joined there."""
    samples = run_pipeline([dict(type='MultiView', num_views=[1, 2],
                                 transforms=[[], [dict(type='RandomFlip', prob=1.0)]]),
                            dict(type='PackInputs')], random_images(8))
    batch = default_collate(samples)
    batch = dict(inputs=[view.pin_memory() for view in batch['inputs']])
    expected = MultiViewClsDataPreprocessor(mean=MEAN, std=STD)(batch)['inputs']
    pre = MultiViewClsDataPreprocessor(mean=MEAN, std=STD).cuda()
    pre(batch)  # warm-up
    torch.cuda.synchronize()
    with host_sync_is_an_error():
        out = pre(batch)['inputs']
    assert out.is_cuda and torch.equal(out.cpu(), expected)
    blocking = MultiViewClsDataPreprocessor(mean=MEAN, std=STD,
                                            non_blocking=False).cuda()
    with host_sync_is_an_error(), pytest.raises(RuntimeError, match='synchroniz'):
        blocking(batch)


@pytest.mark.parametrize('kwargs, error, pattern', [
    (dict(mean=MEAN), ValueError, r'got mean but no std: give both'),
    (dict(std=STD), ValueError, r'got std but no mean: give both'),
    (dict(mean=MEAN, std=STD[:2]), ValueError,
     r'std must hold 3 values, got 2: .* as many as mean \(3\)'),
    (dict(mean=MEAN, std=[51.5, 0, 51.2]), ValueError,
     r'std\[1\] must be a finite number > 0, got 0 \(int\)\. .*divides by zero'),
    (dict(mean=MEAN, std=[51.5, -50.8, 51.2]), ValueError, r'std\[1\] .* got -50\.8'),
    (dict(mean=[125.3, float('nan'), 113.9], std=STD), ValueError,
     r'mean\[1\] must be a finite number, got nan'),
    (dict(mean='imagenet', std=STD), TypeError, r"mean must be a list, got 'imagenet'"),
    (dict(mean=[], std=[]), ValueError, r'mean must hold at least 1 value'),
    (dict(to_rgb='yes'), TypeError, r"to_rgb must be True or False, got 'yes'"),
    (dict(pad_size_divisor=0), ValueError, r'pad_size_divisor must be an int >= 1'),
    (dict(num_classes=True), TypeError, r'num_classes .* got True \(bool\)'),
    (dict(channels_last=1), TypeError, r'channels_last must be True or False, got 1'),
    (dict(non_blocking=None), TypeError, r'non_blocking must be True or False'),
])
def test_invalid_arguments_name_the_setting(kwargs, error, pattern):
    with pytest.raises(error, match='MultiViewClsDataPreprocessor ' + pattern):
        MultiViewClsDataPreprocessor(**kwargs)


@pytest.mark.parametrize('collate', [pseudo_collate, default_collate])
def test_mean_std_per_channel_must_match_the_images(collate):
    gray = [dict(inputs=[torch.randint(0, 256, (1, 8, 8), dtype=torch.uint8)
                         for _ in range(3)]) for _ in range(2)]
    batch = collate(gray)
    with pytest.raises(ValueError, match=r'mean/std have 3 values but the images '
                                         r'have 1 channels'):
        MultiViewClsDataPreprocessor(mean=MEAN, std=STD)(batch)
    one_value = MultiViewClsDataPreprocessor(mean=[120.0], std=[60.0])(batch)
    assert one_value['inputs'].shape == (6, 1, 8, 8)
