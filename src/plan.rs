//! The plan of one batch: for each sample its partner, its lambda, what
//! happens to it (mixup, CutMix or nothing) and, for CutMix, its box.

use crate::config::MixConfig;
use crate::cutmix::{CutBox, Cuts, Op};
use crate::error::{Error, Result};
use crate::image::ImageShape;
use crate::kernel::Weights;
use crate::rng::MixRng;

/// What is decided about one batch of `n = partners.len()` samples: the
/// partner, the lambda and the op of each sample, and the boxes of CutMix.
///
/// - [`Op::Mixup`]: sample `i` becomes `w_self_i * x[i] + w_partner_i *
///   x[partners[i]]` with the weights of
///   [`Weights::from_lambda`](crate::Weights::from_lambda), always by that
///   formula, lambda 0 and 1 included (as NumPy and torch compute it).
/// - [`Op::CutMix`]: sample `i` takes `x[partners[i]]`'s elements inside
///   its box and keeps its own outside; they are copied, never blended.
///   The lambda is then the label weight `lam'` and does not touch the image.
/// - [`Op::Unmixed`]: the sample is left as it is, as torchvision returns
///   a batch that it does not mix: untouched, `-0` and non-finite values too.
///
/// ```
/// use mixup::{Mixer, Op, Plan};
/// let mut out = [0.0f32; 4];
/// let batch = [1.0f32, -0.0, 3.0, f32::INFINITY]; // two samples of two
/// // sample 0 mixes with lambda 1; sample 1 does not mix
/// let plan = Plan::new(&[1, 0], &[1.0, 0.5]).with_ops(&[Op::Mixup, Op::Unmixed]);
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
    /// The op of each sample (`n`, as [`MixConfig::draw`](crate::MixConfig::draw)
    /// writes them); `None` when every sample mixes by mixup.
    pub ops: Option<&'a [Op]>,
    /// The boxes and the image shape, needed when an op is [`Op::CutMix`].
    pub cuts: Option<Cuts<'a>>,
}

impl<'a> Plan<'a> {
    /// A plan in which every sample mixes by mixup.
    pub fn new(partners: &'a [u32], lambdas: &'a [f64]) -> Plan<'a> {
        Plan {
            partners,
            lambdas,
            ops: None,
            cuts: None,
        }
    }

    /// The same plan with an op per sample.
    pub fn with_ops(self, ops: &'a [Op]) -> Plan<'a> {
        Plan {
            ops: Some(ops),
            ..self
        }
    }

    /// The same plan with CutMix boxes.
    pub fn with_cuts(self, cuts: Cuts<'a>) -> Plan<'a> {
        Plan {
            cuts: Some(cuts),
            ..self
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

    /// Checks one lambda or one per sample, each in `[0, 1]`, `n` ops when
    /// given, and, where an op is CutMix, the cuts.
    pub(crate) fn check(&self) -> Result<()> {
        let n = self.len();
        let count_ok = self.lambdas.len() == 1 || self.lambdas.len() == n;
        let ops_ok = self.ops.is_none_or(|m| m.len() == n);
        if !(count_ok && ops_ok && self.lambdas.iter().all(|l| (0.0..=1.0).contains(l))) {
            return Err(Error::InvalidArgument);
        }
        match (self.cutting(), self.cuts) {
            (false, _) => Ok(()),
            (true, Some(cuts)) => cuts.check(self.ops.unwrap_or(&[])),
            (true, None) => Err(Error::InvalidArgument),
        }
    }

    /// Whether some op is CutMix.
    #[inline]
    pub(crate) fn cutting(&self) -> bool {
        self.ops.is_some_and(|m| m.contains(&Op::CutMix))
    }

    /// The lambda of sample `i`, from a checked plan.
    #[inline]
    pub(crate) fn lambda(&self, i: usize) -> f64 {
        if self.lambdas.len() == 1 {
            self.lambdas[0]
        } else {
            self.lambdas[i]
        }
    }

    /// The weights of sample `i`, from a checked plan.
    #[inline]
    pub(crate) fn weights(&self, i: usize) -> Weights {
        Weights::from_valid_lambda(self.lambda(i))
    }

    /// Whether the ops say that no sample mixes.
    pub(crate) fn mixes_none(&self) -> bool {
        self.ops
            .is_some_and(|m| m.iter().all(|&op| op == Op::Unmixed))
    }

    /// The op of sample `i`, from a checked plan.
    #[inline]
    pub(crate) fn op(&self, i: usize) -> Op {
        self.ops.map_or(Op::Mixup, |m| m[i])
    }
}

/// Where a plan is drawn: the caller's buffers for the partner, the
/// lambda, the op and the CutMix box of each of `n` samples, all `n` long.
/// [`PlanBufs::draw`] fills them and returns the [`Plan`] they hold.
#[derive(Debug)]
pub struct PlanBufs<'a> {
    /// The partner of each sample.
    pub partners: &'a mut [u32],
    /// The lambda of each sample (`lam'` for CutMix).
    pub lambdas: &'a mut [f64],
    /// The op of each sample.
    pub ops: &'a mut [Op],
    /// The box of each sample, empty where its op is not CutMix.
    pub boxes: &'a mut [CutBox],
}

impl<'a> PlanBufs<'a> {
    /// The number of samples, `partners.len()`.
    pub fn len(&self) -> usize {
        self.partners.len()
    }

    /// Whether the batch has no sample.
    pub fn is_empty(&self) -> bool {
        self.partners.is_empty()
    }

    /// Draws the plan of `config` for `n` samples from `rng`: with CutMix
    /// on, boxes in `image` (which it then needs); with CutMix off, every
    /// box empty. The plan carries the cuts whenever `image` is given.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the buffers are not all `n` long, or
    /// CutMix is on without an `image`; else as
    /// [`MixConfig::draw_with_boxes`].
    pub fn draw(
        self,
        config: &MixConfig,
        rng: &mut MixRng,
        image: Option<ImageShape>,
    ) -> Result<Plan<'a>> {
        let PlanBufs {
            partners,
            lambdas,
            ops,
            boxes,
        } = self;
        if boxes.len() != partners.len() {
            return Err(Error::InvalidArgument);
        }
        config.check_image(image)?;
        match image {
            Some(image) => {
                image.elements()?;
                let sides = (image.height, image.width);
                config.draw_with_boxes(rng, sides, partners, lambdas, ops, boxes)?;
            }
            None => {
                config.draw(rng, partners, lambdas, Some(&mut *ops))?;
                boxes.fill(CutBox::default());
            }
        }
        let plan = Plan::new(partners, lambdas).with_ops(ops);
        Ok(match image {
            Some(image) => plan.with_cuts(Cuts { image, boxes }),
            None => plan,
        })
    }
}

/// The buffers of [`PlanBufs`], owned: for callers with an allocator.
///
/// ```
/// use mixup::{MixConfig, MixRng, OwnedPlan};
/// let mut store = OwnedPlan::new(4);
/// let plan = store.bufs().draw(&MixConfig::default(), &mut MixRng::stream(7, 0), None)?;
/// assert_eq!(plan.len(), 4);
/// # Ok::<(), mixup::Error>(())
/// ```
#[cfg(feature = "std")]
#[derive(Clone, Debug, PartialEq)]
pub struct OwnedPlan {
    /// The partner of each sample.
    pub partners: std::vec::Vec<u32>,
    /// The lambda of each sample.
    pub lambdas: std::vec::Vec<f64>,
    /// The op of each sample.
    pub ops: std::vec::Vec<Op>,
    /// The box of each sample.
    pub boxes: std::vec::Vec<CutBox>,
}

#[cfg(feature = "std")]
impl OwnedPlan {
    /// Room for the plan of `n` samples.
    pub fn new(n: usize) -> OwnedPlan {
        OwnedPlan {
            partners: std::vec![0; n],
            lambdas: std::vec![0.0; n],
            ops: std::vec![Op::Unmixed; n],
            boxes: std::vec![CutBox::default(); n],
        }
    }

    /// The buffers, to draw into.
    pub fn bufs(&mut self) -> PlanBufs<'_> {
        PlanBufs {
            partners: &mut self.partners,
            lambdas: &mut self.lambdas,
            ops: &mut self.ops,
            boxes: &mut self.boxes,
        }
    }
}
