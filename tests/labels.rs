//! Targets: dense one-hot with smoothing, and the sparse form.

mod common;

use common::formula;
use mixup::{Error, SparseTarget, one_hot_targets, sparse_targets};

#[test]
fn dense_targets_follow_timm() {
    // timm: off = s / K, on = 1 - s + off, in f64, then rounded to f32;
    // target = y1 * lam + y2 * (1 - lam) in f32.
    let (k, s) = (5usize, 0.1f64);
    let labels = [0i64, 3, 3, 4];
    let partners = [3u32, 2, 1, 0];
    let lambdas = [0.3, 0.55, 1.0, 0.0];
    let mut out = vec![f32::NAN; 4 * k];
    one_hot_targets(&labels, k, &partners, &lambdas, s, &mut out).unwrap();
    let off = (s / k as f64) as f32;
    let on = (1.0 - s + s / k as f64) as f32;
    for i in 0..4 {
        let (ya, yb) = (labels[i] as usize, labels[partners[i] as usize] as usize);
        for c in 0..k {
            let a = if c == ya { on } else { off };
            let b = if c == yb { on } else { off };
            assert_eq!(
                out[i * k + c].to_bits(),
                formula(lambdas[i], a, b).to_bits(),
                "row {i} class {c}"
            );
        }
        let sum: f32 = out[i * k..][..k].iter().sum();
        assert!((sum - 1.0).abs() < 1e-6);
    }
}

#[test]
fn one_lambda_serves_the_batch_and_no_smoothing_is_one_hot() {
    let mut out = vec![0.0f32; 6];
    one_hot_targets(&[1, 1], 3, &[1, 0], &[0.8], 0.0, &mut out).unwrap();
    assert_eq!(out, [0.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
}

#[test]
fn sparse_targets_carry_both_classes() {
    let mut out = [SparseTarget::default(); 3];
    sparse_targets(&[7, 8, 9], 10, &[2, 0, 1], &[0.25, 0.5, 1.0], &mut out).unwrap();
    assert_eq!(
        out[0],
        SparseTarget {
            y_a: 7,
            y_b: 9,
            lam: 0.25
        }
    );
    assert_eq!(
        out[1],
        SparseTarget {
            y_a: 8,
            y_b: 7,
            lam: 0.5
        }
    );
    assert_eq!(
        out[2],
        SparseTarget {
            y_a: 9,
            y_b: 8,
            lam: 1.0
        }
    );
}

/// One bad call: labels, classes, partners, lambdas, smoothing, the error.
type BadCall = (
    &'static [i64],
    usize,
    &'static [u32],
    &'static [f64],
    f64,
    Error,
);

#[test]
fn every_label_error_writes_nothing() {
    let cases: [BadCall; 8] = [
        (&[0, 5], 5, &[1, 0], &[0.5], 0.0, Error::LabelOutOfRange),
        (&[-1, 2], 5, &[1, 0], &[0.5], 0.0, Error::LabelOutOfRange),
        (&[0, 1], 5, &[1, 2], &[0.5], 0.0, Error::IndexOutOfRange),
        (&[0, 1], 5, &[1], &[0.5], 0.0, Error::InvalidArgument),
        (
            &[0, 1],
            5,
            &[1, 0],
            &[0.5, 0.5, 0.5],
            0.0,
            Error::InvalidArgument,
        ),
        (&[0, 1], 5, &[1, 0], &[-0.5], 0.0, Error::InvalidArgument),
        (&[0, 1], 5, &[1, 0], &[0.5], 1.5, Error::InvalidArgument),
        (
            &[0, 1],
            5,
            &[1, 0],
            &[0.5],
            f64::NAN,
            Error::InvalidArgument,
        ),
    ];
    for (labels, k, partners, lambdas, s, error) in cases {
        let mut out = vec![-7.0f32; labels.len() * k];
        assert_eq!(
            one_hot_targets(labels, k, partners, lambdas, s, &mut out),
            Err(error)
        );
        assert!(out.iter().all(|&v| v == -7.0));
        if s == 0.0 {
            let mut sparse = vec![
                SparseTarget {
                    y_a: -7,
                    y_b: -7,
                    lam: -7.0
                };
                labels.len()
            ];
            assert_eq!(
                sparse_targets(labels, k, partners, lambdas, &mut sparse),
                Err(error)
            );
            assert!(sparse.iter().all(|t| t.y_a == -7));
        }
    }
    let mut short = vec![-7.0f32; 9];
    assert_eq!(
        one_hot_targets(&[0, 1], 5, &[1, 0], &[0.5], 0.0, &mut short),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        one_hot_targets(&[0, 1], usize::MAX, &[1, 0], &[0.5], 0.0, &mut short),
        Err(Error::SizeOverflow)
    );
    assert!(short.iter().all(|&v| v == -7.0));
}
