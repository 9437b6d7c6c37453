//! The AVX2 kernel: 8 lanes, four vectors per iteration, and masked heads
//! and tails instead of a scalar crawl. Only called after run-time detection.

use core::arch::x86_64::{
    __m128i, __m256, __m256i, _MM_HINT_T0, _mm_loadl_epi64, _mm_prefetch, _mm_sfence,
    _mm256_add_ps, _mm256_cmpgt_epi32, _mm256_cvtepi32_ps, _mm256_cvtepu8_epi32,
    _mm256_cvtps_epi32, _mm256_loadu_ps, _mm256_maskload_ps, _mm256_maskstore_ps, _mm256_mul_ps,
    _mm256_packs_epi32, _mm256_packus_epi16, _mm256_permutevar8x32_epi32, _mm256_set1_epi32,
    _mm256_set1_ps, _mm256_setr_epi32, _mm256_storeu_ps, _mm256_storeu_si256, _mm256_stream_ps,
};

/// `out[i] = ws * a[i] + wp * b[i]`.
///
/// # Safety
/// The CPU must have AVX2.
pub(super) unsafe fn blend(out: &mut [f32], a: &[f32], b: &[f32], ws: f32, wp: f32) {
    let n = out.len().min(a.len()).min(b.len());
    // SAFETY: AVX2 by the caller's promise; the
    // pointers are valid for `n` elements and `out`, a unique borrow,
    // overlaps neither input.
    unsafe { blend_raw::<false>(out.as_mut_ptr(), a.as_ptr(), b.as_ptr(), n, ws, wp) }
}

/// `x[i] = ws * x[i] + wp * b[i]`.
///
/// # Safety
/// The CPU must have AVX2.
pub(super) unsafe fn blend_in_place(x: &mut [f32], b: &[f32], ws: f32, wp: f32) {
    let n = x.len().min(b.len());
    let p = x.as_mut_ptr();
    // SAFETY: AVX2 by the caller's promise; `p` is valid for `n`
    // reads and writes and is exactly the first input, which `blend_raw`
    // allows; `b` is disjoint from the unique `x`.
    unsafe { blend_raw::<false>(p, p, b.as_ptr(), n, ws, wp) }
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

/// One vector to `out`: a non-temporal store when `STREAM` (then `out` must
/// be 32-byte aligned), an ordinary one otherwise.
///
/// # Safety
/// AVX2, and 8 writable elements at `out`.
#[target_feature(enable = "avx2")]
#[inline]
pub(super) unsafe fn store<const STREAM: bool>(out: *mut f32, v: __m256) {
    // SAFETY: the caller's promise; `blend_raw` aligns `out` before streaming.
    unsafe {
        if STREAM {
            _mm256_stream_ps(out, v);
        } else {
            _mm256_storeu_ps(out, v);
        }
    }
}

/// # Safety
/// The CPU must support AVX2. `a` and `b` must be readable and `out`
/// writable for `n` elements; `out` may be exactly `a` but must not
/// otherwise overlap an input.
#[target_feature(enable = "avx2")]
unsafe fn blend_raw<const STREAM: bool>(
    out: *mut f32,
    a: *const f32,
    b: *const f32,
    n: usize,
    ws: f32,
    wp: f32,
) {
    let (vs, vp) = (_mm256_set1_ps(ws), _mm256_set1_ps(wp));
    // A masked head brings `out` to 32-byte alignment, so that its vectors
    // never split cache lines (nor do the inputs', when they share it), as
    // streaming stores require.
    let head = ((32 - out as usize % 32) % 32 / 4).min(n);
    let mut i = head;
    // SAFETY: for the whole block: the head covers indices below `head <= n`;
    // every full-vector access covers indices below `n` by the loop
    // conditions, at `out.add(i)` 32-byte aligned; the masked tail touches
    // only lanes below `n`. All loads of an iteration precede its stores,
    // so `out == a` reads originals.
    unsafe {
        if head > 0 {
            mix_masked(out, a, b, head, vs, vp);
        }
        while i + 32 <= n {
            prefetch(a.add(i));
            prefetch(b.add(i));
            prefetch(a.add(i + 16));
            prefetch(b.add(i + 16));
            let r0 = mix(a.add(i), b.add(i), vs, vp);
            let r1 = mix(a.add(i + 8), b.add(i + 8), vs, vp);
            let r2 = mix(a.add(i + 16), b.add(i + 16), vs, vp);
            let r3 = mix(a.add(i + 24), b.add(i + 24), vs, vp);
            store::<STREAM>(out.add(i), r0);
            store::<STREAM>(out.add(i + 8), r1);
            store::<STREAM>(out.add(i + 16), r2);
            store::<STREAM>(out.add(i + 24), r3);
            i += 32;
        }
        while i + 8 <= n {
            store::<STREAM>(out.add(i), mix(a.add(i), b.add(i), vs, vp));
            i += 8;
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

/// `out[i] = ws * a[i] + wp * b[i]` with non-temporal stores: the output
/// goes to memory without being read for ownership and without evicting
/// the inputs from cache.
///
/// # Safety
/// The CPU must have AVX2.
pub(super) unsafe fn blend_stream(out: &mut [f32], a: &[f32], b: &[f32], ws: f32, wp: f32) {
    let n = out.len().min(a.len()).min(b.len());
    // SAFETY: as in `blend`.
    unsafe { blend_raw::<true>(out.as_mut_ptr(), a.as_ptr(), b.as_ptr(), n, ws, wp) }
}

/// How far ahead of their reads the loops ask for their inputs. On the
/// shared virtual machine these kernels were tuned on, the hardware
/// prefetchers fell behind: without the hints in-place u8 mixing of a
/// 19 MB batch ran 3x slower and in-place f32 mixing 1.2x slower.
const PREFETCH_BYTES: usize = 4096;

/// Hints that the cache line [`PREFETCH_BYTES`] past `p` will be read soon.
#[inline(always)]
pub(super) fn prefetch<T>(p: *const T) {
    let ahead = p.cast::<i8>().wrapping_add(PREFETCH_BYTES);
    // SAFETY: a prefetch only hints the cache: it never faults, even past
    // the end of a buffer, and changes no memory; `wrapping_add` keeps the
    // address arithmetic defined.
    unsafe { _mm_prefetch::<_MM_HINT_T0>(ahead) }
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

/// `out[i] = sat(rint(f32(a[i]) * ws + f32(b[i]) * wp))`.
///
/// # Safety
/// The CPU must have AVX2.
pub(super) unsafe fn blend_u8(out: &mut [u8], a: &[u8], b: &[u8], ws: f32, wp: f32) {
    let n = out.len().min(a.len()).min(b.len());
    // SAFETY: AVX2 by the caller's promise; the pointers are valid
    // for `n` elements and `out`, a unique borrow, overlaps neither input.
    let done = unsafe { blend_u8_raw(out.as_mut_ptr(), a.as_ptr(), b.as_ptr(), n, ws, wp) };
    super::scalar::blend_u8(&mut out[done..n], &a[done..n], &b[done..n], ws, wp);
}

/// `x[i] = sat(rint(f32(x[i]) * ws + f32(b[i]) * wp))`.
///
/// # Safety
/// The CPU must have AVX2.
pub(super) unsafe fn blend_u8_in_place(x: &mut [u8], b: &[u8], ws: f32, wp: f32) {
    let n = x.len().min(b.len());
    let p = x.as_mut_ptr();
    // SAFETY: AVX2 by the caller's promise; `p` is valid for `n` reads and writes and
    // is exactly the first input, which `blend_u8_raw` allows.
    let done = unsafe { blend_u8_raw(p, p, b.as_ptr(), n, ws, wp) };
    super::scalar::blend_u8_in_place(&mut x[done..n], &b[done..n], ws, wp);
}

/// Eight bytes at `p`, widened to f32.
///
/// # Safety
/// AVX2, and 8 readable bytes at `p`.
#[target_feature(enable = "avx2")]
#[inline]
pub(super) unsafe fn widen(p: *const u8) -> __m256 {
    // SAFETY: 8 readable bytes, by the caller's promise.
    unsafe { _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(p.cast::<__m128i>()))) }
}

/// Blends 32 bytes per iteration and returns how many it did (a multiple
/// of 32); the caller finishes the tail with the scalar formula.
/// `_mm256_cvtps_epi32` rounds half to even, as `rint` does, and the packs
/// saturate: the bits of the scalar reference.
///
/// # Safety
/// AVX2; `a`, `b` readable and `out` writable for `n` bytes; `out` may be
/// exactly `a` but must not otherwise overlap an input.
#[target_feature(enable = "avx2")]
unsafe fn blend_u8_raw(
    out: *mut u8,
    a: *const u8,
    b: *const u8,
    n: usize,
    ws: f32,
    wp: f32,
) -> usize {
    let (vs, vp) = (_mm256_set1_ps(ws), _mm256_set1_ps(wp));
    // packs and packus interleave 128-bit lanes; this restores byte order
    let order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    let mut i = 0;
    // SAFETY: for the whole block: every access is at indices below `i + 32 <= n`;
    // all loads of an iteration precede its store, so `out == a` reads originals.
    unsafe {
        while i + 32 <= n {
            prefetch(a.add(i));
            prefetch(b.add(i));
            let mut r = [_mm256_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0); 4];
            for (k, rk) in r.iter_mut().enumerate() {
                let x = widen(a.add(i + 8 * k));
                let y = widen(b.add(i + 8 * k));
                *rk = _mm256_cvtps_epi32(_mm256_add_ps(_mm256_mul_ps(vs, x), _mm256_mul_ps(vp, y)));
            }
            let bytes = _mm256_packus_epi16(
                _mm256_packs_epi32(r[0], r[1]),
                _mm256_packs_epi32(r[2], r[3]),
            );
            _mm256_storeu_si256(
                out.add(i).cast::<__m256i>(),
                _mm256_permutevar8x32_epi32(bytes, order),
            );
            i += 32;
        }
    }
    i
}

/// `dst = src` with non-temporal stores, not yet fenced: call
/// [`stream_fence`] after the last.
///
/// # Safety
/// The CPU must have AVX2.
pub(super) unsafe fn copy_stream(dst: &mut [f32], src: &[f32]) {
    let n = dst.len().min(src.len());
    let head = ((32 - dst.as_ptr() as usize % 32) % 32 / 4).min(n);
    dst[..head].copy_from_slice(&src[..head]);
    let (d, s) = (dst[head..n].as_mut_ptr(), src[head..n].as_ptr());
    let body = (n - head) / 8 * 8;
    // SAFETY: AVX2 by the caller's promise; `d` is 32-byte aligned
    // after the head, as `_mm256_stream_ps` requires, and every access is
    // below `body <= n - head`.
    unsafe { stream_body(d, s, body) };
    dst[head + body..n].copy_from_slice(&src[head + body..n]);
}

/// # Safety
/// AVX2; `d` 32-byte aligned and writable, `s` readable, for `len` (a
/// multiple of 8) elements.
#[target_feature(enable = "avx2")]
unsafe fn stream_body(d: *mut f32, s: *const f32, len: usize) {
    let mut i = 0;
    // SAFETY: indices below `len`, by the caller's promise and the loop.
    unsafe {
        while i < len {
            _mm256_stream_ps(d.add(i), _mm256_loadu_ps(s.add(i)));
            i += 8;
        }
    }
}

/// Orders earlier non-temporal stores before later stores.
pub(super) fn stream_fence() {
    // SAFETY: SSE (and so `sfence`) is part of x86_64.
    unsafe { _mm_sfence() }
}
