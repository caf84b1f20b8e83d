"""Tests of skcl_mm/models/heads/skcl_head.py."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper

from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from skcl_mm.models.heads import SKCLHead
from skcl_mm.semantics.graph_contract import GraphRequest
from tests.device_support import (host_sync_is_an_error, needs_cpu_compiler,
                                  needs_cuda)

LEVELS = [2, 6]  # coarsest first
FINE_TO_COARSE = [0, 0, 0, 1, 1, 1]
COUNTS = [[60, 9], [30, 20, 10, 5, 3, 1]]
GRAPH = torch.tensor([[6, 1], [0, 7], [3, 1], [7, 4], [3, 5], [4, 6]])


def samples(fine_labels):
    out = []
    for y in fine_labels:
        sample = DataSample().set_gt_label(y)
        sample.set_field(torch.tensor([FINE_TO_COARSE[y], y]), 'gt_level_labels')
        out.append(sample)
    return out


def build_head(**kwargs):
    cfg = dict(type='SKCLHead', in_channels=8, level_num_classes=LEVELS,
               mlp_hidden_channels=16, feat_channels=4)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def ready_head(**kwargs):
    head = build_head(**kwargs)
    head.set_class_counts(COUNTS)
    request = head.semantic_graph_request()
    if request is not None:
        head.set_semantic_graph(GRAPH[:, :request.num_neighbours])
    return head


def feats(views, batch=4, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(views * batch, 8, generator=gen), )


def test_defaults_and_state():
    head = SKCLHead(in_channels=64, level_num_classes=[20, 100])
    assert head.level_loss_weights == [1.0, 2.0]
    assert head.contrastive.loss_weight == 0.6
    assert head.contrastive.temperature == 0.1
    assert head.contrastive.proto_temperature == 0.2
    assert head.semantic_graph_request() == GraphRequest('both', 2, (20, 100))
    assert head.prototypes().shape == (120, 128)  # a prototype per node
    assert head.semantic_neighbours.shape == (100, 2)
    assert [m.__class__.__name__ for m in head.projector] == [
        'Linear', 'BatchNorm1d', 'ReLU', 'Linear']
    assert head.projector[0].out_features == 512
    assert head.projector[3].out_features == 128
    assert head.proto_mlp[0].in_features == 64
    assert head.semantic_neighbours.shape == (100, 2)
    assert not head.has_semantic_graph and not head.has_class_counts


def test_set_class_counts_stores_log_priors():
    head = ready_head()
    assert head.has_class_counts
    fine = torch.tensor(COUNTS[1], dtype=torch.float)
    assert torch.allclose(head.log_prior_level1, (fine / fine.sum()).log())
    assert torch.allclose(head.log_prior_level0.exp().sum(), torch.tensor(1.))
    with pytest.raises(ValueError, match='expects 2 levels'):
        head.set_class_counts([COUNTS[1]])
    with pytest.raises(ValueError, match='level 1: expected 6 counts, got'):
        head.set_class_counts([COUNTS[0], COUNTS[1][:5]])


def test_semantic_graph_is_checked_and_saved_in_state_dict():
    head = ready_head()
    assert head.has_semantic_graph
    with pytest.raises(ValueError, match=r'must be \(6, 2\) \(n_fine, K\) for a '
                       r'both graph of levels \[2, 6\], got \(6, 3\)'):
        head.set_semantic_graph(torch.zeros(6, 3, dtype=torch.long))
    with pytest.raises(ValueError, match='own neighbour'):
        head.set_semantic_graph(torch.tensor([[0, 1]] * 6))
    with pytest.raises(ValueError, match=r'in \[0, 8\)'):
        head.set_semantic_graph(torch.full((6, 2), 8))
    fresh = ready_head()
    fresh.semantic_neighbours.fill_(-1)
    assert not fresh.has_semantic_graph
    fresh.load_state_dict(head.state_dict())
    assert fresh.has_semantic_graph
    assert torch.equal(fresh.semantic_neighbours, head.semantic_neighbours)


def test_training_without_graph_or_counts_names_the_hook():
    head = MODELS.build(dict(type='SKCLHead', in_channels=8, level_num_classes=LEVELS))
    with pytest.raises(RuntimeError, match='TrainCountsHook'):
        head.loss(feats(3), samples([0, 1, 2, 3]))
    head.set_class_counts(COUNTS)
    with pytest.raises(RuntimeError, match='SemanticGraphHook'):
        head.loss(feats(3), samples([0, 1, 2, 3]))


@pytest.mark.filterwarnings('ignore:SKCLHead. the batch has one view')
@pytest.mark.parametrize('views', [1, 3])
def test_loss_keys_sum_and_view_routing(views):
    head = ready_head()
    x = feats(views)
    losses = head.loss(x, samples([0, 3, 3, 5]))
    assert set(losses) == {'loss_ce_level0', 'loss_ce_level1',
                           'loss_skcl_proto', 'loss_skcl_sample'}
    assert all(torch.isfinite(v) for v in losses.values())
    # CE uses view 0 only, with the prior added, weighted by w_fine = 2
    logits = head.classifiers[1](x[0][:4]) + head.log_prior_level1
    expected = 2.0 * F.cross_entropy(logits, torch.tensor([0, 3, 3, 5]))
    assert torch.allclose(losses['loss_ce_level1'], expected)


def test_gradient_reaches_classifiers_through_prototypes():
    head = ready_head(level_loss_weights=[0.0, 0.0])
    losses = head.loss(feats(3), samples([0, 1, 1, 4]))
    sum(losses.values()).backward()
    for classifier in head.classifiers:
        assert classifier.weight.grad.abs().sum() > 0
        assert classifier.bias.grad is None or (classifier.bias.grad == 0).all()


def test_baselines_from_the_same_head():
    bcl = build_head(level_num_classes=[6],
                     contrastive_loss=dict(type='BCLLoss'))
    bcl.set_class_counts([COUNTS[1]])
    assert bcl.has_semantic_graph and bcl.semantic_graph_request() is None
    assert bcl.semantic_neighbours.shape == (6, 0)
    with pytest.raises(ValueError, match='reads no semantic graph'):
        bcl.set_semantic_graph(torch.zeros(6, 0, dtype=torch.long))
    single = [DataSample().set_gt_label(y) for y in [0, 2, 2, 5]]
    assert set(bcl.loss(feats(3), single)) == {'loss_ce_level0', 'loss_bcl'}
    plain = build_head(contrastive_loss=dict(type='SKCLLoss', loss_weight=0),
                       loss=dict(type='LogitAdjustedCrossEntropyLoss', tau=0))
    assert plain.semantic_graph_request() is None
    assert not hasattr(plain, 'projector')
    assert set(plain.loss(feats(1), samples([0, 1, 2, 3]))) == {
        'loss_ce_level0', 'loss_ce_level1'}


@pytest.mark.parametrize('kwargs, error, pattern', [
    (dict(level_num_classes=6), TypeError,
     r'level_num_classes must be a list, got 6 \(int\)\. .*\[1000\] for one level'),
    (dict(level_num_classes=[]), ValueError, 'at least 1 value.*coarsest first'),
    (dict(level_num_classes=[2.0, 6]), TypeError,
     r'level_num_classes\[0\] must be an int >= 1, got 2\.0 \(float\)'),
    (dict(level_num_classes=['2', '6']), TypeError, r"got '2' \(str\)"),
    (dict(level_num_classes=[True, 6]), TypeError, r'got True \(bool\)'),
    (dict(level_num_classes=[0, 6]), ValueError, r'level_num_classes\[0\] .* got 0'),
    (dict(level_num_classes=[6, 2]), ValueError,
     r'level 0 has more classes \(6\) than the finer level 1 \(2\); list the '
     r'levels coarsest first: \[2, 6\]'),
    (dict(in_channels=True), TypeError,
     r"in_channels must be an int >= 1, got True \(bool\)\. It is the neck's"),
    (dict(in_channels=64.0), TypeError, r'in_channels .* got 64\.0 \(float\)'),
    (dict(mlp_hidden_channels=0), ValueError, r'mlp_hidden_channels must be an int >= 1'),
    (dict(feat_channels='128'), TypeError, r"feat_channels .* got '128' \(str\)"),
    (dict(cosine_classifier=1), TypeError, r'cosine_classifier must be True or False'),
    (dict(cosine_scale=0), ValueError, r'cosine_scale must be a finite number > 0'),
    (dict(cosine_scale=float('inf')), ValueError, r'cosine_scale .* got inf'),
    (dict(topk=(1, 7)), ValueError,
     r'topk\[1\] must be an int >= 1 and <= 6, got 7 .* scores 6 fine classes'),
    (dict(topk=True), TypeError, r'topk\[0\] .* got True \(bool\)'),
    (dict(level_loss_weights=[1.0]), ValueError,
     r'level_loss_weights must hold 2 values, got 1: \[1\.0\]'),
    (dict(level_loss_weights=[-1.0, 2.0]), ValueError,
     r'level_loss_weights\[0\] must be a finite number >= 0, got -1\.0'),
    (dict(level_loss_weights=[1.0, float('nan')]), ValueError, r'\[1\] .* got nan'),
    (dict(level_loss_weights=[0, 0], contrastive_loss=None), ValueError,
     'every loss weight is 0.*nothing would be trained'),
    (dict(contrastive_loss='SKCLLoss'), TypeError,
     r"contrastive_loss must be a dict\(type='SKCLLoss', \.\.\.\) or None"),
    (dict(contrastive_loss=dict(type='SKCLLoss', level_num_classes=[20, 100])),
     ValueError, r'contrastive_loss\.level_num_classes=\[20, 100\] differs from the '
     r"head's level_num_classes=\[2, 6\]; remove it"),
    (dict(contrastive_loss=dict(type='SKCLLoss', temperature=-0.1)), ValueError,
     r'SKCLLoss temperature must be a finite number > 0, got -0\.1'),
    (dict(loss=dict(type='CrossEntropyLoss')), TypeError,
     'LogitAdjustedCrossEntropyLoss'),
    (dict(project_classifier_view=1), TypeError,
     r'project_classifier_view must be True or False, got 1 \(int\)'),
])
def test_construction_errors(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        build_head(**kwargs)


def test_k_clamped_and_batch_shape_errors():
    with pytest.warns(UserWarning, match='candidates'):
        head = SKCLHead(8, [6], contrastive_loss=dict(type='SKCLLoss', mode='C-F'))
    assert head.semantic_graph_request().num_neighbours == 0
    assert head.has_semantic_graph
    head = ready_head()
    with pytest.raises(ValueError, match='not a multiple.*MultiViewClsDataPreprocessor'):
        head.loss((torch.randn(7, 8), ), samples([0, 1]))
    with pytest.raises(ValueError, match=r'gt_level_labels has 2 levels, '
                                         r'level_num_classes has 3 \(\[2, 3, 6\]\)'):
        SKCLHead(8, [2, 3, 6]).loss(feats(1), samples([0, 1, 2, 3]))


def test_features_of_the_wrong_width_or_rank_name_the_setting():
    head = ready_head()
    with pytest.raises(ValueError, match=r'in_channels=8 but the neck gives '
                                         r'64-d features .* set in_channels=64'):
        head.loss((torch.randn(12, 64), ), samples([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r'in_channels=8 .* 64-d'):
        head((torch.randn(4, 64), ))  # the predict path too
    with pytest.raises(ValueError, match=r"got shape \(4, 8, 2, 2\); add "
                                         r"neck=dict\(type='GlobalAveragePooling'\)"):
        head.loss((torch.randn(4, 8, 2, 2), ), samples([0, 1, 2, 3]))


def test_samples_without_level_labels_name_the_dataset_wrapper():
    head = ready_head()
    plain = [DataSample().set_gt_label(y) for y in [0, 1, 2, 3]]
    with pytest.raises(ValueError, match=r"level_num_classes=\[2, 6\] has 2 levels "
                                         r'but 4 of 4 data samples carry no '
                                         r"gt_level_labels: wrap .*LongTailHierarchyDataset"
                                         r'.*level_num_classes=\[6\]'):
        head.loss(feats(3), plain)


def test_first_batch_labels_outside_the_head_name_level_and_counts():
    head = ready_head()
    batch = samples([0, 1, 2, 3])
    batch[2].set_field(torch.tensor([5, 2]), 'gt_level_labels')
    with pytest.raises(ValueError, match=r'level 0 labels span \[0, 5\] but '
                                         r'level_num_classes\[0\] = 2 .*hierarchy'):
        head.loss(feats(3), batch)
    wrong_fine = samples([0, 1, 2, 3])
    wrong_fine[1].set_gt_label(4)
    with pytest.raises(ValueError, match=r'finest gt_level_labels differ from gt_label'):
        head.loss(feats(3), wrong_fine)
    head.loss(feats(3), samples([0, 1, 2, 3]))  # a good batch passes


def test_one_view_with_contrastive_loss_warns_once():
    head = ready_head()
    with pytest.warns(UserWarning, match=r'one view per sample.*MultiView.*'
                      'MultiViewClsDataPreprocessor') as record:
        head.loss(feats(1), samples([0, 1, 2, 3]))
        head.loss(feats(1), samples([0, 1, 2, 3]))
    assert len(record) == 1


@pytest.mark.filterwarnings('ignore:SKCLHead. the batch has one view')
def test_projector_sees_the_classifier_view_when_asked_as_in_bcl():
    """project_classifier_view=True: view 0 passes the projection MLP too (BCL
    main.py:301-306, ConCutMix main.py:590-594), so its BatchNorm normalises
    and records all V*B rows; False: the contrastive rows only. The loss reads
    views 1.. either way; with one view the two are the same."""
    views_only = ready_head()
    all_views = ready_head(project_classifier_view=True)
    all_views.load_state_dict(views_only.state_dict())
    x, batch = feats(3), samples([0, 3, 3, 5])
    hidden = views_only.projector[0](x[0]).detach()  # (12, 16), before the BN
    first, second = views_only.loss(x, batch), all_views.loss(x, batch)
    # one step from zero running means, momentum 0.1
    bn_only, bn_all = views_only.projector[1], all_views.projector[1]
    assert torch.allclose(bn_only.running_mean, 0.1 * hidden[4:].mean(0), atol=1e-6)
    assert torch.allclose(bn_all.running_mean, 0.1 * hidden.mean(0), atol=1e-6)
    assert not torch.allclose(bn_only.running_mean, bn_all.running_mean, atol=1e-3)
    assert torch.equal(first['loss_ce_level1'], second['loss_ce_level1'])
    assert not torch.isclose(first['loss_skcl_sample'], second['loss_skcl_sample'])
    # by hand: BN with the statistics of all 12 rows, then rows 4.. to the loss
    fc0, bn, _, fc3 = views_only.projector
    normed = F.batch_norm(fc0(x[0]), None, None, bn.weight, bn.bias, training=True)
    z = F.normalize(fc3(F.relu(normed)), dim=1)[4:]
    labels = torch.tensor([0, 3, 3, 5] * 2)
    hand = all_views.contrastive(z, labels, all_views.prototypes(),
                                 all_views.semantic_neighbours)
    for key, value in hand.items():
        torch.testing.assert_close(second[key], value)
    same = ready_head(project_classifier_view=True)
    same.load_state_dict(views_only.state_dict())
    one_view = [head.loss(feats(1), batch) for head in (views_only, same)]
    for key, value in one_view[0].items():
        torch.testing.assert_close(one_view[1][key], value)


def test_cosine_classifier_and_predict_without_prior():
    head = ready_head(cosine_classifier=True, cosine_scale=10.0)
    x = feats(1)
    logits = head(x)
    assert logits.shape == (4, 6) and logits.abs().max() <= 10.0 + 1e-5
    head.eval()
    preds = head.predict(x)
    assert torch.allclose(preds[0].pred_score, logits[0].softmax(0))


# stock mmpretrain ResNet-18 (narrow) and skcl_mm's CifarResNet-32 (64-d)
BACKBONES = {
    'ResNet18': (dict(type='ResNet', depth=18, stem_channels=16,
                      base_channels=16), 128),
    'CifarResNet32': (dict(type='CifarResNet', depth=32), 64),
}


def classifier_cfg(backbone, channels):
    return dict(
        type='ImageClassifier',
        data_preprocessor=dict(type='ClsDataPreprocessor', mean=[128.] * 3,
                               std=[64.] * 3),
        backbone=backbone,
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='SKCLHead', in_channels=channels,
                  level_num_classes=LEVELS, mlp_hidden_channels=32,
                  feat_channels=16))


@pytest.mark.parametrize('backbone', list(BACKBONES))
def test_image_classifier_three_views_train_step_and_predict(backbone):
    torch.manual_seed(0)
    model = MODELS.build(classifier_cfg(*BACKBONES[backbone]))
    model.head.set_class_counts(COUNTS)
    model.head.set_semantic_graph(GRAPH)
    batch = 4
    images = torch.randint(0, 256, (3 * batch, 3, 32, 32)).float()  # view-major
    data = dict(inputs=images, data_samples=samples([0, 2, 3, 3]))
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    first = next(model.backbone.parameters())
    before = first.detach().clone()
    log_vars = model.train_step(data, optim)
    assert {'loss', 'loss_ce_level0', 'loss_ce_level1', 'loss_skcl_proto',
            'loss_skcl_sample'} <= set(log_vars)
    parts = sum(v for k, v in log_vars.items() if k.startswith('loss_'))
    assert torch.isclose(log_vars['loss'], parts)
    assert not torch.equal(before, first)
    model.eval()
    with torch.no_grad():
        preds = model(images[:batch], samples([0, 2, 3, 3]), mode='predict')
        scores = model(images[:batch], mode='tensor')
    assert len(preds) == batch and preds[0].pred_score.shape == (6, )
    assert torch.allclose(preds[1].pred_score, scores[1].softmax(0))


def test_loss_step_reads_no_tensor_on_the_host():
    """Readiness is checked once: a training step has no device->host sync."""
    from torch.profiler import ProfilerActivity, profile
    head = ready_head()
    head.loss(feats(3), samples([0, 1, 2, 3]))  # first step reads the buffers
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        losses = head.loss(feats(3), samples([0, 1, 2, 3]))
        sum(losses.values()).backward()
    syncs = {e.name for e in prof.events()} & {
        'aten::item', 'aten::_local_scalar_dense', 'aten::is_nonzero', 'aten::nonzero'}
    assert not syncs, syncs
    # the cached flags follow the setters and load_state_dict
    head.set_class_counts(COUNTS)
    assert head.has_class_counts
    empty = build_head()
    empty.load_state_dict(head.state_dict())
    assert empty.has_class_counts and empty.has_semantic_graph


@needs_cuda
def test_loss_step_on_cuda_never_synchronises_with_the_host():
    """On a GPU: forward and backward of a step (labels from the dataloader,
    on the host) only launch work; the losses match the CPU's."""
    head = ready_head()
    cuda_head = ready_head().cuda()
    cuda_head.load_state_dict(head.state_dict())
    batch = samples([0, 1, 2, 3])
    x = feats(3)[0]
    cuda_x = (x.cuda().requires_grad_(), )
    sum(cuda_head.loss(cuda_x, batch).values()).backward()  # reads the buffers
    torch.cuda.synchronize()
    with host_sync_is_an_error():
        losses = cuda_head.loss(cuda_x, batch)
        sum(losses.values()).backward()
    expected = head.loss((x, ), batch)
    for key, value in expected.items():
        torch.testing.assert_close(losses[key].cpu(), value, rtol=1e-4, atol=1e-5)


@needs_cpu_compiler
def test_compile_loss_matches_eager_losses_and_gradients():
    import copy
    import pickle
    with pytest.raises(TypeError, match='compile_loss must be a bool or a dict'):
        build_head(compile_loss='yes')
    eager = ready_head()
    compiled = copy.deepcopy(eager)
    compiled.compile_loss = True
    x = feats(3, batch=6)[0]
    labels = samples([0, 1, 2, 3, 4, 5])
    from torch._dynamo.utils import counters
    counters.clear()
    results = []
    for head in (eager, compiled):
        leaf = x.clone().requires_grad_()
        losses = head.loss((leaf, ), labels)
        sum(losses.values()).backward()
        results.append((losses, leaf.grad, head.classifiers[1].weight.grad,
                        head.proto_mlp[0].weight.grad))
    (eager_losses, *eager_grads), (compiled_losses, *compiled_grads) = results
    assert compiled.__dict__.get('_compiled_losses') is not None
    assert counters['stats']['unique_graphs'] == 1  # one graph, no breaks
    assert eager_losses.keys() == compiled_losses.keys()
    for key in eager_losses:
        torch.testing.assert_close(compiled_losses[key], eager_losses[key])
    for got, want in zip(compiled_grads, eager_grads):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-6)
    # a smaller (last) batch gets its own static graph, same values as eager
    small = x[:9].clone()
    small_labels = labels[:3]
    torch.testing.assert_close(
        compiled.loss((small, ), small_labels)['loss_skcl_sample'],
        eager.loss((small, ), small_labels)['loss_skcl_sample'])
    assert counters['stats']['unique_graphs'] == 2
    # the compiled function is not part of copies or pickles; rebuilt on use
    clone = pickle.loads(pickle.dumps(compiled))
    assert '_compiled_losses' not in clone.__dict__ and clone.compile_loss
    assert '_compiled_losses' not in copy.deepcopy(compiled).__dict__
