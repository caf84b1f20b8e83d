"""Make ``param_scheduler`` follow the run's length (``train_cfg.max_epochs``).

A schedule states once the run length its points were written for, next to
``param_scheduler`` (the copy tells whether a child config or ``--cfg-options``
replaced the points later)::

    param_scheduler_written_for = dict(max_epochs=300, param_scheduler=param_scheduler)

For a training run of another length, :func:`fit_schedule` multiplies every
point (``begin``, ``end``, ``T_max``, ``milestones``, ``step_size``,
``periods``, ``total_steps``) by ``length / written length``. ``begin``, ``end``
and ``T_max`` of epoch-based schedulers may become fractional: mmengine converts
them to iterations (``convert_to_iter_based=True``, switched on for an
epoch-stepped scheduler whose points stop being whole epochs). ``milestones``
and ``step_size`` stay whole (mmengine compares them with the step counter
exactly), as do iteration points; ramps keep >= 2 steps (:func:`min_span`).
Points without a declaration (a user's own schedule) are used as written and
checked: one that lies beyond the run or makes mmengine fail stops the tool
before any work, naming the scheduler, its points and the fix.
"""
import copy
import math

WRITTEN_KEY = 'param_scheduler_written_for'
NOTE_KEY = 'param_scheduler_scaled'
UNITS = {'max_epochs': 'epochs', 'max_iters': 'iterations'}
FRACTIONAL = ('begin', 'end', 'T_max')
SCALAR_POINTS = ('begin', 'end', 'T_max', 'step_size', 'total_steps')
LIST_POINTS = ('milestones', 'periods')
INF_LIKE = 1e9  # mmengine's INF: "until the run ends"
SLACK = 1e-6  # scaled float points: 2.1 + 18.9 is 21.000000000000004


def labelled_schedulers(param_scheduler):
    """``[(label, scheduler dict)]`` of a ``param_scheduler`` value.

    Accepts a dict, a list of dicts, or a dict of lists keyed by optimizer
    name (mmengine's multi-optimizer form); labels read ``[1]`` or ``.name[1]``.
    """
    if not param_scheduler:
        return []
    if isinstance(param_scheduler, dict) and 'type' not in param_scheduler:
        return [(f'.{name}{label}', sched) for name, group in param_scheduler.items()
                for label, sched in labelled_schedulers(group)]
    if isinstance(param_scheduler, dict):
        return [('', param_scheduler)]
    return [(f'[{i}]', s) for i, s in enumerate(param_scheduler) if isinstance(s, dict)]


def fractional(sched):
    """True where mmengine converts the epoch points to iterations itself."""
    return bool(sched.get('convert_to_iter_based')) and sched.get('by_epoch', True)


def in_run_units(sched, unit):
    """True when the scheduler's points count what ``unit`` counts."""
    return bool(sched.get('by_epoch', True)) == (unit == 'max_epochs')


def type_name(sched):
    """The scheduler's type as a string (a class given as type gives its name)."""
    return str(getattr(sched.get('type'), '__name__', sched.get('type')) or '')


def min_span(sched):
    """Steps between begin and end a scheduler needs to finish its change.

    mmengine's LinearLR and ConstantLR (and their momentum / param twins) reach
    their end value at step ``end - begin - 1``: over one step they hold the
    start value (e.g. 1% of the lr) for the rest of the run.
    """
    return 2 if 'Linear' in type_name(sched) or 'Constant' in type_name(sched) else 1


def _round(value, minimum):
    return max(int(math.floor(value + 0.5)), minimum)


def _steps_per_iteration(sched, ratio):
    """True when an epoch-stepped scheduler is to be stepped per iteration after
    scaling: a point that is no longer a whole epoch (rounding would distort it,
    e.g. a cosine starting at epoch 0.1 of a 1-epoch run), or a ramp shorter than
    :func:`min_span`. mmengine then converts the exact points itself."""
    if (fractional(sched) or not sched.get('by_epoch', True)
            or 'ReduceOnPlateau' in type_name(sched)):  # it has no iteration form
        return False
    scaled = {k: sched[k] * ratio for k in FRACTIONAL
              if isinstance(sched.get(k), (int, float)) and sched[k] < INF_LIKE}
    if any(abs(v - round(v)) > 1e-9 for v in scaled.values()):
        return True
    return 'end' in scaled and scaled['end'] - scaled.get('begin', 0) < min_span(sched)


def scale_scheduler(sched, ratio, unit, length):
    """A copy of ``sched`` with its points multiplied by ``ratio``.

    Args:
        sched (dict): One scheduler config.
        ratio (float): Run length / written length.
        unit (str): ``'max_epochs'`` or ``'max_iters'`` (the run's unit).
        length (int): The run's length in that unit.

    Returns:
        dict: The scaled scheduler.
    """
    out = copy.deepcopy(sched)
    if _steps_per_iteration(sched, ratio):
        out['convert_to_iter_based'] = True
    exact = fractional(out)
    for key in SCALAR_POINTS:
        value = out.get(key)
        if isinstance(value, (int, float)) and value < INF_LIKE:
            out[key] = (value * ratio if exact and key in FRACTIONAL
                        else _round(value * ratio, 0 if key == 'begin' else 1))
    for key in LIST_POINTS:
        if isinstance(out.get(key), (list, tuple)):
            out[key] = [_round(v * ratio, 1) for v in out[key]]
    if exact or not in_run_units(out, unit):
        return out
    begin = min(out.get('begin', 0), length - 1)
    if 'begin' in out:
        out['begin'] = begin
    if isinstance(out.get('end'), int) and out['end'] < INF_LIKE:
        out['end'] = max(out['end'], begin + min_span(out))
    if isinstance(out.get('T_max'), int):  # two roundings may overshoot by 1
        out['T_max'] = max(min(out['T_max'], length - begin), 1)
    return out


def scheduler_problems(sched, unit, length):
    """What makes mmengine fail on ``sched``, or lies beyond the run ([] if fine)."""
    by_epoch = sched.get('by_epoch', True)
    if sched.get('convert_to_iter_based') and not by_epoch:
        return ['convert_to_iter_based=True needs by_epoch=True (mmengine converts '
                'epoch points only)']
    if not in_run_units(sched, unit):
        return []
    problems = []
    begin, end = sched.get('begin', 0), sched.get('end', length)
    where = f'{unit}={length}'
    if begin < 0:
        problems.append(f'begin={begin} is negative')
    if end <= begin:
        problems.append(f'end={end} is not after begin={begin}' if 'end' in sched else
                        f'begin={begin} is not before {where} (end defaults to it)')
    elif 'end' in sched and end - begin < min_span(sched) and not fractional(sched):
        problems.append(f'begin={begin} to end={end} is one step: mmengine would hold '
                        'its start value for the whole run (its change ends at step '
                        'end - 1); set end >= begin + 2, or convert_to_iter_based=True')
    elif begin >= length:
        problems.append(f'begin={begin} is not before {where}')
    if length + SLACK < end < INF_LIKE:
        problems.append(f'end={end} lies beyond {where}')
    late = [m for m in sched.get('milestones') or [] if m > length + SLACK]
    if late:
        problems.append(f'milestones {late} lie beyond {where}')
    t_max = sched.get('T_max')  # None or 0: mmengine takes end - begin
    if t_max is not None and t_max < 0:
        problems.append(f'T_max={t_max} must be positive')
    elif t_max and begin + t_max > length + SLACK:
        problems.append(f'begin={begin} + T_max={t_max} lies beyond {where} (the '
                        'cosine would stop short of eta_min)')
    return problems


def _declaration(cfg, unit):
    """The declared written length, or None when there is none or it does not apply.

    Returns:
        tuple: ``(written length or None, reason it does not apply or '')``.
    """
    written = cfg.get(WRITTEN_KEY)
    if written is None:
        return None, ''
    lengths = {k: written.get(k) for k in UNITS if written.get(k) is not None}
    example = f'{WRITTEN_KEY} = dict(max_epochs=300, param_scheduler=param_scheduler)'
    if len(lengths) != 1 or 'param_scheduler' not in written or not all(
            isinstance(v, int) and v > 0 for v in lengths.values()):
        raise SystemExit(
            f'{cfg.filename}: {WRITTEN_KEY}={dict(written)} must hold one positive '
            'integer length, max_epochs or max_iters, and the schedule it was written '
            f'for; put it right after param_scheduler, e.g. {example}')
    declared_unit, declared = next(iter(lengths.items()))
    if written['param_scheduler'] != cfg.get('param_scheduler'):
        return None, (f'({WRITTEN_KEY}, written for {declared} {UNITS[declared_unit]}, '
                      'describes another param_scheduler: this one was replaced by a child '
                      'config or --cfg-options, so its points are used as written.) ')
    if declared_unit != unit:
        raise SystemExit(
            f'{cfg.filename}: {WRITTEN_KEY} states {declared_unit}={declared} but '
            f'train_cfg counts {UNITS[unit]} ({unit}); state {unit} (the points of an '
            f'{UNITS[declared_unit][:-1]}-based schedule cannot be scaled to '
            f'{UNITS[unit]} before the data is loaded), or set the points yourself.')
    return declared, ''


def format_points(value):
    """Points for a log line: floats to 4 significant digits."""
    if isinstance(value, dict):
        return ', '.join(f'{k}={format_points(v)}' for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return '[' + ', '.join(format_points(v) for v in value) + ']'
    return f'{value:.4g}' if isinstance(value, float) else str(value)


def _changes(label, old, new):
    keys = [k for k in SCALAR_POINTS + LIST_POINTS + ('convert_to_iter_based', )
            if old.get(k) != new.get(k)]
    moves = ', '.join(f'{k} {format_points(old.get(k))} -> {format_points(new[k])}'
                      for k in keys)
    return f'{label} {old.get("type")} {moves}' if moves else ''


def _rebuild(param_scheduler, scaled):
    """``param_scheduler`` with each dict replaced by its scaled copy (same shape)."""
    if isinstance(param_scheduler, dict) and 'type' not in param_scheduler:
        return {name: _rebuild(group, scaled) for name, group in param_scheduler.items()}
    if isinstance(param_scheduler, dict):
        return scaled[id(param_scheduler)]
    return [scaled.get(id(s), s) for s in param_scheduler]


def _refuse(cfg, unit, length, problems, hint, file_length):
    written = file_length if file_length and file_length != length else 'N'
    raise SystemExit(
        f'{cfg.filename}: param_scheduler does not fit train_cfg.{unit}={length}: '
        + '; '.join(problems) + '. ' + hint +
        f'Fix: state the length the points were written for, right after '
        f'param_scheduler: {WRITTEN_KEY} = dict({unit}={written}, '
        'param_scheduler=param_scheduler) (the tools then scale the points to any '
        f'{unit}); or set points that fit {length} {UNITS[unit]} '
        '(e.g. --cfg-options param_scheduler.1.milestones=[...]).')


def fit_schedule(cfg, unit, length, file_length=None):
    """Scale a declared schedule to the run's length, or check an undeclared one.

    Args:
        cfg (Config): The training config (``param_scheduler`` changed in place;
            a scaling writes its log line to ``cfg.param_scheduler_scaled``).
        unit (str): ``'max_epochs'`` or ``'max_iters'``.
        length (int): ``train_cfg[unit]`` of this run.
        file_length (int, optional): The length the config file itself set
            (before ``--cfg-options``), named in the fix of an error.

    Returns:
        str: The scaling's log line, '' when nothing was scaled.
    """
    cfg.pop(NOTE_KEY, None)
    declared, hint = _declaration(cfg, unit)
    schedulers = labelled_schedulers(cfg.get('param_scheduler'))
    if declared is not None and declared != length:
        ratio = length / declared
        scaled = {id(s): scale_scheduler(s, ratio, unit, length) for _, s in schedulers}
        moves = [_changes(label, s, scaled[id(s)]) for label, s in schedulers]
        cfg.param_scheduler = _rebuild(cfg.param_scheduler, scaled)
        schedulers = labelled_schedulers(cfg.param_scheduler)
        cfg[NOTE_KEY] = (
            f'param_scheduler: points written for {declared} {UNITS[unit]} '
            f'({WRITTEN_KEY}) scaled x{ratio:.4g} to train_cfg.{unit}={length}: '
            + '; '.join(m for m in moves if m))
    problems = [f'param_scheduler{label} ({s.get("type")}) ' + ', '.join(found)
                for label, s in schedulers
                for found in [scheduler_problems(s, unit, length)] if found]
    if problems and declared is not None:
        raise SystemExit(
            f'{cfg.filename}: {WRITTEN_KEY} says the schedule was written for '
            f'{declared} {UNITS[unit]}, but its points do not fit that length: '
            + '; '.join(problems) + f'. Fix the points or the declared {unit}.')
    if problems:
        _refuse(cfg, unit, length, problems, hint, file_length)
    return cfg.get(NOTE_KEY, '')

