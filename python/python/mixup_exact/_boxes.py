"""CutMix boxes by recipe, from ``lam`` and the drawn integers: what a plan's
boxes are made of, for logging, replaying or checking them."""

from __future__ import annotations

from typing import Tuple

from . import _native

Box = Tuple[int, int, int, int]


def cutmix_box(
    height: int,
    width: int,
    lam: float,
    centre: Tuple[int, int],
    *,
    recipe: str = "timm",
    correct_lam: bool = True,
    f32_lambdas: bool = False,
) -> Tuple[Box, float]:
    """The box ``(y1, y2, x1, x2)`` that ``recipe`` cuts around ``centre =
    (cy, cx)`` for ``lam`` in a ``height x width`` image, and its lambda.

    - ``'timm'``: timm's ``rand_bbox`` as timm 1.0.29 and later cut it,
      ``y2 = clip(cy + (cut_h + 1) // 2, 0, H)``; ``'timm-1.0.28'``: as
      timm up to 1.0.28 did, ``clip(cy + cut_h // 2, 0, H)``. The lambda
      is ``1 - area / (H * W)`` with ``correct_lam``, ``lam`` without;
      ``f32_lambdas`` computes as timm does on its float32 per-sample
      lambdas (modes ``'elem'``, ``'pair'``, ``'half'``).
    - ``'torchvision'``: torchvision v2's ``CutMix``, lambda always corrected.

    >>> cutmix_box(7, 5, 0.5, (3, 2))
    ((1, 5, 1, 4), 0.6571428571428571)
    >>> cutmix_box(7, 5, 0.5, (3, 2), recipe="timm-1.0.28")[0]
    (1, 5, 1, 3)
    """
    return _native.cutmix_box(
        height, width, lam, centre,
        recipe=recipe, correct_lam=correct_lam, f32_lambdas=f32_lambdas,
    )


def cutmix_box_minmax(
    height: int,
    width: int,
    minmax: Tuple[float, float],
    cut: Tuple[int, int],
    corner: Tuple[int, int],
    *,
    recipe: str = "timm",
) -> Tuple[Box, float]:
    """The box timm's ``rand_bbox_minmax`` places for ``cutmix_minmax =
    (lo, hi)``, the drawn sides ``cut = (cut_h, cut_w)`` and top-left
    ``corner = (yl, xl)``, and its lambda ``1 - area / (H * W)``.

    ``cut_h`` lies in ``[int(H * lo), int(H * hi))``; ``yl`` in ``[0, H -
    cut_h]`` for ``'timm'`` (1.0.29 and later), ``[0, H - cut_h)`` for
    ``'timm-1.0.28'``; the same for x. Anything else is a ``ValueError``.
    """
    return _native.cutmix_box_minmax(height, width, minmax, cut, corner, recipe=recipe)
