"""Which random stream a batch gets: reproducible whatever the workers.

A batch's plan is drawn from stream ``s`` of the seed, ``s = epoch << 40 |
g``, where ``g`` is the batch's global index in the epoch. In a
``DataLoader`` worker, the ``j``-th batch that worker ``w`` of ``W``
collates is batch ``j * W + w`` of the epoch (the loader hands batches to
its workers in turn), and with ``torch.distributed`` each rank ``r`` of
``R`` takes every ``R``-th index: ``g = (j * W + w) * R + r``. No two
batches of a run share a stream, and the plans do not depend on how many
workers there are.

The epoch lives in a shared memory cell too, which a ``DataLoader`` worker
gets when it is started (fork, spawn or forkserver): ``set_epoch`` in the
main process then reaches workers that persist across epochs
(``persistent_workers=True``), which restart their count when they see it
change. So is the rank: a DataLoader worker cannot see the process group
of the process that started it, so the rank is taken there (when the
recipe is made, at ``set_epoch`` and when a worker is spawned).
"""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.context
import os
import sys
import threading
from typing import Any, Callable, Dict, Optional, Tuple

EPOCH_BITS = 24
INDEX_BITS = 40


def random_seed() -> int:
    """A fresh 64-bit seed, for callers that give none."""
    return int.from_bytes(os.urandom(8), "little")


def check_seed(seed: Optional[int]) -> int:
    """``seed`` as a u64, or a fresh one for ``None``."""
    if seed is None:
        return random_seed()
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__}")
    if not 0 <= seed < 1 << 64:
        raise ValueError(f"seed must be in [0, 2**64), got {seed}")
    return seed


def worker() -> Tuple[int, int]:
    """``(worker id, number of workers)`` of this process; ``(0, 1)``
    outside a ``DataLoader`` worker."""
    data = sys.modules.get("torch.utils.data")
    info = data.get_worker_info() if data is not None else None
    return (0, 1) if info is None else (info.id, info.num_workers)


def rank() -> Optional[Tuple[int, int]]:
    """``(rank, world size)`` when ``torch.distributed`` is set up in this
    process, else ``None`` (as in a DataLoader worker, whose parent holds
    the process group)."""
    dist = sys.modules.get("torch.distributed")
    # is_initialized is there only where is_available() (a build with it)
    if dist is not None and getattr(dist, "is_initialized", bool)():
        return dist.get_rank(), dist.get_world_size()
    return None


def stream_id(epoch: int, batch_index: int) -> int:
    """The stream of batch ``batch_index`` (global) of ``epoch``."""
    if not 0 <= epoch < 1 << EPOCH_BITS:
        raise OverflowError(f"epoch must be in [0, 2**{EPOCH_BITS}), got {epoch}")
    if not 0 <= batch_index < 1 << INDEX_BITS:
        raise OverflowError(f"batch_index must be in [0, 2**{INDEX_BITS}), got {batch_index}")
    return epoch << INDEX_BITS | batch_index


def _shared_cell() -> Any:
    """A 64-bit integer in shared memory, or ``None`` where there is none."""
    try:
        return multiprocessing.RawValue("q", 0)
    except (OSError, ImportError):  # no /dev/shm, or no _ctypes
        return None


class Streams:
    """Counts this process's calls and gives each its stream; threads that
    share one object get different streams."""

    def __init__(self) -> None:
        self.epoch = 0
        self.calls = 0
        self._lock = threading.Lock()
        self._shared = _shared_cell()
        # the rank as the process that holds the process group saw it: a
        # DataLoader worker (forked or spawned) cannot ask torch.distributed
        self._rank = rank()

    def __getstate__(self) -> Dict[str, Any]:
        self._rank = self._current_rank()
        state: Dict[str, Any] = {
            "epoch": self.epoch, "calls": self.calls, "_rank": self._rank, "_shared": None,
        }
        if multiprocessing.context.get_spawning_popen() is not None:
            # a process being started (a DataLoader worker) shares the epoch;
            # any other copy is a snapshot of its own
            state["_shared"] = self._shared
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        if self._shared is None:
            self._shared = _shared_cell()
            if self._shared is not None:
                self._shared.value = self.epoch

    def _current_rank(self) -> Optional[Tuple[int, int]]:
        """The rank where this process holds the process group, else the
        one taken in the process that started it."""
        return rank() or self._rank

    def set_epoch(self, epoch: int) -> None:
        """Starts epoch ``epoch``: its batches count from 0 again."""
        if isinstance(epoch, bool) or not isinstance(epoch, int):
            raise TypeError(f"epoch must be an int, got {type(epoch).__name__}")
        stream_id(epoch, 0)
        with self._lock:
            self.epoch = epoch
            self.calls = 0
            self._rank = self._current_rank()
            if self._shared is not None:
                self._shared.value = epoch

    def next(self, batch_index: Optional[int] = None) -> int:
        """The stream of this call: of ``batch_index`` when given (the
        global index of the batch in the epoch), else derived from this
        process's call count, its worker and its rank."""
        worker_id, workers = worker()
        rank_id, ranks = self._current_rank() or (0, 1)
        with self._lock:
            if self._shared is not None and self._shared.value != self.epoch:
                # set_epoch in the process that started this one
                self.epoch, self.calls = self._shared.value, 0
            if batch_index is None:
                batch_index = (self.calls * workers + worker_id) * ranks + rank_id
            stream = stream_id(self.epoch, int(batch_index))
            self.calls += 1
        return stream

    def taker(self, batch_index: Optional[int] = None) -> Callable[[], int]:
        """:meth:`next` as a callable of no arguments, for the extension,
        which takes the stream only once a call's arguments are checked
        (so that a refused call uses none)."""
        if batch_index is None:
            return self.next
        return functools.partial(self.next, batch_index)
