//! CutMix box geometry, exact to the integer: torchvision v2's `CutMix`,
//! timm's `rand_bbox` and `rand_bbox_minmax`, each from `lam` and the drawn
//! integers, with the corrected lambda. Each public function checks its
//! arguments, then calls an unchecked core that the plan's draw uses.

use super::{CutBox, Recipe, TimmRule};
use crate::error::{Error, Result};
use crate::rng::MixRng;

/// Checks a `height x width` image (each side in `1..=u32::MAX`), `lam` in
/// `[0, 1]` and the centre `(cy, cx)` inside the image.
fn check_centre(height: usize, width: usize, lam: f64, centre: (usize, usize)) -> Result<()> {
    check_sides(height, width)?;
    if (0.0..=1.0).contains(&lam) && centre.0 < height && centre.1 < width {
        Ok(())
    } else {
        Err(Error::InvalidArgument)
    }
}

/// Checks that each side is in `1..=u32::MAX`, the reach of a box corner.
pub(crate) fn check_sides(height: usize, width: usize) -> Result<()> {
    let fits = |d: usize| d != 0 && d as u64 <= u64::from(u32::MAX);
    if fits(height) && fits(width) {
        Ok(())
    } else {
        Err(Error::InvalidArgument)
    }
}

/// A box from its corners, all within `u32` for checked sides.
fn corners(y1: u64, y2: u64, x1: u64, x2: u64) -> CutBox {
    CutBox {
        y1: y1 as u32,
        y2: y2 as u32,
        x1: x1 as u32,
        x2: x2 as u32,
    }
}

/// The box torchvision v2's `CutMix` cuts around the centre `(r_y, r_x)`
/// for `lam`, and `lam' = 1 - area / (H * W)`, which torchvision always uses.
///
/// `r = 0.5 * sqrt(1 - lam)` in f64, half sizes `(int)(r * W)` and
/// `(int)(r * H)`, corners clamped to the image:
/// `out[..., y1:y2, x1:x2] = x.roll(1, 0)[..., y1:y2, x1:x2]`.
///
/// ```
/// use mixup::{torchvision_box, CutBox};
/// let (b, lam) = torchvision_box(224, 224, 0.5, (100, 200)).unwrap();
/// assert_eq!(b, CutBox { y1: 21, y2: 179, x1: 121, x2: 224 });
/// assert_eq!(lam, 1.0 - (158.0 * 103.0) / (224.0 * 224.0));
/// ```
///
/// # Errors
/// [`Error::InvalidArgument`] for a side of 0 or above `u32::MAX`, `lam`
/// outside `[0, 1]`, or a centre outside the image.
pub fn torchvision_box(
    height: usize,
    width: usize,
    lam: f64,
    centre: (usize, usize),
) -> Result<(CutBox, f64)> {
    check_centre(height, width, lam, centre)?;
    Ok(torchvision_unchecked(height, width, lam, centre))
}

fn torchvision_unchecked(
    height: usize,
    width: usize,
    lam: f64,
    (cy, cx): (usize, usize),
) -> (CutBox, f64) {
    let (h, w, cy, cx) = (height as u64, width as u64, cy as u64, cx as u64);
    let r = 0.5 * libm::sqrt(1.0 - lam);
    let (half_w, half_h) = ((r * w as f64) as u64, (r * h as f64) as u64);
    let b = corners(
        cy.saturating_sub(half_h),
        (cy + half_h).min(h),
        cx.saturating_sub(half_w),
        (cx + half_w).min(w),
    );
    (b, b.corrected_lambda(height, width))
}

/// The box timm's `rand_bbox` cuts around the centre `(cy, cx)` for `lam`,
/// and the lambda of `cutmix_bbox_and_lam`: `1 - area / (H * W)` with
/// `correct_lam`, `lam` itself without.
///
/// `cut_h = (int)(H * sqrt(1 - lam))`, `cut_w` likewise, then
/// `y1 = clip(cy - cut_h // 2, 0, H)` and, by `rule`, `y2 = clip(cy +
/// (cut_h + 1) // 2, 0, H)` (timm 1.0.29 and later) or `clip(cy + cut_h //
/// 2, 0, H)` (up to 1.0.28), the same for x. With `f32_lambdas`, `lam` is timm's float32
/// per-sample lambda (its `elem`, `pair` and `half` modes): it is rounded to
/// f32, `sqrt(1 - lam)` and the products are computed in f32 as NumPy 2
/// computes them on an `np.float32`, and the lambda returned is rounded to
/// f32, as timm stores it.
///
/// ```
/// use mixup::{timm_box, CutBox, TimmRule};
/// let (b, lam) = timm_box(32, 32, 0.75, (3, 20), true, false, TimmRule::Since1_0_29).unwrap();
/// assert_eq!(b, CutBox { y1: 0, y2: 11, x1: 12, x2: 28 }); // cut 16 x 16, clipped
/// assert_eq!(lam, 1.0 - (11.0 * 16.0) / 1024.0);
/// // timm's own example: H = 7, W = 5, lam = 0.5, centre (3, 2)
/// let (b, _) = timm_box(7, 5, 0.5, (3, 2), true, false, TimmRule::Since1_0_29).unwrap();
/// assert_eq!((b.x1, b.x2), (1, 4));
/// let (b, _) = timm_box(7, 5, 0.5, (3, 2), true, false, TimmRule::UpTo1_0_28).unwrap();
/// assert_eq!((b.x1, b.x2), (1, 3));
/// ```
///
/// # Errors
/// As [`torchvision_box`].
pub fn timm_box(
    height: usize,
    width: usize,
    lam: f64,
    centre: (usize, usize),
    correct_lam: bool,
    f32_lambdas: bool,
    rule: TimmRule,
) -> Result<(CutBox, f64)> {
    check_centre(height, width, lam, centre)?;
    Ok(timm_unchecked(
        height,
        width,
        lam,
        centre,
        (correct_lam, f32_lambdas),
        rule,
    ))
}

fn timm_unchecked(
    height: usize,
    width: usize,
    lam: f64,
    (cy, cx): (usize, usize),
    (correct_lam, f32_lambdas): (bool, bool),
    rule: TimmRule,
) -> (CutBox, f64) {
    let (h, w, cy, cx) = (height as u64, width as u64, cy as u64, cx as u64);
    let (cut_h, cut_w) = if f32_lambdas {
        let ratio = libm::sqrtf(1.0 - lam as f32);
        ((h as f32 * ratio) as u64, (w as f32 * ratio) as u64)
    } else {
        let ratio = libm::sqrt(1.0 - lam);
        ((h as f64 * ratio) as u64, (w as f64 * ratio) as u64)
    };
    let b = corners(
        cy.saturating_sub(cut_h / 2),
        (cy + rule.upper_half(cut_h)).min(h),
        cx.saturating_sub(cut_w / 2),
        (cx + rule.upper_half(cut_w)).min(w),
    );
    let lam = if correct_lam {
        b.corrected_lambda(height, width)
    } else {
        lam
    };
    (b, if f32_lambdas { lam as f32 as f64 } else { lam })
}

/// The integer ranges timm's `rand_bbox_minmax` draws box sides from:
/// `[(int)(H * lo), (int)(H * hi))` and `[(int)(W * lo), (int)(W * hi))`.
///
/// # Errors
/// [`Error::InvalidArgument`] unless `0 < lo < hi <= 1` and both ranges are
/// non-empty (NumPy's `randint` refuses an empty one), or for a bad side.
pub(crate) fn check_minmax(
    height: usize,
    width: usize,
    (lo, hi): (f64, f64),
) -> Result<[(u64, u64); 2]> {
    check_sides(height, width)?;
    if !(lo > 0.0 && lo < hi && hi <= 1.0) {
        return Err(Error::InvalidArgument);
    }
    let range = |side: usize| ((side as f64 * lo) as u64, (side as f64 * hi) as u64);
    let ranges = [range(height), range(width)];
    if ranges.iter().all(|(a, b)| a < b) {
        Ok(ranges)
    } else {
        Err(Error::InvalidArgument)
    }
}

/// The box timm's `rand_bbox_minmax` places for the drawn sides
/// `(cut_h, cut_w)` and top-left corner `(yl, xl)`, and its lambda
/// `1 - area / (H * W)` (timm always corrects it here).
///
/// `cut_h` lies in `[(int)(H * lo), (int)(H * hi))`, `yl` in
/// `[0, H - cut_h]` (timm 1.0.29 and later) or `[0, H - cut_h)` (up to
/// 1.0.28), the same for x; the box is `[yl, yl + cut_h) x [xl, xl + cut_w)`.
///
/// ```
/// use mixup::{timm_minmax_box, CutBox, TimmRule};
/// let (b, lam) = timm_minmax_box(10, 20, (0.2, 0.8), (5, 4), (2, 15), TimmRule::Since1_0_29).unwrap();
/// assert_eq!(b, CutBox { y1: 2, y2: 7, x1: 15, x2: 19 });
/// assert_eq!(lam, 0.9);
/// // a box at the bottom-right edge: only today's timm reaches it
/// assert!(timm_minmax_box(10, 20, (0.2, 0.8), (5, 4), (5, 16), TimmRule::Since1_0_29).is_ok());
/// assert!(timm_minmax_box(10, 20, (0.2, 0.8), (5, 4), (5, 16), TimmRule::UpTo1_0_28).is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidArgument`] for a bad `minmax` (see timm: `0 < lo < hi <=
/// 1`, non-empty integer ranges), sides or a corner outside their ranges.
pub fn timm_minmax_box(
    height: usize,
    width: usize,
    minmax: (f64, f64),
    (cut_h, cut_w): (usize, usize),
    (yl, xl): (usize, usize),
    rule: TimmRule,
) -> Result<(CutBox, f64)> {
    let [(lo_h, hi_h), (lo_w, hi_w)] = check_minmax(height, width, minmax)?;
    let (cut_h, cut_w, yl, xl) = (cut_h as u64, cut_w as u64, yl as u64, xl as u64);
    let sides = (lo_h..hi_h).contains(&cut_h) && (lo_w..hi_w).contains(&cut_w);
    // hi <= side, so side - cut >= 1
    let (h, w) = (height as u64, width as u64);
    if !sides || yl >= rule.corners(h, cut_h) || xl >= rule.corners(w, cut_w) {
        return Err(Error::InvalidArgument);
    }
    let b = corners(yl, yl + cut_h, xl, xl + cut_w);
    Ok((b, b.corrected_lambda(height, width)))
}

/// Draws one box for `lam` by `recipe` from `rng`, and its lambda: the
/// centre `cy` then `cx`, or for `minmax` `cut_h`, `cut_w`, `yl`, `xl`.
/// `minmax` must have passed [`check_minmax`] for these sides, which must
/// pass the side check; `lam` must be in `[0, 1]`.
pub(crate) fn draw_box(
    recipe: Recipe,
    f32_lambdas: bool,
    rng: &mut MixRng,
    (height, width): (usize, usize),
    lam: f64,
) -> (CutBox, f64) {
    let mut centre = || {
        let cy = rng.below(height as u64) as usize;
        (cy, rng.below(width as u64) as usize)
    };
    match recipe {
        Recipe::TorchVision => torchvision_unchecked(height, width, lam, centre()),
        Recipe::Timm {
            correct_lam,
            minmax: None,
            rule,
        } => timm_unchecked(
            height,
            width,
            lam,
            centre(),
            (correct_lam, f32_lambdas),
            rule,
        ),
        Recipe::Timm {
            minmax: Some((lo, hi)),
            rule,
            ..
        } => {
            let range = |side: usize, rng: &mut MixRng| {
                let (a, b) = ((side as f64 * lo) as u64, (side as f64 * hi) as u64);
                a + rng.below(b - a)
            };
            let cut_h = range(height, rng);
            let cut_w = range(width, rng);
            let yl = rng.below(rule.corners(height as u64, cut_h));
            let xl = rng.below(rule.corners(width as u64, cut_w));
            let b = corners(yl, yl + cut_h, xl, xl + cut_w);
            let lam = b.corrected_lambda(height, width);
            (b, if f32_lambdas { lam as f32 as f64 } else { lam })
        }
    }
}
