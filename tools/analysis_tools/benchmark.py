"""Throughput measurements of tools/benchmark.py: one function per measurement.

Every ``measure_*`` returns the median seconds of one call over ``iters``
timed repeats after ``warmup`` untimed ones (CUDA synchronised around each).
"""
import contextlib
import os
import os.path as osp
import platform
import shutil
import statistics
import tempfile
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .benchmark_setup import AMP_DTYPES, random_images

# What each timing of model_timings covers, as the report names it.
PARTS = {'backbone': 'backbone+neck fwd+bwd', 'head_loss': 'head+loss fwd+bwd',
         'step': 'whole train step'}


def cpu_model_name() -> str:
    """The CPU's model name from /proc/cpuinfo (``platform`` as fallback)."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_info(device: torch.device) -> Dict:
    """Device name, torch version, thread and core counts."""
    name = (torch.cuda.get_device_name(device) if device.type == 'cuda'
            else cpu_model_name())
    return dict(device=str(device), device_name=name,
                torch_version=torch.__version__,
                num_threads=torch.get_num_threads(),
                cpu_cores=os.cpu_count())


def synchronize(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def median_time(fn: Callable[[], object], iters: int, warmup: int,
                device: torch.device) -> float:
    """Median wall seconds of ``fn()`` over ``iters`` runs after ``warmup``."""
    if iters < 1 or warmup < 0:
        raise ValueError(f'need iters >= 1 and warmup >= 0, got {iters}, {warmup}.')
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        synchronize(device)
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def check_amp(device: torch.device, amp: str) -> None:
    """Reject an autocast mode the device cannot run, with the fix."""
    if amp not in AMP_DTYPES:
        raise ValueError(f'--amp must be one of {sorted(AMP_DTYPES)}, got {amp!r}.')
    if device.type == 'cpu' and amp == 'fp16':
        raise ValueError('--amp fp16 needs a GPU; on a CPU use --amp bf16 '
                         '(torch.autocast("cpu", torch.bfloat16)) or none.')


def autocast(device: torch.device, amp: str):
    """``torch.autocast`` for ``amp`` in {'fp16', 'bf16'}; a no-op for 'none'."""
    dtype = AMP_DTYPES[amp]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def preprocess(model, data: Dict) -> Dict:
    """The model's data preprocessor in training mode (outside the timings)."""
    with torch.no_grad():
        return model.data_preprocessor(data, True)


def maybe_compile(fn: Callable, options: Optional[Dict]) -> Callable:
    """``torch.compile(fn, **options)`` (as the Runner's ``compile`` switch
    does for ``model.train_step``), or ``fn`` itself when ``options`` is None."""
    return fn if options is None else torch.compile(fn, **options)


def first_call_time(fn: Callable[[], object], device: torch.device) -> float:
    """Wall seconds of one call (the compilation, for a compiled ``fn``)."""
    synchronize(device)
    start = time.perf_counter()
    fn()
    synchronize(device)
    return time.perf_counter() - start


def measure_backbone(model, inputs: torch.Tensor, iters: int, warmup: int,
                     amp: str = 'none', compile_options: Optional[Dict] = None
                     ) -> float:
    """Backbone + neck forward and backward on (N, C, H, W) float inputs."""
    device = inputs.device
    extract_feat = maybe_compile(model.extract_feat, compile_options)

    def step():
        with autocast(device, amp):
            feats = extract_feat(inputs)
        sum(f.float().sum() for f in feats).backward()
        model.zero_grad(set_to_none=True)

    return median_time(step, iters, warmup, device)


def measure_head_loss(model, feats: Sequence[torch.Tensor], data_samples: List,
                      iters: int, warmup: int, amp: str = 'none',
                      compile_options: Optional[Dict] = None) -> float:
    """``head.loss`` forward and backward on fixed neck features.

    Args:
        feats (Sequence[Tensor]): neck output, last entry (V*B, D).
    """
    device = feats[-1].device
    leaves = tuple(f.detach().requires_grad_() for f in feats)
    head_loss = maybe_compile(model.head.loss, compile_options)

    def step():
        with autocast(device, amp):
            losses = head_loss(leaves, data_samples)
        sum(v for k, v in losses.items() if 'loss' in k).backward()
        model.head.zero_grad(set_to_none=True)  # only the head has gradients

    return median_time(step, iters, warmup, device)


def train_step_fn(model, optim_wrapper, data: Dict, device: torch.device,
                  amp: str = 'none', compile_options: Optional[Dict] = None,
                  compile_target: str = 'train_step') -> Callable[[], None]:
    """One ``model.train_step`` (preprocess, forward, loss, backward, SGD step).

    On a GPU ``optim_wrapper`` (an AmpOptimWrapper) does the autocast; on a
    CPU the step runs under ``torch.autocast`` when ``amp`` is set. With
    ``compile_options``, ``compile_target='train_step'`` compiles the whole
    ``train_step`` (the Runner's ``compile`` switch); ``'parts'`` runs one
    eager step and then compiles the preprocessor and forward + loss, as
    ``CompileTrainStepHook`` does (the optimiser update stays eager).
    """
    context = (autocast(device, amp) if device.type == 'cpu'
               else contextlib.nullcontext())
    train_step = model.train_step
    if compile_options is not None and compile_target == 'parts':
        from skcl_mm.engine.hooks.compile_train_step_hook import \
            compile_training_parts
        with context:
            train_step(data, optim_wrapper)  # the one-time checks, eager
        compile_training_parts(model, compile_options)
    elif compile_options is not None:
        train_step = maybe_compile(train_step, compile_options)

    def step():
        with context:
            train_step(data, optim_wrapper)

    return step


def model_timings(model, optim_wrapper, data: Dict, iters: int, warmup: int,
                  device: torch.device, amp: str = 'none',
                  compile_options: Optional[Dict] = None,
                  progress: Callable[[str], None] = lambda part: None,
                  compile_target: str = 'train_step') -> Dict[str, float]:
    """Seconds of backbone+neck, head+loss and the whole training step.

    ``backbone_s`` and ``head_loss_s`` time forward and backward of one part
    alone, without the optimiser; ``step_s`` times ``model.train_step``
    (:func:`train_step_fn`: data preprocessor, forward, loss, backward and
    the optimiser's update). With ``compile_options`` each part runs through
    ``torch.compile`` and ``step_first_call_s`` is the first step, which
    compiles (timed before anything else, with inductor's caches as cold as
    the process finds them); the next ``warmup`` calls (at least 2: the
    optimiser's momentum buffers appear after the first step and recompile)
    are not timed. ``progress(part)`` is called as each timing starts.
    """
    out = {}
    step = train_step_fn(model, optim_wrapper, data, device, amp,
                         compile_options, compile_target)
    if compile_options is not None:  # first, before the parts warm the caches
        progress('first (compiling) train step')
        out['step_first_call_s'] = first_call_time(step, device)
    processed = preprocess(model, data)
    inputs = processed['inputs']
    with torch.no_grad(), autocast(device, amp):
        feats = model.extract_feat(inputs)
    feats = tuple(f.float() for f in feats)
    progress(PARTS['backbone'])
    out['backbone_s'] = measure_backbone(model, inputs, iters, warmup, amp,
                                         compile_options)
    progress(PARTS['head_loss'])
    out['head_loss_s'] = measure_head_loss(
        model, feats, processed['data_samples'], iters, warmup, amp,
        compile_options)
    progress(PARTS['step'])
    out['step_s'] = median_time(step, iters, warmup, device)
    return out


def build_pipeline(pipeline_cfg: Sequence[dict]) -> Callable:
    """Compose the config's train pipeline with mmpretrain's TRANSFORMS."""
    from mmengine.dataset import Compose
    from mmengine.registry import init_default_scope

    from mmpretrain.registry import TRANSFORMS
    init_default_scope('mmpretrain')
    return Compose([TRANSFORMS.build(t) for t in pipeline_cfg])


def _multi_view_index(pipeline: Callable) -> Optional[int]:
    """Position of the first MultiView transform, if any."""
    for index, transform in enumerate(pipeline.transforms):
        if type(transform).__name__ == 'MultiView':
            return index
    return None


def single_view_pipeline(pipeline: Callable) -> Callable:
    """The pipeline with its MultiView cut down to the first branch (one view)."""
    from mmengine.dataset import Compose
    index = _multi_view_index(pipeline)
    if index is None:
        return pipeline
    transforms = list(pipeline.transforms)
    transforms[index] = transforms[index].pipelines[0]
    return Compose(transforms)


def count_views(pipeline: Callable) -> int:
    """Views per sample: the total of the pipeline's MultiView, else 1."""
    index = _multi_view_index(pipeline)
    return 1 if index is None else len(pipeline.transforms[index].transforms)


def measure_pipelines(fns: Dict[str, Callable], items: Sequence, iters: int,
                      warmup: int) -> Dict[str, float]:
    """Median seconds to run each ``fn`` over every item, one thread each.

    Rounds interleave the pipelines (A, B, C, A, B, C, ...) so that drifting
    load on a shared machine hits them alike. Workers of torch's DataLoader
    run with one torch thread; OpenCV's own threads are off as in mmengine's
    default ``env_cfg``.

    Args:
        fns (dict[str, Callable]): name -> per-item pipeline.
        items (Sequence): inputs, e.g. uint8 (H, W, 3) images.
        iters (int): timed rounds. warmup (int): untimed rounds.

    Returns:
        dict[str, float]: name -> median seconds of one pass over ``items``.
    """
    if iters < 1 or warmup < 0:
        raise ValueError(f'need iters >= 1 and warmup >= 0, got {iters}, {warmup}.')
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        import cv2
        cv_threads = cv2.getNumThreads()
        cv2.setNumThreads(0)
    except ImportError:  # pragma: no cover - mmcv-lite needs OpenCV
        cv2 = None
    times = {name: [] for name in fns}
    try:
        for round_index in range(warmup + iters):
            for name, fn in fns.items():
                start = time.perf_counter()
                for item in items:
                    fn(item)
                if round_index >= warmup:
                    times[name].append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(threads)
        if cv2 is not None:
            cv2.setNumThreads(cv_threads)
    return {name: statistics.median(t) for name, t in times.items()}


def mm_sample(img, index: int) -> Dict:
    """A data info dict like LongTailHierarchyDataset's.

    ``gt_level_labels`` is an int64 array, as the wrapper puts it into the
    info before the pipeline (MultiView deep-copies it once per view).
    """
    return dict(img=img.copy(), gt_label=0, sample_idx=index,
                gt_level_labels=np.zeros(2, dtype=np.int64),
                img_shape=img.shape[:2], ori_shape=img.shape[:2])


class PipelineSource:
    """What the benchmark feeds a train pipeline, and what comes out.

    A pipeline that starts with ``LoadImageFromFile`` (ImageNet-LT) is fed
    real JPEG files written to a temporary folder, so decoding is timed as in
    training; any other pipeline gets uint8 (H, W, 3) arrays in the data info
    (mmpretrain's CIFAR datasets). Images come from
    :func:`benchmark_setup.random_images`.

    Args:
        pipeline: The composed train pipeline.
        source_size (tuple[int, int], optional): (H, W) of the fed images;
            default (375, 500) for files (a typical ImageNet photo), else
            (32, 32) or ``model_size``.
        model_size (int, optional): H = W the model takes, if known.

    Attributes:
        loads_files (bool): The pipeline reads files.
        source_size (tuple[int, int]): (H, W) of the fed images.
        output_size (int): Width of the pipeline's packed views.
    """

    def __init__(self, pipeline: Callable,
                 source_size: Optional[Sequence[int]] = None,
                 model_size: Optional[int] = None):
        self.pipeline = pipeline
        first = pipeline.transforms[0]
        self.loads_files = type(first).__name__ == 'LoadImageFromFile'
        if source_size is None:
            source_size = ((375, 500) if self.loads_files else
                           (model_size or 32, model_size or 32))
        self.source_size: Tuple[int, int] = (int(source_size[0]),
                                             int(source_size[1]))
        self._folder = (tempfile.mkdtemp(prefix='skcl_mm_bench_')
                        if self.loads_files else None)
        self._written = 0
        packed = pipeline(self.sample(self.items(1)[0]))
        inputs = packed['inputs']
        view = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        self.output_size = int(view.shape[-1])

    def items(self, num: int) -> List:
        """``num`` arrays, or paths of ``num`` new JPEG files."""
        images = random_images(num, self.source_size, seed=self._written)
        if not self.loads_files:
            return images
        from PIL import Image
        paths = []
        for image in images:
            path = osp.join(self._folder, f'{self._written:06d}.JPEG')
            Image.fromarray(image).save(path, quality=90)
            self._written += 1
            paths.append(path)
        return paths

    def sample(self, item) -> Dict:
        """The data info the dataset would hand the pipeline for ``item``."""
        if self.loads_files:
            return dict(img_path=item, gt_label=0, sample_idx=0,
                        gt_level_labels=np.zeros(2, dtype=np.int64))
        return mm_sample(item, 0)

    def cleanup(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
