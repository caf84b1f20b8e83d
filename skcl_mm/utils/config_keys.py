"""Which settings a config dict accepts: the keys of the class it builds.

A config dict with ``type`` builds a registered class; mmengine passes the
other keys to its ``__init__``. A few dicts have no ``type`` and a fixed
reader (``train_cfg``, ``randomness``, the dataloaders). :func:`accepted_keys`
answers for one dict at a path of the config, so a misspelt key can be named
before any work instead of as a ``TypeError`` from deep inside the Runner.
"""
import inspect
from typing import Optional, Sequence, Tuple

# Top-level keys that mmengine's Runner, mmpretrain's tools or skcl_mm read.
RUNNER_KEYS = frozenset((
    'model', 'work_dir', 'train_dataloader', 'val_dataloader', 'test_dataloader',
    'train_cfg', 'val_cfg', 'test_cfg', 'auto_scale_lr', 'optim_wrapper',
    'param_scheduler', 'val_evaluator', 'test_evaluator', 'default_hooks',
    'custom_hooks', 'data_preprocessor', 'load_from', 'resume', 'launcher', 'env_cfg',
    'log_processor', 'log_level', 'visualizer', 'default_scope', 'randomness',
    'experiment_name', 'compile', 'sync_bn', 'model_wrapper_cfg',
    'find_unused_parameters', 'activation_checkpointing', 'efficient_conv_bn_eval',
    'runner_type', 'custom_imports', 'param_scheduler_written_for',
    'param_scheduler_scaled'))

# Dicts without a ``type`` whose reader is fixed: path -> accepted keys.
PLAIN_DICTS = {
    ('randomness', ): ('seed', 'deterministic', 'diff_rank_seed'),
    ('auto_scale_lr', ): ('enable', 'base_batch_size'),
    ('env_cfg', ): ('cudnn_benchmark', 'mp_cfg', 'dist_cfg', 'resource_limit'),
    ('env_cfg', 'mp_cfg'): ('mp_start_method', 'opencv_num_threads'),
}
LOADER_KEYS = ('dataset', 'batch_size', 'shuffle', 'sampler', 'batch_sampler',
               'num_workers', 'collate_fn', 'pin_memory', 'drop_last', 'timeout',
               'worker_init_fn', 'multiprocessing_context', 'generator',
               'prefetch_factor', 'persistent_workers', 'pin_memory_device',
               'in_order')
# Keys that a builder consumes before the class sees the rest.
BUILDER_KEYS = {'param_scheduler': ('type', 'convert_to_iter_based'),
                'optim_wrapper': ('type', 'constructor', 'paramwise_cfg', 'optimizer')}
# Free-form sub-configs inside a model that other builders read (norm layers,
# activations, initialisers, batch augments): not checked.
FREE_FORM = ('init_cfg', 'norm_cfg', 'act_cfg', 'conv_cfg', 'batch_augments',
             'dist_cfg', 'resource_limit')


def registry_for(path: Sequence) -> Optional[object]:
    """The mmpretrain registry that builds the dict at ``path`` (None: unknown)."""
    from mmpretrain import registry as reg
    keys = [k for k in path if isinstance(k, str)]
    if not keys or any(k in FREE_FORM for k in keys[1:]):
        return None
    top = keys[0]
    if top in ('model', 'data_preprocessor'):
        return reg.MODELS
    if top.endswith('_dataloader'):
        if 'pipeline' in keys or 'transforms' in keys:
            return reg.TRANSFORMS
        if keys[-1] in ('sampler', 'batch_sampler'):
            return reg.DATA_SAMPLERS
        return reg.DATASETS if 'dataset' in keys or 'datasets' in keys else None
    return {'val_evaluator': reg.METRICS, 'test_evaluator': reg.METRICS,
            'default_hooks': reg.HOOKS, 'custom_hooks': reg.HOOKS,
            'param_scheduler': reg.PARAM_SCHEDULERS, 'log_processor': reg.LOG_PROCESSORS,
            'train_cfg': reg.LOOPS, 'val_cfg': reg.LOOPS, 'test_cfg': reg.LOOPS,
            'visualizer': (reg.VISBACKENDS if 'vis_backends' in keys
                           else reg.VISUALIZERS),
            'optim_wrapper': (reg.OPTIMIZERS if 'optimizer' in keys
                              else reg.OPTIM_WRAPPERS)}.get(top)


def lookup(registry, name):
    """The registered class ``name`` (a class passes through), or None."""
    if not isinstance(name, str):
        return name if inspect.isclass(name) else None
    try:
        return registry.get(name)
    except Exception:  # noqa: BLE001  (a scope that is not installed)
        return None


def registered_names(registry) -> list:
    """Every name ``registry`` and its parents can build."""
    names, current = set(), registry
    while current is not None:
        names.update(current.module_dict)
        current = current.parent
    return sorted(names)


def init_params(cls) -> Tuple[set, bool]:
    """``(parameter names, takes **kwargs)`` of ``cls.__init__``; with
    ``**kwargs`` the names of the base classes' ``__init__`` are added."""
    names, var_kw = set(), False
    for index, klass in enumerate(inspect.getmro(cls) if inspect.isclass(cls) else [cls]):
        init = klass.__init__ if inspect.isclass(klass) else klass
        if init is object.__init__:
            continue
        try:
            params = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            return names, True
        names.update(p.name for p in params
                     if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL))
        takes_kw = any(p.kind == p.VAR_KEYWORD for p in params)
        if index == 0:
            var_kw = takes_kw
        if not takes_kw:
            break
    names.discard('self')
    return names, var_kw


def _loop_class(path, node):
    from mmengine.runner import loops
    if path[0] == 'train_cfg':
        by_epoch = node.get('by_epoch', True)
        return loops.EpochBasedTrainLoop if by_epoch else loops.IterBasedTrainLoop
    return loops.ValLoop if path[0] == 'val_cfg' else loops.TestLoop


def accepted_keys(path: Tuple, node: dict) -> Tuple[Optional[set], bool, str]:
    """The keys the dict ``node`` at ``path`` may hold.

    Returns:
        tuple: ``(keys, open, reader)``: ``keys`` None when unknown; ``open``
        True when the reader takes ``**kwargs`` (other keys may pass); ``reader``
        names it for messages.
    """
    path = tuple(path)
    if path in PLAIN_DICTS:
        return set(PLAIN_DICTS[path]), False, path[0]
    if len(path) == 1 and path[0].endswith('_dataloader'):
        return set(LOADER_KEYS), False, 'the dataloader'
    if len(path) == 1 and path[0] in ('train_cfg', 'val_cfg', 'test_cfg') \
            and 'type' not in node:
        cls = _loop_class(path, node)
        names, _ = init_params(cls)
        names -= {'runner', 'dataloader', 'evaluator'}
        # both lengths: skcl_mm.utils.train_length names a mix with its own fix
        names |= {'type', 'by_epoch', 'max_epochs', 'max_iters'} \
            if path[0] == 'train_cfg' else {'type'}
        return names, False, cls.__name__
    registry = registry_for(path)
    kind = node.get('type', 'OptimWrapper' if path == ('optim_wrapper', ) else None)
    cls = lookup(registry, kind) if registry is not None and kind is not None else None
    if cls is None:
        return None, True, ''
    names, var_kw = init_params(cls)
    extra = BUILDER_KEYS.get(path[0], ('type', ))
    if path[0] == 'optim_wrapper' and len(path) > 1:
        extra = ('type', )
    names = (names | set(extra)) - {'params', 'runner'}
    if path[0] in ('model', 'data_preprocessor'):
        names |= {'data_preprocessor', 'init_cfg'} if len(path) == 1 else set()
    return names, var_kw, getattr(cls, '__name__', str(kind))
