//! `mixup_apply_into_u8_f32`: ToTensor, Normalize and the blend in one pass.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixup::ffi::{mixup_apply_into_u8_f32, mixup_image, mixup_status};
use mixup_fuzz::{Arena, Spec, Unstructured, blend, lambda, partner, room, same, samples, sides};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let n = u.int_in_range(0..=6).unwrap_or(0);
    let [channels, pixels] = sides(&mut u, [5, 40]);
    let layouts: (u32, u32) = (
        u.int_in_range(0..=2).unwrap_or(0),
        u.int_in_range(0..=2).unwrap_or(0),
    );
    let normalize = u.arbitrary().unwrap_or(false);
    let lams = if u.arbitrary().unwrap_or(false) {
        n.max(1)
    } else {
        1
    };
    let len = channels * pixels; // zero where a side is HUGE
    let per_channel = if normalize { channels } else { 0 };
    let specs = [
        Spec::of::<u8>(n * len),
        Spec::of::<mixup_image>(1),
        Spec::of::<u32>(n),
        Spec::of::<f64>(lams),
        Spec::of::<f32>(room(per_channel)),
        Spec::of::<f32>(room(per_channel)),
        Spec::of::<f32>(n * len),
    ];
    let mut arena = Arena::new(&mut u, &specs);
    (0..n).for_each(|i| arena.set(2, i, partner(&mut u, n)));
    (0..lams).for_each(|i| arena.set(3, i, lambda(&mut u)));
    for c in 0..room(per_channel) {
        // usual constants mostly; the input's bytes already gave any f32
        if u.arbitrary::<u8>().unwrap_or(0) % 4 != 0 {
            arena.set(4, c, f32::from(u.arbitrary::<i8>().unwrap_or(0)) / 64.0);
            arena.set(
                5,
                c,
                f32::from(u.int_in_range(1u8..=255).unwrap_or(1)) / 128.0,
            );
        }
    }
    // the shape last, so that it is what the call reads even if a fault
    // laid it over another buffer
    let image = mixup_image {
        struct_size: size_of::<mixup_image>(),
        channels,
        pixels,
        input_layout: layouts.0,
        output_layout: layouts.1,
    };
    arena.set(1, 0, image);
    let before = arena.snapshot();
    let (x, img, p, l) = (arena.ptr(0), arena.ptr(1), arena.ptr(2), arena.ptr(3));
    let (mean, std, out) = (arena.ptr(4), arena.ptr(5), arena.ptr(6));
    // SAFETY: every pointer is NULL or valid for its stated length.
    let status = unsafe {
        mixup_apply_into_u8_f32(
            x,
            n,
            img,
            p,
            arena.len(2),
            l,
            arena.len(3),
            mean,
            arena.len(4),
            std,
            arena.len(5),
            out,
            arena.len(6),
        )
    };
    if status != mixup_status::Ok {
        return arena.assert_untouched(&before, &[], status as i32);
    }
    let normalize = arena.len(4) > 0;
    let at = |layout: u32, c: usize, p: usize| {
        if layout == 0 {
            p * channels + c
        } else {
            c * pixels + p
        }
    };
    let v = |u: u8, c: usize| {
        let x = f32::from(u) / 255.0;
        if normalize {
            (x - arena.get::<f32>(4, c)) / arena.get::<f32>(5, c)
        } else {
            x
        }
    };
    for (i, e) in samples(n, len, arena.room(0)) {
        let j = arena.get::<u32>(2, i) as usize;
        let lam: f64 = arena.get(3, if arena.len(3) == 1 { 0 } else { i });
        let (c, p) = (e / pixels, e % pixels);
        let (a, b) = (
            arena.get(0, i * len + at(layouts.0, c, p)),
            arena.get(0, j * len + at(layouts.0, c, p)),
        );
        let want = blend(lam, v(a, c), v(b, c));
        let got: f32 = arena.get(6, i * len + at(layouts.1, c, p));
        assert!(
            same(got, want),
            "sample {i} c {c} p {p}: {got:e}, want {want:e}; {}",
            arena.layout()
        );
    }
});
