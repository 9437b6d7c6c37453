//! CutMix box geometry against the references written out here as the
//! Python computes them (torchvision v2 `CutMix`, timm `rand_bbox`,
//! `rand_bbox_minmax`, each as timm 1.0.29 and later and as timm up to
//! 1.0.28 compute them): every side up to 64, every centre, lambdas on a
//! fine grid and at the f64 edges, in f64 and in timm's float32.

use mixup::{CutBox, Error, TimmRule, timm_box, timm_minmax_box, torchvision_box};

const RULES: [TimmRule; 2] = [TimmRule::Since1_0_29, TimmRule::UpTo1_0_28];

/// Lambdas at the edges of f64 and of the box sizes.
fn edge_lambdas() -> Vec<f64> {
    let mut l = vec![
        0.0,
        f64::from_bits(1),
        1e-300,
        f64::EPSILON,
        0.25,
        0.5,
        0.75,
        1.0 - f64::EPSILON,
        1.0 - f64::EPSILON / 2.0,
        1.0,
    ];
    // a fine grid, and each grid point's neighbours
    for k in 0..=2000 {
        let x = f64::from(k) / 2000.0;
        l.extend([
            x,
            f64::from_bits(x.to_bits() + 1),
            f64::from_bits(x.to_bits().saturating_sub(1)),
        ]);
    }
    l.retain(|x| (0.0..=1.0).contains(x));
    l
}

/// torchvision v2: `r = 0.5 * sqrt(1 - lam)`, `int(r * side)` half size,
/// `clamp(c - half, min=0)`, `clamp(c + half, max=side)`; one axis.
fn torchvision_axis(side: i64, c: i64, lam: f64) -> (i64, i64) {
    let half = (0.5 * (1.0 - lam).sqrt() * side as f64).trunc() as i64;
    ((c - half).max(0), (c + half).min(side))
}

/// timm: `cut = int(side * np.sqrt(1 - lam))`, `np.clip(c - cut // 2, 0, side)`
/// and `np.clip(c + (cut + 1) // 2, 0, side)` (1.0.29 and later) or
/// `np.clip(c + cut // 2, 0, side)` (up to 1.0.28); with `f32`, `lam` is an
/// `np.float32` and so is the arithmetic.
fn timm_axis(side: i64, c: i64, lam: f64, f32: bool, rule: TimmRule) -> (i64, i64) {
    let cut = if f32 {
        (side as f32 * (1.0f32 - lam as f32).sqrt()) as i64
    } else {
        (side as f64 * (1.0 - lam).sqrt()) as i64
    };
    let clip = |v: i64| v.clamp(0, side);
    let upper = match rule {
        TimmRule::Since1_0_29 => (cut + 1).div_euclid(2),
        TimmRule::UpTo1_0_28 => cut.div_euclid(2),
    };
    (clip(c - cut.div_euclid(2)), clip(c + upper))
}

fn axes(b: CutBox) -> ((i64, i64), (i64, i64)) {
    (
        (i64::from(b.y1), i64::from(b.y2)),
        (i64::from(b.x1), i64::from(b.x2)),
    )
}

/// `1 - area / float(H * W)`.
fn corrected(y: (i64, i64), x: (i64, i64), h: i64, w: i64) -> f64 {
    1.0 - ((y.1 - y.0) * (x.1 - x.0)) as f64 / (h * w) as f64
}

#[test]
fn each_axis_every_side_every_centre_fine_lambdas() {
    let lams = edge_lambdas();
    for side in 1..=64usize {
        for c in 0..side {
            for &lam in &lams {
                let (s, ci) = (side as i64, c as i64);
                // the same side both ways: the box is the axis twice
                let (b, _) = torchvision_box(side, side, lam, (c, c)).unwrap();
                let want = torchvision_axis(s, ci, lam);
                assert_eq!(axes(b), (want, want), "torchvision {side} {c} {lam:e}");
                for f32 in [false, true] {
                    for rule in RULES {
                        let (b, _) = timm_box(side, side, lam, (c, c), true, f32, rule).unwrap();
                        let want = timm_axis(s, ci, lam, f32, rule);
                        assert_eq!(
                            axes(b),
                            (want, want),
                            "timm {side} {c} {lam:e} {f32} {rule:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn every_shape_up_to_64_every_centre_with_lambda() {
    for lam in [0.0, 0.37, 1.0 - f64::EPSILON / 2.0] {
        for h in 1..=64usize {
            for w in 1..=64usize {
                let (hi, wi) = (h as i64, w as i64);
                for cy in 0..h {
                    for cx in 0..w {
                        let (y, x) = (
                            torchvision_axis(hi, cy as i64, lam),
                            torchvision_axis(wi, cx as i64, lam),
                        );
                        let got = torchvision_box(h, w, lam, (cy, cx)).unwrap();
                        assert_eq!((axes(got.0), got.1), ((y, x), corrected(y, x, hi, wi)));
                        for rule in RULES {
                            let (y, x) = (
                                timm_axis(hi, cy as i64, lam, false, rule),
                                timm_axis(wi, cx as i64, lam, false, rule),
                            );
                            let got = timm_box(h, w, lam, (cy, cx), true, false, rule).unwrap();
                            assert_eq!((axes(got.0), got.1), ((y, x), corrected(y, x, hi, wi)));
                            // without correct_lam the lambda is lam itself
                            let got = timm_box(h, w, lam, (cy, cx), false, false, rule).unwrap();
                            assert_eq!(got.1, lam);
                            let (y, x) = (
                                timm_axis(hi, cy as i64, lam, true, rule),
                                timm_axis(wi, cx as i64, lam, true, rule),
                            );
                            let got = timm_box(h, w, lam, (cy, cx), true, true, rule).unwrap();
                            let want = corrected(y, x, hi, wi) as f32 as f64;
                            assert_eq!((axes(got.0), got.1), ((y, x), want));
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn f32_rule_differs_from_f64_where_timm_differs() {
    // timm's float32 lambdas give other boxes than f64 ones near the
    // lambdas where a side is a whole number: the rule is not a no-op.
    let near_steps = (1..224).flat_map(|m| {
        let lam = 1.0 - (f64::from(m) / 224.0).powi(2);
        (-40i64..40).map(move |d| f64::from_bits((lam.to_bits() as i64 + d * 1_000_000) as u64))
    });
    let lam = near_steps
        .filter(|l| (0.0..=1.0).contains(l))
        .find(|&lam| {
            let axis = |f32| timm_axis(224, 100, lam, f32, TimmRule::Since1_0_29);
            axis(true) != axis(false)
        })
        .expect("some lambda where f32 and f64 boxes differ");
    let rule = TimmRule::Since1_0_29;
    let a = timm_box(224, 224, lam, (100, 100), true, true, rule).unwrap();
    let b = timm_box(224, 224, lam, (100, 100), true, false, rule).unwrap();
    assert_ne!(a.0, b.0);
    // the f32 lambda without correction is lam rounded to f32
    assert_eq!(
        timm_box(224, 224, 0.1, (5, 5), false, true, rule)
            .unwrap()
            .1,
        f64::from(0.1f32)
    );
}

#[test]
fn the_two_timm_rules_differ_by_one_pixel_where_a_cut_is_odd_and_unclipped() {
    // timm's own example: H = 7, W = 5, lam = 0.5, centre (3, 2): cut_w = 3
    let new = timm_box(7, 5, 0.5, (3, 2), true, false, TimmRule::Since1_0_29).unwrap();
    let old = timm_box(7, 5, 0.5, (3, 2), true, false, TimmRule::UpTo1_0_28).unwrap();
    assert_eq!((new.0.x1, new.0.x2, old.0.x1, old.0.x2), (1, 4, 1, 3));
    assert_eq!((new.0.y1, new.0.y2, old.0.y1, old.0.y2), (1, 5, 1, 5)); // cut_h = 4, even
    assert_eq!(new.1, 1.0 - 12.0 / 35.0);
    assert_eq!(old.1, 1.0 - 8.0 / 35.0);
}

#[test]
fn minmax_every_side_and_corner() {
    for rule in RULES {
        minmax_every_side_and_corner_by(rule);
    }
}

fn minmax_every_side_and_corner_by(rule: TimmRule) {
    // the corner's range: [0, side - cut] today, [0, side - cut) up to 1.0.28
    let corners = |side: usize, cut: usize| match rule {
        TimmRule::Since1_0_29 => side - cut + 1,
        TimmRule::UpTo1_0_28 => side - cut,
    };
    for (lo, hi) in [(0.2, 0.8), (0.05, 0.3), (0.5, 1.0)] {
        for h in 1..=40usize {
            for w in [1usize, 7, 32, 40] {
                let range = |s: usize| ((s as f64 * lo) as usize, (s as f64 * hi) as usize);
                let ((lh, hh), (lw, hw)) = (range(h), range(w));
                if lh >= hh || lw >= hw {
                    // numpy's randint refuses an empty range: so do we
                    assert_eq!(
                        timm_minmax_box(h, w, (lo, hi), (lh, lw), (0, 0), rule),
                        Err(Error::InvalidArgument)
                    );
                    continue;
                }
                for cut_h in lh..hh {
                    for cut_w in lw..hw {
                        for yl in 0..corners(h, cut_h) {
                            let xl = (yl * 7) % corners(w, cut_w);
                            let (b, lam) =
                                timm_minmax_box(h, w, (lo, hi), (cut_h, cut_w), (yl, xl), rule)
                                    .unwrap();
                            let (y, x) = (
                                (yl as i64, (yl + cut_h) as i64),
                                (xl as i64, (xl + cut_w) as i64),
                            );
                            assert_eq!(axes(b), (y, x));
                            assert_eq!(lam, corrected(y, x, h as i64, w as i64));
                        }
                        // the last corners of the range, and the first past it
                        let (ly, lx) = (corners(h, cut_h) - 1, corners(w, cut_w) - 1);
                        let cuts = (cut_h, cut_w);
                        assert!(timm_minmax_box(h, w, (lo, hi), cuts, (ly, lx), rule).is_ok());
                        assert!(timm_minmax_box(h, w, (lo, hi), cuts, (ly + 1, 0), rule).is_err());
                        assert!(timm_minmax_box(h, w, (lo, hi), cuts, (0, lx + 1), rule).is_err());
                    }
                }
                assert!(timm_minmax_box(h, w, (lo, hi), (hh, lw), (0, 0), rule).is_err());
                if lh > 0 {
                    assert!(timm_minmax_box(h, w, (lo, hi), (lh - 1, lw), (0, 0), rule).is_err());
                }
            }
        }
    }
}

#[test]
fn bad_arguments_are_refused() {
    let bad = Err(Error::InvalidArgument);
    assert_eq!(torchvision_box(0, 5, 0.5, (0, 0)), bad);
    assert_eq!(torchvision_box(5, 0, 0.5, (0, 0)), bad);
    assert_eq!(torchvision_box(5, 5, 0.5, (5, 0)), bad);
    assert_eq!(torchvision_box(5, 5, 0.5, (0, 5)), bad);
    assert_eq!(torchvision_box(5, 5, f64::NAN, (0, 0)), bad);
    assert_eq!(torchvision_box(5, 5, 1.5, (0, 0)), bad);
    let rule = TimmRule::Since1_0_29;
    assert_eq!(timm_box(5, 5, -0.1, (0, 0), true, true, rule), bad);
    assert_eq!(timm_box(1 << 33, 5, 0.5, (0, 0), true, false, rule), bad);
    for minmax in [
        (0.0, 0.5),
        (0.5, 0.5),
        (0.6, 0.5),
        (0.2, 1.5),
        (f64::NAN, 0.5),
        (0.2, f64::INFINITY),
    ] {
        assert_eq!(
            timm_minmax_box(100, 100, minmax, (30, 30), (0, 0), rule),
            bad
        );
    }
}
