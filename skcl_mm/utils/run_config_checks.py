"""Config checks of tools/train.py and tools/test.py that run before any work.

Each one stops a run that mmengine or mmpretrain would end with a library
traceback (a dataloader without batches, a seed numpy refuses, a work dir that
is a file, a launcher without its environment, loop parts that are half set)
or that would silently do something else (each process of a torchrun training
alone, views the data preprocessor cannot stack, a test set whose classes are
in another order than the training set's).
"""
import os
import os.path as osp

from skcl_mm.utils.checks import is_int
from skcl_mm.utils.config_keys import lookup

LAUNCHER_ENV = {
    'pytorch': (('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'),
                'start it with torchrun: bash tools/dist_train.sh CONFIG NPROC'),
    'slurm': (('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_NODELIST'),
              'start it with srun: bash tools/slurm_train.sh PARTITION JOB CONFIG WORK_DIR'),
    'mpi': (('OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE'),
            'start it with mpirun -np N -x MASTER_ADDR=HOST python tools/train.py '
            'CONFIG --launcher mpi'),
}
LOOP_PARTS = {'train': ('train_dataloader', 'train_cfg', 'optim_wrapper'),
              'val': ('val_dataloader', 'val_cfg', 'val_evaluator'),
              'test': ('test_dataloader', 'test_cfg', 'test_evaluator')}
VIEW_PREPROCESSORS = ('MultiViewClsDataPreprocessor', 'GPUAugmentDataPreprocessor')


def _where(cfg) -> str:
    return cfg.filename or 'the config'


def check_launcher(launcher: str, env=None, gpus: int = 0) -> None:
    """Stop when the process was not started the way ``--launcher`` says.

    Args:
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
        env (dict, optional): The environment (default ``os.environ``).
        gpus (int): CUDA devices on this node (0 without CUDA).
    """
    env = os.environ if env is None else env
    if launcher == 'none':
        size = env.get('WORLD_SIZE') if 'TORCHELASTIC_RUN_ID' in env else env.get(
            'OMPI_COMM_WORLD_SIZE')
        if size and size.isdigit() and int(size) > 1:
            starter = 'torchrun' if 'TORCHELASTIC_RUN_ID' in env else 'mpirun'
            flag = 'pytorch' if starter == 'torchrun' else 'mpi'
            raise SystemExit(
                f'{starter} started {size} processes, but --launcher is none: each would '
                'train alone on all the data, every one into the same work dir. Add '
                f'--launcher {flag} (tools/dist_train.sh adds it).')
        return
    names, how = LAUNCHER_ENV[launcher]
    missing = [name for name in names if name not in env]
    if missing:
        raise SystemExit(f'--launcher {launcher}: {", ".join(missing)} not set, so this '
                         f'process was not started by its launcher; {how} (or drop '
                         '--launcher for one process).')
    if launcher == 'mpi' and 'MASTER_ADDR' not in env:
        raise SystemExit('--launcher mpi: set MASTER_ADDR, the first node\'s address '
                         '(mpirun -x MASTER_ADDR=HOST ...), and optionally MASTER_PORT '
                         '(default 29500).')
    local_rank = env.get('LOCAL_RANK', env.get('SLURM_LOCALID', '0'))
    if gpus and local_rank.isdigit() and int(local_rank) >= gpus:
        raise SystemExit(f'--launcher {launcher}: local rank {local_rank} needs GPU '
                         f'{local_rank}, but this node has {gpus}: start at most {gpus} '
                         'processes per node (NPROC / GPUS_PER_NODE).')


def check_seed(cfg) -> None:
    """``randomness.seed`` must be None or a whole number numpy accepts."""
    seed = (cfg.get('randomness') or {}).get('seed')
    if seed is None or is_int(seed) and 0 <= seed < 2**32:
        return
    raise SystemExit(f'{_where(cfg)}: randomness.seed={seed!r} ({type(seed).__name__}) '
                     'must be a whole number from 0 to 2**32 - 1 (numpy\'s range), e.g. '
                     '--cfg-options randomness.seed=0; None draws one (logged).')


def seed_note(cfg, runner) -> str:
    """A warning for the log when the seed was drawn ('' otherwise)."""
    if (cfg.get('randomness') or {}).get('seed') is not None:
        return ''
    return (f'randomness.seed=None: this run drew the seed {runner.seed} (the dumped '
            'config still says None); repeat it with --cfg-options '
            f'randomness.seed={runner.seed}.')


def check_loaders(cfg, loaders) -> None:
    """Batch size and worker count of every dataloader the run builds."""
    for field in loaders:
        loader = cfg.get(field) or {}
        for key, low, meaning in (('batch_size', 1, 'samples per process and step'),
                                  ('num_workers', 0, 'worker processes; 0 loads in '
                                   'the main process')):
            value = loader.get(key, low)
            if not is_int(value) or value < low:
                raise SystemExit(f'{_where(cfg)}: {field}.{key}={value!r} must be a whole '
                                 f'number >= {low} ({meaning}).')


def make_work_dir(work_dir: str, source: str) -> None:
    """Create the work dir now, so that a bad one stops before any work."""
    if osp.exists(work_dir) and not osp.isdir(work_dir):
        raise SystemExit(f'{source} {work_dir} is a file, not a folder: give a folder '
                         '(created if missing), e.g. --work-dir work_dirs/my_run.')
    try:
        os.makedirs(work_dir, exist_ok=True)
    except OSError as err:
        raise SystemExit(f'{source} {work_dir} cannot be created ({err.strerror}: '
                         f'{err.filename}); give a folder you can write, e.g. '
                         '--work-dir work_dirs/my_run.') from None
    if not os.access(work_dir, os.W_OK):
        raise SystemExit(f'{source} {work_dir} is not writable; give another folder.')


def check_loop_parts(cfg, phases, command='') -> None:
    """Each loop's three parts are all set or all None (mmengine's rule)."""
    for phase in phases:
        parts = LOOP_PARTS[phase]
        unset = [part for part in parts if cfg.get(part) is None]
        if not unset or (len(unset) == 3 and not command):
            continue
        fix = ('add them, e.g. test_dataloader = val_dataloader, test_evaluator = '
               'val_evaluator, test_cfg = dict()' if phase == 'test' and cfg.get(
                   'val_dataloader') is not None else 'set all three, or none')
        raise SystemExit(f'{_where(cfg)}: {command or "the " + phase + " loop"} needs '
                         f'{", ".join(parts)}; {", ".join(unset)} '
                         f'{"is" if len(unset) == 1 else "are"} not set: {fix}.')


def _has_multi_view(node) -> bool:
    if isinstance(node, dict):
        if str(node.get('type', '')).split('.')[-1] == 'MultiView':
            return True
        return any(_has_multi_view(v) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(_has_multi_view(v) for v in node)
    return False


def check_multi_view_preprocessor(cfg) -> None:
    """A MultiView training pipeline needs a data preprocessor that stacks views."""
    from mmpretrain.registry import MODELS
    loader = cfg.get('train_dataloader') or {}
    if not _has_multi_view(loader.get('dataset')):
        return
    own = (cfg.get('model') or {}).get('data_preprocessor')
    where = 'model.data_preprocessor' if own is not None else 'data_preprocessor'
    pre = own if own is not None else cfg.get('data_preprocessor')
    kind = (pre or {}).get('type', 'ClsDataPreprocessor')
    cls = lookup(MODELS, kind)
    allowed = tuple(MODELS.get(name) for name in VIEW_PREPROCESSORS)
    if cls is not None and issubclass(cls, allowed):
        return
    raise SystemExit(
        f'{_where(cfg)}: the training pipeline has MultiView (each sample is a list '
        f'of views), but {where} is {kind!r}, which cannot stack a list of views '
        '(mmpretrain would fail with "\'list\' object has no attribute \'float\'"). '
        f'Set {where}=dict(type=\'MultiViewClsDataPreprocessor\', ...) with the same '
        'mean, std and to_rgb (it puts the views on the batch axis), or '
        'GPUAugmentDataPreprocessor; on the command line: --cfg-options '
        f'{where}.type=MultiViewClsDataPreprocessor.')


def declared_classes(dataset):
    """The class list a dataset config declares (or its class's default), or None."""
    from mmpretrain.registry import DATASETS
    while isinstance(dataset, dict):
        metainfo = dataset.get('metainfo') or {}
        if metainfo.get('classes') is not None or dataset.get('classes') is not None:
            classes = metainfo.get('classes', dataset.get('classes'))
            return list(classes) if isinstance(classes, (list, tuple)) else None
        inner = dataset.get('dataset')
        if inner is None:
            cls = lookup(DATASETS, dataset.get('type'))
            classes = (getattr(cls, 'METAINFO', None) or {}).get('classes')
            return list(classes) if classes else None
        dataset = inner
    return None


def check_class_orders(cfg, loaders) -> None:
    """Stop when two dataloaders declare different class lists.

    The labels are indices into the class list: a test set that lists its
    classes in another order than the training set scores every prediction
    against another class name, silently.
    """
    declared = [(field, declared_classes((cfg.get(field) or {}).get('dataset')))
                for field in loaders]
    declared = [(field, classes) for field, classes in declared if classes]
    for field, classes in declared[1:]:
        first, reference = declared[0]
        if classes == reference:
            continue
        if len(classes) != len(reference):
            detail = f'{len(reference)} classes in {first}, {len(classes)} in {field}'
        else:
            index = next(i for i, (a, b) in enumerate(zip(reference, classes)) if a != b)
            detail = (f'at index {index} {first} has {reference[index]!r}, {field} has '
                      f'{classes[index]!r}')
        raise SystemExit(
            f'{_where(cfg)}: {first} and {field} declare different class lists '
            f'({detail}). Labels are indices into that list, so every evaluated sample '
            'would be scored against another class: give both datasets '
            'metainfo=dict(classes=[...]) in the training order.')


def check_amp_device(cfg) -> None:
    """A mixed-precision optimiser wrapper needs a CUDA GPU (mmengine asserts it
    deep in the Runner); say so before any work, with the float32 way."""
    from skcl_mm.utils.distributed import cuda_available
    wrapper = (cfg.get('optim_wrapper') or {}).get('type')
    if wrapper != 'AmpOptimWrapper' or cuda_available():
        return
    raise SystemExit(
        f'{_where(cfg)}: optim_wrapper is AmpOptimWrapper (mixed precision), which '
        'mmengine runs on a CUDA GPU only, and this machine has none. Train it on a '
        'GPU, or a float32 config here (the _fast configs: their _resident parent, '
        'e.g. configs/skcl_resnet32_cifar100lt_resident.py).')
