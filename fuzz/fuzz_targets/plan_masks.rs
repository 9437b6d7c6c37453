//! `mixup_plan_apply_masks_i32` (in place), `mixup_plan_apply_masks_into_i32`
//! and `mixup_plan_pixel_targets_i32` with a plan from the input: any ops,
//! boxes, sides and class ids. On success every element written is checked
//! against docs/DESIGN.md §9 (the partner's id inside a CutMix box, the own
//! id elsewhere; the one-hot or blended per-pixel targets, the ignored id a
//! zero vector); on error nothing but the scratch changed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixup::ffi::{
    mixup_box, mixup_plan, mixup_plan_apply_masks_i32, mixup_plan_apply_masks_into_i32,
    mixup_plan_default, mixup_plan_pixel_targets_i32, mixup_status,
};
use mixup_fuzz::{
    Arena, Spec, Unstructured, cut_box, lambda, partner, permutation, room, samples, sides, weights,
};

const IGNORE: i32 = 255;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let n: usize = u.int_in_range(0..=6).unwrap_or(0);
    let [height, width] = sides(&mut u, [6, 6]);
    let pixels = height.saturating_mul(width);
    let call: u8 = u.int_in_range(0..=2).unwrap_or(0);
    let classes: usize = match u.arbitrary::<u8>().unwrap_or(0) % 16 {
        15 => usize::MAX,
        k => usize::from(k % 5),
    };
    let ignore: i64 = if u.arbitrary().unwrap_or(false) {
        i64::from(IGNORE)
    } else {
        i64::MIN
    };
    let perm = permutation(&mut u, n);
    let dense = room(n.saturating_mul(pixels).saturating_mul(classes.min(4)));
    let specs = [
        Spec::of::<i32>(room(n.saturating_mul(pixels))),
        Spec::of::<mixup_plan>(1),
        Spec::of::<u32>(n),
        Spec::of::<f64>(n),
        Spec::of::<u8>(n),
        Spec::of::<mixup_box>(n),
        Spec::of::<i32>(room(pixels.saturating_add(n.div_ceil(32)))),
        Spec::of::<i32>(room(n.saturating_mul(pixels))),
        Spec::of::<f32>(dense),
    ];
    let mut arena = Arena::new(&mut u, &specs);
    for i in 0..arena.len(0) {
        let id: u8 = u.arbitrary().unwrap_or(0);
        arena.set(
            0,
            i,
            if id % 8 == 7 {
                IGNORE
            } else {
                i32::from(id % 5)
            },
        );
    }
    for i in 0..n {
        let p = if call == 0 {
            perm[i]
        } else {
            partner(&mut u, n)
        };
        arena.set(2, i, p);
        arena.set(3, i, lambda(&mut u));
        let op: u8 = u.arbitrary().unwrap_or(0);
        arena.set(4, i, if op % 16 == 15 { op } else { op % 3 });
        arena.set(5, i, cut_box(&mut u, height, width));
    }
    // the plan last, so that it is what the call reads even if a fault
    // laid it over another buffer
    let plan = mixup_plan {
        n,
        partners: arena.ptr(2),
        lambdas: arena.ptr(3),
        ops: arena.ptr(4),
        boxes: arena.ptr(5),
        height,
        width,
        ..mixup_plan_default()
    };
    arena.set(1, 0, plan);
    let before = arena.snapshot();
    let (m, p, s, o, t) = (
        arena.ptr(0),
        arena.ptr(1),
        arena.ptr(6),
        arena.ptr(7),
        arena.ptr(8),
    );
    // SAFETY: every pointer is NULL or valid for its stated length, the
    // plan's arrays for its `n` entries; the maps are `n * pixels` ids
    // wherever a call accepts them (checked below by `samples`).
    let status = unsafe {
        match call {
            0 => mixup_plan_apply_masks_i32(m, pixels, p, s, arena.len(6)),
            1 => mixup_plan_apply_masks_into_i32(m, pixels, p, o, arena.len(7)),
            _ => mixup_plan_pixel_targets_i32(m, pixels, p, classes, ignore, t, arena.len(8)),
        }
    };
    if status != mixup_status::Ok {
        return arena.assert_untouched(&before, &[6], status as i32);
    }
    let old = |k: usize, px: usize| -> i32 { arena.was(&before, 0, k * pixels + px) };
    // NULL ops (a fault may make them so): every sample mixes by mixup
    let ops_null = arena.get::<mixup_plan>(1, 0).ops.is_null();
    let op = |i: usize| if ops_null { 1 } else { arena.get::<u8>(4, i) };
    let inside = |i: usize, px: usize| {
        let b: mixup_box = arena.get(5, i);
        let (y, x) = (px / width, px % width);
        op(i) == 2
            && (b.y1 as usize..b.y2 as usize).contains(&y)
            && (b.x1 as usize..b.x2 as usize).contains(&x)
    };
    for (i, px) in samples(n, pixels, arena.room(0)) {
        let j = arena.get::<u32>(2, i) as usize;
        let want = if inside(i, px) {
            old(j, px)
        } else {
            old(i, px)
        };
        match call {
            0 => assert_eq!(
                arena.get::<i32>(0, i * pixels + px),
                want,
                "map {i} pixel {px}"
            ),
            1 => assert_eq!(
                arena.get::<i32>(7, i * pixels + px),
                want,
                "map {i} pixel {px}"
            ),
            _ => {
                let class = |id: i32| (i64::from(id) != ignore).then_some(id as usize);
                let (ws, wp) = weights(arena.get(3, i));
                for c in 0..classes {
                    let hot = |id: i32| if class(id) == Some(c) { 1.0f32 } else { 0.0 };
                    let value = match op(i) {
                        1 => ws * hot(old(i, px)) + wp * hot(old(j, px)),
                        _ => hot(want),
                    };
                    let got: f32 = arena.get(8, (i * classes + c) * pixels + px);
                    assert_eq!(
                        got.to_bits(),
                        value.to_bits(),
                        "map {i} class {c} pixel {px}"
                    );
                }
            }
        }
    }
});
