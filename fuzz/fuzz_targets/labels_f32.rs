//! `mixup_labels_f32`: dense targets with timm's label smoothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixup::ffi::{mixup_labels_f32, mixup_status};
use mixup_fuzz::{Arena, Spec, Unstructured, lambda, partner, room, samples, side, weights};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let n: usize = u.int_in_range(0..=12).unwrap_or(0);
    let k = side(&mut u, 20);
    let lams = if u.arbitrary().unwrap_or(false) {
        n.max(1)
    } else {
        1
    };
    let smoothing = match u.arbitrary::<u8>().unwrap_or(0) % 4 {
        0 => 0.0,
        1 => f64::from_bits(u.arbitrary().unwrap_or(0)),
        _ => lambda(&mut u),
    };
    let specs = [
        Spec::of::<i64>(n),
        Spec::of::<u32>(n),
        Spec::of::<f64>(lams),
        Spec::of::<f32>(room(n.saturating_mul(k))),
    ];
    let mut arena = Arena::new(&mut u, &specs);
    for i in 0..n {
        let raw: i64 = u.arbitrary().unwrap_or(0);
        let label = if raw % 32 == 0 {
            raw
        } else {
            raw.rem_euclid(k.max(1) as i64)
        };
        arena.set(0, i, label);
        arena.set(1, i, partner(&mut u, n));
    }
    (0..lams).for_each(|i| arena.set(2, i, lambda(&mut u)));
    let before = arena.snapshot();
    let (y, p, l, t) = (arena.ptr(0), arena.ptr(1), arena.ptr(2), arena.ptr(3));
    // SAFETY: every pointer is NULL or valid for its stated length.
    let status = unsafe {
        mixup_labels_f32(
            y,
            n,
            k,
            p,
            arena.len(1),
            l,
            arena.len(2),
            smoothing,
            t,
            arena.len(3),
        )
    };
    if status != mixup_status::Ok {
        return arena.assert_untouched(&before, &[], status as i32);
    }
    let off64 = smoothing / k as f64;
    let (off, on) = (off64 as f32, (1.0 - smoothing + off64) as f32);
    for (i, c) in samples(n, k, arena.len(3)) {
        let lam: f64 = arena.get(2, if arena.len(2) == 1 { 0 } else { i });
        let (ws, wp) = weights(lam);
        let ya: i64 = arena.get(0, i);
        let yb: i64 = arena.get(0, arena.get::<u32>(1, i) as usize);
        let hot = |y: i64| if y == c as i64 { on } else { off };
        let want = ws * hot(ya) + wp * hot(yb);
        let got: f32 = arena.get(3, i * k + c);
        assert_eq!(got.to_bits(), want.to_bits(), "sample {i} class {c}");
    }
});
