//! CutMix (Yun et al. 2019): a sample takes its partner's pixels inside a
//! box and keeps its own outside; its label weight is the share of its own
//! pixels. This module holds what a plan says about boxes; `geometry`
//! computes them as torchvision and timm do, `paste` moves the pixels.

mod geometry;
pub(crate) mod paste;

pub(crate) use geometry::{check_minmax, check_sides, draw_box};
pub use geometry::{timm_box, timm_minmax_box, torchvision_box};

use crate::error::{Error, Result};
use crate::image::ImageShape;

/// What happens to one sample of a batch.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Op {
    /// Left as it is (its `prob` test failed, or mixing is off).
    #[default]
    Unmixed = 0,
    /// Blended with its partner: `w_self * x[i] + w_partner * x[p(i)]`.
    Mixup = 1,
    /// The partner's pixels pasted inside the sample's box.
    CutMix = 2,
}

/// A box of an image: rows `y1..y2` and columns `x1..x2`, half-open, as
/// Python slices `[..., y1:y2, x1:x2]` take them. It is empty when
/// `y1 == y2` or `x1 == x2`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct CutBox {
    /// First row inside.
    pub y1: u32,
    /// First row below the box.
    pub y2: u32,
    /// First column inside.
    pub x1: u32,
    /// First column right of the box.
    pub x2: u32,
}

impl CutBox {
    /// Pixels inside the box, 0 for an empty or inverted one.
    pub fn area(&self) -> u64 {
        u64::from(self.y2.saturating_sub(self.y1)) * u64::from(self.x2.saturating_sub(self.x1))
    }

    /// Whether the box lies in a `height x width` image, corners ordered.
    pub fn fits(&self, height: usize, width: usize) -> bool {
        self.y1 <= self.y2
            && self.x1 <= self.x2
            && self.y2 as usize <= height
            && self.x2 as usize <= width
    }

    /// `1 - area / (height * width)`, the share of the sample's own
    /// pixels, computed in f64 as torchvision and timm do.
    pub fn corrected_lambda(&self, height: usize, width: usize) -> f64 {
        1.0 - self.area() as f64 / (height as f64 * width as f64)
    }

    /// Rows of the box, as indices.
    pub(crate) fn rows(&self) -> core::ops::Range<usize> {
        self.y1 as usize..self.y2 as usize
    }

    /// Columns of the box, as indices.
    pub(crate) fn columns(&self) -> core::ops::Range<usize> {
        self.x1 as usize..self.x2 as usize
    }
}

/// How CutMix boxes are drawn, and which lambda arithmetic a plan uses.
///
/// | recipe | box | `lam'` | lambda arithmetic | `lam = 1` |
/// | --- | --- | --- | --- | --- |
/// | `TorchVision` | v2 `CutMix`: half sizes `(int)(0.5 * sqrt(1 - lam) * W)` around a centre | always corrected | f64 | computed by the formula |
/// | `Timm` | `rand_bbox`: `cut = (int)(H * sqrt(1 - lam))`, integer halves around a centre, as the timm release of its [`TimmRule`] cuts them; or `cutmix_minmax` | corrected with `correct_lam` (always with `minmax`) | f64 at `Batch`, f32 at `Elem`, `Pair`, `Half` | the sample is left unmixed |
///
/// timm keeps per-sample lambdas in a float32 array and computes `1 - lam`
/// in float32 (NumPy 2 rules), so at `Elem`, `Pair` and `Half` the
/// `Timm` recipe rounds each lambda to f32 when it is drawn, computes the
/// box ratio `sqrt(1 - lam)` in f32, and rounds `lam'` to f32. The weights
/// `f32(lam)` and `f32(1 - lam)` of such a lambda are exactly timm's
/// `f32(lam)` and `f32(1 - f32(lam))`, for images and targets alike.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Recipe {
    /// torchvision v2 `MixUp` / `CutMix` (with `RandomChoice`).
    #[default]
    TorchVision,
    /// timm's `Mixup` and `FastCollateMixup`.
    Timm {
        /// timm's `correct_lam`: `lam'` from the clipped box's area.
        correct_lam: bool,
        /// timm's `cutmix_minmax = (lo, hi)`, `0 < lo < hi <= 1`: box sides
        /// drawn as fractions of the image, and CutMix's alpha forced to 1,
        /// as timm forces it.
        minmax: Option<(f64, f64)>,
        /// Which timm release's boxes: today's, or those up to 1.0.28.
        rule: TimmRule,
    },
}

impl Recipe {
    /// timm's defaults as timm cuts boxes today (1.0.29 and later):
    /// `correct_lam = True`, no `cutmix_minmax`.
    pub const TIMM: Recipe = Recipe::Timm {
        correct_lam: true,
        minmax: None,
        rule: TimmRule::Since1_0_29,
    };

    /// [`Recipe::TIMM`] with the boxes of timm up to 1.0.28, to replay runs
    /// made with those releases.
    pub const TIMM_1_0_28: Recipe = Recipe::Timm {
        correct_lam: true,
        minmax: None,
        rule: TimmRule::UpTo1_0_28,
    };
}

/// Which timm release's CutMix boxes the timm recipe cuts. timm 1.0.29
/// changed both of its box functions; the default is timm as it is today.
///
/// | rule | `rand_bbox` upper edge | `rand_bbox_minmax` corner `yl` |
/// | --- | --- | --- |
/// | `Since1_0_29` | `clip(cy + (cut_h + 1) // 2, 0, H)`: an unclipped box is `cut_h` tall | uniform in `[0, H - cut_h]` |
/// | `UpTo1_0_28` | `clip(cy + cut_h // 2, 0, H)`: one row short for an odd `cut_h` | uniform in `[0, H - cut_h)` |
///
/// The lower edges, `clip(cy - cut_h // 2, 0, H)`, are the same in both,
/// and so is x. Both draw the same integers in the same order; the minmax
/// corner's bound is one larger under `Since1_0_29` (docs/DESIGN.md §4).
#[allow(non_camel_case_types)] // versions read best with their dots as underscores
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum TimmRule {
    /// timm 1.0.29 and later: today's timm.
    #[default]
    Since1_0_29,
    /// timm up to 1.0.28.
    UpTo1_0_28,
}

impl TimmRule {
    /// How far a `rand_bbox` box reaches past its centre for a cut of `cut`.
    pub(crate) fn upper_half(self, cut: u64) -> u64 {
        match self {
            TimmRule::Since1_0_29 => cut.div_ceil(2),
            TimmRule::UpTo1_0_28 => cut / 2,
        }
    }

    /// How many corners `rand_bbox_minmax` draws from for a cut of `cut`
    /// on a side of `side` (`cut < side`).
    pub(crate) fn corners(self, side: u64, cut: u64) -> u64 {
        match self {
            TimmRule::Since1_0_29 => side - cut + 1,
            TimmRule::UpTo1_0_28 => side - cut,
        }
    }
}

/// The boxes of a plan and the shape of the images they lie in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cuts<'a> {
    /// The shape of each sample of the batch the plan mixes (for the fused
    /// u8 to f32 call, of the u8 input).
    pub image: ImageShape,
    /// The box of each sample (`n`), read where its op is [`Op::CutMix`].
    pub boxes: &'a [CutBox],
}

impl Cuts<'_> {
    /// Checks the shape, `n` boxes and that each CutMix box fits the image.
    pub(crate) fn check(&self, ops: &[Op]) -> Result<()> {
        self.image.elements()?;
        let (h, w) = (self.image.height, self.image.width);
        let fits = ops
            .iter()
            .zip(self.boxes)
            .all(|(op, b)| *op != Op::CutMix || b.fits(h, w));
        if self.boxes.len() == ops.len() && fits {
            Ok(())
        } else {
            Err(Error::InvalidArgument)
        }
    }
}
