//! Standard normal and exponential draws by the ziggurat method (Marsaglia
//! and Tsang, 2000), with 256 layers: one 64-bit draw and a table look-up
//! nearly always, a density evaluation in about 1% of draws.

use crate::rng::MixRng;
use crate::ziggurat_tables::{EXP_F, EXP_R, EXP_X, NORMAL_F, NORMAL_R, NORMAL_X};

/// One 64-bit draw split into a layer (low 8 bits), a sign bit (bit 8) and
/// a uniform in `[0, 1)` from the top 53 bits.
#[inline(always)]
fn split(bits: u64) -> (usize, bool, f64) {
    const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
    (
        (bits & 0xff) as usize,
        bits & 0x100 != 0,
        (bits >> 11) as f64 * SCALE,
    )
}

/// A standard normal draw.
///
/// Draws: one `u64` per attempt; a wedge attempt adds one uniform; the
/// tail (beyond 3.65) draws pairs of uniforms (Marsaglia's tail method).
pub(crate) fn standard_normal(rng: &mut MixRng) -> f64 {
    loop {
        let (i, negative, u) = split(rng.next_u64());
        let mut x = u * NORMAL_X[i];
        if x >= NORMAL_X[i + 1] {
            if i == 0 {
                x = normal_tail(rng);
            } else {
                let y = NORMAL_F[i] + rng.uniform_f64() * (NORMAL_F[i + 1] - NORMAL_F[i]);
                if y >= libm::exp(-0.5 * x * x) {
                    continue;
                }
            }
        }
        return if negative { -x } else { x };
    }
}

/// A draw from the normal beyond `NORMAL_R`.
fn normal_tail(rng: &mut MixRng) -> f64 {
    loop {
        // 1 - u lies in (0, 1], so both logarithms are finite
        let a = -libm::log(1.0 - rng.uniform_f64()) / NORMAL_R;
        let b = -libm::log(1.0 - rng.uniform_f64());
        if 2.0 * b > a * a {
            return NORMAL_R + a;
        }
    }
}

/// A standard exponential draw.
///
/// Draws: one `u64` per attempt; a wedge attempt adds one uniform. The tail
/// beyond 7.70 is the same distribution shifted, so it starts over.
pub(crate) fn standard_exponential(rng: &mut MixRng) -> f64 {
    exponential_and_sign(rng).0
}

/// A standard Laplace draw, the difference of two independent standard
/// exponentials: one exponential with the sign bit of its first draw.
pub(crate) fn standard_laplace(rng: &mut MixRng) -> f64 {
    let (e, negative) = exponential_and_sign(rng);
    if negative { -e } else { e }
}

/// A standard exponential, and bit 8 of its first `u64`, which the
/// exponential does not use.
fn exponential_and_sign(rng: &mut MixRng) -> (f64, bool) {
    let mut offset = 0.0;
    let mut sign = None;
    loop {
        let (i, negative, u) = split(rng.next_u64());
        let negative = *sign.get_or_insert(negative);
        let x = u * EXP_X[i];
        if x < EXP_X[i + 1] {
            return (offset + x, negative);
        }
        if i == 0 {
            offset += EXP_R;
            continue;
        }
        let y = EXP_F[i] + rng.uniform_f64() * (EXP_F[i + 1] - EXP_F[i]);
        if y < libm::exp(-x) {
            return (offset + x, negative);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// Kolmogorov-Smirnov distance of `n` draws from `cdf`.
    fn ks(mut draws: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
        draws.sort_by(f64::total_cmp);
        let n = draws.len() as f64;
        draws
            .iter()
            .enumerate()
            .map(|(i, &x)| (cdf(x) - i as f64 / n).max((i + 1) as f64 / n - cdf(x)))
            .fold(0.0, f64::max)
    }

    #[test]
    fn tables_have_equal_layer_areas() {
        for (x, f, r, tail) in [
            (
                &NORMAL_X,
                &NORMAL_F,
                NORMAL_R,
                libm::sqrt(core::f64::consts::FRAC_PI_2)
                    * libm::erfc(NORMAL_R / core::f64::consts::SQRT_2),
            ),
            (&EXP_X, &EXP_F, EXP_R, libm::exp(-EXP_R)),
        ] {
            let v = r * f[1] + tail;
            assert!((x[0] * f[1] - v).abs() < 1e-15);
            for i in 1..256 {
                assert!((x[i] * (f[i + 1] - f[i]) - v).abs() < 1e-12, "layer {i}");
            }
            assert_eq!((x[256], f[256]), (0.0, 1.0));
        }
    }

    #[test]
    fn normal_matches_its_cdf() {
        let mut rng = MixRng::seed_from_u64(31);
        let draws: Vec<f64> = (0..100_000).map(|_| standard_normal(&mut rng)).collect();
        let tail = draws.iter().filter(|x| x.abs() > NORMAL_R).count();
        // P(|Z| > 3.654) = 2.58e-4: about 26 of 100,000
        assert!((10..50).contains(&tail), "{tail} draws in the tails");
        let d = ks(draws, |x| 0.5 * libm::erfc(-x / core::f64::consts::SQRT_2));
        assert!(d < 2.3 / libm::sqrt(100_000.0), "KS distance {d}");
    }

    #[test]
    fn laplace_matches_its_cdf() {
        let mut rng = MixRng::seed_from_u64(33);
        let draws: Vec<f64> = (0..100_000).map(|_| standard_laplace(&mut rng)).collect();
        let d = ks(draws, |x| {
            if x < 0.0 {
                0.5 * libm::exp(x)
            } else {
                1.0 - 0.5 * libm::exp(-x)
            }
        });
        assert!(d < 2.3 / libm::sqrt(100_000.0), "KS distance {d}");
    }

    #[test]
    fn exponential_matches_its_cdf() {
        let mut rng = MixRng::seed_from_u64(32);
        let draws: Vec<f64> = (0..100_000)
            .map(|_| standard_exponential(&mut rng))
            .collect();
        assert!(draws.iter().any(|&x| x > EXP_R), "the tail is reached");
        let d = ks(draws, |x| -libm::expm1(-x));
        assert!(d < 2.3 / libm::sqrt(100_000.0), "KS distance {d}");
    }
}
