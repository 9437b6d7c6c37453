"""timm's ``FastCollateMixup``: u8 samples in, mixed batch and soft targets
out, optionally with ToTensor and Normalize fused into the mix."""

from __future__ import annotations

import math
import sys
from typing import Any, Optional, Sequence, Tuple

import numpy as np

from . import _native
from ._inputs import as_array, is_tensor, like_input
from ._plan import Plan
from ._timm import Mixup


def _stack(samples: Sequence[Any], shared: bool) -> Tuple[np.ndarray, bool, Any]:
    """The uint8 samples as one C-contiguous batch (the one copy a collate
    makes), whether they came as tensors, and, where ``shared`` asks for it
    and this is a DataLoader worker, the batch as a tensor in shared memory
    (:func:`_handover`), which the NumPy batch views; else ``None``."""
    if len(samples) == 0:
        raise ValueError("batch is empty")
    arrays = [as_array(s, f"batch[{i}][0]") for i, s in enumerate(samples)]
    for i, array in enumerate(arrays):
        if array.dtype != np.uint8:
            raise TypeError(f"batch[{i}][0] must be uint8, got {array.dtype}")
        if array.ndim != 3:
            raise ValueError(f"batch[{i}][0] must be a 3-D image, got shape {array.shape}")
        if array.shape != arrays[0].shape:
            raise ValueError(
                f"batch[{i}][0] has shape {array.shape}, batch[0][0] has {arrays[0].shape}"
            )
    handover = _handover((len(arrays),) + arrays[0].shape, "uint8") if shared else None
    stacked = np.stack(arrays, out=None if handover is None else handover.numpy())
    return stacked, is_tensor(samples[0]), handover


def _handover(shape: Tuple[int, ...], dtype: str) -> Any:
    """In a DataLoader worker, an empty tensor of ``shape`` in shared memory,
    as ``default_collate`` allocates its batch: the worker then hands it to
    the main process as it is, where a batch in private memory is first
    copied into shared memory. ``None`` outside a worker (or where this
    PyTorch lacks ``UntypedStorage._new_shared``, which ``default_collate``
    uses too)."""
    data = sys.modules.get("torch.utils.data")
    if data is None or data.get_worker_info() is None:
        return None
    torch = sys.modules["torch"]
    new_shared = getattr(torch.UntypedStorage, "_new_shared", None)
    if new_shared is None:
        return None
    element = getattr(torch, dtype)
    storage = new_shared(math.prod(shape) * element.itemsize)
    return torch.empty(0, dtype=element).set_(storage, 0, shape)


class FastCollateMixup(Mixup):
    """timm's ``FastCollateMixup`` as a ``collate_fn``: takes a list of
    ``(image, class_id)`` with uint8 images and returns ``(images,
    targets)``, mixed by timm's recipe (all of :class:`Mixup`'s arguments).

    - ``layout``: the samples' layout, ``'chw'`` (timm's ``ToNumpy``) or
      ``'hwc'`` (``np.asarray(pil_image)``).
    - Without ``mean``/``std`` and with ``output='uint8'`` (the default),
      the result is uint8 with the samples' layout, as timm's: blends are
      ``rint(a * lam + b * (1 - lam))`` in float32.
    - With ``output='float32'`` (the default when ``mean`` and ``std`` are
      given), ToTensor and Normalize are fused into the mix:
      ``((u / 255) - mean) / std`` per channel, then the blend, in one pass,
      in ``out_layout`` (``'chw'`` by default for float32, so HWC samples
      are also transposed). The bits equal ToTensor, Normalize, then mixup.

    ``mode='half'`` returns the first ``N // 2`` samples, as timm's.
    Results are tensors when PyTorch is loaded, NumPy arrays otherwise.

    Reproducible with any number of workers: each batch draws from a
    stream of ``seed`` given by the epoch (:meth:`set_epoch`), the worker
    (``torch.utils.data.get_worker_info()``) and the distributed rank.
    In a DataLoader worker, the batch is made in shared memory, as
    ``default_collate`` makes its own, so that the DataLoader hands it to
    the main process without first copying it there.
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
        *,
        layout: str = "chw",
        mean: Optional[Sequence[float]] = None,
        std: Optional[Sequence[float]] = None,
        output: Optional[str] = None,
        out_layout: Optional[str] = None,
        return_plan: bool = False,
        recipe: str = "timm",
    ) -> None:
        super().__init__(
            mixup_alpha, cutmix_alpha, cutmix_minmax, prob, switch_prob, mode,
            correct_lam, label_smoothing, num_classes, seed, recipe=recipe,
        )
        if layout not in ("chw", "hwc"):
            raise ValueError(f"layout must be 'chw' or 'hwc', got {layout!r}")
        if output is None:
            output = "uint8" if mean is None else "float32"
        if out_layout is None:
            out_layout = layout if output == "uint8" else "chw"
        if out_layout not in ("chw", "hwc"):
            raise ValueError(f"out_layout must be 'chw' or 'hwc', got {out_layout!r}")
        if (mean is None) != (std is None):
            raise ValueError("mean and std go together: pass both or neither")
        if output not in ("uint8", "float32"):
            raise ValueError(f"output must be 'uint8' or 'float32', got {output!r}")
        if output == "uint8" and mean is not None:
            raise ValueError("mean and std need output='float32'")
        if output == "uint8" and out_layout != layout:
            raise ValueError("output='uint8' keeps the samples' layout: out_layout must be layout")
        self.layout = layout
        self.out_layout = out_layout
        self.output = output
        self.mean = None if mean is None else [float(m) for m in mean]
        self.std = None if std is None else [float(s) for s in std]
        self.return_plan = return_plan

    def _image(self, batch: np.ndarray) -> Tuple[int, int, int, str]:
        if self.layout == "chw":
            _, c, h, w = batch.shape
        else:
            _, h, w, c = batch.shape
        return c, h, w, self.layout

    def __call__(self, batch: Sequence[Tuple[Any, Any]], *,  # type: ignore[override]
                 out: Optional[Any] = None, batch_index: Optional[int] = None) -> Any:
        """Collates ``batch``, a list of ``(image, class_id)``. ``out``, when
        given, receives the float32 output (e.g. pinned memory)."""
        images, was_tensor, handover = _stack([sample for sample, _ in batch],
                                               shared=self.output == "uint8")
        labels = self._labels([int(label) for _, label in batch])
        return self._mix_stacked(images, labels, "target", was_tensor, out, batch_index,
                                 handover)

    def mix_collated(self, images: Any, labels: Any, *, out: Optional[Any] = None,
                     batch_index: Optional[int] = None) -> Any:
        """Mixes a batch that is already collated, as calling this collate
        on the list of its samples would (the same bits, the same stream):
        ``images`` is one C-contiguous uint8 array or tensor in ``layout``
        (``(N, C, H, W)`` or ``(N, H, W, C)``), ``labels`` the class ids.

        For a DataLoader whose workers use the default collate, so that
        they hand over uint8 (a quarter of float32's bytes) and the main
        process mixes into an output it reuses (``out=``). With
        ``output='uint8'``, ``images`` is mixed in place.
        """
        array = as_array(images, "images")
        if array.dtype != np.uint8:
            raise TypeError(f"images must be uint8, got {array.dtype}")
        if array.ndim != 4:
            raise ValueError(f"images must be a 4-D batch, got shape {array.shape}")
        if not array.flags.c_contiguous:
            raise ValueError(f"images must be C-contiguous, got strides {array.strides}")
        if self.output == "uint8" and not array.flags.writeable:
            raise ValueError("images is read-only: output='uint8' mixes it in place")
        if len(array) == 0:
            raise ValueError("images is empty")
        return self._mix_stacked(array, self._labels(labels, "labels"), "labels",
                                 is_tensor(images), out, batch_index)

    def _mix_stacked(self, images: np.ndarray, labels: Optional[np.ndarray], labels_name: str,
                     was_tensor: bool, out: Optional[Any], batch_index: Optional[int],
                     handover: Any = None) -> Any:
        """Mixes the stacked batch: the one step of both calls. The
        extension checks the labels (naming ``labels_name``). ``handover``
        is ``images`` as a tensor in shared memory, if it is one. In a
        DataLoader worker, a float32 output (without ``out``) goes to
        shared memory too."""
        if self.output == "uint8" and out is not None:
            raise ValueError("out is for output='float32'; uint8 is mixed in place")
        stream = self._streams.taker(batch_index)
        config = self._config_now()
        rows = config.output_rows(len(images))
        if self.output == "uint8":
            targets, plan, _ = _native.mix_in_place(
                config, images, labels, None, self.num_classes, self.label_smoothing,
                self._image(images), self.seed, stream, labels_name=labels_name,
            )
            mixed = images[:rows] if handover is None else handover[:rows]
            as_is = handover is not None
        else:
            if out is None:
                c, h, w, _ = self._image(images)
                out = _handover((rows, c, h, w) if self.out_layout == "chw" else (rows, h, w, c),
                                "float32")
            out_array = None if out is None else as_array(out, "out")
            mixed, targets, plan = _native.mix_u8_to_f32(
                config, images, out_array, labels, self.num_classes, self.label_smoothing,
                self._image(images), self.out_layout, self.mean, self.std, self.seed, stream,
                labels_name=labels_name,
            )
            as_is = out is not None
            if as_is:
                mixed = out
        torch_out = was_tensor or _torch_loaded()
        result = (like_input(mixed, torch_out and not as_is), like_input(targets, torch_out))
        return result + (Plan(*plan),) if self.return_plan else result


def _torch_loaded() -> bool:
    return "torch" in sys.modules
