//! The Beta sampler against the exact Beta CDF: Kolmogorov-Smirnov in logit
//! space, exact 0 and 1 frequencies in f32, moments and symmetry. Every
//! seed is fixed, so nothing flakes.

use mixup::{Beta, MixRng};

const N: usize = 100_000;

/// `ln(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

fn ln_beta(a: f64, b: f64) -> f64 {
    libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b)
}

/// The continued fraction of the incomplete beta (modified Lentz).
fn beta_cf(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..100_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        for aa in [
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ] {
            d = 1.0 + aa * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = 1.0 + aa / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-15 {
            return h;
        }
    }
    panic!("continued fraction did not converge for x={x}, a={a}, b={b}");
}

/// `P(logit(lam) <= t)` for `lam ~ Beta(a, b)`: the regularized incomplete
/// beta at `x = sigmoid(t)`, with `x` and `1 - x` both kept accurate.
fn cdf_logit(t: f64, a: f64, b: f64) -> f64 {
    if t == f64::NEG_INFINITY {
        return 0.0;
    }
    if t == f64::INFINITY {
        return 1.0;
    }
    let (ln_x, ln_y) = (-softplus(-t), -softplus(t));
    let (x, y) = (ln_x.exp(), ln_y.exp());
    let front = (a * ln_x + b * ln_y - ln_beta(a, b)).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(x, a, b) / a
    } else {
        1.0 - front * beta_cf(y, b, a) / b
    }
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

fn ks_statistic(a: f64, b: f64, seed: u64) -> f64 {
    let beta = Beta::new(a, b).unwrap();
    let mut rng = MixRng::seed_from_u64(seed);
    let mut t: Vec<f64> = (0..N).map(|_| beta.sample_logit(&mut rng)).collect();
    assert!(t.iter().all(|v| !v.is_nan()));
    t.sort_by(f64::total_cmp);
    let n = N as f64;
    t.iter()
        .enumerate()
        .map(|(i, &ti)| {
            let f = cdf_logit(ti, a, b);
            (f - i as f64 / n).max((i + 1) as f64 / n - f)
        })
        .fold(0.0, f64::max)
}

#[test]
fn the_reference_cdf_is_right() {
    // Beta(1, 1) is uniform; Beta(2, 2) has CDF 3x^2 - 2x^3.
    for x in [0.01, 0.2, 0.5, 0.77, 0.999] {
        assert!((cdf_logit(logit(x), 1.0, 1.0) - x).abs() < 1e-12);
        assert!((cdf_logit(logit(x), 2.0, 2.0) - (3.0 * x * x - 2.0 * x * x * x)).abs() < 1e-12);
        assert!(
            (cdf_logit(logit(x), 0.5, 3.0) + cdf_logit(-logit(x), 3.0, 0.5) - 1.0).abs() < 1e-12
        );
    }
    // Beta(a, 1) has CDF x^a, even far out in the tail.
    let t = -300.0;
    let want = (0.01 * -softplus(-t)).exp();
    assert!((cdf_logit(t, 0.01, 1.0) / want - 1.0).abs() < 1e-9);
}

#[test]
fn kolmogorov_smirnov_in_logit_space() {
    let threshold = 2.3 / (N as f64).sqrt();
    let symmetric = [0.001, 0.01, 0.1, 0.2, 0.4, 1.0, 2.0, 10.0, 1000.0].map(|a| (a, a));
    let asymmetric = [
        (0.5, 3.0),
        (3.0, 0.5),
        (0.01, 1.0),
        (0.001, 2.0),
        (0.1, 1000.0),
        (1000.0, 0.05),
    ];
    let mut failures = Vec::new();
    for (k, (a, b)) in symmetric.into_iter().chain(asymmetric).enumerate() {
        let d = ks_statistic(a, b, 1000 + k as u64);
        println!("Beta({a}, {b}): D = {d:.5} (reject above {threshold:.5})");
        if d > threshold {
            failures.push((a, b, d));
        }
    }
    assert!(failures.is_empty(), "KS rejects: {failures:?}");
}

/// `P(f32(lam) == 0)` and `P(f32(lam) == 1)`: lam below 2^-150 rounds to
/// 0, lam at or above 1 - 2^-25 rounds to 1.
fn exact_end_probabilities(a: f64, b: f64) -> (f64, f64) {
    let zero = cdf_logit(-150.0 * std::f64::consts::LN_2, a, b);
    let one = 1.0 - cdf_logit(25.0 * std::f64::consts::LN_2, a, b);
    (zero, one)
}

#[test]
fn exact_zeros_and_ones_in_f32_are_as_frequent_as_they_should_be() {
    // (alpha, expected zeros, expected ones) as given in the issue
    let cases = [
        (0.001, 0.4506, 0.4914),
        (0.01, 0.1768, 0.4205),
        (0.1, 0.00002, 0.0897),
    ];
    for (k, (alpha, zeros_pct, ones_pct)) in cases.into_iter().enumerate() {
        let (p0, p1) = exact_end_probabilities(alpha, alpha);
        assert!(
            (p0 - zeros_pct).abs() < 1e-4,
            "reference P(0) at {alpha}: {p0}"
        );
        assert!(
            (p1 - ones_pct).abs() < 1e-4,
            "reference P(1) at {alpha}: {p1}"
        );

        let beta = Beta::symmetric(alpha).unwrap();
        let mut rng = MixRng::seed_from_u64(77 + k as u64);
        let (mut zeros, mut ones) = (0usize, 0usize);
        for _ in 0..N {
            let lam = beta.sample(&mut rng) as f32;
            zeros += usize::from(lam == 0.0);
            ones += usize::from(lam == 1.0);
        }
        for (count, p) in [(zeros, p0), (ones, p1)] {
            let sigma = (p * (1.0 - p) / N as f64).sqrt().max(1.0 / N as f64);
            let got = count as f64 / N as f64;
            assert!(
                (got - p).abs() < 5.0 * sigma,
                "alpha {alpha}: frequency {got}, expected {p}"
            );
        }
    }
}

#[test]
fn mean_variance_and_symmetry() {
    for (k, (a, b)) in [
        (0.2, 0.2),
        (1.0, 1.0),
        (0.5, 3.0),
        (3.0, 0.5),
        (10.0, 10.0),
        (32.0, 32.0),
    ]
    .into_iter()
    .enumerate()
    {
        let beta = Beta::new(a, b).unwrap();
        let mirror = Beta::new(b, a).unwrap();
        let mut rng = MixRng::seed_from_u64(500 + k as u64);
        let draws: Vec<f64> = (0..N).map(|_| beta.sample(&mut rng)).collect();
        let mirrored: Vec<f64> = (0..N).map(|_| 1.0 - mirror.sample(&mut rng)).collect();
        let mean_want = a / (a + b);
        let var_want = a * b / ((a + b) * (a + b) * (a + b + 1.0));
        let sigma = (var_want / N as f64).sqrt();
        for sample in [&draws, &mirrored] {
            let mean = sample.iter().sum::<f64>() / N as f64;
            let var = sample.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / N as f64;
            assert!(
                (mean - mean_want).abs() < 5.0 * sigma,
                "Beta({a}, {b}) mean {mean}"
            );
            assert!(
                (var / var_want - 1.0).abs() < 0.03,
                "Beta({a}, {b}) variance {var}"
            );
        }
        if a == b {
            let above = draws.iter().filter(|&&x| x > 0.5).count() as f64 / N as f64;
            assert!(
                (above - 0.5).abs() < 5.0 * (0.25 / N as f64).sqrt(),
                "Beta({a}, {a}) P(lam > 1/2) = {above}"
            );
        }
    }
}

#[test]
fn a_million_draws_at_alpha_0_001_never_give_nan() {
    let beta = Beta::symmetric(0.001).unwrap();
    let mut rng = MixRng::seed_from_u64(2026);
    for _ in 0..1_000_000 {
        let lam = beta.sample(&mut rng);
        assert!((0.0..=1.0).contains(&lam), "{lam}");
    }
}

#[test]
fn the_smallest_positive_shapes_are_fine() {
    let tiny = f64::MIN_POSITIVE;
    for (a, b) in [
        (tiny, tiny),
        (tiny, 1.0),
        (1.0, tiny),
        (tiny, 1e-200),
        (1e-200, tiny),
    ] {
        let beta = Beta::new(a, b).unwrap();
        let mut rng = MixRng::seed_from_u64(8);
        for _ in 0..10_000 {
            let t = beta.sample_logit(&mut rng);
            assert!(!t.is_nan());
            assert!((0.0..=1.0).contains(&beta.sample(&mut rng)));
        }
    }
}
