//! The Beta sampler for the mixing ratio, in log space so that it never
//! gives NaN, down to the smallest positive shapes.

use crate::error::{Error, Result};
use crate::rng::MixRng;
use crate::ziggurat::{standard_exponential, standard_laplace, standard_normal};

/// `Beta(a, b)`, the distribution of the mixing ratio `lam`.
///
/// A draw is `lam = sigmoid(ln X - ln Y)` with `X ~ Gamma(a)` and
/// `Y ~ Gamma(b)`, where each `ln Gamma` comes from Marsaglia and Tsang's
/// method. A shape `k < 1` is boosted in log space:
/// `ln Gamma(k) = ln Gamma(k + 1) - E / k`, `E ~ Exp(1)` (the law of `-ln U`). The sigmoid is
/// evaluated stably, so every draw lies in `[0, 1]`, is never NaN for finite
/// shapes, and exact 0 and 1 appear as often as they should at tiny shapes.
///
/// A shape of 0 switches mixing off: `Beta(0, 0)` gives `lam = 1`, the
/// convention of the mixup paper's code. With one shape 0 the draw is the
/// limit of the distribution: `Beta(0, b) = 0` and `Beta(a, 0) = 1`.
///
/// # Order of draws
///
/// Frozen. Each `ln Gamma(k)` is Marsaglia-Tsang on the shape `k` (or
/// `k + 1` when boosted): per attempt, one standard normal (a 256-layer
/// ziggurat) and one uniform. The draws are:
/// - `a = b < 1` (mixup's case): the attempts for `X`, those for `Y`, then
///   one standard Laplace draw for `E_Y - E_X` (the difference of the two
///   boosts' exponentials has that law);
/// - otherwise: the attempts for `X`, then `E_X` (a ziggurat exponential)
///   when `a < 1`, then the same for `Y`.
///
/// No draw is made when a shape is 0.
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
    /// `min(a, b) / max(a, b)`, at most 1.
    ratio: f64,
    /// `1 / min(a, b)`, infinite for subnormal shapes.
    inv_min: f64,
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

    /// `Gamma(k') / d` by Marsaglia and Tsang: the accepted `v`, so that
    /// `ln Gamma(k') = ln d + ln v`. The logarithm is left to the caller,
    /// which takes one for both shapes at once.
    fn gamma_core_over_d(&self, rng: &mut MixRng) -> f64 {
        loop {
            let x = standard_normal(rng);
            let t = 1.0 + self.c * x;
            if t <= 0.0 {
                continue;
            }
            let v = t * t * t;
            let u = rng.uniform_f64();
            let x2 = x * x;
            if u < 1.0 - 0.0331 * x2 * x2
                || libm::log(u) < 0.5 * x2 + self.d * (1.0 - v + libm::log(v))
            {
                return v;
            }
        }
    }

    /// `(v, E)`: the Marsaglia-Tsang draw, then the boost's standard
    /// exponential `E` when the shape is below 1 (0 otherwise).
    fn draw(&self, rng: &mut MixRng) -> (f64, f64) {
        let v = self.gamma_core_over_d(rng);
        let e = if self.boosted() {
            standard_exponential(rng)
        } else {
            0.0
        };
        (v, e)
    }
}

/// `ln(v_a) - ln(v_b)` with one logarithm where the ratio is a normal float.
fn ln_ratio(v_a: f64, v_b: f64) -> f64 {
    let ratio = v_a / v_b;
    if ratio.is_normal() {
        libm::log(ratio)
    } else {
        libm::log(v_a) - libm::log(v_b)
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
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        Ok(Beta {
            a: Shape::new(a),
            b: Shape::new(b),
            ratio: if hi > 0.0 { lo / hi } else { 1.0 },
            inv_min: 1.0 / lo,
        })
    }

    /// `Beta(alpha, alpha)`, the mixup prior.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative, NaN or infinite `alpha`.
    pub fn symmetric(alpha: f64) -> Result<Beta> {
        Beta::new(alpha, alpha)
    }

    /// Whether every draw is exactly 1, so that mixing is off: `b = 0`,
    /// which includes mixup's `alpha = beta = 0`.
    pub fn is_off(&self) -> bool {
        self.b.k == 0.0
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
        if a == b && self.a.boosted() {
            // The mixup case. e_b - e_a, the difference of two independent
            // standard exponentials, is one standard Laplace draw.
            let v_a = self.a.gamma_core_over_d(rng);
            let v_b = self.b.gamma_core_over_d(rng);
            let laplace = standard_laplace(rng);
            let c = ln_ratio(v_a, v_b);
            return if laplace == 0.0 {
                c
            } else {
                c + laplace * self.inv_min
            };
        }
        let (v_a, e_a) = self.a.draw(rng);
        let (v_b, e_b) = self.b.draw(rng);
        // ln X - ln Y before the boosts: (ln d_a + ln v_a) - (ln d_b + ln v_b)
        let c = (self.a.ln_d - self.b.ln_d) + ln_ratio(v_a, v_b);
        match (self.a.boosted(), self.b.boosted()) {
            (false, false) => c,
            (true, false) => c - e_a / a,
            (false, true) => c + e_b / b,
            (true, true) => {
                // e_b / b - e_a / a, factored so that two infinite quotients
                // never meet: the ratio of the shapes is at most 1, and an
                // infinite 1 / min(a, b) never multiplies a zero.
                let num = if a <= b {
                    e_b * self.ratio - e_a
                } else {
                    e_b - e_a * self.ratio
                };
                if num == 0.0 {
                    c
                } else {
                    c + num * self.inv_min
                }
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
