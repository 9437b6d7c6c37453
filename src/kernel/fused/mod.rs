//! The fused u8 to f32 pass: torchvision's `ToTensor()`, `Normalize` and
//! the blend in one pass over the bytes. Three ways, one result: the
//! scalar reference (the formula element by element), per-channel tables
//! of the 256 weighted values, and on x86_64 arithmetic in vectors (AVX2
//! with FMA in `avx2.rs`, AVX-512F in `avx512.rs`), used only where a check
//! shows it gives every value's bits.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;

use super::{Backend, Weights};
use crate::cutmix::CutBox;
use crate::image::{ChannelOrder, FusedImage, Normalize};

#[cfg(target_arch = "x86_64")]
cpufeatures::new!(cpuid_avx2_fma, "avx2", "fma");
#[cfg(target_arch = "x86_64")]
cpufeatures::new!(cpuid_avx512f, "avx512f");

/// One channel of the fused u8 to f32 pass: its `mean` and `std` (0 and 1
/// without Normalize, which leave `u / 255` as it is) and the 256 values
/// `v(u)` computed by the reference formula, which any faster path must
/// match. Only the x86_64 vector path reads the fields.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) struct Channel<'a> {
    /// Subtracted from `u / 255`.
    pub mean: f32,
    /// Divides the difference.
    pub std: f32,
    /// `v(u)` for every byte, by the reference formula.
    pub values: &'a [f32; 256],
}

/// Whether the backend has a vector path for the fused u8 to f32 pass
/// (AVX2 with FMA) that gives, for every channel, each of its 256 values
/// bit for bit. Checked once per batch, before [`normalize_blend`].
pub(crate) fn fused_vectors_exact(backend: Backend, channels: &[Channel<'_>]) -> bool {
    match backend {
        #[cfg(target_arch = "x86_64")]
        Backend::Avx512 if cpuid_avx512f::get() => {
            // SAFETY: CPUID reports AVX-512F.
            unsafe { avx512::all_exact(channels) }
        }
        #[cfg(target_arch = "x86_64")]
        Backend::Avx2 if cpuid_avx2_fma::get() => {
            // SAFETY: CPUID reports AVX2 and FMA.
            unsafe { avx2::all_exact(channels) }
        }
        _ => {
            let _ = channels;
            false
        }
    }
}

/// The fused u8 to f32 pass, `out = w_self * v(a) + w_partner * v(b)`, by
/// arithmetic where the backend has such a path (AVX2 with FMA) and it
/// applies: the shapes and channels the path takes. Returns whether it
/// wrote `out`; if not, nothing was written.
/// Call it only for channels [`fused_vectors_exact`] accepted.
#[allow(clippy::too_many_arguments)]
pub(crate) fn normalize_blend(
    backend: Backend,
    w: Weights,
    out: &mut [f32],
    a: &[u8],
    b: &[u8],
    channels: &[Channel<'_>],
    pixels: usize,
    planar: (bool, bool),
    stream: bool,
) -> bool {
    let weights = (w.w_self, w.w_partner);
    match backend {
        #[cfg(target_arch = "x86_64")]
        Backend::Avx512 if cpuid_avx512f::get() => {
            // SAFETY: CPUID reports AVX-512F.
            unsafe { avx512::normalize_blend(out, a, b, channels, pixels, planar, weights, stream) }
        }
        #[cfg(target_arch = "x86_64")]
        Backend::Avx2 if cpuid_avx2_fma::get() => {
            // SAFETY: CPUID reports AVX2 and FMA.
            unsafe { avx2::normalize_blend(out, a, b, channels, pixels, planar, weights, stream) }
        }
        _ => {
            let _ = (out, a, b, channels, pixels, planar, weights, stream);
            false
        }
    }
}

/// The most channels [`normalize_blend`] takes.
pub(crate) const MAX_FUSED_CHANNELS: usize = 4;

/// Where element (channel `c`, pixel `p`) of a sample lies.
#[inline(always)]
fn index(layout: ChannelOrder, channels: usize, pixels: usize, c: usize, p: usize) -> usize {
    match layout {
        ChannelOrder::Hwc => p * channels + c,
        ChannelOrder::Chw => c * pixels + p,
    }
}

/// Pixels gathered and computed on the stack before they are copied (or
/// streamed) out.
const RUN: usize = 512;

/// The longest run of a box row that [`Fused::vector_box`] converts at once.
const BOX_RUN: usize = 256;

/// What the table pass computes for each element.
#[derive(Clone, Copy)]
enum Source<'s> {
    /// `v(a)`: ToTensor and Normalize alone.
    Own,
    /// `w_self * v(a) + w_partner * v(b)`.
    Blend(&'s [u8], Weights),
    /// CutMix: `v(b)` inside the box of images `width` pixels wide, `v(a)`
    /// outside.
    Cut(&'s [u8], usize, CutBox),
}

/// ToTensor, Normalize and the blend over one run of one channel:
/// `tmp[j] = w_self * v(ua[j]) + w_partner * v(ub[j])`, with
/// `v(u) = ((f32(u) / 255) - mean) / std` (or `f32(u) / 255`). A plain
/// loop over contiguous runs that LLVM vectorizes; IEEE division is exact,
/// so the vector lanes give the scalar bits.
#[inline(always)]
pub(crate) fn combine_run(
    tmp: &mut [f32],
    ua: &[u8],
    ub: &[u8],
    w: Weights,
    norm: Option<(f32, f32)>,
) {
    let v = |u: u8| {
        let x = f32::from(u) / 255.0;
        match norm {
            None => x,
            Some((mean, std)) => (x - mean) / std,
        }
    };
    let (ws, wp) = (w.w_self, w.w_partner);
    for ((t, &x), &y) in tmp.iter_mut().zip(ua).zip(ub) {
        *t = ws * v(x) + wp * v(y);
    }
}

/// `v(u)` for every byte `u`: ToTensor, then Normalize when given.
fn values_of(norm: Option<(f32, f32)>) -> [f32; 256] {
    core::array::from_fn(|u| {
        let x = f32::from(u as u8) / 255.0;
        match norm {
            None => x,
            Some((mean, std)) => (x - mean) / std,
        }
    })
}

/// What the samples of one fused u8 to f32 call share, prepared once: the
/// layout, the normalization, each channel's 256 values `v(u)` (up to
/// [`MAX_FUSED_CHANNELS`] channels), and whether the backend's
/// vector path gives exactly those values.
pub(crate) struct Fused<'a> {
    backend: Backend,
    image: FusedImage,
    normalize: Option<Normalize<'a>>,
    /// Whether `values` holds every channel's values.
    tabled: bool,
    values: [[f32; 256]; MAX_FUSED_CHANNELS],
    /// Whether the vector path matches `values` for every channel.
    vector_exact: bool,
    /// Whether every value is finite (`v(u)` overflows only for a tiny std).
    finite: bool,
}

impl<'a> Fused<'a> {
    /// Prepares the pass for a checked `image` and `normalize`.
    pub(crate) fn new(
        backend: Backend,
        image: FusedImage,
        normalize: Option<Normalize<'a>>,
    ) -> Fused<'a> {
        let channels = image.channels;
        let mut fused = Fused {
            backend,
            image,
            normalize,
            tabled: false,
            values: [[0.0; 256]; MAX_FUSED_CHANNELS],
            vector_exact: false,
            finite: false,
        };
        // the scalar reference needs no tables
        if (1..=MAX_FUSED_CHANNELS).contains(&channels) && backend != Backend::Scalar {
            fused.tabled = true;
            for c in 0..channels {
                fused.values[c] = values_of(fused.norm_of(c));
            }
            fused.vector_exact = fused_vectors_exact(backend, &fused.channels()[..channels]);
            let values = &fused.values[..channels];
            fused.finite = values.iter().flatten().all(|v| v.is_finite());
        }
        fused
    }

    /// Channel `c`'s `(mean, std)`, if normalizing.
    fn norm_of(&self, c: usize) -> Option<(f32, f32)> {
        self.normalize.map(|n| (n.mean[c], n.std[c]))
    }

    /// The channels as the vector path takes them (Normalize's identity,
    /// mean 0 and std 1, without one); the first `image.channels` count.
    fn channels(&self) -> [Channel<'_>; MAX_FUSED_CHANNELS] {
        let last = self.image.channels.clamp(1, MAX_FUSED_CHANNELS) - 1;
        core::array::from_fn(|c| {
            let (mean, std) = self.norm_of(c.min(last)).unwrap_or((0.0, 1.0));
            Channel {
                mean,
                std,
                values: &self.values[c],
            }
        })
    }

    /// Normalizes and blends one pair of u8 samples into `out`.
    ///
    /// The scalar backend evaluates the formula element by element in
    /// layout order: the reference. AVX2 with FMA computes it in vectors
    /// when its exactness check passed (see `fused/avx2.rs`). The
    /// others, and the cases that path leaves, look up, per channel, tables
    /// of the 256 weighted normalized values (`w_self * v(u)` and
    /// `w_partner * v(u)`, the formula's own products, so the same bits) and
    /// add one from each per element, with non-temporal stores when `stream`.
    pub(crate) fn blend(&self, w: Weights, out: &mut [f32], a: &[u8], b: &[u8], stream: bool) {
        let FusedImage {
            channels,
            pixels,
            input,
            output,
        } = self.image;
        if pixels == 0 {
            // nothing to write, however many channels: loops below are
            // bounded by the elements, never by a dimension alone
            return;
        }
        let backend = self.backend;
        let norm_of = |c: usize| self.norm_of(c);
        if backend == Backend::Scalar {
            for c in 0..channels {
                for p in 0..pixels {
                    let i = index(input, channels, pixels, c, p);
                    let o = index(output, channels, pixels, c, p);
                    combine_run(&mut out[o..=o], &a[i..=i], &b[i..=i], w, norm_of(c));
                }
            }
            return;
        }
        if !self.vector(w, out, (a, b), stream) {
            self.table_pass(out, a, Source::Blend(b, w), stream);
        }
    }

    /// The arithmetic path of the backend, where it has one and it applies;
    /// returns whether it wrote `out`.
    fn vector(&self, w: Weights, out: &mut [f32], (a, b): (&[u8], &[u8]), stream: bool) -> bool {
        if !self.vector_exact {
            // also where there are more channels than the tables hold
            return false;
        }
        let image = self.image;
        let planar = (
            image.input == ChannelOrder::Chw,
            image.output == ChannelOrder::Chw,
        );
        let channels = &self.channels()[..image.channels];
        let pixels = image.pixels;
        normalize_blend(self.backend, w, out, a, b, channels, pixels, planar, stream)
    }

    /// `v(a)` by the arithmetic path: the blend of `a` with itself at
    /// weights 1 and 0 is `v(a) + (±0 of v(a)'s sign)`, exactly `v(a)` for
    /// every finite value (signed zeros included), which `finite` says all are.
    fn vector_convert(&self, out: &mut [f32], a: &[u8], stream: bool) -> bool {
        let one = Weights {
            w_self: 1.0,
            w_partner: 0.0,
        };
        self.finite && self.vector(one, out, (a, a), stream)
    }

    /// ToTensor and Normalize alone, `out = v(a)`, for a sample that does
    /// not mix: the bits of torchvision's two transforms.
    pub(crate) fn convert(&self, out: &mut [f32], a: &[u8], stream: bool) {
        let FusedImage {
            channels,
            pixels,
            input,
            output,
        } = self.image;
        if self.backend == Backend::Scalar {
            for c in 0..channels {
                let values = values_of(self.norm_of(c));
                for p in 0..pixels {
                    let i = index(input, channels, pixels, c, p);
                    out[index(output, channels, pixels, c, p)] = values[a[i] as usize];
                }
            }
        } else if !self.vector_convert(out, a, stream) {
            self.table_pass(out, a, Source::Own, stream);
        }
    }

    /// CutMix in one pass: `out = v(b)` inside `cut` and `v(a)` outside,
    /// for images `width` pixels wide, each element written once (streamed
    /// when `stream`). The bits of [`convert`](Self::convert) then
    /// [`convert_box`](Self::convert_box), which the scalar reference does.
    pub(crate) fn convert_cut(
        &self,
        out: &mut [f32],
        (a, b): (&[u8], &[u8]),
        width: usize,
        cut: CutBox,
        stream: bool,
    ) {
        if self.backend == Backend::Scalar {
            self.convert(out, a, false);
            self.convert_box(out, b, width, cut);
        } else if self.vector_convert(out, a, stream) {
            if !self.vector_box(out, b, width, cut) {
                self.convert_box(out, b, width, cut);
            }
        } else {
            self.table_pass(out, a, Source::Cut(b, width, cut), stream);
        }
    }

    /// CutMix's box by the arithmetic path of [`vector_convert`](Self::vector_convert),
    /// row by row: each row's run of the box gathered from `b` into a
    /// contiguous buffer in the input's layout, converted there, and
    /// scattered into `out` in the output's. Returns whether it wrote the
    /// whole box; where the path does not apply it may have written some
    /// rows, with the right values, and the caller writes the box again.
    fn vector_box(&self, out: &mut [f32], b: &[u8], width: usize, cut: CutBox) -> bool {
        let FusedImage {
            channels,
            pixels,
            input,
            output,
        } = self.image;
        if !(self.finite && self.vector_exact) || channels > MAX_FUSED_CHANNELS {
            return false;
        }
        let one = Weights {
            w_self: 1.0,
            w_partner: 0.0,
        };
        let planar = (input == ChannelOrder::Chw, output == ChannelOrder::Chw);
        let all = self.channels();
        let chans = &all[..channels];
        let (mut gathered, mut converted) = (
            [0u8; BOX_RUN * MAX_FUSED_CHANNELS],
            [0.0f32; BOX_RUN * MAX_FUSED_CHANNELS],
        );
        for y in cut.rows() {
            for x0 in cut.columns().step_by(BOX_RUN) {
                let n = BOX_RUN.min(cut.x2 as usize - x0);
                let start = y * width + x0;
                let (src, dst) = (
                    &mut gathered[..n * channels],
                    &mut converted[..n * channels],
                );
                match input {
                    ChannelOrder::Hwc => {
                        src.copy_from_slice(&b[start * channels..][..n * channels])
                    }
                    ChannelOrder::Chw => {
                        for (c, run) in src.chunks_exact_mut(n).enumerate() {
                            run.copy_from_slice(&b[c * pixels + start..][..n]);
                        }
                    }
                }
                let src: &[u8] = src;
                if !normalize_blend(self.backend, one, dst, src, src, chans, n, planar, false) {
                    return false;
                }
                match output {
                    ChannelOrder::Hwc => {
                        out[start * channels..][..n * channels].copy_from_slice(dst)
                    }
                    ChannelOrder::Chw => {
                        for (c, run) in dst.chunks_exact(n).enumerate() {
                            out[c * pixels + start..][..n].copy_from_slice(run);
                        }
                    }
                }
            }
        }
        true
    }

    /// CutMix's box in one pass of lookups: `out = v(b)` inside `cut`, for
    /// images `width` pixels wide, each layout as the pass has it. The
    /// values are the table of [`convert`](Self::convert), so the bits too.
    pub(crate) fn convert_box(&self, out: &mut [f32], b: &[u8], width: usize, cut: CutBox) {
        let FusedImage {
            channels,
            pixels,
            input,
            output,
        } = self.image;
        if cut.area() == 0 {
            return;
        }
        for c in 0..channels {
            let computed;
            let values = if self.tabled {
                &self.values[c]
            } else {
                computed = values_of(self.norm_of(c));
                &computed
            };
            for y in cut.rows() {
                for p in cut.columns().map(|x| y * width + x) {
                    let i = index(input, channels, pixels, c, p);
                    out[index(output, channels, pixels, c, p)] = values[b[i] as usize];
                }
            }
        }
    }

    /// The table path, channel by channel, in runs of pixels built on the
    /// stack and copied out: `own[a] + other[b]` with the weighted tables of
    /// a blend, or `v(a)` alone, with `v(b)` inside a CutMix box.
    fn table_pass(&self, out: &mut [f32], a: &[u8], source: Source<'_>, stream: bool) {
        let FusedImage {
            channels,
            pixels,
            input,
            output,
        } = self.image;
        let mut tmp = [0.0f32; RUN];
        for c in 0..channels {
            let plain = if self.tabled {
                self.values[c]
            } else {
                values_of(self.norm_of(c))
            };
            // The weighted values of the channel: the formula's two
            // products, rounded as it rounds them.
            let tables = match source {
                Source::Blend(b, w) => {
                    let own: [f32; 256] = core::array::from_fn(|u| w.w_self * plain[u]);
                    let other: [f32; 256] = core::array::from_fn(|u| w.w_partner * plain[u]);
                    Some((b, own, other))
                }
                _ => None,
            };
            for p0 in (0..pixels).step_by(RUN) {
                let len = RUN.min(pixels - p0);
                let run = &mut tmp[..len];
                match (input, &tables) {
                    (ChannelOrder::Chw, Some((b, own, other))) => {
                        let (xa, xb) = (&a[c * pixels + p0..][..len], &b[c * pixels + p0..][..len]);
                        for ((t, &x), &y) in run.iter_mut().zip(xa).zip(xb) {
                            *t = own[x as usize] + other[y as usize];
                        }
                    }
                    (ChannelOrder::Hwc, Some((b, own, other))) => {
                        let pixels_a = a[p0 * channels..].chunks_exact(channels);
                        let pixels_b = b[p0 * channels..].chunks_exact(channels);
                        for ((t, pa), pb) in run.iter_mut().zip(pixels_a).zip(pixels_b) {
                            *t = own[pa[c] as usize] + other[pb[c] as usize];
                        }
                    }
                    (ChannelOrder::Chw, None) => {
                        let xa = &a[c * pixels + p0..][..len];
                        run.iter_mut()
                            .zip(xa)
                            .for_each(|(t, &x)| *t = plain[x as usize]);
                    }
                    (ChannelOrder::Hwc, None) => {
                        let pixels_a = a[p0 * channels..].chunks_exact(channels);
                        run.iter_mut()
                            .zip(pixels_a)
                            .for_each(|(t, pa)| *t = plain[pa[c] as usize]);
                    }
                }
                if let Source::Cut(b, width, cut) = source {
                    // the box's part of this run: rows that meet it, columns in it
                    let rows = cut.y1 as usize..cut.y2 as usize;
                    let first = rows.start.max(p0 / width);
                    let end = rows.end.min((p0 + len - 1) / width + 1);
                    for y in first..end {
                        let from = (y * width + cut.x1 as usize).max(p0);
                        let to = (y * width + cut.x2 as usize).min(p0 + len);
                        for p in from..to {
                            run[p - p0] = plain[b[index(input, channels, pixels, c, p)] as usize];
                        }
                    }
                }
                match output {
                    ChannelOrder::Chw => {
                        let dst = &mut out[c * pixels + p0..][..len];
                        if stream {
                            super::copy_stream(self.backend, dst, run);
                        } else {
                            dst.copy_from_slice(run);
                        }
                    }
                    ChannelOrder::Hwc => {
                        let dst = out[p0 * channels..].chunks_exact_mut(channels);
                        for (px, &v) in dst.zip(run.iter()) {
                            px[c] = v;
                        }
                    }
                }
            }
        }
        if stream {
            super::stream_fence();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fused vector kernels as function pointers: what each ISA file
    /// exports, tested alike below (a dispatcher that fell back to the
    /// tables could not pass for it). Only x86_64 has such kernels.
    #[cfg(target_arch = "x86_64")]
    type NormalizeBlend = unsafe fn(
        &mut [f32],
        &[u8],
        &[u8],
        &[Channel<'_>],
        usize,
        (bool, bool),
        (f32, f32),
        bool,
    ) -> bool;
    #[cfg(target_arch = "x86_64")]
    type AllExact = unsafe fn(&[Channel<'_>]) -> bool;

    /// Every fused kernel this CPU runs, with its exactness check.
    #[cfg(target_arch = "x86_64")]
    fn fused_kernels() -> std::vec::Vec<(&'static str, NormalizeBlend, AllExact)> {
        let mut all: std::vec::Vec<(&'static str, NormalizeBlend, AllExact)> = std::vec![];
        if cpuid_avx2_fma::get() {
            all.push(("avx2", avx2::normalize_blend, avx2::all_exact));
        } else {
            std::println!("skipped the AVX2 fused kernel: this CPU lacks AVX2 or FMA");
        }
        if cpuid_avx512f::get() {
            all.push(("avx512", avx512::normalize_blend, avx512::all_exact));
        } else {
            std::println!("skipped the AVX-512 fused kernel: this CPU lacks AVX-512F");
        }
        all
    }

    /// Each fused kernel, called directly, gives the scalar reference's
    /// bits for every layout pair it takes, 1 to 4 channels, lengths with
    /// heads and tails, both store kinds, and the weights of several lambdas;
    /// where it declines (returns `false`), it wrote nothing.
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn every_fused_kernel_matches_the_reference() {
        const MEAN: [f32; 4] = [0.485, 0.456, 0.406, 0.5];
        const STD: [f32; 4] = [0.229, 0.224, 0.225, 0.25];
        let orders = [ChannelOrder::Hwc, ChannelOrder::Chw];
        let mut ran = 0;
        for (name, kernel, all_exact) in fused_kernels() {
            for channels in 1..=4 {
                for pixels in [0, 1, 7, 8, 15, 16, 17, 33, 70] {
                    for (input, output) in orders.iter().flat_map(|&i| orders.map(|o| (i, o))) {
                        let image = FusedImage {
                            channels,
                            pixels,
                            input,
                            output,
                        };
                        let norm = Normalize {
                            mean: &MEAN[..channels],
                            std: &STD[..channels],
                        };
                        let reference = Fused::new(Backend::Scalar, image, Some(norm));
                        let tables = Fused::new(Backend::Portable, image, Some(norm));
                        let chans = &tables.channels()[..channels];
                        // SAFETY: the CPU has the kernel's features (checked above).
                        if !unsafe { all_exact(chans) } {
                            continue;
                        }
                        let len = channels * pixels;
                        let a: std::vec::Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).collect();
                        let b: std::vec::Vec<u8> = (0..len).map(|i| (i * 91 % 253) as u8).collect();
                        for lam in [0.0, 0.37, 0.5, 1.0] {
                            let w = Weights::from_lambda(lam).unwrap();
                            let mut want = std::vec![0.0f32; len];
                            reference.blend(w, &mut want, &a, &b, false);
                            for stream in [false, true] {
                                let mut got = std::vec![f32::NAN; len];
                                let planar =
                                    (input == ChannelOrder::Chw, output == ChannelOrder::Chw);
                                // SAFETY: as above.
                                let wrote = unsafe {
                                    kernel(
                                        &mut got,
                                        &a,
                                        &b,
                                        chans,
                                        pixels,
                                        planar,
                                        (w.w_self, w.w_partner),
                                        stream,
                                    )
                                };
                                if wrote {
                                    ran += 1;
                                    assert_eq!(
                                        got.iter()
                                            .map(|v| v.to_bits())
                                            .collect::<std::vec::Vec<_>>(),
                                        want.iter()
                                            .map(|v| v.to_bits())
                                            .collect::<std::vec::Vec<_>>(),
                                        "{name} {channels} channels, {pixels} pixels, {input:?} to {output:?}, lam {lam}, stream {stream}"
                                    );
                                } else {
                                    assert!(
                                        got.iter().all(|v| v.is_nan()),
                                        "{name} declined but wrote"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        if cpuid_avx2_fma::get() {
            assert!(ran > 0, "no fused kernel ran");
        }
    }

    const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
    const STD: [f32; 3] = [0.229, 0.224, 0.225];

    fn imagenet(backend: Backend, input: ChannelOrder, output: ChannelOrder) -> Fused<'static> {
        let image = FusedImage {
            channels: 3,
            pixels: 64,
            input,
            output,
        };
        let norm = Normalize {
            mean: &MEAN,
            std: &STD,
        };
        Fused::new(backend, image, Some(norm))
    }

    /// The dispatcher, not only the vector code, must take the vector path
    /// for ImageNet's constants wherever AVX2 and FMA are there: its speed
    /// cannot be lost silently to the tables.
    #[test]
    fn imagenet_constants_take_the_vector_path_on_avx2_with_fma() {
        #[cfg(target_arch = "x86_64")]
        let expected = std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma");
        #[cfg(not(target_arch = "x86_64"))]
        let expected = false;
        for (input, output) in [
            (ChannelOrder::Hwc, ChannelOrder::Chw),
            (ChannelOrder::Chw, ChannelOrder::Chw),
        ] {
            if expected {
                assert!(imagenet(Backend::Avx2, input, output).vector_exact);
            }
            assert!(!imagenet(Backend::Portable, input, output).vector_exact);
            assert!(!imagenet(Backend::Scalar, input, output).vector_exact);
        }
        if !expected {
            std::println!("skipped the AVX2 half: this CPU lacks AVX2 or FMA");
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            for (input, output) in [
                (ChannelOrder::Hwc, ChannelOrder::Chw),
                (ChannelOrder::Chw, ChannelOrder::Hwc),
            ] {
                assert!(imagenet(Backend::Avx512, input, output).vector_exact);
            }
        } else {
            std::println!("skipped the AVX-512 half: this CPU lacks AVX-512F");
        }
    }

    /// `convert` by the arithmetic path (a blend at weights 1 and 0) gives
    /// the reference's bits, a `-0.0` included (`v(u) = 0 / negative std`),
    /// and leaves values that overflow (a subnormal std) to the tables.
    #[test]
    fn vector_convert_matches_the_reference_bits() {
        let zero_at = 128u8;
        let mean = [f32::from(zero_at) / 255.0, 0.5, 0.25];
        let cases: [([f32; 3], bool); 2] = [([-0.5, 0.25, -2.0], true), ([1e-40, 1.0, 1.0], false)];
        let mut tested = 0;
        for backend in [Backend::Avx2, Backend::Avx512] {
            if !backend.is_available() {
                std::println!("skipped {}: this CPU lacks it", backend.name());
                continue;
            }
            for (std, finite) in cases {
                for (input, output) in [
                    (ChannelOrder::Hwc, ChannelOrder::Chw),
                    (ChannelOrder::Chw, ChannelOrder::Chw),
                    (ChannelOrder::Hwc, ChannelOrder::Hwc),
                ] {
                    let image = FusedImage {
                        channels: 3,
                        pixels: 67,
                        input,
                        output,
                    };
                    let norm = Some(Normalize {
                        mean: &mean,
                        std: &std,
                    });
                    let fused = Fused::new(backend, image, norm);
                    assert_eq!(fused.finite, finite);
                    // element 0 is channel 0 in either layout
                    let mut a: std::vec::Vec<u8> = (0..201).map(|i| (i * 37 % 256) as u8).collect();
                    a[0] = zero_at;
                    let a = &a[..];
                    let mut want = [0.0f32; 201];
                    Fused::new(Backend::Scalar, image, norm).convert(&mut want, a, false);
                    for stream in [false, true] {
                        let mut got = [f32::NAN; 201];
                        fused.convert(&mut got, a, stream);
                        assert_eq!(
                            got.map(f32::to_bits),
                            want.map(f32::to_bits),
                            "{backend:?} {input:?} {output:?}"
                        );
                    }
                    assert!(want.iter().any(|v| v.to_bits() == (-0.0f32).to_bits()) || !finite);
                    tested += usize::from(fused.vector_exact && finite);
                }
            }
        }
        std::println!("{tested} layouts took the vector path");
    }
}
