"""What the timm and torchvision classes share: a checked recipe, a seed,
the streams, and the call that mixes a batch in place."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import numpy as np

from . import _native
from ._inputs import (
    as_batch,
    as_labels,
    as_target,
    check_num_classes,
    is_tensor,
    like_input,
)
from ._masks import MixedMasks, as_masks, mixed_masks
from ._plan import PlanParts
from ._streams import Streams, check_seed


class Recipe:
    """A recipe bound to a seed. Subclasses give the public signatures.

    It pickles (``DataLoader`` workers started by ``spawn`` or
    ``forkserver`` get a pickled copy): the native recipe is rebuilt from
    its settings, and the seed, the epoch and the count go along.
    """

    def __init__(
        self,
        settings: Dict[str, Any],
        num_classes: Optional[int],
        label_smoothing: float,
        seed: Optional[int],
    ) -> None:
        self._settings = settings
        self._build()
        self.num_classes = None if num_classes is None else check_num_classes(num_classes)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
        self.label_smoothing = float(label_smoothing)
        #: The seed every plan is drawn from; log it to replay a run.
        self.seed = check_seed(seed)
        self._streams = Streams()

    def _build(self) -> None:
        """The native recipe of the settings (checked there)."""
        self._config = _native.Config(**self._settings)

    def __getstate__(self) -> Dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not isinstance(v, _native.Config)}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._build()

    def set_epoch(self, epoch: int) -> None:
        """Starts an epoch, as ``DistributedSampler.set_epoch`` does: call it
        before each epoch so that the epochs get different plans (with
        ``DataLoader`` workers, the copies in the workers see it only when
        the workers are started anew, i.e. without ``persistent_workers``)."""
        self._streams.set_epoch(epoch)

    @property
    def epoch(self) -> int:
        """The epoch set by :meth:`set_epoch` (0 at first)."""
        return self._streams.epoch

    def _labels(self, target: Any, name: str = "target") -> Optional[np.ndarray]:
        if target is None:
            return None
        if self.num_classes is None:
            raise ValueError(f"num_classes is needed to turn {name} into soft targets")
        return as_labels(target, self.num_classes, name)

    def _config_now(self) -> _native.Config:
        return self._config

    def _dense(self, rows: np.ndarray, n: int) -> np.ndarray:
        """Dense targets ``(n, num_classes)`` float32, checked; mixed by the
        plan as the class ids are (torchvision takes them as probabilities)."""
        if rows.dtype != np.float32:
            raise TypeError(f"target must be float32 when dense (N, num_classes), got {rows.dtype}")
        if rows.shape[0] != n:
            raise ValueError(f"target has {rows.shape[0]} rows for a batch of {n}")
        if self.num_classes is not None and rows.shape[1] != self.num_classes:
            raise ValueError(
                f"target has {rows.shape[1]} columns, num_classes is {self.num_classes}")
        return np.ascontiguousarray(rows)

    def _targets_in(self, target: Any, n: int) -> Tuple[Optional[np.ndarray], Optional[np.ndarray]]:
        """``(class ids, dense rows)``: at most one, both checked."""
        if target is None:
            return None, None
        array = as_target(target)  # one view of a tensor's memory, for both kinds
        if array.ndim == 2:
            return None, self._dense(array, n)
        return self._labels(array), None

    def _mix(
        self,
        x: Any,
        target: Any,
        layout: Optional[str],
        batch_index: Optional[int],
        masks: Any = None,
        ignore_index: Optional[int] = None,
        pixel_targets: bool = False,
    ) -> Tuple[Any, Optional[int], PlanParts, Optional[MixedMasks]]:
        """Mixes ``x`` (and ``masks``) in place; returns the targets (as
        ``x`` came: tensor or array; ``None`` without ``target``), the
        number of output rows where it is not every sample's (else
        ``None``), the plan's parts (``Plan(*parts)``) and the mixed masks
        (``None`` without ``masks``)."""
        array, image = as_batch(x, layout)
        n = len(array)
        labels, dense = self._targets_in(target, n)
        maps = None if masks is None else as_masks(masks)
        per_pixel = None
        if pixel_targets:
            if masks is None:
                raise ValueError("pixel_targets=True needs masks")
            if self.num_classes is None:
                raise ValueError("pixel_targets=True needs num_classes")
            per_pixel = (self.num_classes, ignore_index)
        config = self._config_now()
        targets, plan, dense_maps = _native.mix_in_place(
            config,
            array,
            labels,
            dense,
            self.num_classes or 1,
            self.label_smoothing,
            image,
            self.seed,
            self._streams.taker(batch_index),
            maps,
            per_pixel,
        )
        rows = config.output_rows(n)
        mixed = None
        if masks is not None:
            partners, lambdas, ops = plan[:3]
            mixed = mixed_masks(masks, partners, lambdas, ops, rows, dense_maps, ignore_index)
        return like_input(targets, is_tensor(x)), None if rows == n else rows, plan, mixed
