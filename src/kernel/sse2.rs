//! The SSE2 kernel: 4 lanes, four vectors per iteration. SSE2 is part of
//! x86_64, so no run-time check is needed.

use core::arch::x86_64::{
    __m128, _mm_add_ps, _mm_loadu_ps, _mm_mul_ps, _mm_set1_ps, _mm_sfence, _mm_storeu_ps,
    _mm_stream_ps,
};

/// `out[i] = ws * a[i] + wp * b[i]`; all three have the same length.
pub(super) fn blend(out: &mut [f32], a: &[f32], b: &[f32], ws: f32, wp: f32) {
    let n = out.len().min(a.len()).min(b.len());
    // SAFETY: the three pointers are valid for `n` elements, `out` is a
    // unique borrow so it overlaps neither input.
    unsafe { blend_raw::<false>(out.as_mut_ptr(), a.as_ptr(), b.as_ptr(), n, ws, wp) }
}

/// `x[i] = ws * x[i] + wp * b[i]`; both have the same length.
pub(super) fn blend_in_place(x: &mut [f32], b: &[f32], ws: f32, wp: f32) {
    let n = x.len().min(b.len());
    let p = x.as_mut_ptr();
    // SAFETY: `p` is valid for `n` reads and writes and is both the output
    // and the first input, which `blend_raw` allows; `b` is a shared borrow
    // disjoint from the unique `x`.
    unsafe { blend_raw::<false>(p, p, b.as_ptr(), n, ws, wp) }
}

#[inline(always)]
unsafe fn mix(a: *const f32, b: *const f32, vs: __m128, vp: __m128) -> __m128 {
    // SAFETY: the caller guarantees 4 readable elements at `a` and `b`.
    unsafe {
        _mm_add_ps(
            _mm_mul_ps(vs, _mm_loadu_ps(a)),
            _mm_mul_ps(vp, _mm_loadu_ps(b)),
        )
    }
}

/// One vector to `out`: a non-temporal store when `STREAM` (then `out` must
/// be 16-byte aligned), an ordinary one otherwise.
///
/// # Safety
/// 4 writable elements at `out`.
#[inline(always)]
unsafe fn store<const STREAM: bool>(out: *mut f32, v: __m128) {
    // SAFETY: the caller's promise; `blend_raw` aligns `out` before streaming.
    unsafe {
        if STREAM {
            _mm_stream_ps(out, v);
        } else {
            _mm_storeu_ps(out, v);
        }
    }
}

/// # Safety
/// `a` and `b` must be readable and `out` writable for `n` elements. `out`
/// may be exactly `a` (every element is read before it is written) but must
/// not otherwise overlap `a` or `b`.
unsafe fn blend_raw<const STREAM: bool>(
    out: *mut f32,
    a: *const f32,
    b: *const f32,
    n: usize,
    ws: f32,
    wp: f32,
) {
    // A scalar head of at most 3 brings `out` to 16-byte alignment, as
    // streaming stores require.
    let head = ((16 - out as usize % 16) % 16 / 4).min(n);
    let scalar = |i: usize| {
        // SAFETY: called only for indices below `n`.
        unsafe { *out.add(i) = ws * *a.add(i) + wp * *b.add(i) }
    };
    (0..head).for_each(scalar);
    let mut i = head;
    // SAFETY: for the whole block: SSE2 is part of x86_64; every access is at an
    // index below `n`, checked by the loop conditions, at `out.add(i)`
    // 16-byte aligned; all loads of an iteration come before its stores,
    // so `out == a` reads original values.
    unsafe {
        let (vs, vp) = (_mm_set1_ps(ws), _mm_set1_ps(wp));
        while i + 16 <= n {
            let r0 = mix(a.add(i), b.add(i), vs, vp);
            let r1 = mix(a.add(i + 4), b.add(i + 4), vs, vp);
            let r2 = mix(a.add(i + 8), b.add(i + 8), vs, vp);
            let r3 = mix(a.add(i + 12), b.add(i + 12), vs, vp);
            store::<STREAM>(out.add(i), r0);
            store::<STREAM>(out.add(i + 4), r1);
            store::<STREAM>(out.add(i + 8), r2);
            store::<STREAM>(out.add(i + 12), r3);
            i += 16;
        }
        while i + 4 <= n {
            store::<STREAM>(out.add(i), mix(a.add(i), b.add(i), vs, vp));
            i += 4;
        }
        (i..n).for_each(scalar);
        if STREAM {
            _mm_sfence();
        }
    }
}

/// `out[i] = ws * a[i] + wp * b[i]` with non-temporal stores.
pub(super) fn blend_stream(out: &mut [f32], a: &[f32], b: &[f32], ws: f32, wp: f32) {
    let n = out.len().min(a.len()).min(b.len());
    // SAFETY: as in `blend`.
    unsafe { blend_raw::<true>(out.as_mut_ptr(), a.as_ptr(), b.as_ptr(), n, ws, wp) }
}
