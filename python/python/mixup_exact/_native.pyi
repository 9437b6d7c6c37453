"""Types of the native extension (``python/src``): argument conversion and
one call into the Rust core each."""

from typing import Callable, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str
OP_UNMIXED: int
OP_MIXUP: int
OP_CUTMIX: int

#: ``(partners int64, lambdas float64, ops uint8, boxes int64 [n, 4], seed, stream)``
PlanArrays = Tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.uint8],
    npt.NDArray[np.int64],
    int,
    int,
]
#: The stream of a call, or a callable that gives it once the call's
#: arguments are checked (so that a refused call uses none).
Stream = Union[int, Callable[[], int]]
#: ``(channels, height, width, "chw" | "hwc")`` of one sample.
ImageSpec = Tuple[int, int, int, str]
Box = Tuple[int, int, int, int]

class Config:
    def __init__(
        self,
        *,
        mixup_alpha: float,
        cutmix_alpha: float,
        prob: float,
        switch_prob: float,
        mode: str,
        pairing: str,
        recipe: str,
        correct_lam: bool,
        cutmix_minmax: Optional[Tuple[float, float]] = None,
        roll: int = 1,
    ) -> None: ...
    @property
    def cutmix(self) -> bool: ...
    def output_rows(self, n: int) -> int: ...

def mix_in_place(
    config: Config,
    x: np.ndarray,
    labels: Optional[npt.NDArray[np.int64]],
    dense: Optional[npt.NDArray[np.float32]],
    num_classes: int,
    smoothing: float,
    image: Optional[ImageSpec],
    seed: int,
    stream: Stream,
    masks: Optional[np.ndarray] = None,
    pixel_targets: Optional[Tuple[int, Optional[int]]] = None,
    labels_name: str = "target",
) -> Tuple[Optional[npt.NDArray[np.float32]], PlanArrays, Optional[npt.NDArray[np.float32]]]: ...
def mix_u8_to_f32(
    config: Config,
    x: npt.NDArray[np.uint8],
    out: Optional[npt.NDArray[np.float32]],
    labels: Optional[npt.NDArray[np.int64]],
    num_classes: int,
    smoothing: float,
    image: ImageSpec,
    out_layout: str,
    mean: Optional[list[float]],
    std: Optional[list[float]],
    seed: int,
    stream: Stream,
    labels_name: str = "target",
) -> Tuple[np.ndarray, Optional[npt.NDArray[np.float32]], PlanArrays]: ...
def cutmix_box(
    height: int,
    width: int,
    lam: float,
    centre: Tuple[int, int],
    *,
    recipe: str = "timm",
    correct_lam: bool = True,
    f32_lambdas: bool = False,
) -> Tuple[Box, float]: ...
def cutmix_box_minmax(
    height: int,
    width: int,
    minmax: Tuple[float, float],
    cut: Tuple[int, int],
    corner: Tuple[int, int],
    *,
    recipe: str = "timm",
) -> Tuple[Box, float]: ...
def backend() -> str: ...
