"""Arrays in: NumPy arrays and PyTorch CPU tensors, taken without a copy.

A CPU tensor crosses by ``Tensor.numpy()``, which shares its memory (as
DLPack does, at a fraction of the cost per call), so PyTorch is never
imported here. Every check runs before anything is written, and each
error names the argument.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn, Optional, Tuple

import numpy as np

#: ``(channels, height, width, "chw" | "hwc")`` of one sample.
Image = Tuple[int, int, int, str]

_DTYPES = (np.dtype(np.float32), np.dtype(np.uint8))
_INT64 = np.dtype(np.int64)
_UINT64 = np.dtype(np.uint64)


def is_tensor(value: Any) -> bool:
    """Whether ``value`` is a PyTorch tensor (without importing torch)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


#: Where mixing runs, and where to put it in a training loop.
CPU_ONLY = (
    "mixup_exact mixes on the CPU: call it in the DataLoader's collate_fn "
    "(FastCollateMixup), or on the CPU batch before .to(device)"
)


def _from_tensor(value: Any, name: str) -> np.ndarray:
    """A NumPy view of a CPU tensor's memory."""
    try:
        # shares the memory, as DLPack does, in a fraction of its time
        return value.numpy()
    except (RuntimeError, TypeError) as error:
        _refused(value, name, error)


def _refused(value: Any, name: str, error: Exception) -> NoReturn:
    """Why ``Tensor.numpy()`` refused ``value``, in the words of the checks."""
    if value.device.type != "cpu":
        raise ValueError(f"{name} must be on the CPU, got a tensor on {value.device}: {CPU_ONLY}")
    if value.requires_grad:
        raise ValueError(f"{name} requires grad: mix the data before the model sees it")
    # bfloat16 and the float8s have no NumPy dtype
    dtype = str(value.dtype).removeprefix("torch.")
    raise TypeError(
        f"{name} must be float32 or uint8 (int64 or float32 for targets), got {dtype} ({error})"
    )


def as_array(value: Any, name: str) -> np.ndarray:
    """A NumPy view of ``value``'s memory: an array, a tensor, or anything
    with the buffer protocol, ``__array_interface__`` or ``__dlpack__``."""
    if isinstance(value, np.ndarray):
        return value
    if is_tensor(value):
        return _from_tensor(value, name)
    if isinstance(value, (list, tuple)) or np.isscalar(value):
        raise TypeError(
            f"{name} must be an array or a tensor, got {type(value).__name__} "
            "(a copy could not be mixed in place)"
        )
    if hasattr(value, "__dlpack__") and not hasattr(value, "__array_interface__"):
        return np.from_dlpack(value)
    try:
        return np.asarray(value)
    except Exception as error:  # noqa: BLE001 - the message says what was wrong
        raise TypeError(f"{name} must be an array or a tensor: {error}") from None


#: A batch ready for the extension: a C-contiguous float32 or uint8 array,
#: samples along axis 0, and its image shape if 4-D (a plain tuple: it is
#: made on every call).
Batch = Tuple[np.ndarray, Optional[Image]]


def as_batch(x: Any, layout: Optional[str], name: str = "x") -> Batch:
    """Checks ``x`` and finds its layout.

    A 4-D batch is an image batch. With ``layout=None`` (or ``"NCHW"``) its
    shape is ``(N, C, H, W)``, as PyTorch has it, and its memory may be
    contiguous or channels-last; with ``"NHWC"`` its shape is
    ``(N, H, W, C)``, C-contiguous.
    """
    array = as_array(x, name)
    if array.dtype not in _DTYPES:
        raise TypeError(f"{name} must be float32 or uint8, got {array.dtype}")
    if array.ndim == 0:
        raise ValueError(f"{name} must have a batch dimension, got a 0-d array")
    # the extension refuses a read-only batch, before it takes a stream
    if layout not in (None, "NCHW", "NHWC"):
        raise ValueError(f"layout must be None, 'NCHW' or 'NHWC', got {layout!r}")
    if array.ndim != 4:
        if layout is not None:
            raise ValueError(f"layout {layout!r} needs a 4-D {name}, got {array.ndim}-D")
        if not array.flags.c_contiguous:
            raise ValueError(f"{name} must be contiguous")
        return array, None
    if layout == "NHWC":
        if not array.flags.c_contiguous:
            raise ValueError(f"{name} must be C-contiguous with layout 'NHWC'")
        _, h, w, c = array.shape
        return array, (c, h, w, "hwc")
    _, c, h, w = array.shape
    if array.flags.c_contiguous:
        return array, (c, h, w, "chw")
    channels_last = array.transpose(0, 2, 3, 1)
    if channels_last.flags.c_contiguous:
        return channels_last, (c, h, w, "hwc")
    raise ValueError(f"{name} must be contiguous or channels-last, got strides {array.strides}")


def as_target(target: Any, name: str = "target") -> np.ndarray:
    """A NumPy view of targets: an array, a tensor (detached), or a list."""
    if isinstance(target, np.ndarray):
        return target
    if is_tensor(target):
        return _from_tensor(target.detach() if target.requires_grad else target, name)
    array = np.asarray(target)
    if array.size == 0 and isinstance(target, (list, tuple)):
        return array.astype(np.int64)
    return array


def as_labels(target: Any, num_classes: int, name: str = "target") -> np.ndarray:
    """Class ids as a contiguous int64 vector (a copy is fine: it is read).

    The extension checks that each is in ``[0, num_classes)``, before the
    call takes a stream; ids that int64 cannot hold are refused here.
    """
    array = as_target(target, name)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class ids, got {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one class id per sample), got shape {array.shape}")
    if array.dtype == _UINT64:
        outside = array >= num_classes
        if np.count_nonzero(outside):
            at = int(np.argmax(outside))
            raise ValueError(
                f"{name}[{at}] = {int(array[at])} is not a class id in [0, {num_classes})"
            )
    if array.dtype == _INT64 and array.flags.c_contiguous:
        return array
    return np.ascontiguousarray(array, dtype=np.int64)


def check_num_classes(num_classes: Any) -> int:
    """``num_classes`` as a positive int."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"num_classes must be an int, got {type(num_classes).__name__}")
    if num_classes < 1:
        raise ValueError(f"num_classes must be at least 1, got {num_classes}")
    return int(num_classes)


def like_input(array: Optional[np.ndarray], was_tensor: bool) -> Any:
    """``array`` as a tensor (sharing memory) when the input was one."""
    if array is None or not was_tensor:
        return array
    return sys.modules["torch"].from_numpy(array)
