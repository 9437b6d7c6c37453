//! `mixup_mix_boxes`: both images' boxes, weighted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixup::ffi::{mixup_mix_boxes, mixup_status, mixup_weighted_box};
use mixup_fuzz::{Arena, Spec, Unstructured, lambda, weights};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (n1, n2) = (
        u.int_in_range(0..=6).unwrap_or(0),
        u.int_in_range(0..=6).unwrap_or(0),
    );
    let lam = lambda(&mut u);
    let drop_zero: i32 = u.int_in_range(0..=2).unwrap_or(0);
    let out_len = u.int_in_range(0..=14).unwrap_or(0);
    let specs = [
        Spec::of::<f32>(4 * n1),
        Spec::of::<i64>(n1),
        Spec::of::<f32>(4 * n2),
        Spec::of::<i64>(n2),
        Spec::of::<mixup_weighted_box>(out_len),
        Spec::of::<usize>(1),
    ];
    let mut arena = Arena::new(&mut u, &specs);
    for (k, count) in [(0, n1), (2, n2)] {
        for b in 0..count {
            // valid corners mostly; the input's bytes already gave any f32
            if u.arbitrary::<u8>().unwrap_or(0) % 8 != 0 {
                let (x1, y1): (i8, i8) = (u.arbitrary().unwrap_or(0), u.arbitrary().unwrap_or(0));
                let (w, h): (u8, u8) = (u.arbitrary().unwrap_or(0), u.arbitrary().unwrap_or(0));
                let corners = [
                    f32::from(x1),
                    f32::from(y1),
                    f32::from(x1) + f32::from(w),
                    f32::from(y1) + f32::from(h),
                ];
                corners
                    .iter()
                    .enumerate()
                    .for_each(|(e, &v)| arena.set(k, 4 * b + e, v));
            }
        }
    }
    let before = arena.snapshot();
    let (ba, ca, bb, cb) = (arena.ptr(0), arena.ptr(1), arena.ptr(2), arena.ptr(3));
    let (out, count) = (arena.ptr(4), arena.ptr(5));
    // SAFETY: every pointer is NULL or valid for its stated length.
    let status = unsafe {
        mixup_mix_boxes(
            ba,
            ca,
            n1,
            bb,
            cb,
            n2,
            lam,
            drop_zero,
            out,
            arena.len(4),
            count,
        )
    };
    if status != mixup_status::Ok {
        return arena.assert_untouched(&before, &[], status as i32);
    }
    let (ws, wp) = weights(lam);
    let mut want = Vec::new();
    for (k, count, weight) in [(0, n1, ws), (2, n2, wp)] {
        if drop_zero != 0 && weight == 0.0 {
            continue;
        }
        for b in 0..count {
            let corners: [f32; 4] = std::array::from_fn(|e| arena.get(k, 4 * b + e));
            let class: i64 = arena.get(k + 1, b);
            want.push((corners, class, weight));
        }
    }
    assert_eq!(arena.get::<usize>(5, 0), want.len());
    for (i, (corners, class, weight)) in want.into_iter().enumerate() {
        let got: mixup_weighted_box = arena.get(4, i);
        assert_eq!(
            [got.x1, got.y1, got.x2, got.y2].map(f32::to_bits),
            corners.map(f32::to_bits)
        );
        assert_eq!(
            (got.class_id, got.weight.to_bits()),
            (class, weight.to_bits())
        );
    }
});
