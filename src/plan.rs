//! The plan of one batch: whether mixing happens, the lambdas and the
//! partners, drawn in a frozen order.

use crate::beta::Beta;
use crate::error::{Error, Result};
use crate::kernel::Weights;
use crate::pairing::Pairing;
use crate::rng::MixRng;

/// How many lambdas a batch gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Granularity {
    /// One lambda for the whole batch (torchvision, mmpretrain).
    #[default]
    Batch,
    /// One lambda per sample (timm `elem`, keras-cv).
    Elem,
    /// Samples `i` and `n-1-i` share one lambda (timm `pair`, with
    /// [`Pairing::Flip`]); the middle sample of an odd batch has its own.
    Pair,
}

/// What is decided about one batch of `n = partners.len()` samples: the
/// partner and the lambda of each sample, and which samples mix at all.
///
/// Sample `i` becomes `w_self_i * x[i] + w_partner_i * x[partners[i]]`
/// with the weights of [`Weights::from_lambda`](crate::Weights::from_lambda),
/// always by that formula, lambda 0 and 1 included (as NumPy and torch
/// compute it). Only a sample that does not mix at all (its `prob` test
/// failed, or mixing is off) is left as it is, as torchvision returns a
/// batch that it does not mix: untouched, `-0` and non-finite values too.
///
/// ```
/// use mixup::{Mixer, Plan};
/// let mut out = [0.0f32; 4];
/// let batch = [1.0f32, -0.0, 3.0, f32::INFINITY]; // two samples of two
/// // sample 0 mixes with lambda 1; sample 1 does not mix
/// let plan = Plan { partners: &[1, 0], lambdas: &[1.0, 0.5], mixed: Some(&[true, false]) };
/// Mixer::new().mix_into(&mut out, &batch, 2, plan).unwrap();
/// assert!(out[1].is_nan()); // 1 * -0 + 0 * inf, as NumPy computes it
/// assert_eq!(out[2..], batch[2..]); // untouched
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plan<'a> {
    /// The partner of each sample, an index below `n`.
    pub partners: &'a [u32],
    /// One lambda for the batch, or one per sample, each in `[0, 1]`.
    pub lambdas: &'a [f64],
    /// Which samples mix (`n` flags, as [`MixConfig::draw`] writes them);
    /// `None` when all of them do.
    pub mixed: Option<&'a [bool]>,
}

impl<'a> Plan<'a> {
    /// A plan in which every sample mixes.
    pub fn new(partners: &'a [u32], lambdas: &'a [f64]) -> Plan<'a> {
        Plan {
            partners,
            lambdas,
            mixed: None,
        }
    }

    /// The number of samples, `partners.len()`.
    pub fn len(&self) -> usize {
        self.partners.len()
    }

    /// Whether the batch has no sample.
    pub fn is_empty(&self) -> bool {
        self.partners.is_empty()
    }

    /// Checks one lambda or one per sample, each in `[0, 1]`, and `n` flags
    /// when given.
    pub(crate) fn check(&self) -> Result<()> {
        let n = self.len();
        let count_ok = self.lambdas.len() == 1 || self.lambdas.len() == n;
        let flags_ok = self.mixed.is_none_or(|m| m.len() == n);
        if count_ok && flags_ok && self.lambdas.iter().all(|l| (0.0..=1.0).contains(l)) {
            Ok(())
        } else {
            Err(Error::InvalidArgument)
        }
    }

    /// The lambda of sample `i`, from a checked plan.
    pub(crate) fn lambda(&self, i: usize) -> f64 {
        if self.lambdas.len() == 1 {
            self.lambdas[0]
        } else {
            self.lambdas[i]
        }
    }

    /// The weights of sample `i`, from a checked plan.
    pub(crate) fn weights(&self, i: usize) -> Weights {
        Weights::from_valid_lambda(self.lambda(i))
    }

    /// Whether the flags say that no sample mixes.
    pub(crate) fn mixes_none(&self) -> bool {
        self.mixed.is_some_and(|m| !m.contains(&true))
    }

    /// Whether sample `i` mixes.
    pub(crate) fn mixes(&self, i: usize) -> bool {
        self.mixed.is_none_or(|m| m[i])
    }
}

/// Everything random about mixup for one batch.
///
/// `lam ~ Beta(alpha, beta)`; `alpha = beta = 0` switches mixing off.
/// Mixing happens with probability `prob`: once for the batch at
/// [`Granularity::Batch`], per sample at `Elem`, per pair at `Pair`. Where
/// it does not happen (the `prob` test failed, or mixing is off,
/// [`Beta::is_off`]), `lam = 1`, the sample's flag in `applied` is `false`,
/// the sample is left as it is and its target stays one-hot.
///
/// # Order of draws (frozen)
///
/// For `g` groups (1 at `Batch`, `n` at `Elem`, `ceil(n/2)` at `Pair`):
/// 1. the `prob` tests: `g` uniforms, group `k` mixes iff `u_k < prob`;
/// 2. the lambdas: `g` [`Beta`] draws, made whether or not the group mixes;
/// 3. the pairing, as [`Pairing::fill`] documents.
///
/// An empty batch draws nothing. Value-stability tests freeze the result,
/// so a seed gives the same plan in every release.
///
/// ```
/// use mixup::{MixConfig, MixRng, Pairing};
/// let config = MixConfig { alpha: 0.4, pairing: Pairing::Permutation, ..MixConfig::default() };
/// let mut rng = MixRng::seed_from_u64(7);
/// let (mut partners, mut lambdas) = ([0u32; 8], [0.0f64; 8]);
/// let mixed = config.draw(&mut rng, &mut partners, &mut lambdas, None).unwrap();
/// assert_eq!(mixed, 8); // prob = 1 by default
/// assert!(lambdas.iter().all(|&l| l == lambdas[0]));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MixConfig {
    /// First Beta shape. 0 with `beta = 0` switches mixing off.
    pub alpha: f64,
    /// Second Beta shape; equal to `alpha` for mixup's symmetric prior.
    pub beta: f64,
    /// Probability of mixing, in `[0, 1]`.
    pub prob: f64,
    /// Who is mixed with whom.
    pub pairing: Pairing,
    /// How many lambdas a batch gets.
    pub granularity: Granularity,
}

impl Default for MixConfig {
    /// `alpha = beta = 1`, `prob = 1`, random permutation, one lambda per batch.
    fn default() -> Self {
        MixConfig {
            alpha: 1.0,
            beta: 1.0,
            prob: 1.0,
            pairing: Pairing::Permutation,
            granularity: Granularity::Batch,
        }
    }
}

impl MixConfig {
    /// The Beta distribution of this configuration, after checking every field.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative, NaN or infinite shape, or
    /// `prob` outside `[0, 1]`.
    pub fn validate(&self) -> Result<Beta> {
        if !(0.0..=1.0).contains(&self.prob) {
            return Err(Error::InvalidArgument);
        }
        Beta::new(self.alpha, self.beta)
    }

    /// Number of `prob` tests and lambda draws for a batch of `n`.
    pub fn groups(&self, n: usize) -> usize {
        match self.granularity {
            Granularity::Batch => n.min(1),
            Granularity::Elem => n,
            Granularity::Pair => n.div_ceil(2),
        }
    }

    /// Draws the plan of a batch of `n = partners.len()` samples.
    ///
    /// Writes the partner and the lambda of every sample, and, when given,
    /// whether it mixes: its `prob` test passed and mixing is not off
    /// ([`Beta::is_off`]). Returns how many samples mix. Pass the flags on
    /// as [`Plan::mixed`], so that the samples that do not mix stay as they
    /// are. Nothing is written on an error.
    /// With [`Pairing::Given`], `partners` is read, checked and kept.
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] for a bad configuration (see
    ///   [`validate`](Self::validate)), or `lambdas` / `applied` whose length is not `n`.
    /// - [`Error::SizeOverflow`] when `n > 2^32`.
    /// - [`Error::IndexOutOfRange`] for a `Given` partner not below `n`.
    pub fn draw(
        &self,
        rng: &mut MixRng,
        partners: &mut [u32],
        lambdas: &mut [f64],
        applied: Option<&mut [bool]>,
    ) -> Result<usize> {
        let beta = self.validate()?;
        let n = partners.len();
        if lambdas.len() != n || applied.as_ref().is_some_and(|a| a.len() != n) {
            return Err(Error::InvalidArgument);
        }
        if n as u64 > u64::from(u32::MAX) + 1 {
            return Err(Error::SizeOverflow);
        }
        if self.pairing == Pairing::Given {
            crate::pairing::check_in_range(partners, n)?;
        }
        let groups = self.groups(n);
        let off = beta.is_off();

        // 1. the prob tests; the uniforms wait in `lambdas`.
        for u in &mut lambdas[..groups] {
            *u = rng.uniform_f64();
        }
        // 2. one lambda per group, kept only where the group mixes.
        for u in &mut lambdas[..groups] {
            let lam = beta.sample(rng);
            *u = if *u < self.prob { lam } else { f64::NAN };
        }
        // Spread group values to samples; NaN marks a group that does not mix.
        match self.granularity {
            Granularity::Batch => {
                if let Some(&first) = lambdas.first() {
                    lambdas.fill(first);
                }
            }
            Granularity::Elem => {}
            Granularity::Pair => {
                for i in groups..n {
                    lambdas[i] = lambdas[n - 1 - i];
                }
            }
        }
        let mut mixed = 0;
        let mut applied = applied;
        for (i, lam) in lambdas.iter_mut().enumerate() {
            let mixes = !lam.is_nan() && !off;
            if let Some(flags) = applied.as_deref_mut() {
                flags[i] = mixes;
            }
            mixed += usize::from(mixes);
            if !mixes {
                *lam = 1.0;
            }
        }
        // 3. the partners.
        self.pairing.fill(rng, partners)?;
        Ok(mixed)
    }
}
