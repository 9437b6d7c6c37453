//! What is random about a batch, and the frozen order in which a plan is
//! drawn: mixup alone, or mixup and CutMix switched as timm does.

use crate::beta::Beta;
use crate::cutmix::{CutBox, Op, Recipe, check_minmax, check_sides, draw_box};
use crate::error::{Error, Result};
use crate::pairing::Pairing;
use crate::rng::MixRng;

/// How many lambdas (and ops and boxes) a batch gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Granularity {
    /// One draw for the whole batch (torchvision, mmpretrain, timm `batch`).
    #[default]
    Batch,
    /// One draw per sample (timm `elem`, keras-cv).
    Elem,
    /// Samples `i` and `n-1-i` share one draw (timm `pair`, with
    /// [`Pairing::Flip`]); the middle sample of an odd batch has its own.
    Pair,
    /// timm's `half`: one draw per sample of the first `n / 2`, which are
    /// the output (with [`Pairing::Flip`], each mixed with one of the second
    /// half); the second half is left unmixed.
    Half,
}

/// Everything random about mixup and CutMix for one batch.
///
/// Mixup draws `lam ~ Beta(alpha, beta)`; `alpha = beta = 0` switches it
/// off. CutMix draws `lam ~ Beta(cutmix_alpha, cutmix_alpha)` and a box by
/// the [`Recipe`]; `cutmix_alpha = 0` (and no timm `minmax`) switches it off.
/// With both on, each draw takes CutMix with probability `switch_prob`,
/// as timm's `Mixup` and torchvision's `RandomChoice([CutMix(), MixUp()])`
/// do; with one on, that one always. Mixing happens with probability
/// `prob`, once per draw: for the batch at [`Granularity::Batch`], per
/// sample at `Elem` and `Half`, per pair at `Pair`. Where it does not happen
/// (the `prob` test failed, both ops are off, or the `Timm` recipe drew
/// `lam = 1`), the op is [`Op::Unmixed`], `lam = 1`, the box is empty and
/// the sample stays as it is.
///
/// # Order of draws (frozen)
///
/// For `g` draws (1 at `Batch`, `n` at `Elem`, `ceil(n/2)` at `Pair`,
/// `n/2` at `Half`), with CutMix off:
/// 1. the `prob` tests: `g` uniforms, draw `k` mixes iff `u_k < prob`;
/// 2. the lambdas: `g` [`Beta`] draws, made whether or not the draw mixes;
/// 3. the pairing, as [`Pairing::fill`] documents.
///
/// With CutMix on, each draw `k` in turn takes: the `prob` uniform; the
/// switch uniform (only when both ops are on; CutMix iff `u < switch_prob`);
/// the lambda from that op's Beta; for CutMix, the box (the centre `cy`
/// then `cx`, or for timm's `minmax` `cut_h`, `cut_w`, `yl`, `xl`, each by
/// [`MixRng::below`]). Then the pairing. Every draw is made whether or not
/// the `prob` test passed. Value-stability tests freeze the result, so a
/// seed gives the same plan in every release.
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
    /// Mixup's first Beta shape. 0 with `beta = 0` switches mixup off.
    pub alpha: f64,
    /// Mixup's second Beta shape; equal to `alpha` for the symmetric prior.
    pub beta: f64,
    /// Probability of mixing, in `[0, 1]`.
    pub prob: f64,
    /// Who is mixed with whom.
    pub pairing: Pairing,
    /// How many draws a batch gets.
    pub granularity: Granularity,
    /// CutMix's Beta shape (both); 0 switches CutMix off.
    pub cutmix_alpha: f64,
    /// With both ops on, the probability that a draw is CutMix, in `[0, 1]`.
    pub switch_prob: f64,
    /// Box geometry and lambda arithmetic: torchvision's or timm's.
    pub recipe: Recipe,
}

impl Default for MixConfig {
    /// Mixup alone: `alpha = beta = 1`, `prob = 1`, random permutation, one
    /// lambda per batch, no CutMix, torchvision's recipe.
    fn default() -> Self {
        MixConfig {
            alpha: 1.0,
            beta: 1.0,
            prob: 1.0,
            pairing: Pairing::Permutation,
            granularity: Granularity::Batch,
            cutmix_alpha: 0.0,
            switch_prob: 0.5,
            recipe: Recipe::TorchVision,
        }
    }
}

/// The two Beta distributions of a checked configuration.
struct Betas {
    mixup: Beta,
    cutmix: Beta,
}

impl MixConfig {
    /// timm's `Mixup(mixup_alpha, cutmix_alpha)` with timm's other defaults:
    /// `prob = 1`, `switch_prob = 0.5`, `mode = 'batch'`, `correct_lam =
    /// True`, flip pairing. timm's recipe of `Mixup(mixup_alpha=0.8,
    /// cutmix_alpha=1.0, mode='elem')` is
    /// `MixConfig { granularity: Granularity::Elem, ..MixConfig::timm(0.8, 1.0) }`.
    pub fn timm(mixup_alpha: f64, cutmix_alpha: f64) -> MixConfig {
        MixConfig {
            alpha: mixup_alpha,
            beta: mixup_alpha,
            prob: 1.0,
            pairing: Pairing::Flip,
            granularity: Granularity::Batch,
            cutmix_alpha,
            switch_prob: 0.5,
            recipe: Recipe::TIMM,
        }
    }

    /// The mixup Beta distribution, after checking every field.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative, NaN or infinite shape,
    /// `prob` or `switch_prob` outside `[0, 1]`, or a timm `minmax` not
    /// `0 < lo < hi <= 1`.
    pub fn validate(&self) -> Result<Beta> {
        Ok(self.betas()?.mixup)
    }

    fn betas(&self) -> Result<Betas> {
        let unit = |p: f64| (0.0..=1.0).contains(&p);
        if !unit(self.prob) || !unit(self.switch_prob) {
            return Err(Error::InvalidArgument);
        }
        let cut_alpha = match self.recipe {
            Recipe::Timm {
                minmax: Some((lo, hi)),
                ..
            } => {
                if !(lo > 0.0 && lo < hi && hi <= 1.0) {
                    return Err(Error::InvalidArgument);
                }
                1.0 // as timm forces it
            }
            _ => self.cutmix_alpha,
        };
        Ok(Betas {
            mixup: Beta::new(self.alpha, self.beta)?,
            cutmix: Beta::new(cut_alpha, cut_alpha)?,
        })
    }

    /// Whether CutMix is on: `cutmix_alpha > 0`, or a timm `minmax`.
    pub fn cutmix_on(&self) -> bool {
        self.betas().is_ok_and(|b| !b.cutmix.is_off())
    }

    /// Checks that this config can draw plans for samples of `image` (or
    /// for samples that are not images): CutMix needs an image, whose sides
    /// a timm `minmax` must leave some room in.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for CutMix without an image, a side of 0
    /// or above `u32::MAX`, or a `minmax` whose integer ranges are empty
    /// for these sides.
    pub fn check_image(&self, image: Option<crate::ImageShape>) -> Result<()> {
        let Some(image) = image else {
            return if self.cutmix_on() {
                Err(Error::InvalidArgument)
            } else {
                Ok(())
            };
        };
        check_sides(image.height, image.width)?;
        if let Recipe::Timm {
            minmax: Some(minmax),
            ..
        } = self.recipe
        {
            check_minmax(image.height, image.width, minmax)?;
        }
        Ok(())
    }

    /// Number of draws for a batch of `n`.
    pub fn groups(&self, n: usize) -> usize {
        match self.granularity {
            Granularity::Batch => n.min(1),
            Granularity::Elem => n,
            Granularity::Pair => n.div_ceil(2),
            Granularity::Half => n / 2,
        }
    }

    /// Whether lambdas follow timm's float32 rule (see [`Recipe`]).
    fn f32_lambdas(&self) -> bool {
        matches!(self.recipe, Recipe::Timm { .. }) && self.granularity != Granularity::Batch
    }

    /// Draws the mixup plan of a batch of `n = partners.len()` samples.
    ///
    /// Writes the partner and the lambda of every sample, and, when given,
    /// its op: [`Op::Mixup`], or [`Op::Unmixed`] where its `prob` test
    /// failed or mixing is off ([`Beta::is_off`]). Returns how many samples
    /// mix. Pass the ops on as [`Plan::ops`](crate::Plan::ops), so that the
    /// samples that do not mix stay as they are. Nothing is written on an
    /// error. With [`Pairing::Given`], `partners` is read, checked and kept.
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] for a bad configuration (see
    ///   [`validate`](Self::validate)), CutMix on (use
    ///   [`draw_with_boxes`](Self::draw_with_boxes)), or `lambdas` / `ops`
    ///   whose length is not `n`.
    /// - [`Error::SizeOverflow`] when `n > 2^32`.
    /// - [`Error::IndexOutOfRange`] for a `Given` partner not below `n`.
    pub fn draw(
        &self,
        rng: &mut MixRng,
        partners: &mut [u32],
        lambdas: &mut [f64],
        ops: Option<&mut [Op]>,
    ) -> Result<usize> {
        let betas = self.betas()?;
        if !betas.cutmix.is_off() || ops.as_ref().is_some_and(|o| o.len() != partners.len()) {
            return Err(Error::InvalidArgument);
        }
        self.check_slots(partners, lambdas)?;
        let groups = self.groups(partners.len());
        self.draw_mixup_groups(&betas, rng, &mut lambdas[..groups]);
        let ops = ops.unwrap_or_default();
        mixup_ops(&lambdas[..groups], ops);
        let mixed = self.spread(lambdas, ops, &mut []);
        self.pairing.fill(rng, partners)?;
        Ok(mixed)
    }

    /// Draws the plan of a batch of `n = partners.len()` images of
    /// `height x width`, CutMix included: the partner, the lambda (`lam'`
    /// for CutMix), the op and the box of every sample (an empty box where
    /// the op is not CutMix). Returns how many samples mix. Pass the result
    /// on as a [`Plan`](crate::Plan) with [`Cuts`](crate::Cuts). With CutMix
    /// off this draws what [`draw`](Self::draw) draws. Nothing is written on
    /// an error.
    ///
    /// ```
    /// use mixup::{CutBox, MixConfig, MixRng, Op};
    /// let config = MixConfig::timm(0.8, 1.0); // one draw for the batch
    /// let mut rng = MixRng::stream(42, 0);
    /// let (mut partners, mut lambdas) = ([0u32; 4], [0.0f64; 4]);
    /// let (mut ops, mut boxes) = ([Op::Unmixed; 4], [CutBox::default(); 4]);
    /// config.draw_with_boxes(&mut rng, (32, 32), &mut partners, &mut lambdas, &mut ops, &mut boxes)?;
    /// assert_eq!(partners, [3, 2, 1, 0]); // timm's flip
    /// if ops[0] == Op::CutMix {
    ///     assert_eq!(lambdas[0], 1.0 - boxes[0].area() as f64 / 1024.0);
    /// }
    /// # Ok::<(), mixup::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`draw`](Self::draw), and [`Error::InvalidArgument`] for a side of
    /// 0 or above `u32::MAX`, `ops` or `boxes` whose length is not `n`, or a
    /// timm `minmax` whose integer ranges are empty for these sides.
    pub fn draw_with_boxes(
        &self,
        rng: &mut MixRng,
        (height, width): (usize, usize),
        partners: &mut [u32],
        lambdas: &mut [f64],
        ops: &mut [Op],
        boxes: &mut [CutBox],
    ) -> Result<usize> {
        let betas = self.betas()?;
        let n = partners.len();
        if ops.len() != n || boxes.len() != n {
            return Err(Error::InvalidArgument);
        }
        self.check_image(Some(crate::ImageShape {
            height,
            width,
            ..crate::ImageShape::PIXEL
        }))?;
        self.check_slots(partners, lambdas)?;
        let groups = self.groups(n);
        if betas.cutmix.is_off() {
            self.draw_mixup_groups(&betas, rng, &mut lambdas[..groups]);
            mixup_ops(&lambdas[..groups], ops);
            boxes[..groups].fill(CutBox::default());
        } else {
            for g in 0..groups {
                let (op, lam, cut) = self.draw_switched(&betas, rng, (height, width));
                (ops[g], lambdas[g], boxes[g]) = (op, lam, cut);
            }
        }
        let mixed = self.spread(lambdas, ops, boxes);
        self.pairing.fill(rng, partners)?;
        Ok(mixed)
    }

    /// Checks the lengths, `n` and `Given` partners.
    fn check_slots(&self, partners: &[u32], lambdas: &[f64]) -> Result<()> {
        let n = partners.len();
        if lambdas.len() != n {
            return Err(Error::InvalidArgument);
        }
        if n as u64 > u64::from(u32::MAX) + 1 {
            return Err(Error::SizeOverflow);
        }
        if self.pairing == Pairing::Given {
            crate::pairing::check_in_range(partners, n)?;
        }
        Ok(())
    }

    /// Mixup's draws for `g = lambdas.len()` groups: the `prob` uniforms,
    /// then the lambdas; NaN marks a group that does not mix.
    fn draw_mixup_groups(&self, betas: &Betas, rng: &mut MixRng, lambdas: &mut [f64]) {
        let off = betas.mixup.is_off();
        for u in lambdas.iter_mut() {
            *u = rng.uniform_f64();
        }
        for u in lambdas.iter_mut() {
            let lam = self.rounded(betas.mixup.sample(rng));
            *u = if *u < self.prob && !off && !self.skips(lam) {
                lam
            } else {
                f64::NAN
            };
        }
    }

    /// One draw with CutMix on: the `prob` test, the switch, the lambda,
    /// the box. NaN marks a draw that does not mix.
    fn draw_switched(
        &self,
        betas: &Betas,
        rng: &mut MixRng,
        sides: (usize, usize),
    ) -> (Op, f64, CutBox) {
        let passes = rng.uniform_f64() < self.prob;
        let cut = betas.mixup.is_off() || rng.uniform_f64() < self.switch_prob;
        let beta = if cut { &betas.cutmix } else { &betas.mixup };
        let lam = self.rounded(beta.sample(rng));
        let mixes = passes && !self.skips(lam);
        let (op, lam, b) = if cut {
            let (b, corrected) = draw_box(self.recipe, self.f32_lambdas(), rng, sides, lam);
            (Op::CutMix, corrected, b)
        } else {
            (Op::Mixup, lam, CutBox::default())
        };
        if mixes {
            (op, lam, b)
        } else {
            (Op::Unmixed, f64::NAN, CutBox::default())
        }
    }

    /// A drawn lambda as this recipe keeps it: f32 under timm's rule.
    fn rounded(&self, lam: f64) -> f64 {
        if self.f32_lambdas() {
            lam as f32 as f64
        } else {
            lam
        }
    }

    /// Whether the `Timm` recipe leaves a sample with this lambda unmixed.
    fn skips(&self, lam: f64) -> bool {
        matches!(self.recipe, Recipe::Timm { .. }) && lam == 1.0
    }

    /// Spreads the `g` group values at the front of `lambdas`, `ops` and
    /// `boxes` (each of `n` values, or `ops` and `boxes` empty) to every
    /// sample, then marks the samples that do not mix (NaN lambda) as
    /// unmixed, with lambda 1 and an empty box. Returns how many mix.
    fn spread(&self, lambdas: &mut [f64], ops: &mut [Op], boxes: &mut [CutBox]) -> usize {
        let n = lambdas.len();
        for i in self.groups(n)..n {
            let source = match self.granularity {
                Granularity::Batch => 0,
                Granularity::Pair => n - 1 - i,
                Granularity::Elem | Granularity::Half => {
                    lambdas[i] = f64::NAN;
                    continue;
                }
            };
            lambdas[i] = lambdas[source];
            if !ops.is_empty() {
                ops[i] = ops[source];
            }
            if !boxes.is_empty() {
                boxes[i] = boxes[source];
            }
        }
        let mut mixed = 0;
        for (i, lam) in lambdas.iter_mut().enumerate() {
            if !lam.is_nan() {
                mixed += 1;
                continue;
            }
            *lam = 1.0;
            if let Some(op) = ops.get_mut(i) {
                *op = Op::Unmixed;
            }
            if let Some(b) = boxes.get_mut(i) {
                *b = CutBox::default();
            }
        }
        mixed
    }
}

/// The ops of mixup's groups: Mixup, or Unmixed where the lambda is NaN.
/// `ops` is empty (not wanted) or holds at least the groups.
fn mixup_ops(group_lambdas: &[f64], ops: &mut [Op]) {
    for (op, lam) in ops.iter_mut().zip(group_lambdas) {
        *op = if lam.is_nan() { Op::Unmixed } else { Op::Mixup };
    }
}
