"""Fit converted epoch points to the iterations of the run (needs the Runner).

mmengine turns the epoch points of ``convert_to_iter_based`` schedulers into
iterations with ``int(point * epoch_length)``. A scaled warm-up (see
:mod:`skcl_mm.utils.schedule_scaling`) can fall under one iteration (5 of 300
epochs in a 1-epoch run of 40 iterations: ``begin == end``, mmengine fails) or
to exactly one (LinearLR then holds ``start_factor`` for the whole run). The
epoch length is known only once the Runner has built its train dataloader, so
tools/train.py calls :func:`fit_schedule_to_epoch_length` between
``Runner.from_cfg`` and ``runner.train()``.
"""
from skcl_mm.utils.schedule_scaling import (FRACTIONAL, format_points,
                                            fractional, labelled_schedulers,
                                            min_span)


def _iteration_span(sched, epoch_length, total_iters, max_epochs):
    """The (begin, end) iterations mmengine will compute, if too close to finish.

    Returns:
        tuple | None: Iterations ``(begin, end)`` at least :func:`min_span`
        apart, or None when mmengine's own conversion is fine.
    """
    begin_it = int(sched.get('begin', 0) * epoch_length)
    end_it = int(sched.get('end', max_epochs) * epoch_length)
    need = min_span(sched) if 'end' in sched else 1
    if end_it - begin_it >= need:
        return None
    begin_it = max(min(begin_it, total_iters - 1), 0)
    return begin_it, begin_it + need


def fit_schedule_to_epoch_length(runner):
    """Keep every converted epoch span long enough to finish, in iterations.

    mmengine turns the epoch points of ``convert_to_iter_based`` schedulers into
    iterations with ``int(point * epoch_length)``: a scaled warm-up shorter than
    one iteration (5 of 300 epochs in a 1-epoch run of 40 iterations) becomes
    ``begin == end`` and fails, and one of a single iteration holds the lr at
    ``start_factor`` for the whole run (see :func:`min_span`). Call after
    building the Runner, before ``runner.train()`` (it builds the train loop as
    ``train()`` would).

    Args:
        runner (Runner): The Runner, its ``param_schedulers`` not yet built.

    Returns:
        list[str]: One log line per scheduler changed (also logged as warnings).
    """
    schedulers = [(label, s) for label, s in labelled_schedulers(runner.param_schedulers)
                  if isinstance(s, dict) and fractional(s)]
    if not schedulers or runner._train_loop is None:
        return []
    epoch_length = len(runner.train_dataloader)
    max_epochs, total_iters = runner.max_epochs, runner.max_iters
    notes = []
    for label, sched in schedulers:
        span = _iteration_span(sched, epoch_length, total_iters, max_epochs)
        if span is None:
            continue
        old = {k: sched[k] for k in FRACTIONAL if k in sched}
        # + 0.5: int(point * epoch_length) lands on the wanted iteration despite rounding.
        sched['begin'], sched['end'] = ((it + 0.5) / epoch_length for it in span)
        if 'T_max' in sched:
            sched['T_max'] = (span[1] - span[0]) / epoch_length
        notes.append(
            f'param_scheduler{label} ({sched.get("type")}): epoch points '
            f'({format_points(old)}) are under {span[1] - span[0]} iterations apart at '
            f'{epoch_length} iterations per epoch (mmengine would fail, or hold the '
            f'start value all run); it now runs from iteration {span[0]} to {span[1]}.')
    for note in notes:
        runner.logger.warning(note)
    return notes
