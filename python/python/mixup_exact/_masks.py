"""Segmentation masks mixed with their images (docs/DESIGN.md §9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Tuple

import numpy as np

from ._inputs import as_array, is_tensor, like_input
from ._native import OP_MIXUP

_MASK_DTYPES = (np.dtype(np.uint8), np.dtype(np.int32), np.dtype(np.int64))


def as_masks(masks: Any) -> np.ndarray:
    """A writable NumPy view of ``masks``: ``[N, H, W]`` class ids."""
    array = as_array(masks, "masks")
    if array.dtype not in _MASK_DTYPES:
        raise TypeError(f"masks must hold uint8, int32 or int64 class ids, got {array.dtype}")
    if array.ndim != 3:
        raise ValueError(f"masks must be [N, H, W], got shape {array.shape}")
    if not array.flags.writeable:
        raise ValueError("masks is read-only: it cannot be mixed in place")
    if not array.flags.c_contiguous:
        raise ValueError("masks must be C-contiguous")
    return array


@dataclass(frozen=True)
class MixedMasks:
    """The label maps of a batch, mixed by its images' plan.

    - ``masks``: the maps as given (array or tensor), mixed in place: a
      CutMix sample's map holds its image's box from the same partner;
      every other map is unchanged (in timm's ``half`` mode, the first
      ``N // 2``);
    - ``partners``: int64 ``[rows]``, the partner of each sample;
    - ``weights``: float64 ``[rows]``, the weight of ``masks[i]``; the
      partner's map ``masks[partners[i]]`` weighs ``1 - weights[i]``. It is
      ``lam`` for a mixup sample and 1 for CutMix (the box is already in
      the map) and unmixed samples, so one loss fits every sample::

          a, b = mixed.pair()
          loss_i = w_i * CE(logits_i, a_i) + (1 - w_i) * CE(logits_i, b_i)

    - ``pixel_targets``: the same targets as probabilities, float32
      ``[rows, num_classes, H, W]`` (when asked for with
      ``pixel_targets=True``); an ignored pixel is a zero vector;
    - ``ignore_index``: the id no class claims, or ``None``.
    """

    masks: Any
    partners: np.ndarray
    weights: np.ndarray
    pixel_targets: Optional[Any]
    ignore_index: Optional[int]
    _all: Any

    def pair(self) -> Tuple[Any, Any]:
        """``(masks, masks[partners])``: the partner's maps are a new copy,
        made only here."""
        partners = self.partners
        if is_tensor(self._all):
            import torch

            partners = torch.from_numpy(partners)
        return self.masks, self._all[partners]


def mixed_masks(
    given: Any,
    plan_partners: np.ndarray,
    plan_lambdas: np.ndarray,
    plan_ops: np.ndarray,
    rows: int,
    pixel_targets: Optional[np.ndarray],
    ignore_index: Optional[int],
) -> MixedMasks:
    """The :class:`MixedMasks` of one call: ``rows`` output samples."""
    weights = np.where(plan_ops == OP_MIXUP, plan_lambdas, 1.0)[:rows]
    dense = None if pixel_targets is None else like_input(pixel_targets, is_tensor(given))
    return MixedMasks(given[:rows], plan_partners[:rows].copy(), weights, dense, ignore_index, given)
