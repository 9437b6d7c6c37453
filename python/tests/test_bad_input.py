"""Bad input: a clear TypeError or ValueError that names the argument,
and nothing written."""

import numpy as np
import pytest

import mixup_exact as mixup


def images(dtype=np.float32, shape=(4, 3, 8, 8)):
    return np.arange(np.prod(shape)).reshape(shape).astype(dtype)


def fn(**kwargs):
    settings = dict(mixup_alpha=1.0, cutmix_alpha=1.0, num_classes=5, seed=0)
    settings.update(kwargs)
    return mixup.Mixup(**settings)


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int32, np.int8, np.uint16, bool])
def test_wrong_dtype(dtype):
    x = images(dtype)
    x0 = x.copy()
    with pytest.raises(TypeError, match=r"x must be float32 or uint8"):
        fn()(x, [0, 1, 2, 3])
    assert (x == x0).all()


def test_wrong_ndim():
    x = images(shape=(4, 24))
    x0 = x.copy()
    with pytest.raises(ValueError, match=r"x: CutMix needs a batch of images"):
        fn()(x, [0, 1, 2, 3])
    assert (x == x0).all()
    with pytest.raises(ValueError, match=r"x must have a batch dimension"):
        fn(cutmix_alpha=0.0)(np.zeros((), dtype=np.float32), [0])
    with pytest.raises(ValueError, match=r"layout 'NHWC' needs a 4-D x"):
        fn(cutmix_alpha=0.0)(x, [0, 1, 2, 3], layout="NHWC")


@pytest.mark.parametrize("labels,pattern", [
    ([0, 1, 5, 2], r"target\[2\] = 5 is not a class id in \[0, 5\)"),
    ([0, -1, 2, 3], r"target\[1\] = -1 is not a class id"),
    (np.array([0, 1, 2, 9], dtype=np.uint8), r"target\[3\] = 9 is not a class id"),
    ([0, 1, 2], r"target has 3 labels for a batch of 4"),
    (np.array([0, 1, 2, 2**63 + 1], dtype=np.uint64),
     r"target\[3\] = 9223372036854775809 is not a class id"),
])
def test_labels_out_of_range(labels, pattern):
    x = images()
    x0 = x.copy()
    with pytest.raises(ValueError, match=pattern):
        fn()(x, labels)
    assert (x == x0).all()


def test_a_refused_call_uses_no_stream():
    """The extension takes a call's stream only once every argument is
    checked: after refused calls, the next one mixes as a fresh recipe's
    first does."""
    recipe = fn(mode="elem")
    x = images()
    masks = np.zeros((4, 8, 8), dtype=np.uint8)
    refused = [
        ([0, 1, 5, 2], None),  # a label out of range
        ([0, 1, 2], None),  # one label short
        ([0, 1, 2, 3], masks[:, :, :7]),  # masks of other sides
        ([0, 1, 2, 3], masks[:3]),  # masks of another batch
    ]
    for labels, bad_masks in refused:
        with pytest.raises(ValueError):
            recipe(x, labels, masks=bad_masks)
    fresh, _, fresh_plan = fn(mode="elem")(images(), [0, 1, 2, 3], return_plan=True)
    got, _, plan = recipe(x, [0, 1, 2, 3], return_plan=True)
    assert plan.stream == fresh_plan.stream == 0
    assert (got == fresh).all()


@pytest.mark.parametrize("labels,error,pattern", [
    ([0.0, 1.0, 2.0, 3.0], TypeError, r"target must hold integer class ids, got float64"),
    ([[0, 1], [2, 3]], ValueError, r"target must be 1-D"),
])
def test_labels_of_the_wrong_kind(labels, error, pattern):
    x = images()
    x0 = x.copy()
    with pytest.raises(error, match=pattern):
        fn()(x, labels)
    assert (x == x0).all()


def test_read_only():
    x = images()
    x.flags.writeable = False
    with pytest.raises(ValueError, match=r"x is read-only"):
        fn()(x, [0, 1, 2, 3])
    # a read-only view of a writable array is refused too
    base = images()
    view = base.view()
    view.flags.writeable = False
    with pytest.raises(ValueError, match=r"x is read-only"):
        fn()(view, [0, 1, 2, 3])
    assert (base == images()).all()


def test_not_contiguous():
    x = images(shape=(4, 3, 8, 16))[..., ::2]
    base = x.base.copy()
    with pytest.raises(ValueError, match=r"x must be contiguous or channels-last"):
        fn()(x, [0, 1, 2, 3])
    assert (x.base == base).all()
    flat = images(shape=(8, 10))[:, ::2]
    with pytest.raises(ValueError, match=r"x must be contiguous"):
        fn(cutmix_alpha=0.0)(flat, list(range(8)))


def test_a_list_is_not_mixed():
    with pytest.raises(TypeError, match=r"x must be an array or a tensor, got list"):
        fn(cutmix_alpha=0.0)([[1.0, 2.0], [3.0, 4.0]], [0, 1])


@pytest.mark.parametrize("kwargs,pattern", [
    (dict(mixup_alpha=-1.0), r"mixup_alpha must be finite and >= 0, got -1"),
    (dict(cutmix_alpha=float("nan")), r"cutmix_alpha must be finite and >= 0"),
    (dict(prob=1.5), r"prob must be in \[0, 1\], got 1.5"),
    (dict(switch_prob=-0.1), r"switch_prob must be in \[0, 1\]"),
    (dict(mode="pairs"), r"mode must be 'batch', 'pair', 'elem' or 'half', got \"pairs\""),
    (dict(cutmix_minmax=(0.5, 0.2)), r"cutmix_minmax must be \(lo, hi\) with 0 < lo < hi <= 1"),
    (dict(cutmix_minmax=(0.1, 0.2, 0.3)), r"cutmix_minmax must be \(lo, hi\)"),
    (dict(label_smoothing=2.0), r"label_smoothing must be in \[0, 1\], got 2.0"),
    (dict(num_classes=0), r"num_classes must be at least 1, got 0"),
    (dict(seed=-1), r"seed must be in \[0, 2\*\*64\)"),
])
def test_bad_parameters(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        fn(**kwargs)


def test_bad_parameters_of_the_other_classes():
    with pytest.raises(ValueError, match=r"alpha must be > 0, got 0"):
        mixup.MixUp(alpha=0.0, num_classes=3)
    with pytest.raises(ValueError, match=r"alpha must be > 0, got nan"):
        mixup.CutMix(alpha=float("nan"), num_classes=3)
    with pytest.raises(ValueError, match=r"num_classes is needed to turn target into soft targets"):
        mixup.MixUp(alpha=1.0)(images(), [0, 1, 2, 3])
    with pytest.raises(ValueError, match=r"mean and std go together"):
        mixup.FastCollateMixup(mean=(0.5,))
    with pytest.raises(ValueError, match=r"layout must be 'chw' or 'hwc'"):
        mixup.FastCollateMixup(layout="nchw")
    with pytest.raises(TypeError, match=r"num_classes must be an int"):
        mixup.Mixup(num_classes=10.0)


def test_cutmix_box_bigger_than_the_minmax_allows():
    # minmax whose integer ranges are empty for a 2x2 image
    x = images(shape=(4, 1, 2, 2))
    x0 = x.copy()
    with pytest.raises(ValueError, match=r"drawing the plan"):
        fn(cutmix_minmax=(0.2, 0.3))(x, [0, 1, 2, 3])
    assert (x == x0).all()


def test_collate_bad_samples():
    good = np.zeros((3, 4, 4), dtype=np.uint8)
    collate = mixup.FastCollateMixup(num_classes=3, seed=0)
    with pytest.raises(TypeError, match=r"batch\[1\]\[0\] must be uint8, got float32"):
        collate([(good, 0), (good.astype(np.float32), 1)])
    with pytest.raises(ValueError, match=r"batch\[1\]\[0\] has shape \(3, 4, 5\)"):
        collate([(good, 0), (np.zeros((3, 4, 5), dtype=np.uint8), 1)])
    with pytest.raises(ValueError, match=r"batch\[0\]\[0\] must be a 3-D image"):
        collate([(np.zeros((4, 4), dtype=np.uint8), 0)])
    with pytest.raises(ValueError, match=r"target\[1\] = 3 is not a class id"):
        collate([(good, 0), (good, 3)])
    with pytest.raises(ValueError, match=r"batch is empty"):
        collate([])


def test_mix_collated_bad_images():
    collate = mixup.FastCollateMixup(num_classes=3, seed=0)
    images = np.zeros((2, 3, 4, 4), dtype=np.uint8)
    with pytest.raises(TypeError, match=r"images must be uint8, got float32"):
        collate.mix_collated(images.astype(np.float32), [0, 1])
    with pytest.raises(ValueError, match=r"images must be a 4-D batch, got shape \(3, 4, 4\)"):
        collate.mix_collated(images[0], [0, 1])
    with pytest.raises(ValueError, match=r"images must be C-contiguous"):
        collate.mix_collated(images[:, :, :, ::2], [0, 1])
    with pytest.raises(ValueError, match=r"images is empty"):
        collate.mix_collated(images[:0], [])
    images[:] = 9
    images.flags.writeable = False
    with pytest.raises(ValueError, match=r"images is read-only"):
        collate.mix_collated(images, [0, 1])
    images.flags.writeable = True
    with pytest.raises(ValueError, match=r"labels\[1\] = 3 is not a class id"):
        collate.mix_collated(images, [0, 3])
    with pytest.raises(ValueError, match=r"out is for output='float32'"):
        collate.mix_collated(images, [0, 1], out=np.zeros((2, 3, 4, 4), dtype=np.float32))
    assert (images == 9).all()
    # no stream was used up: the next batch mixes as a fresh collate's first
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(4, 3, 4, 4), dtype=np.uint8)
    fresh = mixup.FastCollateMixup(num_classes=3, seed=0).mix_collated(images.copy(), [0, 1, 2, 0])
    got = collate.mix_collated(images, [0, 1, 2, 0])
    assert all((np.asarray(a) == np.asarray(b)).all() for a, b in zip(got, fresh))


def test_collate_bad_out():
    samples = [(np.zeros((3, 4, 4), dtype=np.uint8), k) for k in range(2)]
    collate = mixup.FastCollateMixup(num_classes=3, seed=0, mean=(0, 0, 0), std=(1, 1, 1))
    out = np.full((2, 3, 4, 5), 7.0, dtype=np.float32)
    with pytest.raises(ValueError, match=r"out must have shape \[2, 3, 4, 4\]"):
        collate(samples, out=out)
    assert (out == 7.0).all()
    out = np.full((2, 3, 4, 4), 7.0, dtype=np.float32)
    out.flags.writeable = False
    with pytest.raises(ValueError, match=r"out is read-only"):
        collate(samples, out=out)
    assert (out == 7.0).all()
    # the extension refused both before it took a stream: this is stream 0
    collate.return_plan = True
    assert collate(samples)[2].stream == 0
    with pytest.raises(ValueError, match=r"std must be finite and non-zero"):
        mixup.FastCollateMixup(num_classes=3, seed=0, mean=(0, 0, 0), std=(1, 0, 1))(samples)


def test_dense_targets():
    x = images()
    x0 = x.copy()
    rows = np.full((4, 5), 0.2, dtype=np.float32)
    with pytest.raises(TypeError, match=r"target must be float32 when dense"):
        mixup.MixUp(num_classes=5)(x, rows.astype(np.float64))
    with pytest.raises(ValueError, match=r"target has 3 columns, num_classes is 5"):
        mixup.MixUp(num_classes=5)(x, rows[:, :3].copy())
    with pytest.raises(ValueError, match=r"target has 2 rows for a batch of 4"):
        mixup.CutMix(num_classes=5)(x, rows[:2].copy())
    with pytest.raises(ValueError, match=r"dense targets need multi_label=True"):
        fn()(x, rows)
    with pytest.raises(ValueError, match=r"multi_label needs dense targets"):
        fn(multi_label=True)(x, [0, 1, 2, 3])
    assert (x == x0).all()


def test_native_dense_targets_are_checked_before_anything_is_written():
    from mixup_exact import _native

    config = _native.Config(mixup_alpha=1.0, cutmix_alpha=0.0, prob=1.0, switch_prob=0.5,
                            mode="batch", pairing="roll", recipe="torchvision",
                            correct_lam=True)
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    x0 = x.copy()
    rows = np.ones((3, 2), dtype=np.float32)
    targets, _, _ = _native.mix_in_place(config, x, None, rows, 1, 0.0, None, 1, 0)
    assert targets.shape == (3, 2) and np.array_equal(targets, rows)
    x[:] = x0
    bad = [
        ((None, rows[:2]), r"target: "),
        ((np.zeros(3, dtype=np.int64), rows), r"not both"),
    ]
    for (labels, dense), pattern in bad:
        with pytest.raises(ValueError, match=pattern):
            _native.mix_in_place(config, x, labels, dense, 2, 0.0, None, 1, 0)
        assert np.array_equal(x, x0)
