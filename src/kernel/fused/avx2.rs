//! The fused ToTensor + Normalize + blend (u8 in, f32 out) by arithmetic
//! on AVX2 and FMA, for the blend case and up to four channels.
//!
//! torchvision's `v(u) = ((f32(u) / 255) - mean) / std` has two IEEE
//! divisions per element, too slow in vectors. Each is computed instead as
//! Markstein's correction of a product by the reciprocal:
//! `q = x * r; q += fma(-q, d, x) * r`, which rounds as the division does
//! for these operands. That is checked, not assumed: before a sample is
//! mixed, every channel's 256 values are computed by this very code and
//! compared bit for bit with the divisions; if one differs the caller falls
//! back to its tables. The weighted sum `w_self * v(a) + w_partner * v(b)`
//! then takes two rounded products and a rounded add, as the reference
//! does.

use super::Channel;
use crate::kernel::avx2::{prefetch, store, widen};
use core::arch::x86_64::{
    __m256, _mm_sfence, _mm256_add_ps, _mm256_blend_ps, _mm256_cvtepi32_ps, _mm256_fmadd_ps,
    _mm256_fnmadd_ps, _mm256_loadu_ps, _mm256_mul_ps, _mm256_permutevar8x32_ps, _mm256_set1_ps,
    _mm256_setr_epi32, _mm256_storeu_ps, _mm256_sub_ps,
};

use super::MAX_FUSED_CHANNELS as MAX_CHANNELS;

/// Lane constants for a run of interleaved channels: vector `k` of a
/// repeating block of `count` vectors holds, in lane `j`, the constants of
/// the channel of element `start + 8k + j`.
struct Lanes {
    mean: [__m256; 3],
    std: [__m256; 3],
    inv_std: [__m256; 3],
    count: usize,
}

impl Lanes {
    /// The lanes for `channels` interleaved, the run starting at element
    /// `start` of a pixel-aligned sample.
    #[target_feature(enable = "avx2")]
    fn new(channels: &[Channel<'_>], start: usize) -> Lanes {
        let n = channels.len();
        // lcm(n, 8) / 8 vectors before the pattern repeats: 1, 1, 3, 1
        let count = if n == 3 { 3 } else { 1 };
        let lane = |k: usize, f: &dyn Fn(&Channel<'_>) -> f32| {
            let v: [f32; 8] = core::array::from_fn(|j| f(&channels[(start + 8 * k + j) % n]));
            // SAFETY: `v` holds 8 readable f32; AVX2 is enabled here.
            unsafe { _mm256_loadu_ps(v.as_ptr()) }
        };
        Lanes {
            mean: core::array::from_fn(|k| lane(k, &|c| c.mean)),
            std: core::array::from_fn(|k| lane(k, &|c| c.std)),
            inv_std: core::array::from_fn(|k| lane(k, &|c| 1.0 / c.std)),
            count,
        }
    }
}

/// `v(u)` for eight bytes widened to f32, with the constants of vector `k`.
#[target_feature(enable = "avx2,fma")]
#[inline]
fn normalize(x: __m256, lanes: &Lanes, k: usize) -> __m256 {
    let (d255, r255) = (_mm256_set1_ps(255.0), _mm256_set1_ps(1.0 / 255.0));
    let q = _mm256_mul_ps(x, r255);
    let q = _mm256_fmadd_ps(_mm256_fnmadd_ps(q, d255, x), r255, q);
    let d = _mm256_sub_ps(q, lanes.mean[k]);
    let v = _mm256_mul_ps(d, lanes.inv_std[k]);
    _mm256_fmadd_ps(_mm256_fnmadd_ps(v, lanes.std[k], d), lanes.inv_std[k], v)
}

/// Whether [`normalize`] gives every one of the channel's 256 values.
#[target_feature(enable = "avx2,fma")]
fn exact(channel: &Channel<'_>) -> bool {
    let lanes = Lanes::new(core::slice::from_ref(channel), 0);
    (0..256).step_by(8).all(|u| {
        let bytes = _mm256_setr_epi32(u, u + 1, u + 2, u + 3, u + 4, u + 5, u + 6, u + 7);
        let mut got = [0.0f32; 8];
        // SAFETY: `got` has room for 8 f32; AVX2 is enabled here.
        unsafe {
            _mm256_storeu_ps(
                got.as_mut_ptr(),
                normalize(_mm256_cvtepi32_ps(bytes), &lanes, 0),
            )
        };
        let want = &channel.values[u as usize..][..8];
        got.iter()
            .zip(want)
            .all(|(g, w)| g.to_bits() == w.to_bits())
    })
}

/// The blend of eight elements at `a` and `b`, with the constants of vector `k`.
///
/// # Safety
/// AVX2 and FMA, and 8 readable bytes at `a` and at `b`.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn mix8(
    a: *const u8,
    b: *const u8,
    lanes: &Lanes,
    k: usize,
    vs: __m256,
    vp: __m256,
) -> __m256 {
    // SAFETY: 8 readable bytes at each, by the caller's promise.
    let (x, y) = unsafe { (widen(a), widen(b)) };
    _mm256_add_ps(
        _mm256_mul_ps(vs, normalize(x, lanes, k)),
        _mm256_mul_ps(vp, normalize(y, lanes, k)),
    )
}

/// One element by the reference's own values: `ws * v(a) + wp * v(b)`.
#[inline]
fn mix1(channel: &Channel<'_>, a: u8, b: u8, ws: f32, wp: f32) -> f32 {
    ws * channel.values[a as usize] + wp * channel.values[b as usize]
}

/// Whether [`normalize`] gives every value of every channel.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn all_exact(channels: &[Channel<'_>]) -> bool {
    channels.iter().all(|c| exact(c))
}

/// Mixes one pair of u8 samples into `out` if this path applies: up to
/// [`MAX_CHANNELS`] channels, the same layout in and out (or one channel),
/// or 3 channels in either transposition. Returns whether it did; if not,
/// nothing was written. The caller has checked the channels with
/// [`all_exact`].
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
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
    if n == 1 || !planar_in && !planar_out {
        run(out, a, b, channels, ws, wp, stream);
    } else if planar_in && planar_out {
        for (c, channel) in channels.iter().enumerate() {
            let plane = c * pixels..(c + 1) * pixels;
            let (a, b) = (&a[plane.clone()], &b[plane.clone()]);
            run(
                &mut out[plane],
                a,
                b,
                core::slice::from_ref(channel),
                ws,
                wp,
                stream,
            );
        }
    } else if !planar_out {
        if stream {
            chw3_to_hwc::<true>(out, a, b, channels, pixels, ws, wp);
        } else {
            chw3_to_hwc::<false>(out, a, b, channels, pixels, ws, wp);
        }
    } else if stream && pixels.is_multiple_of(8) {
        // the planes stream only when they share one alignment
        hwc3_to_chw::<true>(out, a, b, channels, pixels, ws, wp);
    } else {
        hwc3_to_chw::<false>(out, a, b, channels, pixels, ws, wp);
    }
    true
}

/// [`run_with`] with streaming stores or without.
#[target_feature(enable = "avx2,fma")]
fn run(
    out: &mut [f32],
    a: &[u8],
    b: &[u8],
    channels: &[Channel<'_>],
    ws: f32,
    wp: f32,
    stream: bool,
) {
    if stream {
        run_with::<true>(out, a, b, channels, ws, wp);
    } else {
        run_with::<false>(out, a, b, channels, ws, wp);
    }
}

/// Elements before `out` reaches 32-byte alignment, at most `limit`.
fn head_to_alignment(out: *const f32, limit: usize) -> usize {
    ((32 - out as usize % 32) % 32 / 4).min(limit)
}

/// Same layout in and out: element `i` of the output is element `i` of the
/// inputs, whose channel is `i % channels.len()` (one channel: a plane).
#[target_feature(enable = "avx2,fma")]
fn run_with<const STREAM: bool>(
    out: &mut [f32],
    a: &[u8],
    b: &[u8],
    channels: &[Channel<'_>],
    ws: f32,
    wp: f32,
) {
    let (n, len) = (channels.len(), out.len());
    let (a, b) = (&a[..len], &b[..len]);
    let head = head_to_alignment(out.as_ptr(), len);
    for i in 0..head {
        out[i] = mix1(&channels[i % n], a[i], b[i], ws, wp);
    }
    let lanes = Lanes::new(channels, head);
    let (vs, vp) = (_mm256_set1_ps(ws), _mm256_set1_ps(wp));
    let (o, pa, pb) = (out.as_mut_ptr(), a.as_ptr(), b.as_ptr());
    let mut i = head;
    // SAFETY: every vector covers elements `i..i + 8` below `len`, and
    // `o.add(i)` is 32-byte aligned from `head` on, as streaming needs.
    unsafe {
        while i + 8 * lanes.count <= len {
            prefetch(pa.add(i));
            prefetch(pb.add(i));
            for k in 0..lanes.count {
                let j = i + 8 * k;
                store::<STREAM>(o.add(j), mix8(pa.add(j), pb.add(j), &lanes, k, vs, vp));
            }
            i += 8 * lanes.count;
        }
        if STREAM {
            _mm_sfence();
        }
    }
    for j in i..len {
        out[j] = mix1(&channels[j % n], a[j], b[j], ws, wp);
    }
}

/// Lane `j` of output `k` comes from input `(j - k) mod 3` (lanes
/// 0 to 7): the dealing of 8 interleaved RGB pixels into per-channel
/// vectors (each then permuted into pixel order), and, applied to permuted
/// channel vectors, its inverse.
#[target_feature(enable = "avx2")]
#[inline]
fn deal3([x0, x1, x2]: [__m256; 3]) -> [__m256; 3] {
    [
        _mm256_blend_ps::<0x24>(_mm256_blend_ps::<0x92>(x0, x1), x2),
        _mm256_blend_ps::<0x49>(_mm256_blend_ps::<0x24>(x0, x1), x2),
        _mm256_blend_ps::<0x92>(_mm256_blend_ps::<0x49>(x0, x1), x2),
    ]
}

/// Three planes in, three interleaved channels out: eight pixels of each
/// plane are mixed, permuted, and merged into three vectors by two blends
/// each, the inverse of [`hwc3_to_chw`]'s dealing.
#[target_feature(enable = "avx2,fma")]
fn chw3_to_hwc<const STREAM: bool>(
    out: &mut [f32],
    a: &[u8],
    b: &[u8],
    channels: &[Channel<'_>],
    pixels: usize,
    ws: f32,
    wp: f32,
) {
    let (out, a, b) = (&mut out[..3 * pixels], &a[..3 * pixels], &b[..3 * pixels]);
    let scalar = |out: &mut [f32], p: usize| {
        for (c, channel) in channels.iter().enumerate() {
            out[3 * p + c] = mix1(channel, a[c * pixels + p], b[c * pixels + p], ws, wp);
        }
    };
    // 8 pixels are 96 bytes of output: once aligned, always aligned
    let head = (0..8)
        .find(|h| (out.as_ptr() as usize + 12 * h).is_multiple_of(32))
        .unwrap_or(0)
        .min(pixels);
    for p in 0..head {
        scalar(out, p);
    }
    let lanes: [Lanes; 3] = core::array::from_fn(|c| Lanes::new(&channels[c..=c], 0));
    let (vs, vp) = (_mm256_set1_ps(ws), _mm256_set1_ps(wp));
    // the inverse permutations of `hwc3_to_chw`'s `order`
    let order = [
        _mm256_setr_epi32(0, 3, 6, 1, 4, 7, 2, 5),
        _mm256_setr_epi32(5, 0, 3, 6, 1, 4, 7, 2),
        _mm256_setr_epi32(2, 5, 0, 3, 6, 1, 4, 7),
    ];
    let o = out.as_mut_ptr();
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut p = head;
    // SAFETY: pixels `p..p + 8` lie below `pixels`, so the 8 bytes read
    // from each plane and the 24 elements written from `o.add(3 * p)` are in
    // bounds; when streaming, the head makes `o.add(3 * p)` 32-byte aligned
    // and each step of 8 pixels keeps it so.
    unsafe {
        while p + 8 <= pixels {
            let mut c = [_mm256_set1_ps(0.0); 3];
            for (k, ck) in c.iter_mut().enumerate() {
                let (ia, ib) = (pa.add(k * pixels + p), pb.add(k * pixels + p));
                prefetch(ia);
                prefetch(ib);
                *ck = _mm256_permutevar8x32_ps(mix8(ia, ib, &lanes[k], 0, vs, vp), order[k]);
            }
            let [r0, r1, r2] = deal3(c);
            store::<STREAM>(o.add(3 * p), r0);
            store::<STREAM>(o.add(3 * p + 8), r1);
            store::<STREAM>(o.add(3 * p + 16), r2);
            p += 8;
        }
        if STREAM {
            _mm_sfence();
        }
    }
    for q in p..pixels {
        scalar(out, q);
    }
}

/// Three interleaved channels in, three planes out: eight pixels are three
/// vectors, mixed, then dealt to the planes by two blends and a permute each.
#[target_feature(enable = "avx2,fma")]
fn hwc3_to_chw<const STREAM: bool>(
    out: &mut [f32],
    a: &[u8],
    b: &[u8],
    channels: &[Channel<'_>],
    pixels: usize,
    ws: f32,
    wp: f32,
) {
    let (out, a, b) = (&mut out[..3 * pixels], &a[..3 * pixels], &b[..3 * pixels]);
    let scalar = |out: &mut [f32], p: usize| {
        for (c, channel) in channels.iter().enumerate() {
            out[c * pixels + p] = mix1(channel, a[3 * p + c], b[3 * p + c], ws, wp);
        }
    };
    let head = if pixels.is_multiple_of(8) {
        head_to_alignment(out.as_ptr(), pixels)
    } else {
        0
    };
    for p in 0..head {
        scalar(out, p);
    }
    let lanes = Lanes::new(channels, 0);
    let (vs, vp) = (_mm256_set1_ps(ws), _mm256_set1_ps(wp));
    // after the blends, plane c's pixel j sits in lane order[c][j]
    let order = [
        _mm256_setr_epi32(0, 3, 6, 1, 4, 7, 2, 5),
        _mm256_setr_epi32(1, 4, 7, 2, 5, 0, 3, 6),
        _mm256_setr_epi32(2, 5, 0, 3, 6, 1, 4, 7),
    ];
    let o = out.as_mut_ptr();
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut p = head;
    // SAFETY: pixels `p..p + 8` lie below `pixels`, so their 24 input bytes
    // and the 8 elements written to each plane are in bounds; when
    // streaming, `pixels % 8 == 0` and the head make every plane's
    // `o.add(c * pixels + p)` 32-byte aligned.
    unsafe {
        while p + 8 <= pixels {
            let (ia, ib) = (pa.add(3 * p), pb.add(3 * p));
            prefetch(ia);
            prefetch(ib);
            let r0 = mix8(ia, ib, &lanes, 0, vs, vp);
            let r1 = mix8(ia.add(8), ib.add(8), &lanes, 1, vs, vp);
            let r2 = mix8(ia.add(16), ib.add(16), &lanes, 2, vs, vp);
            // element e = 3 * pixel + channel sits in r(e / 8), lane e % 8
            let [c0, c1, c2] = deal3([r0, r1, r2]);
            store::<STREAM>(o.add(p), _mm256_permutevar8x32_ps(c0, order[0]));
            store::<STREAM>(o.add(pixels + p), _mm256_permutevar8x32_ps(c1, order[1]));
            store::<STREAM>(
                o.add(2 * pixels + p),
                _mm256_permutevar8x32_ps(c2, order[2]),
            );
            p += 8;
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

    fn values(mean: f32, std: f32) -> [f32; 256] {
        core::array::from_fn(|u| (u as f32 / 255.0 - mean) / std)
    }

    fn is_exact(mean: f32, std: f32) -> bool {
        let values = values(mean, std);
        // SAFETY: only called after CPUID reported AVX2 and FMA.
        unsafe {
            exact(&Channel {
                mean,
                std,
                values: &values,
            })
        }
    }

    fn available() -> bool {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }

    /// The path must apply to what loaders use, or its speed is lost
    /// silently: ImageNet's constants, plain ToTensor, and 10,000 random
    /// means and stds of the usual sizes.
    #[test]
    fn usual_constants_take_the_arithmetic_path() {
        if !available() {
            return;
        }
        let imagenet = [(0.485, 0.229), (0.456, 0.224), (0.406, 0.225)];
        for (mean, std) in imagenet
            .into_iter()
            .chain([(0.0, 1.0), (0.5, 0.5), (0.5, -2.0)])
        {
            assert!(is_exact(mean, std), "{mean} {std}");
        }
        let mut state = 12345u64;
        let mut uniform = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 40) as f32 / (1u64 << 24) as f32
        };
        for _ in 0..10_000 {
            let (mean, std) = (uniform() * 2.0 - 0.5, 0.001 + uniform() * 5.0);
            assert!(is_exact(mean, std), "{mean} {std}");
        }
    }

    /// A subnormal std has no finite reciprocal: the check refuses it and
    /// the caller's tables take over (tests/u8.rs checks their bits).
    #[test]
    fn subnormal_std_is_refused() {
        if available() {
            assert!(!is_exact(0.5, 1e-40));
        }
    }
}
