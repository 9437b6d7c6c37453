"""Bit for bit against the formulas in NumPy float32: images, timm's
``mixup_target`` with smoothing, the CutMix paste and the uint8 rounding.
No PyTorch needed."""

import numpy as np
import pytest

import mixup_exact as mixup
from reference import mix_images, mixup_target, to_tensor_normalize, weights

MODES = ["batch", "pair", "elem", "half"]
RECIPES = [(0.8, 0.0), (0.0, 1.0), (0.8, 1.0), (0.2, 0.0)]


def batch(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    if dtype == np.uint8:
        return rng.integers(0, 256, size=shape, dtype=np.uint8)
    x = rng.standard_normal(shape, dtype=np.float32)
    return x * np.float32(50)  # spread the exponents


def check_bits(got, want):
    got, want = np.asarray(got), np.asarray(want)  # tensors too, when PyTorch is loaded
    assert got.dtype == want.dtype and got.shape == want.shape
    same = got.view(np.uint8 if got.dtype == np.uint8 else np.uint32) == want.view(
        np.uint8 if want.dtype == np.uint8 else np.uint32
    )
    assert same.all(), f"{(~same).sum()} of {same.size} elements differ"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("alphas", RECIPES)
@pytest.mark.parametrize("dtype", [np.float32, np.uint8])
@pytest.mark.parametrize("layout", [None, "NHWC"])
def test_timm_mixup_in_place(mode, alphas, dtype, layout):
    n, c, h, w = 10, 3, 13, 17
    shape = (n, c, h, w) if layout is None else (n, h, w, c)
    mixed_any = cut_any = False
    for seed in range(6):
        x = batch(dtype, shape, seed)
        x0 = x.copy()
        labels = np.random.default_rng(seed).integers(0, 7, size=n)
        fn = mixup.Mixup(mixup_alpha=alphas[0], cutmix_alpha=alphas[1], mode=mode,
                         label_smoothing=0.1, num_classes=7, seed=seed, prob=0.9)
        out, targets, plan = fn(x, labels, layout=layout, return_plan=True)
        f32_rule = mode != "batch"
        rows = n // 2 if mode == "half" else None
        assert np.shares_memory(out, x) and len(out) == (rows or n)
        want = mix_images(x0, plan, f32_rule, "chw" if layout is None else "hwc")
        check_bits(x, want)
        check_bits(targets, mixup_target(labels, 7, plan, 0.1, f32_rule, rows))
        assert targets.shape == ((rows or n), 7)
        assert (plan.partners == n - 1 - np.arange(n)).all()  # timm's flip
        if mode == "half":
            assert (plan.ops[n // 2:] == mixup.OP_UNMIXED).all()
            check_bits(x[n // 2:], x0[n // 2:])
        for i in np.flatnonzero(plan.ops == mixup.OP_CUTMIX):
            y1, y2, x1, x2 = plan.boxes[i]
            lam = 1.0 - (y2 - y1) * (x2 - x1) / (h * w)  # corrected
            assert plan.lambdas[i] == (np.float32(lam) if f32_rule else lam)
        mixed_any |= bool((plan.ops == mixup.OP_MIXUP).any())
        cut_any |= bool((plan.ops == mixup.OP_CUTMIX).any())
    assert mixed_any == (alphas[0] > 0)
    assert cut_any == (alphas[1] > 0)


@pytest.mark.parametrize("dtype", [np.float32, np.uint8])
def test_channels_last_strides(dtype):
    # an (N, C, H, W) array whose memory is NHWC, as a channels_last tensor
    n, c, h, w = 6, 3, 11, 9
    nhwc = batch(dtype, (n, h, w, c), 3)
    x = nhwc.transpose(0, 3, 1, 2)
    assert not x.flags.c_contiguous
    x0 = nhwc.copy()
    fn = mixup.Mixup(mixup_alpha=0.0, cutmix_alpha=1.0, num_classes=5, seed=9, mode="elem")
    *_, plan = fn(x, np.zeros(n, dtype=np.int64), return_plan=True)
    assert (plan.ops == mixup.OP_CUTMIX).any()
    check_bits(nhwc, mix_images(x0, plan, True, "hwc"))


@pytest.mark.parametrize("shape", [(9, 40), (4, 2, 3, 5, 7), (5,), (1, 8)])
def test_any_shape_mixup(shape):
    x = batch(np.float32, shape, 1)
    x0 = x.copy()
    fn = mixup.Mixup(mixup_alpha=1.0, num_classes=3, seed=5, mode="elem", label_smoothing=0.0)
    labels = np.arange(shape[0]) % 3
    _, targets, plan = fn(x, labels, return_plan=True)
    check_bits(x, mix_images(x0, plan, True))
    check_bits(targets, mixup_target(labels, 3, plan, 0.0, True))


def test_torchvision_mixup_and_cutmix():
    n = 7
    x = batch(np.float32, (n, 3, 16, 20), 2)
    x0 = x.copy()
    labels = np.arange(n) % 4
    images, targets, plan = mixup.MixUp(alpha=1.0, num_classes=4, seed=3)(
        x, labels, return_plan=True)
    assert images is x
    assert (plan.partners == (np.arange(n) - 1) % n).all()  # roll(1)
    assert len(set(plan.lambdas)) == 1
    check_bits(x, mix_images(x0, plan, False))
    check_bits(targets, mixup_target(labels, 4, plan, 0.0, False))

    x = x0.copy()
    images, targets, plan = mixup.CutMix(alpha=1.0, num_classes=4, seed=3)((x, labels),
                                                                          return_plan=True)
    assert (plan.ops == mixup.OP_CUTMIX).all() and len({tuple(b) for b in plan.boxes}) == 1
    y1, y2, x1, x2 = plan.boxes[0]
    assert plan.lambdas[0] == 1.0 - (y2 - y1) * (x2 - x1) / (16 * 20)
    check_bits(x, mix_images(x0, plan, False))
    check_bits(targets, mixup_target(labels, 4, plan, 0.0, False))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("layout", ["chw", "hwc"])
def test_collate_uint8(mode, layout):
    n, c, h, w = 8, 3, 12, 10
    shape = (c, h, w) if layout == "chw" else (h, w, c)
    rng = np.random.default_rng(4)
    samples = [(rng.integers(0, 256, size=shape, dtype=np.uint8), int(k % 5)) for k in range(n)]
    x0 = np.stack([s for s, _ in samples])
    collate = mixup.FastCollateMixup(mixup_alpha=1.0, cutmix_alpha=1.0, mode=mode,
                                     num_classes=5, seed=11, layout=layout, return_plan=True)
    images, targets, plan = collate(samples)
    images = np.asarray(images)  # a tensor when PyTorch is loaded
    rows = n // 2 if mode == "half" else n
    assert images.dtype == np.uint8 and images.shape == (rows,) + shape
    f32_rule = mode != "batch"
    check_bits(images, mix_images(x0, plan, f32_rule, layout, rows))
    labels = np.array([k for _, k in samples])
    check_bits(targets, mixup_target(labels, 5, plan, 0.1, f32_rule, rows))
    # the samples themselves are left as they were
    check_bits(np.stack([s for s, _ in samples]), x0)


@pytest.mark.parametrize("mode", ["batch", "elem", "half"])
@pytest.mark.parametrize("layout", ["chw", "hwc"])
@pytest.mark.parametrize("out_layout", ["chw", "hwc"])
def test_collate_fused_normalize(mode, layout, out_layout):
    n, c, h, w = 6, 3, 9, 14
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    shape = (c, h, w) if layout == "chw" else (h, w, c)
    rng = np.random.default_rng(5)
    samples = [(rng.integers(0, 256, size=shape, dtype=np.uint8), k % 3) for k in range(n)]
    collate = mixup.FastCollateMixup(mixup_alpha=0.8, cutmix_alpha=1.0, mode=mode, num_classes=3,
                                     seed=2, layout=layout, mean=mean, std=std,
                                     out_layout=out_layout, return_plan=True)
    images, targets, plan = collate(samples)
    v = to_tensor_normalize(np.stack([s for s, _ in samples]), mean, std, layout)
    want = mix_images(v, plan, mode != "batch", "chw", n // 2 if mode == "half" else None)
    if out_layout == "hwc":
        want = np.ascontiguousarray(want.transpose(0, 2, 3, 1))
    check_bits(images, want)


def test_collate_into_out():
    samples = [(np.full((2, 4, 4), k, dtype=np.uint8), k) for k in range(4)]
    out = np.empty((4, 2, 4, 4), dtype=np.float32)
    collate = mixup.FastCollateMixup(mixup_alpha=1.0, num_classes=4, seed=1, output="float32")
    images, _ = collate(samples, out=out)
    assert images is out
    again, _ = mixup.FastCollateMixup(mixup_alpha=1.0, num_classes=4, seed=1,
                                      output="float32")(samples)
    check_bits(out, again)


@pytest.mark.parametrize("output", ["uint8", "float32"])
@pytest.mark.parametrize("layout", ["chw", "hwc"])
def test_mix_collated_equals_the_collate(output, layout):
    n, shape = 8, ((3, 6, 5) if layout == "chw" else (6, 5, 3))
    rng = np.random.default_rng(6)
    samples = [(rng.integers(0, 256, size=shape, dtype=np.uint8), k % 4) for k in range(n)]
    normalize = {} if output == "uint8" else {"mean": (0.4, 0.5, 0.6), "std": (0.2, 0.3, 0.25)}
    settings = dict(mixup_alpha=1.0, cutmix_alpha=1.0, mode="elem", num_classes=4, seed=3,
                    layout=layout, output=output, **normalize)
    want, want_targets = mixup.FastCollateMixup(**settings)(samples, batch_index=5)
    stacked = np.stack([s for s, _ in samples])
    labels = np.array([k for _, k in samples])
    collate = mixup.FastCollateMixup(**settings)
    got, targets = collate.mix_collated(stacked, labels, batch_index=5)
    check_bits(got, want)
    check_bits(targets, want_targets)
    if output == "uint8":  # mixed in place, as Mixup mixes
        check_bits(stacked, want)
    else:  # into a reused output, the same bits again
        out = np.empty_like(np.asarray(want))
        again, _ = collate.mix_collated(np.stack([s for s, _ in samples]), labels, out=out,
                                        batch_index=5)
        assert again is out
        check_bits(out, want)


def test_u8_rounds_half_to_even():
    # lam = 0.5 exactly: (1 + 2) / 2 = 1.5 rounds to 2, (2 + 3) / 2 = 2.5 to 2
    x = np.array([[1], [2], [3], [2]], dtype=np.uint8)
    fn = mixup.Mixup(mixup_alpha=1.0, num_classes=2, seed=0)
    # batch mode with one lambda: find a seed whose lambda the test can use
    *_, plan = fn(x.copy(), None, return_plan=True)
    lam = float(plan.lambdas[0])
    got = x.copy()
    fn = mixup.Mixup(mixup_alpha=1.0, num_classes=2, seed=0)
    fn(got, None)
    a = x[:, 0].astype(np.float32)
    want = np.rint(a * lam + a[::-1] * (1 - lam)).astype(np.uint8)
    assert (got[:, 0] == want).all()


def test_mixup_disabled_and_prob_zero():
    x = batch(np.float32, (4, 3, 8, 8), 0)
    x0 = x.copy()
    fn = mixup.Mixup(mixup_alpha=1.0, cutmix_alpha=1.0, num_classes=4, seed=0,
                     label_smoothing=0.2)
    fn.mixup_enabled = False
    _, targets = fn(x, [0, 1, 2, 3])
    check_bits(x, x0)
    on, off = np.float32(1 - 0.2 + 0.05), np.float32(0.05)
    want = np.full((4, 4), off, dtype=np.float32)
    want[np.arange(4), np.arange(4)] = on
    check_bits(targets, want)


def dense_reference(rows, plan, f32_rule):
    """Rows mixed as torchvision's ``_mixup_label`` and timm's multi-label
    ``mixup_target`` mix them: every mixing row blended by ``lam'``."""
    out = rows.copy()
    for i in range(len(rows)):
        if plan.ops[i] != mixup.OP_UNMIXED:
            w_self, w_partner = weights(plan.lambdas[i], f32_rule)
            out[i] = rows[i] * w_self + rows[plan.partners[i]] * w_partner
    return out


@pytest.mark.parametrize("cls", [mixup.MixUp, mixup.CutMix])
def test_torchvision_dense_labels(cls):
    n, k = 6, 5
    rows = np.random.default_rng(0).dirichlet(np.ones(k), size=n).astype(np.float32)
    x = batch(np.float32, (n, 3, 9, 9), 0)
    rows0 = rows.copy()
    _, targets, plan = cls(alpha=1.0, num_classes=k, seed=4)(x, rows, return_plan=True)
    check_bits(rows, rows0)  # a new array, as torchvision returns
    check_bits(targets, dense_reference(rows0, plan, False))


@pytest.mark.parametrize("mode", MODES)
def test_timm_multi_label(mode):
    n, k, s = 8, 6, 0.1
    rows = (np.random.default_rng(1).random((n, k)) < 0.3).astype(np.float32)
    x = batch(np.float32, (n, 3, 9, 9), 1)
    fn = mixup.Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, mode=mode, num_classes=k, seed=2,
                     label_smoothing=s, multi_label=True)
    _, targets, plan = fn(x, rows, return_plan=True)
    smoothed = rows * (1.0 - s) + 0.5 * s  # timm's, in float32
    want = dense_reference(smoothed, plan, mode != "batch")
    check_bits(targets, want[: n // 2] if mode == "half" else want)
