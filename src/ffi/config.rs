//! The options of a one-call batch: `mixup_config`, its enums, and what
//! it means in Rust (`MixConfig`, and the image CutMix cuts).

use super::*;

/// How many lambdas a batch gets, for `mixup_config.granularity`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mixup_granularity {
    /// One lambda for the batch (torchvision, mmpretrain).
    Batch = 0,
    /// One lambda per sample (timm `elem`).
    Elem = 1,
    /// Samples `i` and `n-1-i` share one lambda (timm `pair`).
    Pair = 2,
    /// One lambda per sample of the first `n / 2`, the output; the second
    /// half is left unmixed (timm `half`, with flip pairing).
    Half = 3,
}

/// Whose CutMix boxes and lambda arithmetic, for `mixup_config.recipe`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mixup_recipe {
    /// torchvision v2: boxes with half sizes `(int)(0.5 * sqrt(1 - lam) * W)`,
    /// lambda always corrected, f64 lambdas.
    Torchvision = 0,
    /// timm as it is today (1.0.29 and later): `rand_bbox` (or
    /// `cutmix_minmax`), `correct_lam`, f32 lambdas at elem, pair and half
    /// granularity, a drawn lambda of 1 left unmixed.
    Timm = 1,
    /// timm up to 1.0.28, whose boxes differ (see `mixup_cutmix_box`): to
    /// replay runs made with those releases.
    Timm_1_0_28 = 2,
}

/// The Rust recipe of a C `recipe` value, with timm's options.
pub(crate) fn recipe_of(
    recipe: u32,
    correct_lam: u32,
    minmax: Option<(f64, f64)>,
) -> Result<Recipe> {
    let rule = match (recipe, correct_lam, minmax) {
        (0, 0 | 1, None) => return Ok(Recipe::TorchVision),
        (1, 0 | 1, _) => TimmRule::Since1_0_29,
        (2, 0 | 1, _) => TimmRule::UpTo1_0_28,
        _ => return Err(Error::InvalidArgument),
    };
    Ok(Recipe::Timm {
        correct_lam: correct_lam == 1,
        minmax,
        rule,
    })
}

/// What happened to one sample, as `mixup_batch_outputs.ops` reports it.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mixup_op {
    /// Left as it is.
    Unmixed = 0,
    /// Blended with its partner.
    Mixup = 1,
    /// Its partner's pixels pasted inside its box.
    Cutmix = 2,
}

/// Everything random about a one-call batch; start from
/// `mixup_config_default()`.
///
/// The ABI grows by adding fields at the end, each version's size a
/// multiple of 8: the library reads only the fields that `struct_size`
/// covers and defaults the rest, so a caller built against an older,
/// smaller version keeps working.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct mixup_config {
    /// `sizeof(mixup_config)` as the caller was built, set by `mixup_config_default()`.
    pub struct_size: usize,
    /// First Beta shape; 0 with `beta` 0 switches mixing off.
    pub alpha: f64,
    /// Second Beta shape; equal to `alpha` for mixup.
    pub beta: f64,
    /// Probability of mixing, in [0, 1].
    pub prob: f64,
    /// timm's label smoothing, in [0, 1].
    pub label_smoothing: f64,
    /// The shift of `MIXUP_PAIRING_ROLL`; ignored by other pairings.
    pub roll_shift: i64,
    /// A `mixup_pairing` value.
    pub pairing: u32,
    /// A `mixup_granularity` value.
    pub granularity: u32,
    /// CutMix's Beta shape; 0 (the default) switches CutMix off.
    pub cutmix_alpha: f64,
    /// With mixup and CutMix both on, the probability of CutMix, in [0, 1].
    pub switch_prob: f64,
    /// timm's `cutmix_minmax` lower bound, with `minmax_hi`: `0 < lo < hi
    /// <= 1`, or both 0 for none (the default). Needs the timm recipe.
    pub minmax_lo: f64,
    /// timm's `cutmix_minmax` upper bound.
    pub minmax_hi: f64,
    /// Image rows, needed when CutMix is on.
    pub height: usize,
    /// Image columns, needed when CutMix is on.
    pub width: usize,
    /// A `mixup_recipe` value.
    pub recipe: u32,
    /// timm's `correct_lam`, 0 or 1 (default 1); the torchvision recipe
    /// always corrects.
    pub correct_lam: u32,
    /// The `mixup_layout` of the samples of `mixup_batch_f32` and
    /// `mixup_batch_u8` when CutMix is on; their channels are `len /
    /// (height * width)`. `mixup_batch_u8_f32` takes its `mixup_image` instead.
    pub layout: u32,
    /// Reserved, 0.
    pub reserved: u32,
}

/// The defaults, the same as Rust's `MixConfig::default()`: alpha = beta = 1,
/// prob = 1, random permutation, one lambda per batch, no label smoothing,
/// no CutMix, the torchvision recipe.
/// For torchvision's `RandomMixup`, set `pairing = MIXUP_PAIRING_ROLL`,
/// `roll_shift = 1` and `prob = 0.5`. For timm's `Mixup(mixup_alpha=0.8,
/// cutmix_alpha=1.0, label_smoothing=0.1)`, set `alpha = beta = 0.8`,
/// `cutmix_alpha = 1`, `label_smoothing = 0.1`, `pairing =
/// MIXUP_PAIRING_FLIP`, `recipe = MIXUP_RECIPE_TIMM`, and the image's
/// `height`, `width` and `layout`.
#[unsafe(no_mangle)]
pub extern "C" fn mixup_config_default() -> mixup_config {
    mixup_config {
        struct_size: size_of::<mixup_config>(),
        alpha: 1.0,
        beta: 1.0,
        prob: 1.0,
        label_smoothing: 0.0,
        roll_shift: 1,
        pairing: mixup_pairing::Permutation as u32,
        granularity: mixup_granularity::Batch as u32,
        cutmix_alpha: 0.0,
        switch_prob: 0.5,
        minmax_lo: 0.0,
        minmax_hi: 0.0,
        height: 0,
        width: 0,
        recipe: mixup_recipe::Torchvision as u32,
        correct_lam: 1,
        layout: mixup_layout::Chw as u32,
        reserved: 0,
    }
}

/// The Rust configuration of a C one, every field checked.
pub(crate) fn config_of(c: &mixup_config) -> Result<MixConfig> {
    let granularity = match c.granularity {
        0 => Granularity::Batch,
        1 => Granularity::Elem,
        2 => Granularity::Pair,
        3 => Granularity::Half,
        _ => return Err(Error::InvalidArgument),
    };
    let minmax = match (c.minmax_lo, c.minmax_hi) {
        (0.0, 0.0) => None,
        bounds => Some(bounds),
    };
    let recipe = recipe_of(c.recipe, c.correct_lam, minmax)?;
    if !(0.0..=1.0).contains(&c.label_smoothing) || c.reserved != 0 {
        return Err(Error::InvalidArgument);
    }
    // an unknown enum value is an error whether or not this call reads it
    layout_of(c.layout)?;
    let config = MixConfig {
        alpha: c.alpha,
        beta: c.beta,
        prob: c.prob,
        pairing: pairing_of(c.pairing, c.roll_shift)?,
        granularity,
        cutmix_alpha: c.cutmix_alpha,
        switch_prob: c.switch_prob,
        recipe,
    };
    config.validate()?;
    Ok(config)
}

/// What a one-call batch mixes: flat samples of `len` elements (f32 and u8
/// in place), or u8 images of a `mixup_image` (u8 to f32).
#[derive(Clone, Copy)]
pub(crate) enum Samples {
    /// `len` elements each; CutMix takes its image from the config.
    Flat(usize),
    /// The images of a `mixup_image`.
    Image(FusedImage),
}

impl Samples {
    /// The image CutMix cuts, when it is on: from the config's height, width
    /// and layout (the channels fill the sample exactly), or from the
    /// `mixup_image` (whose pixels must be `height * width`).
    pub(crate) fn cut_image(self, c: &mixup_config) -> Result<ImageShape> {
        let (h, w) = (c.height, c.width);
        let pixels = h.checked_mul(w).ok_or(Error::SizeOverflow)?;
        let image = match self {
            Samples::Flat(len) => ImageShape {
                channels: len.checked_div(pixels).ok_or(Error::InvalidArgument)?,
                height: h,
                width: w,
                layout: layout_of(c.layout)?,
            },
            Samples::Image(layout) if layout.pixels == pixels => ImageShape {
                channels: layout.channels,
                height: h,
                width: w,
                layout: layout.input,
            },
            Samples::Image(_) => return Err(Error::InvalidArgument),
        };
        let len = image.elements()?;
        match self {
            Samples::Flat(flat) if flat != len => Err(Error::InvalidArgument),
            _ => Ok(image),
        }
    }
}
