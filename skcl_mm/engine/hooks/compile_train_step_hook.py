"""CompileTrainStepHook: the training step as captured graphs, the update eager."""
from typing import List, Optional

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmpretrain.registry import HOOKS
from skcl_mm.utils.checks import check_bool

MODES = ('default', 'reduce-overhead', 'max-autotune', 'max-autotune-no-cudagraphs')


def compile_training_parts(model, options: dict, preprocessor: bool = True) -> List[str]:
    """Replace ``model.loss`` (and ``model.data_preprocessor.forward``) by their
    ``torch.compile(**options)`` versions, on the instance.

    Args:
        model: An mmpretrain classifier (DDP unwrapped).
        options (dict): ``torch.compile`` keyword arguments.
        preprocessor (bool): Compile the data preprocessor too.

    Returns:
        list[str]: What was compiled, for the log.
    """
    model.loss = torch.compile(model.loss, **options)
    parts = ['loss']
    if preprocessor:
        model.data_preprocessor.forward = torch.compile(
            model.data_preprocessor.forward, **options)
        parts.insert(0, 'data_preprocessor.forward')
    return parts


@HOOKS.register_module()
class CompileTrainStepHook(Hook):
    """Compile the data preprocessor and the forward + loss of training.

    After the first iteration, which runs eager (its one-time checks of the
    labels, the graph and the ranks read values on the host; compiled, they
    would split the graph and then compile it once more), it replaces, on the model instance (DDP
    unwrapped), ``data_preprocessor.forward`` and ``loss`` (mmpretrain
    ``ImageClassifier.loss``: backbone, neck, head and its losses) by their
    ``torch.compile`` versions. A step is then: the preprocessor's graph (with
    the views built on the device, :class:`GPUAugmentDataPreprocessor`), the
    forward + loss graph, its backward graph (AOTAutograd) and the optimiser's
    update, which stays eager. With ``mode='reduce-overhead'`` each graph runs
    as a CUDA graph on a GPU: a handful of launches per step instead of
    thousands. Neither graph holds a host synchronisation after the first
    batch (checked in the tests with ``torch._dynamo.explain``); for several
    ranks set ``equal_rank_batches=True`` on the contrastive loss, or its
    gather exchanges row counts every step (a sync).

    Why not the Runner's ``compile`` switch, which compiles ``train_step``:
    it compiles the optimiser's update too, whose learning rate is a Python
    float that torch.compile guards on, so every new learning rate (each
    warm-up iteration) compiles the update again, until the recompile limit
    turns it back to eager (measured on the CPU: one more graph per lr
    value). Using both is refused, and so is ``SKCLHead(compile_loss=...)``
    (a compiled function inside a compiled one).

    Static shapes make CUDA graphs pay off: ``drop_last=True`` in the train
    dataloader (the last, smaller batch would compile and capture once more)
    and ``dynamic=False`` (the default here). Validation and test run eager,
    except the preprocessor's normalisation (compiled per batch shape).

    Args:
        mode (str): ``torch.compile`` mode. Defaults to ``'reduce-overhead'``.
        backend (str): ``torch.compile`` backend. Defaults to ``'inductor'``
            (``'aot_eager'`` compiles fast without a C++ compiler: for tests).
        dynamic (bool): ``torch.compile(dynamic=...)``. Defaults to False.
        compile_preprocessor (bool): Compile the data preprocessor too.
            Defaults to True.
    """

    priority = 'VERY_LOW'  # after every hook that changes the model

    def __init__(self, mode: Optional[str] = 'reduce-overhead',
                 backend: str = 'inductor', dynamic: bool = False,
                 compile_preprocessor: bool = True):
        if mode is not None and mode not in MODES:
            raise ValueError(f'CompileTrainStepHook mode must be one of {MODES} or '
                             f'None, got {mode!r}.')
        if not isinstance(backend, str) or not backend:
            raise ValueError('CompileTrainStepHook backend must be a torch.compile '
                             f"backend name ('inductor', 'aot_eager'), got {backend!r}.")
        self.options = dict(backend=backend, dynamic=check_bool(
            'CompileTrainStepHook dynamic', dynamic,
            fix='False: static shapes, what CUDA graphs need.'))
        if mode is not None and mode != 'default':
            self.options['mode'] = mode
        self.compile_preprocessor = check_bool(
            'CompileTrainStepHook compile_preprocessor', compile_preprocessor)
        self._compiled = False

    def before_train(self, runner) -> None:
        """Refuse a second compile switch before any work."""
        if runner.cfg.get('compile'):
            raise ValueError(
                'CompileTrainStepHook and the Runner\'s compile switch are both set '
                f'(compile={runner.cfg.get("compile")!r}); remove `compile` from '
                'the config: the hook compiles the step without the optimiser '
                'update, which the switch would recompile for every new lr.')
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        head = getattr(model, 'head', None)
        if getattr(head, 'compile_loss', False):
            raise ValueError(
                'CompileTrainStepHook compiles the head with the whole forward; '
                'set model.head.compile_loss=False (a compiled loss inside a '
                'compiled forward).')

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        """Compile once, after the first (eager) iteration of this process."""
        if self._compiled:
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        parts = compile_training_parts(model, self.options, self.compile_preprocessor)
        self._compiled = True
        runner.logger.info(f'CompileTrainStepHook: compiled {" and ".join(parts)} '
                           f'with {self.options} after iteration {runner.iter + 1}; the '
                           'optimiser update runs eager. The next iteration compiles '
                           '(slow).')
