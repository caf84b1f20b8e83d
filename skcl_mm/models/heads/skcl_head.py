"""SKCLHead: per-level classifiers, projection/prototype MLPs, semantic graph."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmpretrain.models.heads import ClsHead
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from skcl_mm.semantics.graph_contract import GraphRequest
from skcl_mm.utils.checks import check_bool
from ..data_preprocessors.view_order import (contrastive_labels, num_views,
                                             split_views)
from ..losses import GatheredContrastiveLoss, LogitAdjustedCrossEntropyLoss
from .head_checks import (check_features, check_first_batch, check_head_widths,
                          check_level_num_classes, check_level_weights,
                          check_some_loss, check_topk, contrastive_cfg,
                          level_log_priors, level_targets)
from .level_classifier import build_level_classifier
from .mlp import mlp_bn

# Coarse CE weight: half of the fine weight (see docs/loss.md, "Weights").
COARSE_CE_WEIGHT, FINE_CE_WEIGHT = 1.0, 2.0


@MODELS.register_module()
class SKCLHead(ClsHead):
    """SKCL head: ``lambda * L_SKCL + sum_l w_l * LA-CE_l``.

    Training input is ``(V*B, D)`` view-major features: view 0 feeds the
    classifiers, views 1.. the contrastive loss (the view order of
    :mod:`skcl_mm.models.data_preprocessors.view_order`). Prediction: one
    view, finest-level scores, no prior added.

    Args:
        in_channels (int): feature width D of the neck.
        level_num_classes (Sequence[int]): classes per level, coarsest first
            (``[20, 100]`` for CIFAR-100, ``[100]`` for one level). The first
            training batch is checked against it (see ``head_checks``).
        cosine_classifier (bool): cosine classifiers with ``cosine_scale``
            instead of plain linear ones. Defaults to False.
        cosine_scale (float): Defaults to 30.0.
        mlp_hidden_channels (int): hidden width of the projection and
            prototype MLPs. Defaults to 512.
        feat_channels (int): contrastive feature width d. Defaults to 128.
        loss (dict): the per-level CE, a ``LogitAdjustedCrossEntropyLoss``
            (``tau=0`` for plain CE). Defaults to ``tau=1.0``.
        level_loss_weights (Sequence[float], optional): w_l, coarsest first.
            Defaults to 2.0 for the finest level, 1.0 for coarser ones.
        contrastive_loss (dict, optional): an ``SKCLLoss`` (or, for the
            BCL baseline, ``BCLLoss``) config; its ``loss_weight`` is lambda.
            ``None`` or ``loss_weight=0`` drops the contrastive branch (LA / CE
            baseline). The loss states the semantic graph it needs
            (:meth:`semantic_graph_request`).
        project_classifier_view (bool): view 0 passes the projection MLP too
            (its BatchNorm statistics include it, as in BCL's and ConCutMix's
            code) and is dropped before the loss. Defaults to False.
        compile_loss (bool | dict): run the tensor part of :meth:`loss`
            (classifiers, CE, MLPs, contrastive loss; forward and backward)
            through ``torch.compile`` (a dict is passed as its keyword
            arguments). On a GPU the eager head is bound by kernel launches
            (docs/benchmarks.md); compiling fuses them. Needs Triton on a GPU
            or a C++ compiler on a CPU; the first step and the first batch of
            another size pay a compilation (``dynamic=False`` unless the dict
            says otherwise). Defaults to False.
        topk (int | tuple): passed to ``ClsHead``.
        init_cfg (dict, optional): passed to ``ClsHead``.
    """

    def __init__(self, in_channels: int, level_num_classes: Sequence[int],
                 cosine_classifier: bool = False, cosine_scale: float = 30.0,
                 mlp_hidden_channels: int = 512, feat_channels: int = 128,
                 loss: dict = dict(type='LogitAdjustedCrossEntropyLoss',
                                   tau=1.0),
                 level_loss_weights: Optional[Sequence[float]] = None,
                 contrastive_loss: Optional[dict] = dict(type='SKCLLoss'),
                 project_classifier_view: bool = False,
                 compile_loss: Union[bool, dict] = False,
                 topk=(1, ), init_cfg: Optional[dict] = None):
        super().__init__(loss=loss, topk=topk, init_cfg=init_cfg)
        if not isinstance(compile_loss, (bool, dict)):
            raise TypeError('compile_loss must be a bool or a dict of '
                            f'torch.compile arguments, got {compile_loss!r}.')
        self.compile_loss = compile_loss
        # Readiness of the graph / counts buffers, checked once on the host
        # (a tensor check every step would synchronise with the GPU).
        self._ready: Dict[str, bool] = {}
        if not isinstance(self.loss_module, LogitAdjustedCrossEntropyLoss):
            raise TypeError('SKCLHead needs loss=dict(type="LogitAdjusted'
                            'CrossEntropyLoss", tau=...) (tau=0: plain CE), got '
                            f'{type(self.loss_module).__name__}.')
        self.level_num_classes = check_level_num_classes(level_num_classes)
        check_head_widths(in_channels, mlp_hidden_channels, feat_channels,
                          cosine_classifier, cosine_scale)
        self.in_channels = in_channels
        self.project_classifier_view = check_bool(
            'SKCLHead project_classifier_view', project_classifier_view)
        self.topk = check_topk(topk, self.level_num_classes[-1])
        self.level_loss_weights = self._resolve_weights(level_loss_weights)
        self.classifiers = nn.ModuleList(
            build_level_classifier(in_channels, n, cosine_classifier,
                                   cosine_scale)
            for n in self.level_num_classes)
        self.contrastive = self._build_contrastive(contrastive_loss)
        check_some_loss(self.level_loss_weights, self.contrastive is not None)
        if self.contrastive is not None:
            self.projector = mlp_bn(in_channels, mlp_hidden_channels,
                                    feat_channels)
            self.proto_mlp = mlp_bn(in_channels, mlp_hidden_channels,
                                    feat_channels)
        request = self.semantic_graph_request()
        self.register_buffer(
            'semantic_neighbours',
            torch.full((self.num_fine, 0 if request is None else
                        request.num_neighbours), -1, dtype=torch.long))
        for level, num in enumerate(self.level_num_classes):
            self.register_buffer(f'log_prior_level{level}',
                                 torch.full((num, ), float('nan')))

    def _resolve_weights(self, weights) -> List[float]:
        num_levels = len(self.level_num_classes)
        if weights is None:
            return [COARSE_CE_WEIGHT] * (num_levels - 1) + [FINE_CE_WEIGHT]
        return check_level_weights(weights, num_levels)

    def _build_contrastive(self, cfg: Optional[dict]
                           ) -> Optional[GatheredContrastiveLoss]:
        if cfg is None:
            return None
        module = MODELS.build(contrastive_cfg(cfg, self.level_num_classes))
        if not isinstance(module, GatheredContrastiveLoss):
            raise TypeError('contrastive_loss must build an SKCLLoss or a '
                            f'BCLLoss, got {type(module).__name__}.')
        return None if module.loss_weight == 0 else module

    @property
    def num_fine(self) -> int:
        """Number of finest-level classes (= fine node ids 0..n_fine-1)."""
        return self.level_num_classes[-1]

    def semantic_graph_request(self) -> Optional[GraphRequest]:
        """The semantic graph the contrastive loss reads (mode, K, levels),
        or None when it reads none (BCL, no contrastive branch)."""
        if self.contrastive is None:
            return None
        return self.contrastive.graph_request()

    @property
    def has_semantic_graph(self) -> bool:
        """Whether every entry of the neighbour table holds a node id (True
        when no graph is needed). Read from the buffer once, then kept until
        ``set_semantic_graph`` or ``load_state_dict`` changes it."""
        if 'graph' not in self._ready:
            self._ready['graph'] = bool((self.semantic_neighbours >= 0).all())
        return self._ready['graph']

    @property
    def has_class_counts(self) -> bool:
        """Whether ``set_class_counts`` has filled every level's log prior
        (kept like :attr:`has_semantic_graph`)."""
        if 'counts' not in self._ready:
            self._ready['counts'] = not any(
                torch.isnan(self._log_prior(level)).any()
                for level in range(len(self.level_num_classes)))
        return self._ready['counts']

    def _load_from_state_dict(self, *args, **kwargs):
        self._ready.clear()  # the buffers may change: read them again
        super()._load_from_state_dict(*args, **kwargs)

    def _log_prior(self, level: int) -> Tensor:
        return getattr(self, f'log_prior_level{level}')

    def set_semantic_graph(self, neighbours: Tensor) -> None:
        """Store the Top-K table I_y (called by SemanticGraphHook).

        Args:
            neighbours (Tensor): (n_fine, K) node ids answering
                :meth:`semantic_graph_request` (checked there).
        """
        request = self.semantic_graph_request()
        if request is None:
            raise ValueError(f'{type(self).__name__}: this head reads no semantic '
                             'graph (its contrastive loss needs none).')
        self.semantic_neighbours.copy_(request.check_table(neighbours))
        self._ready.pop('graph', None)

    def set_class_counts(self, level_counts: Sequence[Sequence[int]]) -> None:
        """Store log priors ``log(n_c / sum n)`` per level (called by TrainCountsHook).

        A class with zero training images counts as one (finite logit).

        Args:
            level_counts (Sequence[Sequence[int]]): training images per class,
                one list per level, coarsest first (dataset ``level_counts``).
        """
        for level, log_prior in enumerate(
                level_log_priors(level_counts, self.level_num_classes)):
            self._log_prior(level).copy_(log_prior)
        self._ready.pop('counts', None)

    def prototypes(self) -> Tensor:
        """(n_nodes, d) normalised prototypes: fine level first, then coarser.

        Not detached: the gradient reaches the classifier weights.
        """
        weights = [clf.weight for clf in reversed(self.classifiers)]
        return F.normalize(self.proto_mlp(torch.cat(weights)), dim=1)

    def forward(self, feats: Tuple[Tensor]) -> Tensor:
        """(B, D) features (last of ``feats``) -> (B, n_fine) fine scores."""
        x = self.pre_logits(feats)
        check_features(x, self.in_channels)
        return self.classifiers[-1](x)

    def loss(self, feats: Tuple[Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, Tensor]:
        """Losses for ``(V*B, D)`` view-major features and B data samples.

        Returns:
            dict[str, Tensor]: ``loss_ce_level{l}`` (l = 0 coarsest) and the
            contrastive terms of :class:`SKCLLoss`, each already weighted.
        """
        x = self.pre_logits(feats)
        check_features(x, self.in_channels)
        views = num_views(x.shape[0], len(data_samples))
        targets = level_targets(data_samples, self.level_num_classes)
        if not self._ready.get('batch'):  # once: it reads the labels
            check_first_batch(targets, data_samples, self.level_num_classes,
                              views, self.contrastive is not None)
            self._ready['batch'] = True
        targets = targets.to(x.device, non_blocking=True)
        self._check_ready()
        return self._tensor_losses()(x, targets)

    def _tensor_losses(self):
        """:meth:`_losses`, compiled on first use when ``compile_loss`` is set."""
        if not self.compile_loss:
            return self._losses
        compiled = self.__dict__.get('_compiled_losses')
        if compiled is None:
            # Static shapes: the last, smaller batch of an epoch costs one
            # more compile of the same kind instead of a dynamic-shape graph.
            options = dict(dynamic=False)
            if isinstance(self.compile_loss, dict):
                options.update(self.compile_loss)
            compiled = torch.compile(self._losses, **options)
            self.__dict__['_compiled_losses'] = compiled
        return compiled

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop('_compiled_losses', None)  # rebuilt on first use
        return state

    def _check_ready(self) -> None:
        """The training buffers the hooks fill must be set (host-side flags)."""
        if self.loss_module.tau != 0 and not self.has_class_counts:
            raise RuntimeError('SKCLHead: logit adjustment needs the training '
                               'class counts; keep TrainCountsHook in the run '
                               "(default_hooks.train_counts of skcl_mm's "
                               'default_runtime.py, or custom_hooks), or call '
                               'head.set_class_counts.')
        if self.contrastive is not None and not self.has_semantic_graph:
            raise RuntimeError('SKCLHead: the semantic graph is not set; add '
                               'SemanticGraphHook to custom_hooks (or call '
                               'head.set_semantic_graph) before training.')

    def _losses(self, x: Tensor, targets: Tensor) -> Dict[str, Tensor]:
        """Every loss term from ``(V*B, D)`` features and (B, n_levels) targets."""
        batch = targets.shape[0]
        losses = self._ce_losses(split_views(x, batch)[0], targets)
        if self.contrastive is not None:
            labels = contrastive_labels(targets[:, -1], x.shape[0])
            losses.update(self._contrastive_losses(x, batch, labels))
        return losses

    def _ce_losses(self, x: Tensor, targets: Tensor) -> Dict[str, Tensor]:
        """Weighted logit-adjusted CE of view 0, one entry per level."""
        losses = {}
        for level, classifier in enumerate(self.classifiers):
            loss = self.loss_module(classifier(x), targets[:, level],
                                    log_prior=self._log_prior(level),
                                    avg_factor=x.shape[0])
            losses[f'loss_ce_level{level}'] = \
                self.level_loss_weights[level] * loss
        return losses

    def _contrastive_losses(self, x: Tensor, batch: int,
                            labels: Tensor) -> Dict[str, Tensor]:
        """Weighted SKCL (or BCL) terms of the contrastive views of (V*B, D) x
        (projected alone, or after all views: ``project_classifier_view``)."""
        rows = x if self.project_classifier_view else split_views(x, batch)[1]
        features = F.normalize(self.projector(rows), dim=1)
        if self.project_classifier_view:
            features = split_views(features, batch)[1]
        return self.contrastive(features, labels, self.prototypes(),
                                self.semantic_neighbours)
