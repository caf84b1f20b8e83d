"""What tools/analyze_graph.py reads: the graph a config builds, and confusions.

The graph is built as ``SemanticGraphHook`` builds it before training: the
model's head states mode and K (``head.semantic_graph_request()``), the class
names of every level and the descriptions come from the training dataset
(its config, built without reading images: ``lazy_init``), the hook's own
settings (descriptions, source, encoder, cache) win. Confusions come from a
per-class file of ``LongTailAccuracy`` or from running a checkpoint over the
config's test (or val) dataloader.
"""
import copy
import os.path as osp
import sys
import warnings

import torch

from mmpretrain.registry import DATASETS, MODELS
from skcl_mm.datasets.hierarchies import load_hierarchy
from skcl_mm.evaluation.metrics import read_per_class_file, top_confusions
from skcl_mm.evaluation.metrics.per_class_report import (CONFUSIONS,
                                                         TOP_CONFUSIONS)
from skcl_mm.semantics.descriptions import load_descriptions
from skcl_mm.semantics.graph import build_semantic_graph
from skcl_mm.semantics.graph_diagnostics import SemanticGraphHubWarning
from skcl_mm.utils.run_config_checks import declared_classes

GRAPH_HEAD_HINT = ("an SKCL config: SKCLHead with contrastive_loss=dict(type='SKCLLoss', "
                   "mode=..., num_neighbours=K > 0), e.g. configs/skcl_resnet32_cifar100lt.py")


def graph_request(cfg, config: str):
    """The head's GraphRequest; a clear stop when the model reads no graph."""
    head_cfg = cfg.model.get('head') or {}
    head = MODELS.build(head_cfg) if head_cfg else None
    ask = getattr(head, 'semantic_graph_request', None)
    request = ask() if callable(ask) else None
    loss = (head_cfg.get('contrastive_loss') or {}).get('type', 'no contrastive loss')
    if request is None:
        raise SystemExit(
            f'{config}: model.head ({head_cfg.get("type", "none")}, {loss}) reads no '
            'semantic graph, so there is no graph to analyse. Give ' + GRAPH_HEAD_HINT + '.')
    if request.num_neighbours == 0:
        raise SystemExit(f'{config}: K = 0 (num_neighbours=0): the neighbour table is '
                         'empty, nothing to analyse. Give ' + GRAPH_HEAD_HINT + '.')
    return request


def training_classes(cfg, config: str):
    """``(level_classes, fine_to_level, descriptions)`` of the training dataset.

    Built with ``lazy_init`` (no image or label is read). A dataset that cannot
    be built without its files (ImageNet-LT's lists) falls back to the class
    names its config or class declares and the config's ``hierarchy``.
    """
    dataset_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    dataset_cfg['lazy_init'] = True
    if isinstance(dataset_cfg.get('dataset'), dict):
        dataset_cfg['dataset']['lazy_init'] = True
    try:
        dataset = DATASETS.build(dataset_cfg)
    except Exception as err:  # noqa: BLE001  (any dataset may fail without its files)
        return _declared(dataset_cfg, config, err)
    hierarchy = getattr(dataset, 'hierarchy', None)
    meta = dataset.metainfo
    if hierarchy is not None:
        return (hierarchy.level_classes, hierarchy.fine_to_level,
                meta.get('descriptions'))
    if not meta.get('classes'):
        dataset.full_init()
        meta = dataset.metainfo
    return [list(meta['classes'])], None, meta.get('descriptions')


def _declared(dataset_cfg, config: str, err: Exception):
    classes = declared_classes(dataset_cfg)
    hierarchy = dataset_cfg.get('hierarchy')
    if not classes or hierarchy == 'dataset':
        raise SystemExit(
            f'{config}: the training dataset is needed for the class names and could '
            f'not be built ({type(err).__name__}: {err}). Make its files available, '
            'or give the class names in its config (metainfo=dict(classes=[...])).')
    print(f'note: the training dataset was not built ({type(err).__name__}: '
          f'{str(err).splitlines()[0][:200]}); its class names come from its '
          f'config, hierarchy {hierarchy!r}.', file=sys.stderr)
    tree = load_hierarchy(hierarchy, classes)
    return tree.level_classes, tree.fine_to_level, dataset_cfg.get('descriptions')


def hook_settings(cfg) -> dict:
    """The SemanticGraphHook's own settings in the config (its defaults if none)."""
    hooks = [h for h in cfg.get('custom_hooks') or []
             if 'SemanticGraphHook' in str(h.get('type'))]
    found = dict(hooks[0]) if hooks else {}
    return dict(descriptions=found.get('descriptions'),
                source=found.get('source', 'descriptions'),
                encoder=found.get('encoder'), cache_dir=found.get('cache_dir'))


def build_config_graph(cfg, config: str):
    """``(graph, fine_to_level, description source)`` as the hook builds them."""
    request = graph_request(cfg, config)
    level_classes, fine_to_level, data_texts = training_classes(cfg, config)
    settings = hook_settings(cfg)
    texts = settings['descriptions'] or data_texts
    if settings['source'] != 'descriptions':
        texts = None
    elif not texts:
        raise SystemExit(f'{config}: no descriptions: neither the SemanticGraphHook nor '
                         "the training dataset names any (descriptions='cifar100' or a "
                         'file on LongTailHierarchyDataset).')
    description_file = None if texts is None or isinstance(texts, dict) else str(texts)
    with warnings.catch_warnings():  # the report lists the hubs itself
        warnings.simplefilter('ignore', SemanticGraphHubWarning)
        graph = build_semantic_graph(
            level_classes,
            load_descriptions(description_file) if description_file else texts,
            mode=request.mode, num_neighbours=request.num_neighbours,
            source=settings['source'], encoder=settings['encoder'],
            cache_dir=settings['cache_dir'], description_file=description_file,
            fine_to_level=fine_to_level)
    return graph, fine_to_level, description_file or settings['source']


def grouping(groups: str, graph, config: str):
    """``fine_to_level`` of hierarchy ``groups`` for the classes of a one-level graph."""
    if len(graph.node_names) > graph.num_fine:
        raise SystemExit(f'--groups {groups}: the graph of {config} has superclass '
                         'nodes of its own hierarchy, which the inside / across count '
                         'uses; --groups is for one-level graphs.')
    return load_hierarchy(groups, graph.node_names).fine_to_level


def file_confusions(path: str, classes) -> list:
    """Per class ``(class id, count)`` lists from a LongTailAccuracy per-class file."""
    rows = read_per_class_file(path)
    names = [row['class'] for row in rows]
    if names != list(classes):
        raise SystemExit(f'{path}: {class_difference(names, list(classes))}')
    if any(CONFUSIONS not in row for row in rows):
        raise SystemExit(
            f'{path} has no {CONFUSIONS} column (written before LongTailAccuracy '
            'recorded confusions); write a new one: python tools/test.py CONFIG CKPT '
            '--cfg-options test_evaluator.per_class_file=per_class.json, or give '
            '--checkpoint CKPT.')
    index = {name: i for i, name in enumerate(names)}
    return [[(index[name], count) for name, count in row[CONFUSIONS]] for row in rows]


def class_difference(file_classes, graph_classes, what: str = 'the file') -> str:
    """Which classes ``what`` (a per-class file, a checkpoint) and the graph do
    not share, or where their orders part."""
    missing = [c for c in graph_classes if c not in set(file_classes)]
    extra = [c for c in file_classes if c not in set(graph_classes)]
    if missing or extra:
        return (f'{what} describes other classes than the graph of the config '
                f'({len(file_classes)} vs {len(graph_classes)}): not in {what} '
                f'{missing[:10]}, only in {what} {extra[:10]}. Give {what} of a run '
                'of this config.')
    at = next(i for i, (a, b) in enumerate(zip(file_classes, graph_classes)) if a != b)
    return (f'{what} lists the classes in another order: index {at} is '
            f'{file_classes[at]!r} in {what}, {graph_classes[at]!r} in the config. '
            f'Give {what} of a run of this config.')


def runner_model_cfg(cfg) -> dict:
    """``cfg.model`` with the top-level ``data_preprocessor`` merged in, as
    mmengine's Runner builds it (the configs keep it at the top level)."""
    model_cfg = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', copy.deepcopy(cfg.data_preprocessor))
    return model_cfg


def checkpoint_confusions(cfg, checkpoint: str, split: str = 'test') -> dict:
    """Run ``checkpoint`` over the config's ``{split}_dataloader`` (CPU).

    Returns:
        dict: ``confusions`` (per class ``(class id, count)`` lists, most
        frequent first), ``classes`` (the evaluated set's), ``top1`` (%),
        ``samples``.
    """
    from mmengine.runner import Runner

    from skcl_mm.engine.checkpoint_file import read_checkpoint
    from skcl_mm.engine.checkpoint_fit import (checkpoint_dataset_meta,
                                               checkpoint_state_dict,
                                               weight_problems)
    model = MODELS.build(runner_model_cfg(cfg))
    ckpt = read_checkpoint(checkpoint, '--checkpoint')
    state = checkpoint_state_dict(ckpt)
    problems = weight_problems(state, model)
    if problems:
        raise SystemExit(f'--checkpoint {checkpoint} does not fit the model of the '
                         'config: ' + '; '.join(problems))
    model.load_state_dict(state, strict=False)
    model.eval()
    loader_cfg = copy.deepcopy(cfg.get(f'{split}_dataloader'))
    if not loader_cfg:
        raise SystemExit(f'the config has no {split}_dataloader; use --split val|test.')
    loader_cfg.update(num_workers=0, persistent_workers=False)
    loader = Runner.build_dataloader(loader_cfg)
    classes = list(loader.dataset.metainfo['classes'])
    trained = checkpoint_dataset_meta(ckpt).get('classes')
    if trained is not None and list(trained) != classes:
        raise SystemExit(f'--checkpoint {checkpoint}: '
                         + class_difference(list(trained), classes, 'the checkpoint'))
    preds, gts = [], []
    with torch.no_grad():
        for batch in loader:
            for sample in model.test_step(batch):
                preds.append(int(sample.pred_label[0]))
                gts.append(int(sample.gt_label[0]))
    pred, gt = torch.tensor(preds), torch.tensor(gts)
    return dict(confusions=top_confusions(pred, gt, len(classes), TOP_CONFUSIONS),
                classes=classes, top1=float((pred == gt).float().mean() * 100),
                samples=len(gts), source=osp.basename(checkpoint))
