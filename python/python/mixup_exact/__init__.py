"""``mixup_exact`` (distribution ``mixup-exact``): mixup and CutMix as timm
and torchvision define them, in place, bit for bit, reproducible with any
number of workers.

- :class:`Mixup`: timm's ``Mixup`` (mixup and CutMix switched; per batch,
  pair, sample or half; label smoothing).
- :class:`MixUp`, :class:`CutMix`: torchvision v2's.
- :class:`FastCollateMixup`: timm's collate for uint8 samples, with
  ToTensor and Normalize optionally fused into the mix.
- :func:`cutmix_box`, :func:`cutmix_box_minmax`: one CutMix box by recipe.
- ``masks=`` on every class's call: segmentation label maps mixed by the
  images' plan (:class:`MixedMasks`).

Inputs are NumPy arrays or PyTorch CPU tensors (PyTorch is optional),
float32 or uint8, mixed in place without a copy; the GIL is released while
mixing.
"""

from ._collate import FastCollateMixup
from ._native import (
    OP_CUTMIX,
    OP_MIXUP,
    OP_UNMIXED,
    __version__,
    backend,
    cutmix_box,
    cutmix_box_minmax,
)
from ._masks import MixedMasks
from ._plan import Plan
from ._timm import Mixup
from ._torchvision import CutMix, MixUp

__all__ = [
    "CutMix",
    "FastCollateMixup",
    "MixUp",
    "MixedMasks",
    "Mixup",
    "OP_CUTMIX",
    "OP_MIXUP",
    "OP_UNMIXED",
    "Plan",
    "backend",
    "cutmix_box",
    "cutmix_box_minmax",
]
