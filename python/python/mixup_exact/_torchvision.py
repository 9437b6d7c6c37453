"""torchvision v2's ``MixUp`` and ``CutMix``: one lambda per batch, roll pairing."""

from __future__ import annotations

from typing import Any, Literal, Optional, Tuple, TypeVar, overload

from ._masks import MixedMasks
from ._plan import Plan
from ._recipe import Recipe

#: The batch's type, which the soft labels share: a tensor, or a NumPy array.
X = TypeVar("X")


class _TorchVision(Recipe):
    def __init__(self, op: str, alpha: float, num_classes: Optional[int],
                 seed: Optional[int]) -> None:
        if not alpha > 0:
            raise ValueError(f"alpha must be > 0, got {alpha}")
        mixup, cutmix = (float(alpha), 0.0) if op == "mixup" else (0.0, float(alpha))
        settings = dict(
            mixup_alpha=mixup, cutmix_alpha=cutmix, prob=1.0, switch_prob=0.5,
            mode="batch", pairing="roll", recipe="torchvision", correct_lam=True,
        )
        # num_classes may be None where the labels come dense, as in torchvision
        super().__init__(settings, num_classes, 0.0, seed)
        self.alpha = float(alpha)

    @overload
    def __call__(self, images: X, labels: Any, /, *, layout: Optional[str] = ...,
                 batch_index: Optional[int] = ..., masks: None = ...,
                 return_plan: Literal[False] = ...) -> Tuple[X, X]: ...

    @overload
    def __call__(self, images: X, labels: Any, /, *, layout: Optional[str] = ...,
                 batch_index: Optional[int] = ..., masks: None = ...,
                 return_plan: Literal[True]) -> Tuple[X, X, Plan]: ...

    @overload
    def __call__(self, images: X, labels: Any, /, *, layout: Optional[str] = ...,
                 batch_index: Optional[int] = ..., masks: Any,
                 ignore_index: Optional[int] = ..., pixel_targets: bool = ...,
                 return_plan: Literal[False] = ...) -> Tuple[X, X, MixedMasks]: ...

    @overload
    def __call__(self, images: X, labels: Any, /, *, layout: Optional[str] = ...,
                 batch_index: Optional[int] = ..., masks: Any,
                 ignore_index: Optional[int] = ..., pixel_targets: bool = ...,
                 return_plan: Literal[True]) -> Tuple[X, X, MixedMasks, Plan]: ...

    @overload
    def __call__(self, inputs: Tuple[X, Any], /, *, layout: Optional[str] = ...,
                 batch_index: Optional[int] = ...,
                 return_plan: Literal[False] = ...) -> Tuple[X, X]: ...

    def __call__(
        self,
        *inputs: Any,
        layout: Optional[str] = None,
        batch_index: Optional[int] = None,
        masks: Any = None,
        ignore_index: Optional[int] = None,
        pixel_targets: bool = False,
        return_plan: bool = False,
    ) -> Any:
        """``op(images, labels)`` (or ``op((images, labels))``) mixes
        ``images`` in place and returns ``(images, soft_labels)`` (with the
        :class:`Plan` last when ``return_plan=True``). ``labels`` are class
        ids ``(N,)``, or probabilities ``(N, num_classes)`` float32, which
        are mixed into a new array, as torchvision takes both.

        ``masks`` (segmentation label maps ``[N, H, W]``, uint8, int32 or
        int64) are mixed in place by the same plan and come back third, as
        :class:`MixedMasks`; ``pixel_targets=True`` adds their dense
        ``[N, num_classes, H, W]`` targets, where ``ignore_index`` is a zero
        vector."""
        if len(inputs) == 1 and isinstance(inputs[0], (tuple, list)):
            inputs = tuple(inputs[0])
        if len(inputs) != 2:
            raise TypeError(f"expected (images, labels), got {len(inputs)} inputs")
        images, labels = inputs
        targets, _, plan, mixed = self._mix(images, labels, layout, batch_index, masks,
                                            ignore_index, pixel_targets)
        result: Tuple[Any, ...] = (images, targets)
        if mixed is not None:
            result += (mixed,)
        return result + (Plan(*plan),) if return_plan else result


class MixUp(_TorchVision):
    """torchvision's ``transforms.v2.MixUp(alpha, num_classes)``, in place.

    One ``lam ~ Beta(alpha, alpha)`` per batch, each sample mixed with the
    previous one (``roll(1)``): ``images = lam * images + (1 - lam) *
    images.roll(1, 0)``, labels one-hot mixed the same way; the bits equal
    torchvision's for the same ``lam``. ``images`` may have any shape with
    the batch first.
    """

    def __init__(self, alpha: float = 1.0, num_classes: Optional[int] = None,
                 seed: Optional[int] = None) -> None:
        super().__init__("mixup", alpha, num_classes, seed)


class CutMix(_TorchVision):
    """torchvision's ``transforms.v2.CutMix(alpha, num_classes)``, in place.

    One ``lam ~ Beta(alpha, alpha)`` and one box per batch; each image takes
    the box from the previous one (``roll(1)``), and its label weight is
    ``1 - box area / (H * W)``, as torchvision computes them. ``images`` is
    ``(N, C, H, W)``, contiguous or channels-last.
    """

    def __init__(self, alpha: float = 1.0, num_classes: Optional[int] = None,
                 seed: Optional[int] = None) -> None:
        super().__init__("cutmix", alpha, num_classes, seed)
