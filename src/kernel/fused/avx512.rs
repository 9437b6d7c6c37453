//! The fused ToTensor + Normalize + blend by arithmetic on AVX-512F, 16
//! lanes: the same operations as `avx2.rs` (Markstein's correction of a
//! product by the reciprocal, checked against the divisions for every value
//! of every channel before a sample is mixed), in the same layouts: the
//! same layout in and out for up to four channels, or three channels in
//! either transposition. Element moves between layouts are two lane
//! permutations per vector.

use super::Channel;
use crate::kernel::avx2::prefetch;
use core::arch::x86_64::{
    __m512, __m512i, __mmask16, _mm_loadu_si128, _mm_sfence, _mm512_add_ps, _mm512_cvtepi32_ps,
    _mm512_cvtepu8_epi32, _mm512_fmadd_ps, _mm512_fnmadd_ps, _mm512_loadu_epi32, _mm512_loadu_ps,
    _mm512_mask_permutexvar_ps, _mm512_mul_ps, _mm512_permutex2var_ps, _mm512_set1_ps,
    _mm512_storeu_ps, _mm512_stream_ps, _mm512_sub_ps,
};

use super::MAX_FUSED_CHANNELS as MAX_CHANNELS;

/// Lane constants for a run of interleaved channels: vector `k` of a
/// repeating block of `count` vectors holds, in lane `j`, the constants of
/// the channel of element `start + 16k + j`.
struct Lanes {
    mean: [__m512; 3],
    std: [__m512; 3],
    inv_std: [__m512; 3],
    count: usize,
}

impl Lanes {
    #[target_feature(enable = "avx512f")]
    fn new(channels: &[Channel<'_>], start: usize) -> Lanes {
        let n = channels.len();
        // lcm(n, 16) / 16 vectors before the pattern repeats: 1, 1, 3, 1
        let count = if n == 3 { 3 } else { 1 };
        let lane = |k: usize, f: &dyn Fn(&Channel<'_>) -> f32| {
            let v: [f32; 16] = core::array::from_fn(|j| f(&channels[(start + 16 * k + j) % n]));
            // SAFETY: `v` holds 16 readable f32; AVX-512F is enabled here.
            unsafe { _mm512_loadu_ps(v.as_ptr()) }
        };
        Lanes {
            mean: core::array::from_fn(|k| lane(k, &|c| c.mean)),
            std: core::array::from_fn(|k| lane(k, &|c| c.std)),
            inv_std: core::array::from_fn(|k| lane(k, &|c| 1.0 / c.std)),
            count,
        }
    }
}

/// `v(u)` for 16 bytes widened to f32, with the constants of vector `k`.
#[target_feature(enable = "avx512f")]
#[inline]
fn normalize(x: __m512, lanes: &Lanes, k: usize) -> __m512 {
    let (d255, r255) = (_mm512_set1_ps(255.0), _mm512_set1_ps(1.0 / 255.0));
    let q = _mm512_mul_ps(x, r255);
    let q = _mm512_fmadd_ps(_mm512_fnmadd_ps(q, d255, x), r255, q);
    let d = _mm512_sub_ps(q, lanes.mean[k]);
    let v = _mm512_mul_ps(d, lanes.inv_std[k]);
    _mm512_fmadd_ps(_mm512_fnmadd_ps(v, lanes.std[k], d), lanes.inv_std[k], v)
}

/// 16 bytes at `p`, widened to f32.
///
/// # Safety
/// AVX-512F, and 16 readable bytes at `p`.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn widen(p: *const u8) -> __m512 {
    // SAFETY: 16 readable bytes, by the caller's promise.
    unsafe { _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(p.cast()))) }
}

/// Whether [`normalize`] gives every one of the channel's 256 values.
#[target_feature(enable = "avx512f")]
fn exact(channel: &Channel<'_>) -> bool {
    let lanes = Lanes::new(core::slice::from_ref(channel), 0);
    (0..256).step_by(16).all(|u| {
        let bytes: [u8; 16] = core::array::from_fn(|j| (u + j) as u8);
        let mut got = [0.0f32; 16];
        // SAFETY: 16 readable bytes and room for 16 f32; AVX-512F is enabled here.
        unsafe {
            _mm512_storeu_ps(
                got.as_mut_ptr(),
                normalize(widen(bytes.as_ptr()), &lanes, 0),
            )
        };
        let want = &channel.values[u..][..16];
        got.iter()
            .zip(want)
            .all(|(g, w)| g.to_bits() == w.to_bits())
    })
}

/// Whether [`normalize`] gives every value of every channel.
///
/// # Safety
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn all_exact(channels: &[Channel<'_>]) -> bool {
    channels.iter().all(|c| exact(c))
}

/// The blend of 16 elements at `a` and `b`, with the constants of vector `k`.
///
/// # Safety
/// AVX-512F, and 16 readable bytes at `a` and at `b`.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn mix16(
    a: *const u8,
    b: *const u8,
    lanes: &Lanes,
    k: usize,
    vs: __m512,
    vp: __m512,
) -> __m512 {
    // SAFETY: 16 readable bytes at each, by the caller's promise.
    let (x, y) = unsafe { (widen(a), widen(b)) };
    _mm512_add_ps(
        _mm512_mul_ps(vs, normalize(x, lanes, k)),
        _mm512_mul_ps(vp, normalize(y, lanes, k)),
    )
}

/// One element by the reference's own values: `ws * v(a) + wp * v(b)`.
#[inline]
fn mix1(channel: &Channel<'_>, a: u8, b: u8, ws: f32, wp: f32) -> f32 {
    ws * channel.values[a as usize] + wp * channel.values[b as usize]
}

/// One vector to `out`: non-temporal when `STREAM` (then 64-byte aligned).
///
/// # Safety
/// AVX-512F and 16 writable elements at `out`.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn store<const STREAM: bool>(out: *mut f32, v: __m512) {
    // SAFETY: the caller's promise.
    unsafe {
        if STREAM {
            _mm512_stream_ps(out, v);
        } else {
            _mm512_storeu_ps(out, v);
        }
    }
}

/// Mixes one pair of u8 samples into `out` if this path applies (as the
/// AVX2 one). Returns whether it did; if not, nothing was written. The
/// caller has checked the channels with [`all_exact`].
///
/// # Safety
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn normalize_blend(
    out: &mut [f32],
    a: &[u8],
    b: &[u8],
    channels: &[Channel<'_>],
    pixels: usize,
    (planar_in, planar_out): (bool, bool),
    (ws, wp): (f32, f32),
    stream: bool,
) -> bool {
    let n = channels.len();
    let len = n * pixels;
    let fits = (1..=MAX_CHANNELS).contains(&n) && (n == 1 || planar_in == planar_out || n == 3);
    if !fits || out.len() < len || a.len() < len || b.len() < len {
        return false;
    }
    let (out, a, b) = (&mut out[..len], &a[..len], &b[..len]);
    let w = (ws, wp);
    if n == 1 || !planar_in && !planar_out {
        run(out, a, b, channels, w, stream);
    } else if planar_in && planar_out {
        for (c, channel) in channels.iter().enumerate() {
            let plane = c * pixels..(c + 1) * pixels;
            let (a, b) = (&a[plane.clone()], &b[plane.clone()]);
            run(
                &mut out[plane],
                a,
                b,
                core::slice::from_ref(channel),
                w,
                stream,
            );
        }
    } else if !planar_out {
        if stream {
            chw3_to_hwc::<true>(out, a, b, channels, pixels, w);
        } else {
            chw3_to_hwc::<false>(out, a, b, channels, pixels, w);
        }
    } else if stream && pixels.is_multiple_of(16) {
        // the planes stream only when they share one alignment
        hwc3_to_chw::<true>(out, a, b, channels, pixels, w);
    } else {
        hwc3_to_chw::<false>(out, a, b, channels, pixels, w);
    }
    true
}

#[target_feature(enable = "avx512f")]
fn run(out: &mut [f32], a: &[u8], b: &[u8], channels: &[Channel<'_>], w: (f32, f32), stream: bool) {
    if stream {
        run_with::<true>(out, a, b, channels, w);
    } else {
        run_with::<false>(out, a, b, channels, w);
    }
}

/// Elements before `out` reaches 64-byte alignment, at most `limit`.
fn head_to_alignment(out: *const f32, limit: usize) -> usize {
    ((64 - out as usize % 64) % 64 / 4).min(limit)
}

/// Same layout in and out: element `i` of the output is element `i` of the
/// inputs, whose channel is `i % channels.len()`.
#[target_feature(enable = "avx512f")]
fn run_with<const STREAM: bool>(
    out: &mut [f32],
    a: &[u8],
    b: &[u8],
    channels: &[Channel<'_>],
    (ws, wp): (f32, f32),
) {
    let (n, len) = (channels.len(), out.len());
    let (a, b) = (&a[..len], &b[..len]);
    let head = head_to_alignment(out.as_ptr(), len);
    for i in 0..head {
        out[i] = mix1(&channels[i % n], a[i], b[i], ws, wp);
    }
    let lanes = Lanes::new(channels, head);
    let (vs, vp) = (_mm512_set1_ps(ws), _mm512_set1_ps(wp));
    let (o, pa, pb) = (out.as_mut_ptr(), a.as_ptr(), b.as_ptr());
    let mut i = head;
    // SAFETY: every vector covers elements `i..i + 16` below `len`, and
    // `o.add(i)` is 64-byte aligned from `head` on, as streaming needs.
    unsafe {
        while i + 16 * lanes.count <= len {
            prefetch(pa.add(i));
            prefetch(pb.add(i));
            for k in 0..lanes.count {
                let j = i + 16 * k;
                store::<STREAM>(o.add(j), mix16(pa.add(j), pb.add(j), &lanes, k, vs, vp));
            }
            i += 16 * lanes.count;
        }
        if STREAM {
            _mm_sfence();
        }
    }
    for j in i..len {
        out[j] = mix1(&channels[j % n], a[j], b[j], ws, wp);
    }
}

/// Gathers three vectors' lanes into one: lane `j` takes element `src[j]`
/// (0 to 47) of the 48 lanes of `x0, x1, x2`.
struct Gather {
    /// Indices into `x0 | x1` (lanes whose source is in `x2`: anything).
    low: __m512i,
    /// Indices into `x2`, for the lanes of `from_high`.
    high: __m512i,
    from_high: __mmask16,
}

impl Gather {
    #[target_feature(enable = "avx512f")]
    fn new(src: [usize; 16]) -> Gather {
        let low: [i32; 16] = core::array::from_fn(|j| (src[j] % 32) as i32);
        let high: [i32; 16] = core::array::from_fn(|j| (src[j] % 16) as i32);
        let from_high = (0..16)
            .filter(|&j| src[j] >= 32)
            .fold(0u16, |m, j| m | 1 << j);
        // SAFETY: 16 readable i32 each; AVX-512F is enabled here.
        unsafe {
            Gather {
                low: _mm512_loadu_epi32(low.as_ptr()),
                high: _mm512_loadu_epi32(high.as_ptr()),
                from_high,
            }
        }
    }

    #[target_feature(enable = "avx512f")]
    #[inline]
    fn apply(&self, [x0, x1, x2]: [__m512; 3]) -> __m512 {
        let t = _mm512_permutex2var_ps(x0, self.low, x1);
        _mm512_mask_permutexvar_ps(t, self.from_high, self.high, x2)
    }
}

/// Three planes in, three interleaved channels out: 16 pixels of each
/// plane are mixed, then gathered into the three output vectors.
#[target_feature(enable = "avx512f")]
fn chw3_to_hwc<const STREAM: bool>(
    out: &mut [f32],
    a: &[u8],
    b: &[u8],
    channels: &[Channel<'_>],
    pixels: usize,
    (ws, wp): (f32, f32),
) {
    let (out, a, b) = (&mut out[..3 * pixels], &a[..3 * pixels], &b[..3 * pixels]);
    let scalar = |out: &mut [f32], p: usize| {
        for (c, channel) in channels.iter().enumerate() {
            out[3 * p + c] = mix1(channel, a[c * pixels + p], b[c * pixels + p], ws, wp);
        }
    };
    // 16 pixels are 192 bytes of output: once aligned, always aligned
    let head = (0..16)
        .find(|h| (out.as_ptr() as usize + 12 * h).is_multiple_of(64))
        .unwrap_or(0)
        .min(pixels);
    for p in 0..head {
        scalar(out, p);
    }
    let lanes: [Lanes; 3] = core::array::from_fn(|c| Lanes::new(&channels[c..=c], 0));
    let (vs, vp) = (_mm512_set1_ps(ws), _mm512_set1_ps(wp));
    // output element e = 16v + j is channel e % 3 of pixel e / 3, which is
    // lane e / 3 of that channel's vector: element 16 * (e % 3) + e / 3
    let gather: [Gather; 3] = core::array::from_fn(|v| {
        Gather::new(core::array::from_fn(|j| {
            16 * ((16 * v + j) % 3) + (16 * v + j) / 3
        }))
    });
    let o = out.as_mut_ptr();
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut p = head;
    // SAFETY: pixels `p..p + 16` lie below `pixels`, so the 16 bytes read
    // from each plane and the 48 elements written from `o.add(3 * p)` are
    // in bounds; when streaming, the head makes `o.add(3 * p)` 64-byte
    // aligned and each step of 16 pixels keeps it so.
    unsafe {
        while p + 16 <= pixels {
            let c: [__m512; 3] = core::array::from_fn(|k| {
                let (ia, ib) = (pa.add(k * pixels + p), pb.add(k * pixels + p));
                prefetch(ia);
                prefetch(ib);
                mix16(ia, ib, &lanes[k], 0, vs, vp)
            });
            for (v, g) in gather.iter().enumerate() {
                store::<STREAM>(o.add(3 * p + 16 * v), g.apply(c));
            }
            p += 16;
        }
        if STREAM {
            _mm_sfence();
        }
    }
    for q in p..pixels {
        scalar(out, q);
    }
}

/// Three interleaved channels in, three planes out: 16 pixels are three
/// vectors, mixed, then gathered into one vector per plane.
#[target_feature(enable = "avx512f")]
fn hwc3_to_chw<const STREAM: bool>(
    out: &mut [f32],
    a: &[u8],
    b: &[u8],
    channels: &[Channel<'_>],
    pixels: usize,
    (ws, wp): (f32, f32),
) {
    let (out, a, b) = (&mut out[..3 * pixels], &a[..3 * pixels], &b[..3 * pixels]);
    let scalar = |out: &mut [f32], p: usize| {
        for (c, channel) in channels.iter().enumerate() {
            out[c * pixels + p] = mix1(channel, a[3 * p + c], b[3 * p + c], ws, wp);
        }
    };
    let head = if pixels.is_multiple_of(16) {
        head_to_alignment(out.as_ptr(), pixels)
    } else {
        0
    };
    for p in 0..head {
        scalar(out, p);
    }
    let lanes = Lanes::new(channels, 0);
    let (vs, vp) = (_mm512_set1_ps(ws), _mm512_set1_ps(wp));
    // plane c's pixel j is input element 3j + c
    let gather: [Gather; 3] =
        core::array::from_fn(|c| Gather::new(core::array::from_fn(|j| 3 * j + c)));
    let o = out.as_mut_ptr();
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut p = head;
    // SAFETY: pixels `p..p + 16` lie below `pixels`, so their 48 input
    // bytes and the 16 elements written to each plane are in bounds; when
    // streaming, `pixels % 16 == 0` and the head make every plane's
    // `o.add(c * pixels + p)` 64-byte aligned.
    unsafe {
        while p + 16 <= pixels {
            let (ia, ib) = (pa.add(3 * p), pb.add(3 * p));
            prefetch(ia);
            prefetch(ib);
            let r: [__m512; 3] =
                core::array::from_fn(|k| mix16(ia.add(16 * k), ib.add(16 * k), &lanes, k, vs, vp));
            for (c, g) in gather.iter().enumerate() {
                store::<STREAM>(o.add(c * pixels + p), g.apply(r));
            }
            p += 16;
        }
        if STREAM {
            _mm_sfence();
        }
    }
    for q in p..pixels {
        scalar(out, q);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn available() -> bool {
        let ok = std::is_x86_feature_detected!("avx512f");
        if !ok {
            std::println!("skipped the AVX-512 fused pass: this CPU lacks AVX-512F");
        }
        ok
    }

    fn is_exact(mean: f32, std: f32) -> bool {
        let values: [f32; 256] = core::array::from_fn(|u| (u as f32 / 255.0 - mean) / std);
        // SAFETY: only called after CPUID reported AVX-512F.
        unsafe {
            all_exact(&[Channel {
                mean,
                std,
                values: &values,
            }])
        }
    }

    /// The same constants as the AVX2 path takes, and the same refusal.
    #[test]
    fn usual_constants_take_the_arithmetic_path_and_subnormal_std_does_not() {
        if !available() {
            return;
        }
        for (mean, std) in [
            (0.485, 0.229),
            (0.456, 0.224),
            (0.406, 0.225),
            (0.0, 1.0),
            (0.5, -2.0),
        ] {
            assert!(is_exact(mean, std), "{mean} {std}");
        }
        assert!(!is_exact(0.5, 1e-40));
    }

    /// Every layout pair, channel count, length and alignment this path
    /// takes, called directly, against the reference tables.
    #[test]
    fn every_layout_matches_the_reference_values() {
        if !available() {
            return;
        }
        let norms = [
            (0.485f32, 0.229f32),
            (0.456, 0.224),
            (0.406, 0.225),
            (0.5, 0.25),
        ];
        let tables: std::vec::Vec<[f32; 256]> = norms
            .iter()
            .map(|&(m, s)| core::array::from_fn(|u| (u as f32 / 255.0 - m) / s))
            .collect();
        let (ws, wp) = (0.37f32, 0.63f32);
        for n in 1..=4usize {
            let channels: std::vec::Vec<Channel<'_>> = (0..n)
                .map(|c| Channel {
                    mean: norms[c].0,
                    std: norms[c].1,
                    values: &tables[c],
                })
                .collect();
            for pixels in [0usize, 1, 15, 16, 17, 47, 48, 100, 257] {
                for (planar_in, planar_out) in
                    [(false, false), (true, true), (true, false), (false, true)]
                {
                    for offset in [0usize, 1, 5] {
                        for stream in [false, true] {
                            let len = n * pixels;
                            let a: std::vec::Vec<u8> =
                                (0..len).map(|i| (i * 37 % 256) as u8).collect();
                            let b: std::vec::Vec<u8> =
                                (0..len).map(|i| (i * 91 % 256) as u8).collect();
                            let mut out = std::vec![f32::NAN; len + offset];
                            // SAFETY: CPUID reported AVX-512F.
                            let took = unsafe {
                                normalize_blend(
                                    &mut out[offset..],
                                    &a,
                                    &b,
                                    &channels,
                                    pixels,
                                    (planar_in, planar_out),
                                    (ws, wp),
                                    stream,
                                )
                            };
                            crate::kernel::stream_fence();
                            let applies = n == 1 || planar_in == planar_out || n == 3;
                            assert_eq!(took, applies);
                            if !took {
                                continue;
                            }
                            for p in 0..pixels {
                                for (c, table) in tables.iter().enumerate().take(n) {
                                    let at = |planar: bool| {
                                        if planar { c * pixels + p } else { p * n + c }
                                    };
                                    let (i, o) = (at(planar_in), at(planar_out));
                                    let want =
                                        ws * table[a[i] as usize] + wp * table[b[i] as usize];
                                    let got = out[offset + o];
                                    assert_eq!(
                                        got.to_bits(),
                                        want.to_bits(),
                                        "n {n} px {pixels} {planar_in} {planar_out} {offset} {stream}"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
