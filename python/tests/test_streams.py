"""Reproducible by construction: a batch's plan depends on the seed, the
epoch and its global batch index only, whatever the workers."""

import numpy as np
import pytest

import mixup_exact as mixup
from mixup_exact import _streams


def samples(n=8, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.integers(0, 256, size=(3, 6, 6), dtype=np.uint8), k % 4) for k in range(n)]


def collate(**kwargs):
    settings = dict(mixup_alpha=1.0, cutmix_alpha=1.0, mode="elem", num_classes=4, seed=7,
                    return_plan=True)
    settings.update(kwargs)
    return mixup.FastCollateMixup(**settings)


def test_same_seed_same_batches_and_new_streams_for_new_batches():
    a, b = collate(), collate()
    batch = samples()
    runs_a = [a(batch) for _ in range(4)]
    runs_b = [b(batch) for _ in range(4)]
    for (xa, ta, pa), (xb, tb, pb) in zip(runs_a, runs_b):
        assert (xa == xb).all() and (ta == tb).all() and pa.stream == pb.stream
    assert [p.stream for _, _, p in runs_a] == [0, 1, 2, 3]
    lambdas = {tuple(p.lambdas) for _, _, p in runs_a}
    assert len(lambdas) == 4  # each batch its own plan
    other = collate(seed=8)(batch)[2]
    assert tuple(other.lambdas) not in lambdas


def test_stream_of_worker_and_rank(monkeypatch):
    # batch j of worker w of W, on rank r of R, is batch (j * W + w) * R + r
    streams = _streams.Streams()
    monkeypatch.setattr(_streams, "worker", lambda: (1, 3))
    monkeypatch.setattr(_streams, "rank", lambda: (2, 4))
    got = [streams.next() for _ in range(3)]
    assert got == [(j * 3 + 1) * 4 + 2 for j in range(3)]
    streams.set_epoch(5)
    assert streams.next() == (5 << 40) | (1 * 4 + 2)
    assert streams.next(batch_index=9) == (5 << 40) | 9
    with pytest.raises(OverflowError, match=r"epoch must be in \[0, 2\*\*24\)"):
        streams.set_epoch(1 << 24)
    with pytest.raises(OverflowError, match=r"batch_index must be in \[0, 2\*\*40\)"):
        streams.next(batch_index=1 << 40)


def test_plans_do_not_depend_on_the_number_of_workers(monkeypatch):
    batch = samples()
    alone = collate()
    want = [alone(batch)[2] for _ in range(6)]
    # two workers, each a copy of the collate, each taking every other batch
    got = {}
    for worker in range(2):
        copy = collate()
        monkeypatch.setattr(_streams, "worker", lambda worker=worker: (worker, 2))
        for j in range(3):
            got[j * 2 + worker] = copy(batch)[2]
    for k in range(6):
        assert got[k].stream == want[k].stream
        assert (got[k].lambdas == want[k].lambdas).all()
        assert (got[k].boxes == want[k].boxes).all()


def test_epochs_differ_and_replay():
    fn = collate()
    batch = samples()
    first = [fn(batch)[2].lambdas for _ in range(2)]
    fn.set_epoch(1)
    second = [fn(batch)[2].lambdas for _ in range(2)]
    assert not any((a == b).all() for a in first for b in second)
    fn.set_epoch(0)
    assert all((a == fn(batch)[2].lambdas).all() for a in first)


@pytest.mark.parametrize("recipe", ["timm", "timm-1.0.28"])
def test_value_stability(recipe):
    # frozen: Mixup(seed=42)'s first batch, per sample (timm's float32 rule);
    # timm 1.0.28's boxes as this package drew them before timm 1.0.29
    fn = mixup.Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, mode="elem", num_classes=2, seed=42,
                     recipe=recipe)
    x = np.zeros((4, 1, 8, 8), dtype=np.float32)
    *_, plan = fn(x, [0, 1, 0, 1], return_plan=True)
    assert plan.stream == 0
    assert plan.op_names == FROZEN_OPS
    lambdas, boxes = FROZEN[recipe]
    assert plan.lambdas.tolist() == lambdas
    assert plan.boxes.tolist() == boxes


FROZEN_OPS = ["cutmix", "mixup", "cutmix", "mixup"]
FROZEN = {
    "timm": ([0.453125, 0.5689196586608887, 0.75, 0.4885428845882416],
             [[0, 5, 1, 8], [0, 0, 0, 0], [4, 8, 3, 7], [0, 0, 0, 0]]),
    "timm-1.0.28": ([0.625, 0.5689196586608887, 0.75, 0.4885428845882416],
                    [[0, 4, 1, 7], [0, 0, 0, 0], [4, 8, 3, 7], [0, 0, 0, 0]]),
}


def test_pickled_copies_carry_on_where_the_original_is():
    import pickle

    for make in (collate, lambda: mixup.Mixup(cutmix_alpha=1.0, num_classes=4, seed=3),
                 lambda: mixup.MixUp(num_classes=4, seed=3), lambda: mixup.CutMix(num_classes=4)):
        original = make()
        original.set_epoch(2)
        copy = pickle.loads(pickle.dumps(original))
        assert copy.seed == original.seed and copy.epoch == 2
        if isinstance(original, mixup.FastCollateMixup):
            a, b = original(samples())[2], copy(samples())[2]
        else:
            x = np.zeros((4, 3, 8, 8), dtype=np.float32)
            a, b = original(x, [0, 1, 2, 3], return_plan=True)[2], copy(x, [0, 1, 2, 3], return_plan=True)[2]
        assert a.stream == b.stream == 2 << 40
        assert (a.lambdas == b.lambdas).all() and (a.boxes == b.boxes).all()
    fn = mixup.Mixup(num_classes=4, seed=1)
    fn.mixup_enabled = False
    assert pickle.loads(pickle.dumps(fn)).mixup_enabled is False


def _collate_in_child(args):
    fn, batch_index = args
    return fn(samples(), batch_index=batch_index)[2].lambdas


def test_spawned_processes_get_working_copies():
    # DataLoader workers under spawn or forkserver (the default on Linux
    # from Python 3.14, and on macOS and Windows) receive the collate pickled
    import multiprocessing

    fn = collate()
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        got = pool.map(_collate_in_child, [(fn, k) for k in range(4)])
    for k in range(4):
        assert (got[k] == collate()(samples(), batch_index=k)[2].lambdas).all()


def test_threads_sharing_one_object_get_different_streams():
    from concurrent.futures import ThreadPoolExecutor

    fn = collate()
    with ThreadPoolExecutor(4) as pool:
        plans = list(pool.map(lambda _: fn(samples())[2], range(32)))
    assert sorted(p.stream for p in plans) == list(range(32))
