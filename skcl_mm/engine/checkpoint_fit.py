"""Does a checkpoint fit the model, classes and inputs it is about to be used with?

Pure functions of a loaded checkpoint (see :mod:`.checkpoint_file`) and the
current model / dataset metainfo; each returns a list of problems, one line per
problem, empty when it fits. :class:`~.hooks.CheckpointGuardHook` and
:class:`~skcl_mm.apis.LongTailInferencer` turn them into errors before work.

What mmengine records and this module reads: ``checkpoint['state_dict']``
(weights), ``checkpoint['meta']['dataset_meta']`` (the training dataset's
metainfo: ``classes``, ``level_classes``, ``subset_fingerprint``) and
``checkpoint['meta']['input_shape']`` (``[C, H, W]`` of a training input,
written by :class:`~.hooks.CheckpointGuardHook`).
"""
import re
from typing import List, Optional, Sequence

from torch import nn

_LEVEL_CLASSIFIER = re.compile(r'^head\.classifiers\.(\d+)\.weight$')
_SHOWN = 8


def checkpoint_state_dict(checkpoint: dict) -> dict:
    """The weights of a checkpoint, without a DDP ``module.`` prefix."""
    state = checkpoint.get('state_dict', checkpoint)
    return {(key[len('module.'):] if key.startswith('module.') else key): value
            for key, value in state.items() if hasattr(value, 'shape')}


def checkpoint_dataset_meta(checkpoint: dict) -> dict:
    """The training dataset metainfo a checkpoint records ({} when none)."""
    meta = checkpoint.get('meta') or {}
    return dict(meta.get('dataset_meta') or {})


def weight_problems(state: dict, model: nn.Module) -> List[str]:
    """Weights of the checkpoint that do not fit ``model``.

    Args:
        state (dict): Name -> tensor, from :func:`checkpoint_state_dict`.
        model (nn.Module): The model to load into (unwrapped).

    Returns:
        list[str]: One line per shape mismatch (classifier rows read as class
        counts), then the weights missing from the checkpoint, a few named.
    """
    own = {key: value for key, value in model.state_dict().items()
           if hasattr(value, 'shape')}
    lines = [_shape_line(key, tuple(state[key].shape), tuple(own[key].shape))
             for key in own if key in state and state[key].shape != own[key].shape]
    lines += _level_count_line(state, own)
    missing = [key for key in own if key not in state]
    if missing:
        lines.append(f'{len(missing)} of the model\'s {len(own)} weights are not in '
                     f'the checkpoint (they would stay random): {_few(missing)}')
    return lines


def unused_weights_note(state: dict, model: nn.Module) -> Optional[str]:
    """A line naming checkpoint weights the model has no place for (they are
    ignored: harmless for the weights that load, but a sign of another
    config), or None."""
    own = model.state_dict()
    unused = [key for key in state if key not in own]
    if not unused:
        return None
    return (f'{len(unused)} weights of the checkpoint are not in this model and are '
            f'ignored: {_few(unused)}')


def _shape_line(key: str, recorded: tuple, current: tuple) -> str:
    level = _LEVEL_CLASSIFIER.match(key)
    if level and len(recorded) == len(current) == 2:
        return (f'the level-{level.group(1)} classifier ({key}) has {recorded[0]} '
                f'classes in the checkpoint and {current[0]} in this config')
    if key.endswith('semantic_neighbours') and len(recorded) == len(current) == 2:
        return (f'the semantic graph ({key}) keeps K={recorded[1]} neighbours of '
                f'{recorded[0]} classes in the checkpoint, K={current[1]} of '
                f'{current[0]} in this config (contrastive_loss.num_neighbours)')
    if key.endswith(('fc.weight', 'fc.bias')) and len(recorded) >= 1:
        return (f'the classifier ({key}) has {recorded[0]} classes in the '
                f'checkpoint and {current[0]} in this config')
    return f'{key}: shape {list(recorded)} in the checkpoint, {list(current)} in this model'


def _level_count_line(state: dict, own: dict) -> List[str]:
    def levels(keys):
        return {int(m.group(1)) for m in map(_LEVEL_CLASSIFIER.match, keys) if m}
    recorded, current = levels(state), levels(own)
    if recorded and current and len(recorded) != len(current):
        return [f'the checkpoint has classifiers for {len(recorded)} hierarchy '
                f'levels, this config for {len(current)} (head.level_num_classes)']
    return []


def class_problems(recorded: dict, current: dict, current_what: str) -> List[str]:
    """Class names (and names per level) that differ between two metainfos.

    Args:
        recorded (dict): The checkpoint's dataset metainfo.
        current (dict): The metainfo of the dataset used now.
        current_what (str): How to call that dataset ('the test set').

    Returns:
        list[str]: One line per differing list, naming the first index where
        they part and the two names there. Empty when either side does not
        record classes (nothing to compare).
    """
    lines = []
    pairs = [('classes', recorded.get('classes'), current.get('classes'))]
    old_levels, new_levels = recorded.get('level_classes'), current.get('level_classes')
    if old_levels and new_levels and len(old_levels) != len(new_levels):
        lines.append(f'the checkpoint was trained with {len(old_levels)} hierarchy '
                     f'levels, {current_what} has {len(new_levels)}')
    elif old_levels and new_levels:
        pairs += [(f'level-{i} classes', old, new)
                  for i, (old, new) in enumerate(zip(old_levels, new_levels))][:-1]
    for what, old, new in pairs:
        line = _list_difference(what, old, new, current_what)
        if line:
            lines.append(line)
    return lines


def _list_difference(what: str, old: Optional[Sequence], new: Optional[Sequence],
                     current_what: str) -> Optional[str]:
    if old is None or new is None:
        return None
    old, new = [str(n) for n in old], [str(n) for n in new]
    if old == new:
        return None
    if len(old) != len(new):
        return (f'{what}: the checkpoint was trained on {len(old)}, {current_what} '
                f'has {len(new)}')
    index = next(i for i, (a, b) in enumerate(zip(old, new)) if a != b)
    kind = 'order' if sorted(old) == sorted(new) else 'names'
    return (f'{what} differ in {kind}: at index {index} the checkpoint has '
            f'{old[index]!r}, {current_what} has {new[index]!r}')


def input_shape_problem(recorded: Optional[Sequence[int]], shape: Sequence[int],
                        source: str) -> Optional[str]:
    """A line when an input of ``shape`` is not what the model trained on.

    Args:
        recorded (Sequence[int] | None): ``[C, H, W]`` of a training input
            (checkpoint meta), or None when not recorded.
        shape (Sequence[int]): ``(C, H, W)`` of the input after the pipeline.
        source (str): What the input is ('image 0', 'the first test batch').
    """
    if recorded is None or list(recorded) == list(shape):
        return None
    channels, size = list(recorded[:1]), list(recorded[1:])
    if list(shape[:1]) != channels:
        what = (f'{shape[0]} channel(s), the model was trained on {channels[0]}'
                f'{_channel_hint(shape[0], channels[0])}' if len(shape) == 3
                else f'shape {list(shape)}, the model takes [C, H, W] = {list(recorded)}')
    else:
        what = (f'{shape[1]}x{shape[2]} pixels after the test pipeline, the model '
                f'was trained on {size[0]}x{size[1]} (resize the image, or add a '
                'Resize/CenterCrop to the config\'s test pipeline)')
    return f'{source} has {what}'


def _channel_hint(given: int, expected: int) -> str:
    if given == 1 and expected == 3:
        return (' (a greyscale image: repeat it to 3 channels, '
                'np.repeat(img[..., None], 3, axis=2))')
    if given == 4 and expected == 3:
        return ' (an image with alpha: drop it, img[..., :3])'
    return ''


def sample_shape(inputs) -> Optional[tuple]:
    """``(C, H, W)`` of the first sample of a collated batch (any view layout).

    Args:
        inputs: A (B, C, H, W) tensor, a list of (C, H, W) tensors, or
            multi-view output (a list over views of either).
    """
    first = inputs
    while isinstance(first, (list, tuple)):
        if not first:
            return None
        first = first[0]
    if not hasattr(first, 'shape') or len(first.shape) < 3:
        return None
    return tuple(int(n) for n in first.shape[-3:])


def _few(keys: Sequence[str]) -> str:
    shown = ', '.join(keys[:_SHOWN])
    return shown + (f', ... ({len(keys)} in all)' if len(keys) > _SHOWN else '')
