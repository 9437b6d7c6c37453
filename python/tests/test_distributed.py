"""A real ``torch.distributed`` run: 2 ranks (gloo on 127.0.0.1, started with
``torch.multiprocessing``) x 2 DataLoader workers each, a
``DistributedSampler``, 2 epochs. Every batch of every rank gets a stream
of its own, and the run replays bit for bit."""

import socket

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the distributed run "
                            "skipped (pip install torch)")

import mixup_exact as mixup  # noqa: E402

RANKS, WORKERS, EPOCHS = 2, 2, 2


class Photos(torch.utils.data.Dataset):
    def __len__(self):
        return 64

    def __getitem__(self, i):
        return np.random.default_rng(i).integers(0, 256, (3, 8, 8), dtype=np.uint8), i % 5


def run_rank(rank, port, out):
    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=RANKS)
    try:
        collate = mixup.FastCollateMixup(mixup_alpha=1.0, cutmix_alpha=1.0, mode="elem",
                                         num_classes=5, seed=21, return_plan=True)
        sampler = torch.utils.data.distributed.DistributedSampler(Photos(), shuffle=True, seed=0)
        loader = torch.utils.data.DataLoader(Photos(), batch_size=4, sampler=sampler,
                                             num_workers=WORKERS, collate_fn=collate)
        batches = []
        for epoch in range(EPOCHS):
            sampler.set_epoch(epoch)
            collate.set_epoch(epoch)
            for x, targets, plan in loader:
                batches.append((epoch, plan.stream, x.numpy().copy(), targets.numpy().copy()))
        torch.save(batches, f"{out}/rank{rank}.pt")
    finally:
        dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def distributed_run(tmp_path):
    torch.multiprocessing.spawn(run_rank, args=(free_port(), str(tmp_path)), nprocs=RANKS)
    return [torch.load(tmp_path / f"rank{r}.pt", weights_only=False) for r in range(RANKS)]


def test_two_ranks_two_workers_two_epochs(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = distributed_run(tmp_path / "a")
    streams = [stream for rank in first for _, stream, _, _ in rank]
    per_rank = 64 // RANKS // 4
    assert len(streams) == RANKS * EPOCHS * per_rank
    assert len(set(streams)) == len(streams), "two batches shared a stream"
    for r, rank in enumerate(first):  # rank r takes global indices g = j * R + r
        for epoch in range(EPOCHS):
            got = sorted(s for e, s, _, _ in rank if e == epoch)
            assert got == [epoch << 40 | (j * RANKS + r) for j in range(per_rank)]
    again = distributed_run(tmp_path / "b")
    for rank_a, rank_b in zip(first, again):
        for (e, s, x, t), (e2, s2, x2, t2) in zip(rank_a, rank_b):
            assert (e, s) == (e2, s2)
            assert (x == x2).all() and (t.view(np.uint32) == t2.view(np.uint32)).all()
