//! CutMix box geometry on its own: the box and the corrected lambda that
//! torchvision or timm computes from `lam` and the drawn integers, so that
//! loaders and tests can check the geometry without a batch.

use super::*;

/// A CutMix box (`CutBox`): rows `y1..y2`, columns `x1..x2`, half-open.
pub type mixup_box = CutBox;

/// Writes a box and its lambda to the checked, disjoint out-pointers.
///
/// # Safety
/// Both pointers must be NULL or valid and writable.
unsafe fn write_box(
    box_out: *mut CutBox,
    lam_out: *mut f64,
    cut: impl FnOnce() -> Result<(CutBox, f64)>,
) -> mixup_status {
    status_of((|| {
        let (b, l) = (Buf::one(box_out)?, Buf::one(lam_out)?);
        disjoint(&[b.region(), l.region()])?;
        let (cut, lam) = cut()?;
        // SAFETY: checked, aligned, disjoint; valid by the caller's promise.
        let (b, l) = unsafe { (b.slice_mut(), l.slice_mut()) };
        (b[0], l[0]) = (cut, lam);
        Ok(())
    })())
}

/// The CutMix box around the centre `(cy, cx)` of a `height x width`
/// image for `lam`, and its lambda, into `*box_out` and `*lam_out`.
///
/// - `MIXUP_RECIPE_TORCHVISION`: torchvision v2 `CutMix`, half sizes
///   `(int)(0.5 * sqrt(1 - lam) * W)`, lambda always corrected
///   (`correct_lam` and `f32_lambdas` must be 0 or 1 and are not used).
/// - `MIXUP_RECIPE_TIMM`: timm's `rand_bbox` as timm 1.0.29 and later cut
///   it, `cut = (int)(H * sqrt(1 - lam))`, `y1 = clip(cy - cut // 2, 0,
///   H)`, `y2 = clip(cy + (cut + 1) // 2, 0, H)`, likewise x; lambda `1 -
///   area / (H * W)` when `correct_lam` is 1, `lam` when 0. `f32_lambdas =
///   1` computes as timm does on its float32 per-sample lambdas (elem,
///   pair and half modes).
/// - `MIXUP_RECIPE_TIMM_1_0_28`: the same as timm up to 1.0.28 cut it,
///   `y2 = clip(cy + cut // 2, 0, H)`, one row short for an odd `cut`.
///
/// # Safety
/// `box_out` and `lam_out` must be NULL or valid and writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_cutmix_box(
    recipe: u32,
    correct_lam: u32,
    f32_lambdas: u32,
    height: usize,
    width: usize,
    lam: f64,
    cy: usize,
    cx: usize,
    box_out: *mut mixup_box,
    lam_out: *mut f64,
) -> mixup_status {
    // SAFETY: the caller's promise on both pointers.
    unsafe {
        write_box(box_out, lam_out, || {
            let f32_lambdas = match f32_lambdas {
                0 | 1 => f32_lambdas == 1,
                _ => return Err(Error::InvalidArgument),
            };
            match recipe_of(recipe, correct_lam, None)? {
                Recipe::TorchVision => torchvision_box(height, width, lam, (cy, cx)),
                Recipe::Timm { rule, .. } => timm_box(
                    height,
                    width,
                    lam,
                    (cy, cx),
                    correct_lam == 1,
                    f32_lambdas,
                    rule,
                ),
            }
        })
    }
}

/// The box timm's `rand_bbox_minmax` places for `cutmix_minmax = (lo, hi)`
/// with sides `cut_h` in `[(int)(H * lo), (int)(H * hi))` and `cut_w`
/// likewise, top-left corner `yl` in `[0, H - cut_h]` and `xl` in `[0, W -
/// cut_w]` for `MIXUP_RECIPE_TIMM` (timm 1.0.29 and later), or in `[0, H -
/// cut_h)` and `[0, W - cut_w)` for `MIXUP_RECIPE_TIMM_1_0_28`, and its
/// lambda `1 - area / (H * W)`, into `*box_out` and `*lam_out`. Anything
/// outside those ranges, another recipe, or not `0 < lo < hi <= 1`, is
/// `MIXUP_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// `box_out` and `lam_out` must be NULL or valid and writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_cutmix_box_minmax(
    recipe: u32,
    height: usize,
    width: usize,
    lo: f64,
    hi: f64,
    cut_h: usize,
    cut_w: usize,
    yl: usize,
    xl: usize,
    box_out: *mut mixup_box,
    lam_out: *mut f64,
) -> mixup_status {
    // SAFETY: the caller's promise on both pointers.
    unsafe {
        write_box(box_out, lam_out, || match recipe_of(recipe, 1, None)? {
            Recipe::Timm { rule, .. } => {
                timm_minmax_box(height, width, (lo, hi), (cut_h, cut_w), (yl, xl), rule)
            }
            Recipe::TorchVision => Err(Error::InvalidArgument),
        })
    }
}
