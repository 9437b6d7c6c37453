"""Segmentation masks against a NumPy reference written from the contract
(docs/DESIGN.md §9): every class, mode, id type and layout; the maps take
exactly the images' boxes from the same partners; bad masks write nothing."""

import numpy as np
import pytest

import mixup_exact as mixup

K = 5
IGNORE = 255
N, C, H, W = 8, 3, 12, 10


def images():
    return (np.arange(N * C * H * W) % 251).astype(np.float32).reshape(N, C, H, W)


def label_maps(dtype, seed=0):
    """A drawn shape per sample (a disc of one class on another), with an
    ignored border: a simple synthetic mask."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:H, :W]
    maps = np.empty((N, H, W), dtype=np.int64)
    for i in range(N):
        cy, cx, r = rng.integers(2, H - 2), rng.integers(2, W - 2), rng.integers(2, 5)
        maps[i] = np.where((y - cy) ** 2 + (x - cx) ** 2 <= r * r, (i + 1) % K, i % K)
        maps[i, 0, :] = IGNORE
    return maps.astype(dtype)


def recipes():
    yield "torchvision CutMix", lambda: mixup.CutMix(num_classes=K, seed=3)
    yield "torchvision MixUp", lambda: mixup.MixUp(num_classes=K, seed=3)
    for mode in ("batch", "elem", "pair", "half"):
        yield f"timm {mode}", lambda mode=mode: mixup.Mixup(
            mixup_alpha=0.8, cutmix_alpha=1.0, prob=0.9, mode=mode, num_classes=K, seed=3)


def reference(maps, plan, rows):
    """The maps of the contract: the partner's ids inside each CutMix box."""
    out = maps.copy()
    for i in range(len(maps)):
        if plan.ops[i] == mixup.OP_CUTMIX:
            y1, y2, x1, x2 = plan.boxes[i]
            out[i, y1:y2, x1:x2] = maps[plan.partners[i], y1:y2, x1:x2]
    return out[:rows]


def pixel_reference(maps, plan, rows):
    """``w_self * e_a + w_partner * e_b`` in float32, the ignored id a zero vector."""
    def onehot(m):
        return (m[:, None] == np.arange(K)[None, :, None, None]).astype(np.float32)

    a, b = onehot(maps), onehot(maps[plan.partners])
    out = a.copy()
    for i in range(len(maps)):
        lam = float(plan.lambdas[i])
        if plan.ops[i] == mixup.OP_MIXUP:
            out[i] = np.float32(lam) * a[i] + np.float32(1.0 - lam) * b[i]
        elif plan.ops[i] == mixup.OP_CUTMIX:
            y1, y2, x1, x2 = plan.boxes[i]
            out[i, :, y1:y2, x1:x2] = b[i, :, y1:y2, x1:x2]
    return out[:rows]


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64])
@pytest.mark.parametrize("layout", ["NCHW", "channels-last", "NHWC"])
def test_masks_follow_the_images_plan(dtype, layout):
    seen = set()
    for name, make in recipes():
        op = make()
        for batch in range(6):
            x = images()
            if layout == "channels-last":
                x = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
            elif layout == "NHWC":
                x = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
            x0, maps = x.copy(), label_maps(dtype, batch)
            maps0 = maps.copy()
            labels = np.arange(N) % K
            kwargs = dict(layout="NHWC") if layout == "NHWC" else {}
            out = op(x, labels, masks=maps, pixel_targets=True, ignore_index=IGNORE,
                     return_plan=True, **kwargs)
            mixed, plan = out[2], out[3]
            rows = len(out[0])
            seen.update(int(o) for o in plan.ops)
            assert mixed.masks.base is maps or mixed.masks is maps  # in place, no copy
            np.testing.assert_array_equal(maps[:rows], reference(maps0, plan, rows), err_msg=name)
            np.testing.assert_array_equal(mixed.masks, maps[:rows])
            # the same boxes from the same partners as the images
            chw = x if layout != "NHWC" else x.transpose(0, 3, 1, 2)
            chw0 = x0 if layout != "NHWC" else x0.transpose(0, 3, 1, 2)
            for i in np.flatnonzero(plan.ops[:rows] == mixup.OP_CUTMIX):
                y1, y2, x1, x2 = plan.boxes[i]
                p = plan.partners[i]
                np.testing.assert_array_equal(chw[i, :, y1:y2, x1:x2], chw0[p, :, y1:y2, x1:x2])
            dense = mixed.pixel_targets
            assert dense.dtype == np.float32 and dense.shape == (rows, K, H, W)
            want = pixel_reference(maps0, plan, rows)
            assert np.array_equal(dense.view(np.uint32), want.view(np.uint32)), name
            weights = np.where(plan.ops == mixup.OP_MIXUP, plan.lambdas, 1.0)[:rows]
            np.testing.assert_array_equal(mixed.weights, weights)
            a, b = mixed.pair()
            np.testing.assert_array_equal(b, maps[plan.partners[:rows]])
            assert mixed.ignore_index == IGNORE
    assert seen == {mixup.OP_UNMIXED, mixup.OP_MIXUP, mixup.OP_CUTMIX}


def test_ignored_pixels_survive_and_weigh_nothing():
    op = mixup.MixUp(num_classes=K, seed=1)
    x, maps = images(), label_maps(np.uint8)
    _, _, mixed = op(x, np.arange(N) % K, masks=maps, pixel_targets=True, ignore_index=IGNORE)
    assert (maps[:, 0, :] == IGNORE).all()  # mixup leaves the maps as they are
    assert (mixed.pixel_targets[:, :, 0, :] == 0).all()  # ignored on both sides
    # a pixel ignored on one side only keeps the other side's weight
    op = mixup.CutMix(num_classes=K, seed=2)
    x, maps = images(), label_maps(np.int64)
    _, _, mixed = op(x, np.arange(N) % K, masks=maps, pixel_targets=True, ignore_index=IGNORE)
    sums = mixed.pixel_targets.sum(axis=1)
    np.testing.assert_array_equal(sums == 0, maps == IGNORE)


def test_tensors_are_mixed_in_place():
    torch = pytest.importorskip("torch")
    op = mixup.Mixup(mixup_alpha=0.0, cutmix_alpha=1.0, num_classes=K, seed=5)
    x = torch.from_numpy(images())
    maps = torch.from_numpy(label_maps(np.int64))
    maps0 = maps.clone()
    _, _, mixed, plan = op(x, torch.arange(N) % K, masks=maps, pixel_targets=True,
                           ignore_index=IGNORE, return_plan=True)
    assert mixed.masks is maps or mixed.masks.data_ptr() == maps.data_ptr()
    assert isinstance(mixed.pixel_targets, torch.Tensor)
    np.testing.assert_array_equal(maps.numpy(), reference(maps0.numpy(), plan, N))
    a, b = mixed.pair()
    assert isinstance(b, torch.Tensor)


@pytest.mark.parametrize("bad,error,pattern", [
    (lambda m: m.astype(np.float32), TypeError, r"masks must hold uint8, int32 or int64"),
    (lambda m: m[:, None], ValueError, r"masks must be \[N, H, W\]"),
    (lambda m: m[:-1], ValueError, r"masks must be C-contiguous \[N, H, W\] with the images'"),
    (lambda m: m[:, :-1].copy(), ValueError, r"the images' N, H and W"),
    (lambda m: m[:, :, ::2], ValueError, r"masks must be C-contiguous"),
    (lambda m: [list(r) for r in m], TypeError, r"masks must be an array or a tensor"),
])
def test_bad_masks_write_nothing(bad, error, pattern):
    x = images()
    x0 = x.copy()
    with pytest.raises(error, match=pattern):
        mixup.CutMix(num_classes=K, seed=0)(x, np.arange(N) % K, masks=bad(label_maps(np.int64)))
    assert (x == x0).all()


def test_bad_pixel_targets_write_nothing():
    x, maps = images(), label_maps(np.int32)
    x0, maps0 = x.copy(), maps.copy()
    op = mixup.CutMix(num_classes=K, seed=0)
    with pytest.raises(ValueError, match=r"masks: a class id is negative or not below"):
        op(x, np.arange(N) % K, masks=maps, pixel_targets=True)  # 255 is no class
    with pytest.raises(ValueError, match=r"pixel_targets=True needs masks"):
        op(x, np.arange(N) % K, pixel_targets=True)
    with pytest.raises(ValueError, match=r"pixel_targets=True needs num_classes"):
        mixup.CutMix(seed=0)(x, np.eye(K, dtype=np.float32)[np.arange(N) % K], masks=maps,
                             pixel_targets=True)
    read_only = maps.copy()
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match=r"masks is read-only"):
        op(x, np.arange(N) % K, masks=read_only)
    assert (x == x0).all() and (maps == maps0).all()
