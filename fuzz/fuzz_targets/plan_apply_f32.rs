//! `mixup_plan_apply_f32` (in place) and `mixup_plan_apply_into_f32` (out
//! of place) with a plan from the input: any ops, boxes, image sides and
//! layout, as a whole or as one part of several. On success every element
//! of the written samples is checked against the op's formula (unmixed,
//! the blend, or the partner's pixel inside the box); on error nothing but
//! the scratch changed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixup::ffi::{
    mixup_box, mixup_plan, mixup_plan_apply_f32, mixup_plan_apply_into_f32, mixup_plan_default,
    mixup_status,
};
use mixup_fuzz::{
    Arena, Spec, Unstructured, blend, cut_box, lambda, partner, permutation, room, same, samples,
    sides,
};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let n: usize = u.int_in_range(0..=8).unwrap_or(0);
    let channels: usize = u.int_in_range(1..=3).unwrap_or(1);
    let [height, width] = sides(&mut u, [6, 6]);
    let len = channels.saturating_mul(height.saturating_mul(width));
    let in_place = u.arbitrary().unwrap_or(false);
    let parts: usize = u.int_in_range(1..=3).unwrap_or(1);
    let part: usize = u.int_in_range(0..=3).unwrap_or(0);
    let layout: u32 = u.int_in_range(0..=2).unwrap_or(1);
    let with_ops = u.arbitrary::<u8>().unwrap_or(0) % 8 != 0;
    let perm = permutation(&mut u, n);
    let specs = [
        Spec::of::<f32>(room(n.saturating_mul(len))),
        Spec::of::<mixup_plan>(1),
        Spec::of::<u32>(n),
        Spec::of::<f64>(n),
        Spec::of::<u8>(if with_ops { n } else { 0 }),
        Spec::of::<mixup_box>(n),
        Spec::of::<f32>(room(len.saturating_add(n.div_ceil(32)))),
        Spec::of::<f32>(room(n.saturating_mul(len))),
    ];
    let mut arena = Arena::new(&mut u, &specs);
    for i in 0..n {
        let p = if in_place {
            perm[i]
        } else {
            partner(&mut u, n)
        };
        arena.set(2, i, p);
        arena.set(3, i, lambda(&mut u));
        if with_ops {
            let op: u8 = u.arbitrary().unwrap_or(0);
            arena.set(4, i, if op % 16 == 15 { op } else { op % 3 });
        }
        if u.arbitrary::<u8>().unwrap_or(0) % 8 != 0 {
            arena.set(5, i, cut_box(&mut u, height, width));
        }
    }
    // the plan last, so that it is what the call reads even if a fault
    // laid it over another buffer
    let plan = mixup_plan {
        n,
        partners: arena.ptr(2),
        lambdas: arena.ptr(3),
        ops: if with_ops {
            arena.ptr(4)
        } else {
            std::ptr::null_mut()
        },
        boxes: arena.ptr(5),
        height,
        width,
        layout,
        ..mixup_plan_default()
    };
    arena.set(1, 0, plan);
    let before = arena.snapshot();
    let (x, p, s, o) = (arena.ptr(0), arena.ptr(1), arena.ptr(6), arena.ptr(7));
    // SAFETY: every pointer is NULL or valid for its stated length, the
    // plan's arrays for its `n` entries.
    let status = unsafe {
        if in_place {
            mixup_plan_apply_f32(x, len, p, s, arena.len(6), part, parts)
        } else {
            mixup_plan_apply_into_f32(x, len, p, o, arena.len(7), part, parts)
        }
    };
    if status != mixup_status::Ok {
        return arena.assert_untouched(&before, &[6], status as i32);
    }
    let plan: mixup_plan = arena.get(1, 0);
    let written = if in_place { 0 } else { 7 };
    let (first, last) = (n * part / parts, n * (part + 1) / parts);
    let old = |k: usize, e: usize| -> f32 { arena.was(&before, 0, k * len + e) };
    for (i, e) in samples(n, len, arena.room(0)) {
        let j = arena.get::<u32>(2, i) as usize;
        let op = if plan.ops.is_null() {
            1
        } else {
            arena.get::<u8>(4, i)
        };
        let b: mixup_box = arena.get(5, i);
        // the row and column of element e (HWC: layout 0, CHW: 1)
        let (y, xx) = if plan.layout == 0 {
            (e / channels / width, e / channels % width)
        } else {
            (e / width % height, e % width)
        };
        let inside = (b.y1 as usize..b.y2 as usize).contains(&y)
            && (b.x1 as usize..b.x2 as usize).contains(&xx);
        let want = match op {
            0 => old(i, e),
            1 => blend(arena.get(3, i), old(i, e), old(j, e)),
            _ if inside => old(j, e),
            _ => old(i, e),
        };
        // in place, a part writes the samples of its cycles; out of place,
        // those of its range only
        let got: f32 = arena.get(written, i * len + e);
        if in_place || (first..last).contains(&i) {
            if in_place && parts > 1 && !same(got, want) {
                // another part's cycle: still as it was
                assert!(same(got, old(i, e)), "sample {i} element {e}");
            } else {
                assert!(same(got, want), "sample {i} element {e}");
            }
        } else {
            assert!(
                same(got, arena.was(&before, 7, i * len + e)),
                "sample {i} element {e} written"
            );
        }
    }
});
