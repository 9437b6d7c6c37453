//! `mixup_batch_f32` with the whole recipe: mixup and CutMix switched,
//! torchvision's or timm's boxes, `minmax`, `correct_lam`, every
//! granularity and layout, and shapes that may not fit. On success the
//! plan is drawn again through the Rust API and every element, target and
//! reported value is checked; on error nothing but the workspace changed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixup::ffi::{
    mixup_batch_f32, mixup_batch_outputs, mixup_batch_outputs_default, mixup_box, mixup_config,
    mixup_config_default, mixup_rng, mixup_status, mixup_workspace_size,
};
use mixup::{CutBox, Granularity, MixConfig, MixRng, Op, Pairing, Recipe, TimmRule};
use mixup_fuzz::{Arena, HUGE, Spec, Unstructured, blend, lambda, same, samples, weights};

/// A Beta shape: off, timm's, or any bits.
fn shape(u: &mut Unstructured<'_>) -> f64 {
    match u.arbitrary::<u8>().unwrap_or(0) % 5 {
        0 => 0.0,
        1 => 0.8,
        2 => f64::from_bits(u.arbitrary().unwrap_or(0)),
        _ => 1.0,
    }
}

/// The Rust configuration the C one stands for (already accepted).
fn rust_config(c: &mixup_config) -> MixConfig {
    let minmax = (c.minmax_lo, c.minmax_hi) != (0.0, 0.0);
    MixConfig {
        alpha: c.alpha,
        beta: c.beta,
        prob: c.prob,
        pairing: [
            Pairing::Roll(c.roll_shift),
            Pairing::Flip,
            Pairing::Permutation,
            Pairing::Cycle,
        ][c.pairing as usize],
        granularity: [
            Granularity::Batch,
            Granularity::Elem,
            Granularity::Pair,
            Granularity::Half,
        ][c.granularity as usize],
        cutmix_alpha: c.cutmix_alpha,
        switch_prob: c.switch_prob,
        recipe: match c.recipe {
            0 => Recipe::TorchVision,
            r => Recipe::Timm {
                correct_lam: c.correct_lam == 1,
                minmax: minmax.then_some((c.minmax_lo, c.minmax_hi)),
                rule: [TimmRule::Since1_0_29, TimmRule::UpTo1_0_28][r as usize - 1],
            },
        },
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let n = u.int_in_range(0..=8).unwrap_or(0);
    let (c, h, w) = (
        u.int_in_range(1..=3).unwrap_or(1),
        u.int_in_range(1..=9).unwrap_or(1),
        u.int_in_range(1..=9).unwrap_or(1),
    );
    let mut len = match u.arbitrary::<u8>().unwrap_or(0) % 16 {
        0 => c * h * w + 1,
        1 => c * h * w - 1,
        _ => c * h * w,
    };
    let k = u.int_in_range(1..=5).unwrap_or(1);
    let mut config = mixup_config_default();
    config.alpha = shape(&mut u);
    config.beta = config.alpha;
    config.cutmix_alpha = shape(&mut u);
    config.switch_prob = lambda(&mut u);
    config.prob = lambda(&mut u);
    config.label_smoothing = if u.arbitrary().unwrap_or(false) {
        0.1
    } else {
        0.0
    };
    config.roll_shift = u.arbitrary().unwrap_or(1);
    config.pairing = u.int_in_range(0..=4).unwrap_or(0);
    config.granularity = u.int_in_range(0..=4).unwrap_or(0);
    config.recipe = u.int_in_range(0..=3).unwrap_or(0);
    config.correct_lam = u.int_in_range(0..=2).unwrap_or(1);
    config.layout = u.int_in_range(0..=2).unwrap_or(1);
    if u.arbitrary::<u8>().unwrap_or(0) % 4 == 0 {
        (config.minmax_lo, config.minmax_hi) = (lambda(&mut u), lambda(&mut u));
    }
    (config.height, config.width) = match u.arbitrary::<u8>().unwrap_or(0) % 16 {
        0 => (0, w),
        1 => (h, w + 1),
        2 => (usize::MAX, 2),
        3 | 4 => {
            len = 0; // an empty image with a side no check could walk
            if u.arbitrary().unwrap_or(false) {
                (HUGE, 0)
            } else {
                (0, HUGE)
            }
        }
        _ => (h, w),
    };
    let mut bytes = 0;
    // SAFETY: a valid out-pointer.
    unsafe { mixup_workspace_size(n, len, &mut bytes) };
    let specs = [
        Spec::of::<mixup_rng>(1),
        Spec::of::<mixup_config>(1),
        Spec::of::<f32>(n * len),
        Spec::of::<i64>(n),
        Spec::of::<f32>(n * k),
        Spec::of::<u64>(bytes.div_ceil(8)),
        Spec::of::<f64>(n),
        Spec::of::<u32>(n),
        Spec::of::<u8>(n),
        Spec::of::<mixup_box>(n),
    ];
    let mut arena = Arena::new(&mut u, &specs);
    for i in 0..n {
        let raw: i64 = u.arbitrary().unwrap_or(0);
        arena.set(
            3,
            i,
            if raw % 32 == 0 {
                raw
            } else {
                raw.rem_euclid(k as i64)
            },
        );
    }
    arena.set(1, 0, config);
    let before = arena.snapshot();
    let rng_before: mixup_rng = arena.get(0, 0);
    let ws_bytes = if arena.len(5) == bytes.div_ceil(8) {
        bytes
    } else {
        arena.len(5) * 8
    };
    let (rng, cfg, x, y, t, ws) = (
        arena.ptr(0),
        arena.ptr(1),
        arena.ptr(2),
        arena.ptr(3),
        arena.ptr(4),
        arena.ptr(5),
    );
    let (lo, po, oo, bo) = (arena.ptr(6), arena.ptr(7), arena.ptr(8), arena.ptr(9));
    // SAFETY: every pointer is NULL or valid for its stated length.
    let status = unsafe {
        let outputs = mixup_batch_outputs {
            targets: t,
            targets_len: arena.len(4),
            lambdas: lo,
            lambdas_len: arena.len(6),
            partners: po,
            partners_len: arena.len(7),
            ops: oo,
            ops_len: arena.len(8),
            boxes: bo,
            boxes_len: arena.len(9),
            ..mixup_batch_outputs_default()
        };
        mixup_batch_f32(
            rng,
            cfg,
            x,
            n,
            len,
            y,
            arena.len(3),
            k,
            ws,
            ws_bytes,
            &outputs,
        )
    };
    if status != mixup_status::Ok {
        return arena.assert_untouched(&before, &[5], status as i32);
    }
    // The plan, drawn again through the Rust API from the same state.
    let config: mixup_config = arena.get(1, 0);
    let rust = rust_config(&config);
    let mut r = MixRng::from_state(rng_before.s);
    let (mut partners, mut lams) = (vec![0u32; n], vec![0.0; n]);
    let (mut ops, mut boxes) = (vec![Op::Unmixed; n], vec![CutBox::default(); n]);
    // the image the call accepted: the config's sides, channels filling a sample
    let (h, w) = (config.height, config.width);
    let c = if rust.cutmix_on() {
        let area = h.checked_mul(w).expect("accepted sides");
        let c = if area == 0 { 0 } else { len / area };
        assert!(c * area == len && (c >= 1 || len == 0), "accepted shape");
        let sides = (h, w);
        rust.draw_with_boxes(
            &mut r,
            sides,
            &mut partners,
            &mut lams,
            &mut ops,
            &mut boxes,
        )
        .unwrap();
        c
    } else {
        rust.draw(&mut r, &mut partners, &mut lams, Some(&mut ops))
            .unwrap();
        c
    };
    assert_eq!(arena.get::<mixup_rng>(0, 0).s, r.state(), "generator");
    let chw = config.layout == 1;
    for i in 0..n {
        if arena.len(6) == n {
            assert_eq!(
                arena.get::<f64>(6, i).to_bits(),
                lams[i].to_bits(),
                "lambda {i}"
            );
        }
        if arena.len(7) == n {
            assert_eq!(arena.get::<u32>(7, i), partners[i], "partner {i}");
        }
        if arena.len(8) == n {
            assert_eq!(arena.get::<u8>(8, i), ops[i] as u8, "op {i}");
        }
        if arena.len(9) == n {
            assert_eq!(arena.get::<mixup_box>(9, i), boxes[i], "box {i}");
        }
        if ops[i] == Op::CutMix {
            assert!(boxes[i].fits(h, w));
        }
        let s = config.label_smoothing;
        let (off, on) = ((s / k as f64) as f32, (1.0 - s + s / k as f64) as f32);
        let (ws, wp) = weights(lams[i]);
        let (ya, yb): (i64, i64) = (arena.get(3, i), arena.get(3, partners[i] as usize));
        for class in 0..k {
            let hot = |y: i64| if y == class as i64 { on } else { off };
            let got: f32 = arena.get(4, i * k + class);
            assert_eq!(
                got.to_bits(),
                (ws * hot(ya) + wp * hot(yb)).to_bits(),
                "target {i} {class}"
            );
        }
    }
    let old = |s: usize, e: usize| -> f32 { arena.was(&before, 2, s * len + e) };
    for (i, e) in samples(n, len, arena.room(2)) {
        // where element e is, for a CutMix sample (whose image is known)
        let inside = ops[i] == Op::CutMix && {
            let (yy, xx) = if chw {
                (e / w % h, e % w)
            } else {
                (e / (w * c), e / c % w)
            };
            let b = boxes[i];
            (b.y1 as usize..b.y2 as usize).contains(&yy)
                && (b.x1 as usize..b.x2 as usize).contains(&xx)
        };
        let p = partners[i] as usize;
        let want = match ops[i] {
            Op::Unmixed => old(i, e),
            Op::Mixup => blend(lams[i], old(i, e), old(p, e)),
            Op::CutMix if inside => old(p, e),
            Op::CutMix => old(i, e),
        };
        assert!(
            same(arena.get(2, i * len + e), want),
            "sample {i} element {e}"
        );
    }
});
