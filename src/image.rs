//! Images as u8 samples: their layout, torchvision's `ToTensor` and
//! `Normalize`, and the pass that fuses both with the blend.

use crate::error::{Error, Result};
use crate::kernel::{self, Backend, Weights};

/// Where the channels of an image sample are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Layout {
    /// Interleaved, `[height, width, channels]`, as decoders produce it.
    #[default]
    Hwc,
    /// Planar, `[channels, height, width]`, as tensors hold it.
    Chw,
}

/// The shape of one image sample of u8, and the layout wanted for its f32
/// result: HWC in and CHW out fuses the transpose into the mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageLayout {
    /// Channels per pixel, at least 1.
    pub channels: usize,
    /// Pixels per image, `height * width`.
    pub pixels: usize,
    /// The layout of the u8 input.
    pub input: Layout,
    /// The layout of the f32 output.
    pub output: Layout,
}

impl ImageLayout {
    /// Elements per sample, `channels * pixels`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for 0 channels, [`Error::SizeOverflow`]
    /// when the product overflows.
    pub fn len(&self) -> Result<usize> {
        if self.channels == 0 {
            return Err(Error::InvalidArgument);
        }
        self.channels
            .checked_mul(self.pixels)
            .ok_or(Error::SizeOverflow)
    }

    /// Whether a sample holds no element.
    pub fn is_empty(&self) -> bool {
        self.pixels == 0
    }
}

/// torchvision's `Normalize(mean, std)`, one value per channel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Normalize<'a> {
    /// Subtracted from `u / 255`, per channel.
    pub mean: &'a [f32],
    /// Divides the difference, per channel; never 0.
    pub std: &'a [f32],
}

impl Normalize<'_> {
    /// Checks one finite mean and one finite, non-zero std per channel.
    pub(crate) fn check(&self, channels: usize) -> Result<()> {
        let ok = self.mean.len() == channels
            && self.std.len() == channels
            && self.mean.iter().all(|m| m.is_finite())
            && self.std.iter().all(|s| s.is_finite() && *s != 0.0);
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidArgument)
        }
    }
}

/// Where element (channel `c`, pixel `p`) of a sample lies.
#[inline(always)]
fn index(layout: Layout, channels: usize, pixels: usize, c: usize, p: usize) -> usize {
    match layout {
        Layout::Hwc => p * channels + c,
        Layout::Chw => c * pixels + p,
    }
}

/// Pixels gathered and computed on the stack before they are copied (or
/// streamed) out.
const RUN: usize = 512;

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
/// [`kernel::MAX_FUSED_CHANNELS`] channels), and whether the backend's
/// vector path gives exactly those values.
pub(crate) struct Fused<'a> {
    backend: Backend,
    image: ImageLayout,
    normalize: Option<Normalize<'a>>,
    /// Whether `values` holds every channel's values.
    few: bool,
    values: [[f32; 256]; kernel::MAX_FUSED_CHANNELS],
    /// Whether the vector path matches `values` for every channel.
    vectors: bool,
}

impl<'a> Fused<'a> {
    /// Prepares the pass for a checked `image` and `normalize`.
    pub(crate) fn new(
        backend: Backend,
        image: ImageLayout,
        normalize: Option<Normalize<'a>>,
    ) -> Fused<'a> {
        let channels = image.channels;
        let mut fused = Fused {
            backend,
            image,
            normalize,
            few: false,
            values: [[0.0; 256]; kernel::MAX_FUSED_CHANNELS],
            vectors: false,
        };
        // the scalar reference needs no tables
        if (1..=kernel::MAX_FUSED_CHANNELS).contains(&channels) && backend != Backend::Scalar {
            fused.few = true;
            for c in 0..channels {
                fused.values[c] = values_of(fused.norm_of(c));
            }
            fused.vectors = kernel::fused_vectors_exact(backend, &fused.channels()[..channels]);
        }
        fused
    }

    /// Channel `c`'s `(mean, std)`, if normalizing.
    fn norm_of(&self, c: usize) -> Option<(f32, f32)> {
        self.normalize.map(|n| (n.mean[c], n.std[c]))
    }

    /// The channels as the vector path takes them (Normalize's identity,
    /// mean 0 and std 1, without one); the first `image.channels` count.
    fn channels(&self) -> [kernel::Channel<'_>; kernel::MAX_FUSED_CHANNELS] {
        let last = self.image.channels.clamp(1, kernel::MAX_FUSED_CHANNELS) - 1;
        core::array::from_fn(|c| {
            let (mean, std) = self.norm_of(c.min(last)).unwrap_or((0.0, 1.0));
            kernel::Channel {
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
    /// when its exactness check passed (see `kernel::avx2_image`). The
    /// others, and the cases that path leaves, look up, per channel, tables
    /// of the 256 weighted normalized values (`w_self * v(u)` and
    /// `w_partner * v(u)`, the formula's own products, so the same bits) and
    /// add one from each per element, with non-temporal stores when `stream`.
    pub(crate) fn blend(&self, w: Weights, out: &mut [f32], a: &[u8], b: &[u8], stream: bool) {
        let ImageLayout {
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
        let planar = (input == Layout::Chw, output == Layout::Chw);
        if self.vectors
            && kernel::normalize_blend(
                backend,
                w,
                out,
                a,
                b,
                &self.channels()[..channels],
                pixels,
                planar,
                stream,
            )
        {
            return;
        }
        self.table_pass(out, a, Some((b, w)), stream);
    }

    /// ToTensor and Normalize alone, `out = v(a)`, for a sample that does
    /// not mix: the bits of torchvision's two transforms.
    pub(crate) fn convert(&self, out: &mut [f32], a: &[u8], stream: bool) {
        let ImageLayout {
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
        } else {
            self.table_pass(out, a, None, stream);
        }
    }

    /// The table path, channel by channel, in runs of pixels built on the
    /// stack and copied out: `own[a] + other[b]` with the weighted tables of
    /// a blend, or `v(a)` alone without a partner.
    fn table_pass(
        &self,
        out: &mut [f32],
        a: &[u8],
        partner: Option<(&[u8], Weights)>,
        stream: bool,
    ) {
        let ImageLayout {
            channels,
            pixels,
            input,
            output,
        } = self.image;
        let mut tmp = [0.0f32; RUN];
        for c in 0..channels {
            let plain = if self.few {
                self.values[c]
            } else {
                values_of(self.norm_of(c))
            };
            // The weighted values of the channel: the formula's two
            // products, rounded as it rounds them.
            let tables = partner.map(|(b, w)| {
                let own: [f32; 256] = core::array::from_fn(|u| w.w_self * plain[u]);
                let other: [f32; 256] = core::array::from_fn(|u| w.w_partner * plain[u]);
                (b, own, other)
            });
            for p0 in (0..pixels).step_by(RUN) {
                let len = RUN.min(pixels - p0);
                let run = &mut tmp[..len];
                match (input, &tables) {
                    (Layout::Chw, Some((b, own, other))) => {
                        let (xa, xb) = (&a[c * pixels + p0..][..len], &b[c * pixels + p0..][..len]);
                        for ((t, &x), &y) in run.iter_mut().zip(xa).zip(xb) {
                            *t = own[x as usize] + other[y as usize];
                        }
                    }
                    (Layout::Hwc, Some((b, own, other))) => {
                        let pixels_a = a[p0 * channels..].chunks_exact(channels);
                        let pixels_b = b[p0 * channels..].chunks_exact(channels);
                        for ((t, pa), pb) in run.iter_mut().zip(pixels_a).zip(pixels_b) {
                            *t = own[pa[c] as usize] + other[pb[c] as usize];
                        }
                    }
                    (Layout::Chw, None) => {
                        let xa = &a[c * pixels + p0..][..len];
                        run.iter_mut()
                            .zip(xa)
                            .for_each(|(t, &x)| *t = plain[x as usize]);
                    }
                    (Layout::Hwc, None) => {
                        let pixels_a = a[p0 * channels..].chunks_exact(channels);
                        run.iter_mut()
                            .zip(pixels_a)
                            .for_each(|(t, pa)| *t = plain[pa[c] as usize]);
                    }
                }
                match output {
                    Layout::Chw => {
                        let dst = &mut out[c * pixels + p0..][..len];
                        if stream {
                            kernel::copy_stream(self.backend, dst, run);
                        } else {
                            dst.copy_from_slice(run);
                        }
                    }
                    Layout::Hwc => {
                        let dst = out[p0 * channels..].chunks_exact_mut(channels);
                        for (px, &v) in dst.zip(run.iter()) {
                            px[c] = v;
                        }
                    }
                }
            }
        }
        if stream {
            kernel::stream_fence();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
    const STD: [f32; 3] = [0.229, 0.224, 0.225];

    fn imagenet(backend: Backend, input: Layout, output: Layout) -> Fused<'static> {
        let image = ImageLayout {
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
        for (input, output) in [(Layout::Hwc, Layout::Chw), (Layout::Chw, Layout::Chw)] {
            if expected {
                assert!(imagenet(Backend::Avx2, input, output).vectors);
            }
            assert!(!imagenet(Backend::Portable, input, output).vectors);
            assert!(!imagenet(Backend::Scalar, input, output).vectors);
        }
        if !expected {
            std::println!("skipped the AVX2 half: this CPU lacks AVX2 or FMA");
        }
    }
}
