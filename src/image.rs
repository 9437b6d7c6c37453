//! Images as u8 samples: their layout, torchvision's `ToTensor` and
//! `Normalize`, and the pass that fuses both with the blend.

use crate::error::{Error, Result};
use crate::kernel::{Backend, Weights};

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

/// `ToTensor` then `Normalize` for one value of channel `c`, in f32:
/// `((f32(u) / 255) - mean[c]) / std[c]`.
pub(crate) fn normalized(u: u8, c: usize, normalize: Option<Normalize<'_>>) -> f32 {
    let v = f32::from(u) / 255.0;
    match normalize {
        None => v,
        Some(n) => (v - n.mean[c]) / n.std[c],
    }
}

/// Channel `c`'s values of a sample, in pixel order.
fn channel<T>(
    sample: &[T],
    layout: Layout,
    channels: usize,
    pixels: usize,
    c: usize,
) -> impl Iterator<Item = &T> {
    let (start, step) = match layout {
        Layout::Hwc => (c, channels),
        Layout::Chw => (c * pixels, 1),
    };
    sample[start..].iter().step_by(step).take(pixels)
}

/// Channel `c`'s slots of an output sample, in pixel order.
fn channel_mut<T>(
    sample: &mut [T],
    layout: Layout,
    channels: usize,
    pixels: usize,
    c: usize,
) -> impl Iterator<Item = &mut T> {
    let (start, step) = match layout {
        Layout::Hwc => (c, channels),
        Layout::Chw => (c * pixels, 1),
    };
    sample[start..].iter_mut().step_by(step).take(pixels)
}

/// Normalizes and blends one pair of u8 samples into `out`.
///
/// The scalar backend evaluates the formula for every element: the
/// reference. The others look up, per channel, tables of the 256 weighted
/// normalized values, `w_self * v(u)` and `w_partner * v(u)`: the same
/// roundings, so the same bits, at one add per element. The weights
/// `(1, 0)` and `(0, 1)` give the normalized sample or partner as they are.
#[allow(clippy::too_many_arguments)]
pub(crate) fn normalize_blend(
    backend: Backend,
    w: Weights,
    image: ImageLayout,
    normalize: Option<Normalize<'_>>,
    out: &mut [f32],
    a: &[u8],
    b: &[u8],
    _stream: bool,
) {
    let ImageLayout {
        channels,
        pixels,
        input,
        output,
    } = image;
    if pixels == 0 {
        return;
    }
    for c in 0..channels {
        let dst = channel_mut(out, output, channels, pixels, c);
        let (xa, xb) = (
            channel(a, input, channels, pixels, c),
            channel(b, input, channels, pixels, c),
        );
        let value = |u: u8| normalized(u, c, normalize);
        if backend == Backend::Scalar {
            for ((o, &ua), &ub) in dst.zip(xa).zip(xb) {
                *o = if w.is_identity() {
                    value(ua)
                } else if w.is_copy() {
                    value(ub)
                } else {
                    w.w_self * value(ua) + w.w_partner * value(ub)
                };
            }
            continue;
        }
        let plain: [f32; 256] = core::array::from_fn(|u| value(u as u8));
        if w.is_identity() {
            dst.zip(xa).for_each(|(o, &u)| *o = plain[u as usize]);
        } else if w.is_copy() {
            dst.zip(xb).for_each(|(o, &u)| *o = plain[u as usize]);
        } else {
            let own: [f32; 256] = core::array::from_fn(|u| w.w_self * plain[u]);
            let other: [f32; 256] = core::array::from_fn(|u| w.w_partner * plain[u]);
            for ((o, &ua), &ub) in dst.zip(xa).zip(xb) {
                *o = own[ua as usize] + other[ub as usize];
            }
        }
    }
}
