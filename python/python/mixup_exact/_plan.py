"""What one call did to each sample, for logging and checking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Tuple

import numpy as np

from ._native import OP_CUTMIX, OP_MIXUP, OP_UNMIXED

_OP_NAMES = {OP_UNMIXED: "unmixed", OP_MIXUP: "mixup", OP_CUTMIX: "cutmix"}


#: What the extension returns of a plan: ``Plan(*parts)`` makes it.
PlanParts = Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]


@dataclass(frozen=True)
class Plan:
    """The plan of one batch of ``n`` samples.

    - ``partners``: int64 ``[n]``, whom sample ``i`` was mixed with;
    - ``lambdas``: float64 ``[n]``, the weight of sample ``i``'s own label
      (``lam'``, corrected by the box area for CutMix; 1 where unmixed);
    - ``ops``: uint8 ``[n]``, ``OP_UNMIXED``, ``OP_MIXUP`` or ``OP_CUTMIX``;
    - ``boxes``: int64 ``[n, 4]``, ``(y1, y2, x1, x2)`` half-open, the box
      sample ``i`` took from its partner (empty unless CutMix);
    - ``seed`` and ``stream``: what the plan was drawn from.
    """

    partners: np.ndarray
    lambdas: np.ndarray
    ops: np.ndarray
    boxes: np.ndarray
    seed: int
    stream: int

    @property
    def op_names(self) -> List[str]:
        """``ops`` as ``"unmixed"``, ``"mixup"`` or ``"cutmix"``."""
        return [_OP_NAMES[int(op)] for op in self.ops]
