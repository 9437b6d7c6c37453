//! The AVX-512 kernel (AVX-512F): 16 lanes, eight or four vectors per
//! iteration, masked heads and tails. Only called after run-time
//! detection. Two rounded products and a rounded add per element, as
//! every backend.

use core::arch::x86_64::{
    __m128i, __m512, __m512i, __mmask16, _mm_loadu_si128, _mm_setzero_si128, _mm_sfence,
    _mm_storeu_si128, _mm512_add_ps, _mm512_cvtepi32_ps, _mm512_cvtepu8_epi32, _mm512_cvtps_epi32,
    _mm512_cvtusepi32_epi8, _mm512_loadu_ps, _mm512_mask_cvtusepi32_storeu_epi8,
    _mm512_mask_storeu_ps, _mm512_maskz_loadu_ps, _mm512_max_epi32, _mm512_mul_ps, _mm512_set1_ps,
    _mm512_setzero_ps, _mm512_setzero_si512, _mm512_storeu_ps, _mm512_stream_ps,
};

use super::avx2::prefetch;

/// Rows of up to this many f32 (16 KiB) go eight vectors an iteration,
/// longer rows four: see [`blend_raw`].
const EIGHT_VECTORS_UP_TO: usize = 4096;

/// `out[i] = ws * a[i] + wp * b[i]`.
///
/// # Safety
/// The CPU must have AVX-512F.
pub(super) unsafe fn blend(out: &mut [f32], a: &[f32], b: &[f32], ws: f32, wp: f32) {
    let n = out.len().min(a.len()).min(b.len());
    // SAFETY: AVX-512F by the caller's promise; the pointers are valid for
    // `n` elements and `out`, a unique borrow, overlaps neither input.
    unsafe { blend_raw::<false>(out.as_mut_ptr(), a.as_ptr(), b.as_ptr(), n, ws, wp) }
}

/// As [`blend`], with non-temporal stores.
///
/// # Safety
/// The CPU must have AVX-512F.
pub(super) unsafe fn blend_stream(out: &mut [f32], a: &[f32], b: &[f32], ws: f32, wp: f32) {
    let n = out.len().min(a.len()).min(b.len());
    // SAFETY: as in `blend`.
    unsafe { blend_raw::<true>(out.as_mut_ptr(), a.as_ptr(), b.as_ptr(), n, ws, wp) }
}

/// `x[i] = ws * x[i] + wp * b[i]`.
///
/// # Safety
/// The CPU must have AVX-512F.
pub(super) unsafe fn blend_in_place(x: &mut [f32], b: &[f32], ws: f32, wp: f32) {
    let n = x.len().min(b.len());
    let p = x.as_mut_ptr();
    // SAFETY: AVX-512F by the caller's promise; `p` is valid for `n` reads
    // and writes and is exactly the first input, which `blend_raw` allows;
    // `b` is disjoint from the unique `x`.
    unsafe { blend_raw::<false>(p, p, b.as_ptr(), n, ws, wp) }
}

/// The first `count` lanes, `count` in 0..=16.
#[inline(always)]
fn lanes(count: usize) -> __mmask16 {
    ((1u32 << count) - 1) as __mmask16
}

/// `out = ws * a + wp * b` for the `V * 16` elements at `out`, `a` and
/// `b`: the `V` products of `a` first, then those of `b` with their adds,
/// then the stores (all loads before any store, so `out == a` reads
/// originals). The order of the loads is the point: see [`blend_raw`].
///
/// # Safety
/// AVX-512F; `V * 16` elements readable at `a`, `b` and writable at `out`,
/// 64-byte aligned when `STREAM`.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn mix_vectors<const V: usize, const STREAM: bool>(
    out: *mut f32,
    a: *const f32,
    b: *const f32,
    vs: __m512,
    vp: __m512,
) {
    // SAFETY: the caller's promise.
    unsafe {
        let mut r = [_mm512_setzero_ps(); V];
        for (j, r) in r.iter_mut().enumerate() {
            *r = _mm512_mul_ps(vs, _mm512_loadu_ps(a.add(16 * j)));
        }
        for (j, r) in r.iter_mut().enumerate() {
            *r = _mm512_add_ps(*r, _mm512_mul_ps(vp, _mm512_loadu_ps(b.add(16 * j))));
        }
        for (j, r) in r.into_iter().enumerate() {
            store::<STREAM>(out.add(16 * j), r);
        }
    }
}

/// One vector to `out`: non-temporal when `STREAM` (then `out` must be
/// 64-byte aligned).
///
/// # Safety
/// AVX-512F and 16 writable elements at `out`.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn store<const STREAM: bool>(out: *mut f32, v: __m512) {
    // SAFETY: the caller's promise; `blend_raw` aligns `out` before streaming.
    unsafe {
        if STREAM {
            _mm512_stream_ps(out, v);
        } else {
            _mm512_storeu_ps(out, v);
        }
    }
}

/// The first `count` (0 to 16) lanes, loaded and stored masked.
///
/// # Safety
/// AVX-512F and `count` readable elements at `a`, `b`, writable at `out`.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn mix_masked(
    out: *mut f32,
    a: *const f32,
    b: *const f32,
    count: usize,
    vs: __m512,
    vp: __m512,
) {
    let m = lanes(count);
    // SAFETY: masked-off lanes are neither read nor written (and cannot fault).
    unsafe {
        let x = _mm512_maskz_loadu_ps(m, a);
        let y = _mm512_maskz_loadu_ps(m, b);
        let r = _mm512_add_ps(_mm512_mul_ps(vs, x), _mm512_mul_ps(vp, y));
        _mm512_mask_storeu_ps(out, m, r);
    }
}

/// # Safety
/// AVX-512F. `a` and `b` readable and `out` writable for `n` elements;
/// `out` may be exactly `a` but must not otherwise overlap an input.
#[target_feature(enable = "avx512f")]
unsafe fn blend_raw<const STREAM: bool>(
    out: *mut f32,
    a: *const f32,
    b: *const f32,
    n: usize,
    ws: f32,
    wp: f32,
) {
    let (vs, vp) = (_mm512_set1_ps(ws), _mm512_set1_ps(wp));
    // A masked head brings `out` to 64-byte alignment: whole cache lines,
    // as streaming stores require. No software prefetch, unlike the AVX2
    // loop and the u8 loop below: on the one AVX-512 machine measured (an
    // AMD EPYC, Zen 4), the hardware prefetchers keep up, and the hints
    // made in-place mixing of a 77 MB batch 1.21 to 1.27x the plain C
    // loop instead of 0.87 to 0.95x (examples/versus_c, three runs each).
    let head = ((64 - out as usize % 64) % 64 / 4).min(n);
    let mut i = head;
    // SAFETY: the head covers indices below `head <= n`; full vectors stay
    // below `n` by the loop conditions, at `out.add(i)` 64-byte aligned;
    // the masked tail touches only lanes below `n`. All loads of an
    // iteration precede its stores, so `out == a` reads originals.
    unsafe {
        if head > 0 {
            mix_masked(out, a, b, head, vs, vp);
        }
        // The products of `a` first, then those of `b` (`mix_vectors`): in
        // cache, in place, four vectors so gave 1.00 to 1.03 of the C loop
        // where one pair after the other gave 1.02 to 1.08. Eight vectors
        // so gave 0.97 to 1.00 where four gave 1.01 to 1.02 with 12 KiB
        // rows in cache, but 1.03 to 1.11 where four gave 0.99 to 1.01
        // with rows of 48 KiB and more out of cache (examples/versus_c,
        // Zen 4, three to six runs each; docs/SPEED.md). The operands are
        // the same, so the bits are.
        if n <= EIGHT_VECTORS_UP_TO {
            while i + 128 <= n {
                mix_vectors::<8, STREAM>(out.add(i), a.add(i), b.add(i), vs, vp);
                i += 128;
            }
        }
        while i + 64 <= n {
            mix_vectors::<4, STREAM>(out.add(i), a.add(i), b.add(i), vs, vp);
            i += 64;
        }
        while i + 16 <= n {
            mix_vectors::<1, STREAM>(out.add(i), a.add(i), b.add(i), vs, vp);
            i += 16;
        }
        if i < n {
            mix_masked(out.add(i), a.add(i), b.add(i), n - i, vs, vp);
        }
        if STREAM {
            // order the streaming stores before whatever the caller does next
            _mm_sfence();
        }
    }
}

/// `out[i] = sat(rint(f32(a[i]) * ws + f32(b[i]) * wp))`.
///
/// # Safety
/// The CPU must have AVX-512F.
pub(super) unsafe fn blend_u8(out: &mut [u8], a: &[u8], b: &[u8], ws: f32, wp: f32) {
    let n = out.len().min(a.len()).min(b.len());
    // SAFETY: AVX-512F by the caller's promise; the pointers are valid for
    // `n` bytes and `out`, a unique borrow, overlaps neither input.
    unsafe { blend_u8_raw(out.as_mut_ptr(), a.as_ptr(), b.as_ptr(), n, ws, wp) }
}

/// `x[i] = sat(rint(f32(x[i]) * ws + f32(b[i]) * wp))`.
///
/// # Safety
/// The CPU must have AVX-512F.
pub(super) unsafe fn blend_u8_in_place(x: &mut [u8], b: &[u8], ws: f32, wp: f32) {
    let n = x.len().min(b.len());
    let p = x.as_mut_ptr();
    // SAFETY: AVX-512F by the caller's promise; `p` is valid for `n` reads
    // and writes and is exactly the first input, which `blend_u8_raw` allows.
    unsafe { blend_u8_raw(p, p, b.as_ptr(), n, ws, wp) }
}

/// 16 bytes blended to 16 rounded, saturated 32-bit lanes.
/// `_mm512_cvtps_epi32` rounds half to even, as `rint` does; the maximum
/// with 0 and the unsigned saturating narrowing clamp to `[0, 255]`.
///
/// # Safety
/// AVX-512F.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn blend_16(x: __m128i, y: __m128i, vs: __m512, vp: __m512) -> __m512i {
    let (x, y) = (
        _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(x)),
        _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(y)),
    );
    let r = _mm512_cvtps_epi32(_mm512_add_ps(_mm512_mul_ps(vs, x), _mm512_mul_ps(vp, y)));
    _mm512_max_epi32(r, _mm512_setzero_si512())
}

/// # Safety
/// AVX-512F; `a`, `b` readable and `out` writable for `n` bytes; `out` may
/// be exactly `a` but must not otherwise overlap an input.
#[target_feature(enable = "avx512f")]
unsafe fn blend_u8_raw(out: *mut u8, a: *const u8, b: *const u8, n: usize, ws: f32, wp: f32) {
    let (vs, vp) = (_mm512_set1_ps(ws), _mm512_set1_ps(wp));
    let mut i = 0;
    // SAFETY: every full access is at indices below `i + 64 <= n` or
    // `i + 16 <= n`; all loads of a step precede its store, so `out == a`
    // reads originals. The tail goes through stack copies.
    unsafe {
        while i + 64 <= n {
            prefetch(a.add(i));
            prefetch(b.add(i));
            let mut r = [_mm_setzero_si128(); 4];
            for (k, rk) in r.iter_mut().enumerate() {
                let x = _mm_loadu_si128(a.add(i + 16 * k).cast());
                let y = _mm_loadu_si128(b.add(i + 16 * k).cast());
                *rk = _mm512_cvtusepi32_epi8(blend_16(x, y, vs, vp));
            }
            for (k, rk) in r.iter().enumerate() {
                _mm_storeu_si128(out.add(i + 16 * k).cast(), *rk);
            }
            i += 64;
        }
        while i + 16 <= n {
            let x = _mm_loadu_si128(a.add(i).cast());
            let y = _mm_loadu_si128(b.add(i).cast());
            _mm_storeu_si128(
                out.add(i).cast(),
                _mm512_cvtusepi32_epi8(blend_16(x, y, vs, vp)),
            );
            i += 16;
        }
        let rest = n - i;
        if rest > 0 {
            let (mut x, mut y) = ([0u8; 16], [0u8; 16]);
            core::ptr::copy_nonoverlapping(a.add(i), x.as_mut_ptr(), rest);
            core::ptr::copy_nonoverlapping(b.add(i), y.as_mut_ptr(), rest);
            let (x, y) = (
                _mm_loadu_si128(x.as_ptr().cast()),
                _mm_loadu_si128(y.as_ptr().cast()),
            );
            _mm512_mask_cvtusepi32_storeu_epi8(
                out.add(i).cast(),
                lanes(rest),
                blend_16(x, y, vs, vp),
            );
        }
    }
}

/// `dst = src` with non-temporal stores, not yet fenced: call
/// `stream_fence` after the last.
///
/// # Safety
/// The CPU must have AVX-512F.
pub(super) unsafe fn copy_stream(dst: &mut [f32], src: &[f32]) {
    let n = dst.len().min(src.len());
    let head = ((64 - dst.as_ptr() as usize % 64) % 64 / 4).min(n);
    dst[..head].copy_from_slice(&src[..head]);
    let body = (n - head) / 16 * 16;
    let (d, s) = (dst[head..].as_mut_ptr(), src[head..].as_ptr());
    // SAFETY: AVX-512F by the caller's promise; `d` is 64-byte aligned after
    // the head, as `_mm512_stream_ps` requires; accesses stay below `body`.
    unsafe { stream_body(d, s, body) };
    dst[head + body..n].copy_from_slice(&src[head + body..n]);
}

/// # Safety
/// AVX-512F; `d` 64-byte aligned and writable, `s` readable, for `len` (a
/// multiple of 16) elements.
#[target_feature(enable = "avx512f")]
unsafe fn stream_body(d: *mut f32, s: *const f32, len: usize) {
    let mut i = 0;
    // SAFETY: indices below `len`, by the caller's promise and the loop.
    unsafe {
        while i < len {
            _mm512_stream_ps(d.add(i), _mm512_loadu_ps(s.add(i)));
            i += 16;
        }
    }
}
