"""timm's ``Mixup``: mixup and CutMix switched, per batch, pair or sample."""

from __future__ import annotations

from typing import Any, Literal, Optional, Tuple, TypeVar, overload

import numpy as np

from . import _native
from ._masks import MixedMasks
from ._plan import Plan
from ._recipe import Recipe

#: The batch's type, which the targets share: a tensor, or a NumPy array.
X = TypeVar("X")


class Mixup(Recipe):
    """timm's ``timm.data.Mixup``, mixing in place.

    ``x, target = mixup_fn(x, target)``, as in timm's ``train.py``, mixes
    the batch ``x`` (float32 or uint8, NumPy array or PyTorch CPU tensor,
    ``(N, C, H, W)`` contiguous or channels-last) in place and returns it
    with the soft targets ``[N, num_classes]`` float32, as timm's
    ``mixup_target`` gives them. With ``mode='half'`` (timm has it in its
    collate only) the output is the first ``N // 2`` samples: the call
    returns the view ``x[:N // 2]`` and ``N // 2`` rows of targets.
    Pairing is timm's flip: sample ``i`` with ``N - 1 - i``.

    The images and targets are bit for bit what timm computes with the same
    lambdas and boxes. The lambdas come from this library's generator, not
    NumPy's: a batch's plan depends on ``seed``, the epoch (see
    :meth:`set_epoch`) and the batch's global index only.

    Arguments are timm's, plus ``seed`` (``None`` draws one; it is kept in
    ``self.seed``). With ``multi_label=True`` (timm 1.0.31's) the targets
    are dense float32 ``(N, num_classes)`` rows, smoothed towards 0.5 by
    ``label_smoothing``, then mixed by the same plan. Unlike timm, odd
    batch sizes are allowed.

    ``recipe`` picks whose CutMix boxes: ``'timm'`` (the default) cuts them
    as timm 1.0.29 and later do, ``'timm-1.0.28'`` as timm up to 1.0.28
    did (one pixel shorter where a cut is odd), to replay older runs.
    """

    def __init__(
        self,
        mixup_alpha: float = 1.0,
        cutmix_alpha: float = 0.0,
        cutmix_minmax: Optional[Tuple[float, float]] = None,
        prob: float = 1.0,
        switch_prob: float = 0.5,
        mode: str = "batch",
        correct_lam: bool = True,
        label_smoothing: float = 0.1,
        num_classes: int = 1000,
        seed: Optional[int] = None,
        multi_label: bool = False,
        *,
        recipe: str = "timm",
    ) -> None:
        if recipe not in ("timm", "timm-1.0.28"):
            raise ValueError(f"recipe must be 'timm' or 'timm-1.0.28', got {recipe!r}")
        settings = dict(
            prob=float(prob),
            mixup_alpha=float(mixup_alpha),
            cutmix_alpha=float(cutmix_alpha),
            switch_prob=float(switch_prob),
            mode=mode,
            pairing="flip",
            recipe=recipe,
            correct_lam=bool(correct_lam),
            cutmix_minmax=None if cutmix_minmax is None else tuple(map(float, cutmix_minmax)),
        )
        if cutmix_minmax is not None and len(cutmix_minmax) != 2:
            raise ValueError(f"cutmix_minmax must be (lo, hi), got {cutmix_minmax!r}")
        super().__init__(settings, num_classes, label_smoothing, seed)
        self.mixup_alpha = float(mixup_alpha)
        self.cutmix_alpha = float(cutmix_alpha)
        self.cutmix_minmax = cutmix_minmax
        self.mix_prob = float(prob)
        self.switch_prob = float(switch_prob)
        self.mode = mode
        self.correct_lam = bool(correct_lam)
        self.multi_label = bool(multi_label)
        self.recipe = recipe
        #: timm's switch: ``False`` leaves batches unmixed (targets still smoothed).
        self.mixup_enabled = True

    def _build(self) -> None:
        super()._build()
        self._disabled = _native.Config(**dict(self._settings, prob=0.0))

    def _labels(self, target: Any, name: str = "target") -> Optional[np.ndarray]:
        if self.multi_label and target is not None:
            raise ValueError("multi_label needs dense targets (N, num_classes)")
        return super()._labels(target, name)

    def _dense(self, rows: np.ndarray, n: int) -> np.ndarray:
        if not self.multi_label:
            raise ValueError(
                "target must be 1-D (one class id per sample); dense targets need multi_label=True")
        rows = super()._dense(rows, n)
        # timm's multi-label smoothing, towards 0.5, in float32
        s = self.label_smoothing
        return rows * (1.0 - s) + 0.5 * s

    def _config_now(self) -> _native.Config:
        return self._config if self.mixup_enabled else self._disabled

    @overload
    def __call__(self, x: X, target: Any, *, layout: Optional[str] = ...,
                 batch_index: Optional[int] = ..., masks: None = ...,
                 return_plan: Literal[False] = ...) -> Tuple[X, X]: ...

    @overload
    def __call__(self, x: X, target: Any, *, layout: Optional[str] = ...,
                 batch_index: Optional[int] = ..., masks: None = ...,
                 return_plan: Literal[True]) -> Tuple[X, X, Plan]: ...

    @overload
    def __call__(self, x: X, target: Any, *, layout: Optional[str] = ...,
                 batch_index: Optional[int] = ..., masks: Any,
                 ignore_index: Optional[int] = ..., pixel_targets: bool = ...,
                 return_plan: Literal[False] = ...) -> Tuple[X, X, MixedMasks]: ...

    @overload
    def __call__(self, x: X, target: Any, *, layout: Optional[str] = ...,
                 batch_index: Optional[int] = ..., masks: Any,
                 ignore_index: Optional[int] = ..., pixel_targets: bool = ...,
                 return_plan: Literal[True]) -> Tuple[X, X, MixedMasks, Plan]: ...

    def __call__(
        self,
        x: Any,
        target: Any,
        *,
        layout: Optional[str] = None,
        batch_index: Optional[int] = None,
        masks: Any = None,
        ignore_index: Optional[int] = None,
        pixel_targets: bool = False,
        return_plan: bool = False,
    ) -> Any:
        """Mixes ``x`` in place and returns ``(x, targets)``, as timm does
        (with the :class:`Plan` last when ``return_plan=True``).

        ``layout='NHWC'`` reads a 4-D ``x`` as ``(N, H, W, C)``.
        ``batch_index`` sets the batch's global index in the epoch, which
        is otherwise counted. ``masks`` (segmentation label maps ``[N, H,
        W]``) are mixed by the same plan and come back third, as
        :class:`MixedMasks` (``pixel_targets=True`` adds the dense
        per-pixel targets, ``ignore_index`` a zero vector there). Nothing
        is changed when an argument is wrong.
        """
        targets, rows, plan, mixed = self._mix(x, target, layout, batch_index, masks,
                                               ignore_index, pixel_targets)
        if rows is not None:
            x = x[:rows]  # a view: timm's half mode outputs the first half
        result: Tuple[Any, ...] = (x, targets)
        if mixed is not None:
            result += (mixed,)
        return result + (Plan(*plan),) if return_plan else result
