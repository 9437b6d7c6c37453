//! The Beta sampler for the mixing ratio, in log space so that it never
//! gives NaN, down to the smallest positive shapes.

use crate::error::{Error, Result};
use crate::rng::MixRng;

/// `Beta(a, b)`, the distribution of the mixing ratio `lam`.
///
/// A draw is `lam = sigmoid(ln X - ln Y)` with `X ~ Gamma(a)` and
/// `Y ~ Gamma(b)`, where each `ln Gamma` comes from Marsaglia and Tsang's
/// method. A shape `k < 1` is boosted in log space:
/// `ln Gamma(k) = ln Gamma(k + 1) - E / k`, `E = -ln U`. The sigmoid is
/// evaluated stably, so every draw lies in `[0, 1]`, is never NaN for finite
/// shapes, and exact 0 and 1 appear as often as they should at tiny shapes.
///
/// A shape of 0 switches mixing off: `Beta(0, 0)` gives `lam = 1`, the
/// convention of the mixup paper's code. With one shape 0 the draw is the
/// limit of the distribution: `Beta(0, b) = 0` and `Beta(a, 0) = 1`.
///
/// # Order of draws
///
/// Frozen: the `Gamma(a)` draw, then its boost uniform when `a < 1`, then
/// the same for `b`. Each Marsaglia-Tsang attempt draws one normal (Marsaglia's
/// polar method: pairs of uniforms until one falls inside the unit disc; the
/// second normal is not kept) and then one uniform. No draw is made when a
/// shape is 0.
///
/// ```
/// use mixup::{Beta, MixRng};
/// let beta = Beta::symmetric(0.4).unwrap();
/// let mut rng = MixRng::seed_from_u64(0);
/// let lam = beta.sample(&mut rng);
/// assert!((0.0..=1.0).contains(&lam));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Beta {
    a: Shape,
    b: Shape,
}

/// One Gamma shape, with the Marsaglia-Tsang constants precomputed.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Shape {
    /// The shape itself.
    k: f64,
    /// `k' - 1/3`, where `k' = k` or `k + 1` when boosted.
    d: f64,
    /// `1 / sqrt(9 d)`.
    c: f64,
    /// `ln d`.
    ln_d: f64,
}

impl Shape {
    fn new(k: f64) -> Shape {
        let boosted = if k < 1.0 { k + 1.0 } else { k };
        let d = boosted - 1.0 / 3.0;
        Shape {
            k,
            d,
            c: 1.0 / libm::sqrt(9.0 * d),
            ln_d: libm::log(d),
        }
    }

    fn boosted(&self) -> bool {
        self.k < 1.0
    }

    /// `ln Gamma(k')` by Marsaglia and Tsang, returned as `ln d + ln v`.
    fn ln_gamma_core(&self, rng: &mut MixRng) -> f64 {
        loop {
            let x = standard_normal(rng);
            let t = 1.0 + self.c * x;
            if t <= 0.0 {
                continue;
            }
            let v = t * t * t;
            let u = rng.uniform_f64();
            let x2 = x * x;
            if u < 1.0 - 0.0331 * x2 * x2 {
                return self.ln_d + libm::log(v);
            }
            let ln_v = libm::log(v);
            if libm::log(u) < 0.5 * x2 + self.d * (1.0 - v + ln_v) {
                return self.ln_d + ln_v;
            }
        }
    }

    /// `(ln Gamma(k'), E)`, where `E = -ln U` when boosted and 0 otherwise.
    fn draw(&self, rng: &mut MixRng) -> (f64, f64) {
        let core = self.ln_gamma_core(rng);
        let e = if self.boosted() {
            // 1 - u lies in (0, 1], so E is finite and not negative.
            -libm::log(1.0 - rng.uniform_f64())
        } else {
            0.0
        };
        (core, e)
    }
}

/// A standard normal by Marsaglia's polar method.
fn standard_normal(rng: &mut MixRng) -> f64 {
    loop {
        let u = 2.0 * rng.uniform_f64() - 1.0;
        let v = 2.0 * rng.uniform_f64() - 1.0;
        let s = u * u + v * v;
        if s < 1.0 && s > 0.0 {
            return u * libm::sqrt(-2.0 * libm::log(s) / s);
        }
    }
}

/// `1 / (1 + exp(-t))` without overflow: `q = e / (1 + e)` with
/// `e = exp(-|t|)`, then `1 - q` for `t >= 0` and `q` otherwise.
pub(crate) fn sigmoid(t: f64) -> f64 {
    let e = libm::exp(-libm::fabs(t));
    let q = e / (1.0 + e);
    if t >= 0.0 { 1.0 - q } else { q }
}

impl Beta {
    /// `Beta(a, b)`. Shapes must be finite and not negative.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative, NaN or infinite shape.
    pub fn new(a: f64, b: f64) -> Result<Beta> {
        let valid = |k: f64| k.is_finite() && k >= 0.0;
        if !valid(a) || !valid(b) {
            return Err(Error::InvalidArgument);
        }
        Ok(Beta {
            a: Shape::new(a),
            b: Shape::new(b),
        })
    }

    /// `Beta(alpha, alpha)`, the mixup prior.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative, NaN or infinite `alpha`.
    pub fn symmetric(alpha: f64) -> Result<Beta> {
        Beta::new(alpha, alpha)
    }

    /// The shapes `(a, b)`.
    pub fn shapes(&self) -> (f64, f64) {
        (self.a.k, self.b.k)
    }

    /// One draw of the log-odds `t = ln X - ln Y`, so that `lam = sigmoid(t)`.
    ///
    /// `t` keeps the resolution that `lam` loses next to 0 and 1, which is
    /// what statistical tests at tiny shapes need. It is `+inf` or `-inf`
    /// when a shape is 0, and never NaN.
    pub fn sample_logit(&self, rng: &mut MixRng) -> f64 {
        let (a, b) = (self.a.k, self.b.k);
        if a == 0.0 || b == 0.0 {
            return if a == 0.0 && b > 0.0 {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
        }
        let (core_a, e_a) = self.a.draw(rng);
        let (core_b, e_b) = self.b.draw(rng);
        let c = core_a - core_b;
        match (self.a.boosted(), self.b.boosted()) {
            (false, false) => c,
            (true, false) => c - e_a / a,
            (false, true) => c + e_b / b,
            (true, true) => {
                // e_b / b - e_a / a, factored so that two infinite quotients
                // never meet: both ratios of shapes are at most 1.
                let diff = if a <= b {
                    (e_b * (a / b) - e_a) / a
                } else {
                    (e_b - e_a * (b / a)) / b
                };
                if diff == 0.0 { c } else { c + diff }
            }
        }
    }

    /// One draw of `lam`, in `[0, 1]`.
    pub fn sample(&self, rng: &mut MixRng) -> f64 {
        sigmoid(self.sample_logit(rng))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_shapes() {
        for bad in [
            -1.0,
            -0.0 - f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(Beta::new(bad, 1.0), Err(Error::InvalidArgument));
            assert_eq!(Beta::new(1.0, bad), Err(Error::InvalidArgument));
        }
    }

    #[test]
    fn zero_shapes_are_the_limits() {
        let mut rng = MixRng::seed_from_u64(0);
        let before = rng.clone();
        assert_eq!(Beta::symmetric(0.0).unwrap().sample(&mut rng), 1.0);
        assert_eq!(Beta::new(0.0, 2.0).unwrap().sample(&mut rng), 0.0);
        assert_eq!(Beta::new(2.0, 0.0).unwrap().sample(&mut rng), 1.0);
        assert_eq!(rng, before, "a zero shape draws nothing");
    }

    #[test]
    fn sigmoid_is_stable_and_bounded() {
        assert_eq!(sigmoid(f64::INFINITY), 1.0);
        assert_eq!(sigmoid(f64::NEG_INFINITY), 0.0);
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(-800.0) == 0.0 && sigmoid(800.0) == 1.0);
        assert!((sigmoid(-30.0) - libm::exp(-30.0)).abs() < 1e-25);
    }

    #[test]
    fn extreme_shapes_never_give_nan() {
        let tiny = f64::MIN_POSITIVE;
        let shapes = [tiny, 1e-300, 1e-10, 0.5, 1.0, 3.0, 1e10, 1e300, f64::MAX];
        let mut rng = MixRng::seed_from_u64(3);
        for a in shapes {
            for b in shapes {
                let beta = Beta::new(a, b).unwrap();
                for _ in 0..200 {
                    let lam = beta.sample(&mut rng);
                    assert!((0.0..=1.0).contains(&lam), "Beta({a}, {b}) gave {lam}");
                }
            }
        }
    }
}
