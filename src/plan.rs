//! The plan of one batch: for each sample its partner, its lambda, what
//! happens to it (mixup, CutMix or nothing) and, for CutMix, its box.

use crate::cutmix::{Cuts, Op};
use crate::error::{Error, Result};
use crate::kernel::Weights;

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
    pub(crate) fn cutting(&self) -> bool {
        self.ops.is_some_and(|m| m.contains(&Op::CutMix))
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

    /// Whether the ops say that no sample mixes.
    pub(crate) fn mixes_none(&self) -> bool {
        self.ops
            .is_some_and(|m| m.iter().all(|&op| op == Op::Unmixed))
    }

    /// The op of sample `i`, from a checked plan.
    pub(crate) fn op(&self, i: usize) -> Op {
        self.ops.map_or(Op::Mixup, |m| m[i])
    }
}
