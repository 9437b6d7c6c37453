"""Against PyTorch itself: tensors in place (contiguous and channels-last),
torchvision v2's MixUp and CutMix and timm's Mixup and FastCollateMixup
with our lambdas and boxes forced on them, and a DataLoader with 2
workers. Skipped, with one line, where PyTorch is not installed."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed: torch, torchvision "
                            "and timm checks skipped (pip install torch torchvision timm)")

import mixup_exact as mixup  # noqa: E402
from reference import mix_images, mixup_target  # noqa: E402


def same_bits(a, b):
    a = a.detach().numpy() if isinstance(a, torch.Tensor) else a
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    assert a.shape == b.shape and a.dtype == b.dtype
    view = np.uint8 if a.dtype == np.uint8 else np.uint32
    assert (a.view(view) == b.view(view)).all()


def images(n=8, c=3, h=12, w=10, dtype=torch.float32, seed=0):
    g = torch.Generator().manual_seed(seed)
    if dtype == torch.uint8:
        return torch.randint(0, 256, (n, c, h, w), generator=g, dtype=torch.uint8)
    return torch.randn(n, c, h, w, generator=g) * 40


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8])
@pytest.mark.parametrize("memory", [torch.contiguous_format, torch.channels_last])
def test_tensors_in_place(dtype, memory):
    x = images(dtype=dtype).contiguous(memory_format=memory)
    x0 = x.clone()
    labels = torch.arange(8) % 5
    fn = mixup.Mixup(mixup_alpha=1.0, cutmix_alpha=1.0, mode="elem", num_classes=5, seed=1)
    _, targets, plan = fn(x, labels, return_plan=True)
    assert isinstance(targets, torch.Tensor) and targets.dtype == torch.float32
    assert x.is_contiguous(memory_format=memory)  # mixed where it lies
    layout = "chw" if memory == torch.contiguous_format else "hwc"
    lay = (lambda t: t.numpy()) if layout == "chw" else (lambda t: t.permute(0, 2, 3, 1).numpy())
    same_bits(lay(x), mix_images(lay(x0).copy(), plan, True, layout))
    same_bits(targets, mixup_target(labels.numpy(), 5, plan, 0.1, True))


def test_tensor_errors():
    x = images().requires_grad_()
    with pytest.raises(ValueError, match=r"x requires grad"):
        mixup.MixUp(num_classes=3)(x, torch.zeros(8, dtype=torch.long))
    with pytest.raises(TypeError, match=r"x must be float32 or uint8, got float64"):
        mixup.MixUp(num_classes=3)(images().double(), torch.zeros(8, dtype=torch.long))
    for dtype in (torch.bfloat16, torch.float16):
        with pytest.raises(TypeError, match=rf"x must be float32 or uint8.*, got {str(dtype)[6:]}"):
            mixup.Mixup(num_classes=3)(images().to(dtype), torch.zeros(8, dtype=torch.long))
    x = images()
    x0 = x.clone()
    with pytest.raises(ValueError, match=r"target\[0\] = 3 is not a class id"):
        mixup.CutMix(num_classes=3)(x, torch.full((8,), 3))
    same_bits(x, x0)


def test_torchvision_mixup_with_our_lambda():
    from torchvision.transforms import v2

    x = images(n=7)
    labels = torch.arange(7) % 4
    ours, want = x.clone(), x.clone()
    _, targets, plan = mixup.MixUp(alpha=1.0, num_classes=4, seed=5)(ours, labels,
                                                                     return_plan=True)
    tv = v2.MixUp(alpha=1.0, num_classes=4)
    tv.make_params = lambda _: dict(lam=float(plan.lambdas[0]))
    want_x, want_t = tv(want, labels)
    same_bits(ours, want_x)
    same_bits(targets, want_t)


def test_torchvision_cutmix_with_our_box():
    from torchvision.transforms import v2

    for seed in range(5):
        x = images(n=6, h=17, w=23, seed=seed)
        labels = torch.arange(6) % 4
        ours = x.clone()
        _, targets, plan = mixup.CutMix(alpha=1.0, num_classes=4, seed=seed)(
            ours, labels, return_plan=True)
        y1, y2, x1, x2 = (int(v) for v in plan.boxes[0])
        tv = v2.CutMix(alpha=1.0, num_classes=4)
        tv.make_params = lambda _: dict(box=(x1, y1, x2, y2),
                                        lam_adjusted=float(1.0 - (x2 - x1) * (y2 - y1) / (23 * 17)))
        want_x, want_t = tv(x.clone(), labels)
        same_bits(ours, want_x)
        same_bits(targets, want_t)


def force_timm(fn, plan, mode, monkeypatch):
    """Makes timm's ``Mixup`` / ``FastCollateMixup`` draw our plan."""
    import timm.data.mixup as timm_mixup

    n = len(plan.ops)
    draws = n if mode == "elem" else n // 2
    if mode == "half":
        draws = n // 2
    cut = (plan.ops == mixup.OP_CUTMIX)[:draws]
    # a CutMix draw's own lambda (before the box corrects it) is below 1
    # even where its box came out empty; the forced box brings lam'
    lam = np.where(plan.ops == mixup.OP_UNMIXED, 1.0, plan.lambdas)[:draws]
    lam = np.where(cut, 0.5, lam).astype(np.float32)
    fn._params_per_elem = lambda size: (lam[:size].copy(), cut[:size].copy())
    fn._params_per_batch = lambda: (float(lam[0]) if cut[0] else float(plan.lambdas[0]),
                                    bool(cut[0]))
    boxes = iter([(tuple(int(v) for v in plan.boxes[i]), float(plan.lambdas[i]))
                  for i in range(n) if plan.ops[i] == mixup.OP_CUTMIX])

    def box_and_lam(shape, lam, ratio_minmax=None, correct_lam=True, count=None):
        (y1, y2, x1, x2), corrected = next(boxes)
        return (y1, y2, x1, x2), corrected

    monkeypatch.setattr(timm_mixup, "cutmix_bbox_and_lam", box_and_lam)


@pytest.mark.parametrize("mode", ["batch", "pair", "elem"])
def test_timm_mixup_with_our_plan(mode, monkeypatch):
    timm_mixup = pytest.importorskip("timm.data.mixup", reason="timm is not installed")
    for seed in range(6):
        x = images(n=8, h=16, w=16, seed=seed)
        labels = torch.arange(8) % 10
        ours = x.clone()
        fn = mixup.Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, mode=mode, num_classes=10,
                         seed=seed, prob=0.8)
        _, targets, plan = fn(ours, labels, return_plan=True)
        timm_fn = timm_mixup.Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, mode=mode, num_classes=10,
                                   prob=0.8)
        force_timm(timm_fn, plan, mode, monkeypatch)
        want = x.clone()
        want_x, want_t = timm_fn(want, labels)
        assert want_x is want
        same_bits(ours, want)
        same_bits(targets, want_t)


@pytest.mark.parametrize("mode", ["batch", "pair", "elem", "half"])
def test_timm_fast_collate_with_our_plan(mode, monkeypatch):
    timm_mixup = pytest.importorskip("timm.data.mixup", reason="timm is not installed")
    rng = np.random.default_rng(0)
    for seed in range(6):
        batch = [(rng.integers(0, 256, size=(3, 14, 11), dtype=np.uint8), k % 6) for k in range(8)]
        collate = mixup.FastCollateMixup(mixup_alpha=1.0, cutmix_alpha=1.0, mode=mode,
                                         num_classes=6, seed=seed, return_plan=True)
        ours, targets, plan = collate(batch)
        timm_fn = timm_mixup.FastCollateMixup(mixup_alpha=1.0, cutmix_alpha=1.0, mode=mode,
                                              num_classes=6)
        force_timm(timm_fn, plan, mode, monkeypatch)
        want, want_t = timm_fn([(s.copy(), k) for s, k in batch])
        same_bits(ours, want)
        same_bits(targets, want_t)


class Images(torch.utils.data.Dataset):
    def __len__(self):
        return 48

    def __getitem__(self, i):
        g = np.random.default_rng(i)
        return g.integers(0, 256, size=(3, 8, 8), dtype=np.uint8), i % 5


def load(workers, seed=3, context=None):
    collate = mixup.FastCollateMixup(mixup_alpha=1.0, cutmix_alpha=1.0, mode="elem",
                                     num_classes=5, seed=seed, return_plan=True)
    loader = torch.utils.data.DataLoader(Images(), batch_size=8, num_workers=workers,
                                         collate_fn=collate, multiprocessing_context=context)
    return list(loader)


@pytest.mark.parametrize("context", [None, "spawn"])
def test_dataloader_with_two_workers(context):
    first = load(2, context=context)
    assert len(first) == 6
    lambdas = [tuple(plan.lambdas) for _, _, plan in first]
    assert len(set(lambdas)) == 6, "every batch must have its own lambdas"
    assert sorted(plan.stream for _, _, plan in first) == list(range(6))
    again = load(2)
    alone = load(0)
    for (x, t, p), (x2, t2, p2), (x0, t0, p0) in zip(first, again, alone):
        assert isinstance(x, torch.Tensor) and x.dtype == torch.uint8
        same_bits(x, x2)
        same_bits(t, t2)
        same_bits(x, x0)  # the same with no workers at all
        same_bits(t, t0)
        assert p.stream == p0.stream


class Shared:
    """A collate that also says whether its batch was in shared memory
    where it was made."""

    def __init__(self, **kwargs):
        self.collate = mixup.FastCollateMixup(mixup_alpha=1.0, cutmix_alpha=1.0, mode="elem",
                                              num_classes=5, seed=5, layout="hwc", **kwargs)

    def __call__(self, batch):
        x, t = self.collate([(s.transpose(1, 2, 0).copy(), k) for s, k in batch])
        return x, t, x.is_shared()


@pytest.mark.parametrize("kwargs", [{}, {"mean": (0.5, 0.4, 0.3), "std": (0.2, 0.3, 0.4)}],
                         ids=["uint8", "float32"])
def test_workers_make_their_batch_in_shared_memory(kwargs):
    """As default_collate: the DataLoader then hands it over as it is,
    without copying it into shared memory first."""
    def run(workers):
        loader = torch.utils.data.DataLoader(Images(), batch_size=8, num_workers=workers,
                                             collate_fn=Shared(**kwargs))
        return list(loader)
    alone, workers = run(0), run(2)
    assert len(workers) == 6
    for (x0, t0, shared0), (x, t, shared) in zip(alone, workers):
        assert shared, "a worker's batch must be made in shared memory"
        assert not shared0, "outside a worker, the batch is ordinary memory"
        assert x.dtype == (torch.uint8 if not kwargs else torch.float32)
        same_bits(x, x0)
        same_bits(t, t0)


def plans_over_epochs(workers, context=None, persistent=False, epochs=3):
    collate = mixup.FastCollateMixup(mixup_alpha=1.0, cutmix_alpha=1.0, mode="elem",
                                     num_classes=5, seed=9, return_plan=True)
    loader = torch.utils.data.DataLoader(Images(), batch_size=8, num_workers=workers,
                                         collate_fn=collate, multiprocessing_context=context,
                                         persistent_workers=persistent)
    runs = []
    for epoch in range(epochs):
        collate.set_epoch(epoch)
        runs.append([(x, plan) for x, _, plan in loader])
    return runs


@pytest.mark.parametrize("context", [None, "spawn"])
def test_persistent_workers_follow_set_epoch(context):
    alone = plans_over_epochs(0)
    for persistent in (False, True):
        runs = plans_over_epochs(2, context, persistent)
        for epoch, (got, want) in enumerate(zip(runs, alone)):
            assert [p.stream for _, p in got] == [epoch << 40 | g for g in range(6)]
            for (x, p), (x0, p0) in zip(got, want):
                assert p.stream == p0.stream
                assert (p.lambdas == p0.lambdas).all() and (p.boxes == p0.boxes).all()
                same_bits(x, x0)
    # and the epochs differ from each other
    assert not (alone[0][0][1].lambdas == alone[1][0][1].lambdas).all()


def test_torchvision_with_probability_labels():
    from torchvision.transforms import v2

    x = images(n=6)
    labels = torch.softmax(torch.randn(6, 4, generator=torch.Generator().manual_seed(0)), -1)
    ours = x.clone()
    _, targets, plan = mixup.MixUp(alpha=1.0, num_classes=4, seed=8)(ours, labels, return_plan=True)
    tv = v2.MixUp(alpha=1.0, num_classes=4)
    tv.make_params = lambda _: dict(lam=float(plan.lambdas[0]))
    want_x, want_t = tv(x.clone(), labels)
    same_bits(ours, want_x)
    same_bits(targets, want_t)


@pytest.mark.parametrize("mode", ["batch", "pair", "elem"])
def test_timm_multi_label_with_our_plan(mode, monkeypatch):
    timm_mixup = pytest.importorskip("timm.data.mixup", reason="timm is not installed")
    import inspect

    if "multi_label" not in inspect.signature(timm_mixup.Mixup).parameters:
        pytest.skip("this timm has no multi_label")
    x = images(n=8, h=16, w=16, seed=3)
    rows = (torch.rand(8, 7, generator=torch.Generator().manual_seed(1)) < 0.3).float()
    ours = x.clone()
    fn = mixup.Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, mode=mode, num_classes=7, seed=5,
                     multi_label=True)
    _, targets, plan = fn(ours, rows, return_plan=True)
    timm_fn = timm_mixup.Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, mode=mode, num_classes=7,
                               multi_label=True)
    force_timm(timm_fn, plan, mode, monkeypatch)
    want_x, want_t = timm_fn(x.clone(), rows)
    same_bits(ours, want_x)
    same_bits(targets, want_t)


def test_a_view_is_mixed_where_it_lies():
    big = images(n=8)
    before = big.clone()
    view = big[2:6]  # a storage offset, shared memory
    _, _, plan = mixup.MixUp(num_classes=3, seed=1)(view, torch.tensor([0, 1, 2, 0]),
                                                     return_plan=True)
    lam = float(plan.lambdas[0])
    same_bits(big[2:6], before[2:6] * lam + before[2:6].roll(1, 0) * (1 - lam))
    same_bits(big[:2], before[:2])
    same_bits(big[6:], before[6:])
