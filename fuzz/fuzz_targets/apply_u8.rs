//! `mixup_apply_u8`: timm's u8 arithmetic, in place over a permutation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixup::ffi::{mixup_apply_u8, mixup_status};
use mixup_fuzz::{Arena, Spec, Unstructured, blend_u8, lambda, permutation, room, samples, side};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let n: usize = u.int_in_range(0..=12).unwrap_or(0);
    let len = side(&mut u, 64);
    let lams = if u.arbitrary().unwrap_or(false) {
        n.max(1)
    } else {
        1
    };
    let perm = permutation(&mut u, n);
    let specs = [
        Spec::of::<u8>(room(n.saturating_mul(len))),
        Spec::of::<u32>(n),
        Spec::of::<f64>(lams),
        Spec::of::<u8>(room(len.saturating_add(n.div_ceil(8)))),
    ];
    let mut arena = Arena::new(&mut u, &specs);
    (0..n).for_each(|i| arena.set(1, i, perm[i]));
    (0..lams).for_each(|i| arena.set(2, i, lambda(&mut u)));
    let before = arena.snapshot();
    let (x, p, l, s) = (arena.ptr(0), arena.ptr(1), arena.ptr(2), arena.ptr(3));
    // SAFETY: every pointer is NULL or valid for its stated length.
    let status =
        unsafe { mixup_apply_u8(x, n, len, p, arena.len(1), l, arena.len(2), s, arena.len(3)) };
    if status != mixup_status::Ok {
        return arena.assert_untouched(&before, &[3], status as i32);
    }
    let old = |k: usize, e: usize| -> u8 { arena.was(&before, 0, k * len + e) };
    for (i, e) in samples(n, len, arena.room(0)) {
        let j = arena.get::<u32>(1, i) as usize;
        let lam: f64 = arena.get(2, if arena.len(2) == 1 { 0 } else { i });
        let got: u8 = arena.get(0, i * len + e);
        assert_eq!(
            got,
            blend_u8(lam, old(i, e), old(j, e)),
            "sample {i} element {e}"
        );
    }
});
