"""The GIL is released while a batch is mixed: another Python thread runs
meanwhile. Deterministic, not timed: with a switch interval of an hour the
interpreter never takes the GIL from the mixing thread, so the main thread
can run before that thread ends only if the mixing call releases it. The
batches take milliseconds, so that the main thread, once woken, finds the
call still running; on a loaded machine it may be woken too late, so a
call gets several tries, of which one must see it. Holding the GIL, no try
ever could (the control below)."""

import sys
import threading

import numpy as np

import mixup_exact as mixup


def runs_while_mixing(call, tries=10):
    return any(runs_during(call) for _ in range(tries))


def runs_during(call):
    started, done = threading.Event(), threading.Event()

    def worker():
        started.set()
        call()
        done.set()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(3600.0)
    try:
        thread = threading.Thread(target=worker)
        thread.start()
        started.wait()  # the main thread gets the GIL back only when the worker lets go
        during = not done.is_set()
        thread.join()
    finally:
        sys.setswitchinterval(interval)
    return during


def test_mixing_in_place_releases_the_gil():
    x = np.ones((64, 3, 224, 224), dtype=np.float32)  # 38 MB
    fn = mixup.Mixup(mixup_alpha=1.0, cutmix_alpha=1.0, num_classes=4, seed=0)
    assert runs_while_mixing(lambda: fn(x, [0, 1, 2, 3] * 16))


def test_the_fused_collate_releases_the_gil():
    samples = [(np.ones((3, 224, 224), dtype=np.uint8), k % 4) for k in range(64)]
    collate = mixup.FastCollateMixup(num_classes=4, seed=0, mean=(0.5,) * 3, std=(0.2,) * 3)
    assert runs_while_mixing(lambda: collate(samples))


def test_the_check_can_fail():
    # pure Python holds the GIL throughout: the main thread sees it finished
    assert not runs_while_mixing(lambda: sum(range(100000)))
