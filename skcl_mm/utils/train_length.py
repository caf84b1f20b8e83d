"""Check ``train_cfg`` before any work: a run length mmengine accepts, and validation
that happens.

mmengine's loops take ``max_epochs`` (``by_epoch=True``) or ``max_iters``
(``by_epoch=False``); a missing, zero, fractional or mixed length either fails
inside the Runner with a bare assertion or trains nothing. The last epoch (or
iteration) is always validated, so ``val_interval`` larger than the run means one
validation at the end; ``val_begin`` beyond the run means none at all.
"""

LENGTH_KEYS = ('max_epochs', 'max_iters')


def _loop_unit(train_cfg, where):
    """``'max_epochs'``, ``'max_iters'``, or None for a custom loop type."""
    loop_type = train_cfg.get('type')
    if loop_type is not None and 'by_epoch' in train_cfg:
        raise SystemExit(f'{where}: train_cfg sets both type={loop_type!r} and by_epoch '
                         '(mmengine accepts one of them): drop one.')
    if loop_type is not None:
        name = loop_type if isinstance(loop_type, str) else getattr(loop_type, '__name__', '')
        return ('max_epochs' if name.endswith('EpochBasedTrainLoop') else
                'max_iters' if name.endswith('IterBasedTrainLoop') else None)
    if 'by_epoch' not in train_cfg:
        raise SystemExit(f'{where}: train_cfg={dict(train_cfg)} needs by_epoch: '
                         'by_epoch=True with max_epochs, or by_epoch=False with max_iters.')
    return 'max_epochs' if train_cfg['by_epoch'] else 'max_iters'


def run_length(train_cfg, where):
    """The unit and length of a training loop; SystemExit where mmengine would fail.

    Args:
        train_cfg (dict): The config's ``train_cfg``.
        where (str): The config file, named in messages.

    Returns:
        tuple | None: ``('max_epochs' | 'max_iters', N)``; None without a
        ``train_cfg`` or for a custom loop type.
    """
    if not train_cfg:
        return None
    unit = _loop_unit(train_cfg, where)
    if unit is None:
        return None
    other = LENGTH_KEYS[1 - LENGTH_KEYS.index(unit)]
    if train_cfg.get(other) is not None:
        by_epoch = unit == 'max_epochs'
        raise SystemExit(
            f'{where}: train_cfg counts {unit[4:]} (by_epoch={by_epoch}) but also sets '
            f'{other}={train_cfg[other]}: set train_cfg.{unit} instead, or switch the '
            f'loop with --cfg-options train_cfg.by_epoch={not by_epoch} '
            f'train_cfg.{other}=N train_cfg.{unit}=None (None drops the key).')
    length = train_cfg.get(unit)
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise SystemExit(f'{where}: train_cfg.{unit}={length!r}: the run length must be '
                         f'a positive whole number (e.g. --cfg-options train_cfg.{unit}=1 '
                         'for a smoke run).')
    return unit, length


def check_validation(train_cfg, unit, length, where):
    """Stop when validation is configured but would never run or would crash."""
    interval = train_cfg.get('val_interval', 1)
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
        raise SystemExit(f'{where}: train_cfg.val_interval={interval!r} must be a '
                         'positive whole number (validate every N '
                         f'{unit[4:]}); to train without validation use --no-validate.')
    begin = train_cfg.get('val_begin', 1)
    if isinstance(begin, (int, float)) and begin > length:
        raise SystemExit(
            f'{where}: train_cfg.val_begin={begin} > {unit}={length}: no validation '
            'would run and no best checkpoint be saved. Lower val_begin (e.g. '
            f'--cfg-options train_cfg.val_begin=1), or train without validation: '
            '--no-validate.')


def validation_note(cfg):
    """A log line when ``val_interval`` exceeds the run ('' otherwise)."""
    train_cfg = cfg.get('train_cfg') or {}
    if cfg.get('val_cfg') is None or not cfg.get('val_dataloader'):
        return ''
    for unit in LENGTH_KEYS:
        length, interval = train_cfg.get(unit), train_cfg.get('val_interval', 1)
        if isinstance(length, int) and isinstance(interval, int) and interval > length:
            return (f'Validation: train_cfg.val_interval={interval} > {unit}={length}, '
                    f'so the model is validated once, after the last {unit[4:-1]} '
                    '(mmengine always validates the last one); the best checkpoint is '
                    'the last.')
    return ''


def drop_unset_lengths(train_cfg):
    """Drop ``max_epochs=None`` / ``max_iters=None`` (mmengine's loops reject them)."""
    for key in LENGTH_KEYS:
        if key in (train_cfg or {}) and train_cfg[key] is None:
            train_cfg.pop(key)
    return train_cfg
