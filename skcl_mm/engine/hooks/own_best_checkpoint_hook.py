"""OwnBestCheckpointHook: a resumed run never deletes another run's best checkpoint."""
import os.path as osp

from mmengine.hooks import CheckpointHook, Hook

from mmpretrain.registry import HOOKS


@HOOKS.register_module()
class OwnBestCheckpointHook(Hook):
    """Forget a resumed checkpoint's "best checkpoint" file when it is not this
    run's.

    mmengine keeps the path of the best checkpoint in the checkpoint's runtime
    info (``best_ckpt``, ``best_ckpt_<metric>``) and, after resuming, deletes
    that file as soon as a better epoch is saved. Resumed from another work
    dir (``--resume other_run/epoch_90.pth``), that would delete the other
    run's best checkpoint. Before ``CheckpointHook.before_train`` reads those
    paths, this hook drops every one outside the directory the run saves to,
    with the other run's best score: this run's first evaluation starts its
    own best checkpoint.
    """
    priority = 'VERY_HIGH'  # before CheckpointHook (VERY_LOW) reads the paths

    def before_train(self, runner) -> None:
        own_dir = _same_path(self._checkpoint_dir(runner))
        info = runner.message_hub.runtime_info
        for key in [k for k in info if k == 'best_ckpt' or k.startswith('best_ckpt_')]:
            path = info[key]
            if path and _same_path(osp.dirname(str(path))) != own_dir:
                info.pop(key)
                info.pop(key.replace('best_ckpt', 'best_score', 1), None)
                runner.logger.info(
                    f'{type(self).__name__}: the resumed checkpoint\'s best '
                    f'checkpoint {path} belongs to another run and is left '
                    'alone; this run keeps its own best checkpoint.')

    @staticmethod
    def _checkpoint_dir(runner) -> str:
        """Where CheckpointHook will save, by its own rule: its out_dir plus the
        work dir's name when out_dir is another directory, else the work dir."""
        hook = next((h for h in runner.hooks if isinstance(h, CheckpointHook)), None)
        out_dir = getattr(hook, 'out_dir', None)
        if out_dir is None or out_dir == runner.work_dir:
            return runner.work_dir
        return osp.join(str(out_dir), osp.basename(runner.work_dir.rstrip(osp.sep)))


def _same_path(path: str) -> str:
    """A directory path in one spelling (symlinks resolved, case per the OS)."""
    return osp.normcase(osp.realpath(path))
