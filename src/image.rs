//! Images as u8 samples: their layout and torchvision's `Normalize`. The
//! pass that fuses ToTensor and Normalize with the blend is
//! `kernel::fused`.

use crate::error::{Error, Result};

/// Where the channels of an image sample are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ChannelOrder {
    /// Interleaved, `[height, width, channels]`, as decoders produce it.
    #[default]
    Hwc,
    /// Planar, `[channels, height, width]`, as tensors hold it.
    Chw,
}

/// The old name of [`ChannelOrder`] (it shadowed `core::alloc::Layout`).
#[deprecated(since = "0.1.0", note = "renamed ChannelOrder")]
pub type Layout = ChannelOrder;

/// The old name of [`FusedImage`].
#[deprecated(since = "0.1.0", note = "renamed FusedImage")]
pub type ImageLayout = FusedImage;

/// The image of the fused pass (ToTensor and Normalize fused into the mix):
/// one u8 sample's channels and pixels, its channel order, and the order
/// wanted for its f32 result (HWC in and CHW out fuses the transpose).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FusedImage {
    /// Channels per pixel, at least 1.
    pub channels: usize,
    /// Pixels per image, `height * width`.
    pub pixels: usize,
    /// The layout of the u8 input.
    pub input: ChannelOrder,
    /// The layout of the f32 output.
    pub output: ChannelOrder,
}

impl FusedImage {
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

/// The shape of one image sample: what CutMix needs to find a box in it.
///
/// ```
/// use mixup::{ImageShape, ChannelOrder};
/// let image = ImageShape { channels: 3, height: 224, width: 224, layout: ChannelOrder::Chw };
/// assert_eq!(image.elements(), Ok(3 * 224 * 224));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageShape {
    /// Channels per pixel, at least 1.
    pub channels: usize,
    /// Rows, at least 1.
    pub height: usize,
    /// Columns, at least 1.
    pub width: usize,
    /// Where the channels are.
    pub layout: ChannelOrder,
}

impl ImageShape {
    /// One pixel of one channel.
    pub(crate) const PIXEL: ImageShape = ImageShape {
        channels: 1,
        height: 1,
        width: 1,
        layout: ChannelOrder::Chw,
    };

    /// Elements per sample, `channels * height * width`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a dimension is 0 or `height` or
    /// `width` exceeds `u32::MAX` (boxes hold `u32` coordinates),
    /// [`Error::SizeOverflow`] when the product overflows.
    pub fn elements(&self) -> Result<usize> {
        let fits = |d: usize| d != 0 && d as u64 <= u64::from(u32::MAX);
        if self.channels == 0 || !fits(self.height) || !fits(self.width) {
            return Err(Error::InvalidArgument);
        }
        self.channels
            .checked_mul(self.height)
            .and_then(|x| x.checked_mul(self.width))
            .ok_or(Error::SizeOverflow)
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
