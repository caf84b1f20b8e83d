"""The JSON forms of training counts: read every form, write one atomically."""
import json
import os


def read_counts_json(path: str) -> dict:
    """The fields of a ``TrainCounts`` record from a JSON file, unchecked.

    Read forms: a bare list of per-class counts; an object with a
    ``class_counts`` list (the ``train_counts.json`` that ``TrainCountsHook``
    writes, with ``classes``, ``level_counts``, ``many_thr``, ``few_thr`` and
    ``subset_fingerprint``); the same keys under ``metainfo`` (a dumped
    dataset metainfo). Thresholds count only when both are given.

    Args:
        path (str): The JSON file.

    Returns:
        dict: Keyword arguments of ``TrainCounts`` (``class_counts`` always).
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f'train_counts file {path!r} does not exist; give the '
            'train_counts.json that TrainCountsHook writes into the training '
            'work dir, or a JSON list of per-class training counts.')
    with open(path) as f:
        data = json.load(f)
    if not isinstance(data, dict):
        return dict(class_counts=data)
    holder = data if 'class_counts' in data else data.get('metainfo', data)
    if not isinstance(holder, dict) or 'class_counts' not in holder:
        raise ValueError(
            f'train_counts file {path!r} holds a JSON object without a '
            f'"class_counts" key (keys: {sorted(data)[:10]}); expected a '
            'list of per-class counts or an object with class_counts.')
    fingerprint = holder.get('subset_fingerprint')
    if fingerprint is not None and not isinstance(fingerprint, dict):
        raise ValueError(
            f'train_counts file {path!r}: "subset_fingerprint" must be a JSON '
            f'object (as TrainCountsHook writes it), got '
            f'{type(fingerprint).__name__}; remove the key or rewrite the file.')
    both = holder.get('many_thr') is not None and holder.get('few_thr') is not None
    return dict(class_counts=holder['class_counts'], classes=holder.get('classes'),
                level_counts=holder.get('level_counts') or None,
                many_thr=_threshold(holder, 'many_thr', path) if both else None,
                few_thr=_threshold(holder, 'few_thr', path) if both else None,
                subset_fingerprint=fingerprint)


def _threshold(holder: dict, name: str, path: str) -> int:
    value = holder[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            value != int(value)):
        raise ValueError(f'train_counts file {path!r}: "{name}" must be a whole '
                         f'number of training images, got {value!r}.')
    return int(value)


def write_json_atomic(record: dict, path: str) -> None:
    """Write ``record`` to ``path`` through a temporary file in the same
    directory, so that a reader never sees half a file.

    Args:
        record (dict): JSON-serialisable content.
        path (str): Target file.
    """
    tmp = f'{path}.{os.getpid()}.tmp'
    try:
        with open(tmp, 'w') as f:
            json.dump(record, f, indent=1)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
