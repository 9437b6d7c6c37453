//! Images as u8 samples: their layout and torchvision's `Normalize`. The
//! pass that fuses ToTensor and Normalize with the blend is
//! `kernel::fused`.

use crate::error::{Error, Result};

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
