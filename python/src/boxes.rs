//! The CutMix box of each recipe from `lam` and the drawn integers, as the
//! Rust functions compute it: for logging a plan's boxes, replaying one,
//! and checking them against torchvision and timm.

use mixup::{CutBox, TimmRule, timm_box, timm_minmax_box, torchvision_box};
use pyo3::prelude::*;

use crate::errors::value_error;

/// A box as `(y1, y2, x1, x2)` and its lambda.
type BoxAndLambda = ((u32, u32, u32, u32), f64);

fn corners((b, lam): (CutBox, f64)) -> BoxAndLambda {
    ((b.y1, b.y2, b.x1, b.x2), lam)
}

/// The timm rule of a recipe name, `None` for torchvision's.
fn rule(recipe: &str) -> PyResult<Option<TimmRule>> {
    match recipe {
        "timm" => Ok(Some(TimmRule::Since1_0_29)),
        "timm-1.0.28" => Ok(Some(TimmRule::UpTo1_0_28)),
        "torchvision" => Ok(None),
        _ => Err(value_error(format!(
            "recipe must be 'timm', 'timm-1.0.28' or 'torchvision', got {recipe:?}"
        ))),
    }
}

/// Names the first argument out of range: sides in `1..=2^32 - 1`, `lam`
/// in `[0, 1]`, the centre inside the image.
fn check(height: usize, width: usize, lam: f64, (cy, cx): (usize, usize)) -> PyResult<()> {
    let side = |d: usize| d != 0 && d as u64 <= u64::from(u32::MAX);
    if !side(height) || !side(width) {
        return Err(value_error(format!(
            "height and width must be in [1, 2**32 - 1], got {height} x {width}"
        )));
    }
    if !(0.0..=1.0).contains(&lam) {
        return Err(value_error(format!("lam must be in [0, 1], got {lam}")));
    }
    if cy >= height || cx >= width {
        return Err(value_error(format!(
            "centre must lie in the image, got ({cy}, {cx}) in {height} x {width}"
        )));
    }
    Ok(())
}

/// The box ``(y1, y2, x1, x2)`` that ``recipe`` cuts around ``centre =
/// (cy, cx)`` for ``lam`` in a ``height x width`` image, and its lambda.
///
/// - ``'timm'``: timm's ``rand_bbox`` as timm 1.0.29 and later cut it,
///   ``y2 = clip(cy + (cut_h + 1) // 2, 0, H)``; ``'timm-1.0.28'``: as
///   timm up to 1.0.28 did, ``clip(cy + cut_h // 2, 0, H)``. The lambda is
///   ``1 - area / (H * W)`` with ``correct_lam``, ``lam`` without;
///   ``f32_lambdas`` computes as timm does on its float32 per-sample
///   lambdas (modes ``'elem'``, ``'pair'``, ``'half'``).
/// - ``'torchvision'``: torchvision v2's ``CutMix``, lambda always corrected.
///
/// >>> cutmix_box(7, 5, 0.5, (3, 2))
/// ((1, 5, 1, 4), 0.6571428571428571)
/// >>> cutmix_box(7, 5, 0.5, (3, 2), recipe="timm-1.0.28")[0]
/// (1, 5, 1, 3)
#[pyfunction]
#[pyo3(signature = (height, width, lam, centre, *, recipe="timm", correct_lam=true, f32_lambdas=false))]
pub fn cutmix_box(
    height: usize,
    width: usize,
    lam: f64,
    centre: (usize, usize),
    recipe: &str,
    correct_lam: bool,
    f32_lambdas: bool,
) -> PyResult<BoxAndLambda> {
    let rule = rule(recipe)?;
    check(height, width, lam, centre)?;
    let cut = match rule {
        None => torchvision_box(height, width, lam, centre),
        Some(rule) => timm_box(height, width, lam, centre, correct_lam, f32_lambdas, rule),
    };
    cut.map(corners)
        .map_err(|e| crate::errors::to_py(e, "cutmix_box"))
}

/// The box timm's ``rand_bbox_minmax`` places for ``cutmix_minmax = (lo,
/// hi)``, the drawn sides ``cut = (cut_h, cut_w)`` and top-left ``corner =
/// (yl, xl)``, and its lambda ``1 - area / (H * W)``.
///
/// ``cut_h`` lies in ``[int(H * lo), int(H * hi))``; ``yl`` in ``[0, H -
/// cut_h]`` for ``'timm'`` (1.0.29 and later), ``[0, H - cut_h)`` for
/// ``'timm-1.0.28'``; the same for x. Anything else is a ``ValueError``.
#[pyfunction]
#[pyo3(signature = (height, width, minmax, cut, corner, *, recipe="timm"))]
pub fn cutmix_box_minmax(
    height: usize,
    width: usize,
    minmax: (f64, f64),
    cut: (usize, usize),
    corner: (usize, usize),
    recipe: &str,
) -> PyResult<BoxAndLambda> {
    let Some(rule) = rule(recipe)? else {
        return Err(value_error(
            "recipe: cutmix_minmax is timm's, not torchvision's",
        ));
    };
    timm_minmax_box(height, width, minmax, cut, corner, rule)
        .map(corners)
        .map_err(|_| {
            value_error(format!(
                "cutmix_box_minmax: minmax {minmax:?} needs 0 < lo < hi <= 1 and non-empty \
                 side ranges, and cut {cut:?} and corner {corner:?} must lie in timm's \
                 ranges for a {height} x {width} image"
            ))
        })
}
