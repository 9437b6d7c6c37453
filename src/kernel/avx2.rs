//! The AVX2 kernel: 8 lanes, four vectors per iteration, and masked heads
//! and tails instead of a scalar crawl. Only called after run-time detection.

use core::arch::x86_64::{
    __m256, __m256i, _mm_sfence, _mm256_add_ps, _mm256_cmpgt_epi32, _mm256_loadu_ps,
    _mm256_maskload_ps, _mm256_maskstore_ps, _mm256_mul_ps, _mm256_set1_epi32, _mm256_set1_ps,
    _mm256_setr_epi32, _mm256_storeu_ps, _mm256_stream_ps,
};

/// `out[i] = ws * a[i] + wp * b[i]`. The caller has checked AVX2.
pub(super) fn blend(out: &mut [f32], a: &[f32], b: &[f32], ws: f32, wp: f32) {
    let n = out.len().min(a.len()).min(b.len());
    // SAFETY: the dispatcher calls this only when CPUID reports AVX2; the
    // pointers are valid for `n` elements and `out`, a unique borrow,
    // overlaps neither input.
    unsafe { blend_raw(out.as_mut_ptr(), a.as_ptr(), b.as_ptr(), n, ws, wp) }
}

/// `x[i] = ws * x[i] + wp * b[i]`. The caller has checked AVX2.
pub(super) fn blend_in_place(x: &mut [f32], b: &[f32], ws: f32, wp: f32) {
    let n = x.len().min(b.len());
    let p = x.as_mut_ptr();
    // SAFETY: AVX2 was detected by the dispatcher; `p` is valid for `n`
    // reads and writes and is exactly the first input, which `blend_raw`
    // allows; `b` is disjoint from the unique `x`.
    unsafe { blend_raw(p, p, b.as_ptr(), n, ws, wp) }
}

#[target_feature(enable = "avx2")]
#[inline]
unsafe fn mix(a: *const f32, b: *const f32, vs: __m256, vp: __m256) -> __m256 {
    // SAFETY: the caller guarantees AVX2 and 8 readable elements at `a`, `b`.
    unsafe {
        _mm256_add_ps(
            _mm256_mul_ps(vs, _mm256_loadu_ps(a)),
            _mm256_mul_ps(vp, _mm256_loadu_ps(b)),
        )
    }
}

/// # Safety
/// The CPU must support AVX2. `a` and `b` must be readable and `out`
/// writable for `n` elements; `out` may be exactly `a` but must not
/// otherwise overlap an input.
#[target_feature(enable = "avx2")]
unsafe fn blend_raw(out: *mut f32, a: *const f32, b: *const f32, n: usize, ws: f32, wp: f32) {
    let (vs, vp) = (_mm256_set1_ps(ws), _mm256_set1_ps(wp));
    // A masked head brings `out` to 32-byte alignment, so that its vectors
    // never split cache lines (nor do the inputs', when they share it).
    let head = ((32 - out as usize % 32) % 32 / 4).min(n);
    let mut i = head;
    // SAFETY (whole block): the head covers indices below `head <= n`;
    // every full-vector access covers indices below `n` by the loop
    // conditions; the masked tail touches only lanes below `n`. All loads
    // of an iteration precede its stores, so `out == a` reads originals.
    unsafe {
        if head > 0 {
            mix_masked(out, a, b, head, vs, vp);
        }
        while i + 32 <= n {
            let r0 = mix(a.add(i), b.add(i), vs, vp);
            let r1 = mix(a.add(i + 8), b.add(i + 8), vs, vp);
            let r2 = mix(a.add(i + 16), b.add(i + 16), vs, vp);
            let r3 = mix(a.add(i + 24), b.add(i + 24), vs, vp);
            _mm256_storeu_ps(out.add(i), r0);
            _mm256_storeu_ps(out.add(i + 8), r1);
            _mm256_storeu_ps(out.add(i + 16), r2);
            _mm256_storeu_ps(out.add(i + 24), r3);
            i += 32;
        }
        while i + 8 <= n {
            _mm256_storeu_ps(out.add(i), mix(a.add(i), b.add(i), vs, vp));
            i += 8;
        }
        if i < n {
            mix_masked(out.add(i), a.add(i), b.add(i), n - i, vs, vp);
        }
    }
}

/// `out[i] = ws * a[i] + wp * b[i]` with non-temporal stores: the output
/// goes to memory without being read for ownership and without evicting
/// the inputs from cache. The caller has checked AVX2.
pub(super) fn blend_stream(out: &mut [f32], a: &[f32], b: &[f32], ws: f32, wp: f32) {
    let n = out.len().min(a.len()).min(b.len());
    // SAFETY: as in `blend`.
    unsafe { blend_stream_raw(out.as_mut_ptr(), a.as_ptr(), b.as_ptr(), n, ws, wp) }
}

/// # Safety
/// As [`blend_raw`], and `out` must not be `a`.
#[target_feature(enable = "avx2")]
unsafe fn blend_stream_raw(
    out: *mut f32,
    a: *const f32,
    b: *const f32,
    n: usize,
    ws: f32,
    wp: f32,
) {
    let (vs, vp) = (_mm256_set1_ps(ws), _mm256_set1_ps(wp));
    // Streaming stores need 32-byte alignment: a masked head gets there.
    let head = ((32 - out as usize % 32) % 32 / 4).min(n);
    // SAFETY (whole block): the head covers indices below `head <= n`,
    // every full vector indices below `n` by the loop conditions, the
    // masked tail only lanes below `n`; from `head` on, `out.add(i)` is
    // 32-byte aligned as `_mm256_stream_ps` requires.
    unsafe {
        if head > 0 {
            mix_masked(out, a, b, head, vs, vp);
        }
        let mut i = head;
        while i + 32 <= n {
            let r0 = mix(a.add(i), b.add(i), vs, vp);
            let r1 = mix(a.add(i + 8), b.add(i + 8), vs, vp);
            let r2 = mix(a.add(i + 16), b.add(i + 16), vs, vp);
            let r3 = mix(a.add(i + 24), b.add(i + 24), vs, vp);
            _mm256_stream_ps(out.add(i), r0);
            _mm256_stream_ps(out.add(i + 8), r1);
            _mm256_stream_ps(out.add(i + 16), r2);
            _mm256_stream_ps(out.add(i + 24), r3);
            i += 32;
        }
        while i + 8 <= n {
            _mm256_stream_ps(out.add(i), mix(a.add(i), b.add(i), vs, vp));
            i += 8;
        }
        if i < n {
            mix_masked(out.add(i), a.add(i), b.add(i), n - i, vs, vp);
        }
        // order the streaming stores before whatever the caller does next
        _mm_sfence();
    }
}

/// The first `count` (1 to 7) lanes of one vector, loaded and stored masked.
///
/// # Safety
/// AVX2, and `count` readable elements at `a`, `b` and writable at `out`.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn mix_masked(
    out: *mut f32,
    a: *const f32,
    b: *const f32,
    count: usize,
    vs: __m256,
    vp: __m256,
) {
    let mask = tail_mask(count);
    // SAFETY: masked-off lanes are neither read nor written.
    unsafe {
        let x = _mm256_maskload_ps(a, mask);
        let y = _mm256_maskload_ps(b, mask);
        let r = _mm256_add_ps(_mm256_mul_ps(vs, x), _mm256_mul_ps(vp, y));
        _mm256_maskstore_ps(out, mask, r);
    }
}

/// A mask whose first `count` lanes (1 to 7) are set.
#[target_feature(enable = "avx2")]
#[inline]
fn tail_mask(count: usize) -> __m256i {
    let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    _mm256_cmpgt_epi32(_mm256_set1_epi32(count as i32), lanes)
}
