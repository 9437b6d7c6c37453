"""A user's script, checked by ``mypy --strict`` (``.ci/run``): the classes'
calls give back the batch's own type, tensors or arrays, not ``Any``. It
also runs."""

from typing import Tuple

import numpy as np
import numpy.typing as npt
import torch
from typing_extensions import assert_type

import mixup_exact as mixup

Images = npt.NDArray[np.float32]


def numpy_step(x: Images, y: npt.NDArray[np.int64]) -> Tuple[Images, Images]:
    mixup_fn = mixup.Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, num_classes=10, seed=0)
    x, targets = mixup_fn(x, y)
    assert_type(targets, Images)
    x, targets, plan = mixup_fn(x, y, return_plan=True)
    assert_type(plan, mixup.Plan)
    return x, targets


def torch_step(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    cutmix = mixup.CutMix(alpha=1.0, num_classes=10, seed=0)
    images, labels = cutmix(x, y)
    assert_type(labels, torch.Tensor)
    images, labels = mixup.MixUp(alpha=0.2, num_classes=10, seed=0)((images, labels.argmax(1)))
    return images


def segmentation_step(x: torch.Tensor, y: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    cutmix = mixup.CutMix(alpha=1.0, num_classes=10, seed=0)
    images, labels, mixed = cutmix(x, y, masks=masks, ignore_index=255)
    assert_type(mixed, mixup.MixedMasks)
    images, labels, mixed, plan = cutmix(x, y, masks=masks, return_plan=True)
    assert_type(plan, mixup.Plan)
    a, b = mixed.pair()
    return images


def main_process_step(images: torch.Tensor, labels: torch.Tensor, out: torch.Tensor) -> None:
    """The default collate in the workers; mixing and normalizing here."""
    collate = mixup.FastCollateMixup(mixup_alpha=0.8, num_classes=10, seed=0, layout="hwc",
                                     mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    mixed, targets = collate.mix_collated(images, labels, out=out)
    assert mixed is out


if __name__ == "__main__":
    x = np.zeros((4, 3, 8, 8), dtype=np.float32)
    numpy_step(x, np.arange(4, dtype=np.int64))
    torch_step(torch.zeros(4, 3, 8, 8), torch.arange(4))
    segmentation_step(torch.zeros(4, 3, 8, 8), torch.arange(4), torch.zeros(4, 8, 8, dtype=torch.int64))
    main_process_step(torch.zeros(4, 8, 8, 3, dtype=torch.uint8), torch.arange(4),
                      torch.empty(4, 3, 8, 8))
    print("typed steps ran")
