//! Targets: class ids turned into mixed soft targets, dense or sparse.

use crate::cutmix::Op;
use crate::error::{Error, Result};
use crate::kernel::{Backend, Sample};
use crate::pairing::check_in_range;
use crate::plan::Plan;

/// One sample's target in sparse form, for losses that take
/// `lam * CE(y_a) + (1 - lam) * CE(y_b)` when `num_classes` is huge.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct SparseTarget {
    /// The sample's own class.
    pub y_a: i64,
    /// The partner's class.
    pub y_b: i64,
    /// The weight of `y_a`; `y_b` weighs `1 - lam`.
    pub lam: f64,
}

/// Checks labels, partners and lambdas of a batch of `n = labels.len()`.
fn check_labels(
    labels: &[i64],
    num_classes: usize,
    partners: &[u32],
    lambdas: &[f64],
) -> Result<()> {
    let n = labels.len();
    if partners.len() != n {
        return Err(Error::InvalidArgument);
    }
    Plan::new(partners, lambdas).check()?;
    check_in_range(partners, n)?;
    let in_range = |&y: &i64| y >= 0 && (y as u64) < num_classes as u64;
    if labels.iter().all(in_range) {
        Ok(())
    } else {
        Err(Error::LabelOutOfRange)
    }
}

/// Dense mixed targets with label smoothing, `[n, num_classes]` row-major:
///
/// `target_i = w_self_i * onehot_s(y[i]) + w_partner_i * onehot_s(y[p(i)])`,
/// where `onehot_s` is `off = s / K` everywhere and `on = 1 - s + off` at
/// the class, both computed in f64 and rounded to f32, as timm does. The
/// arithmetic is the blend of [`Mixer`](crate::Mixer), so the bits equal
/// timm's `mixup_target` on float32.
///
/// ```
/// let mut targets = [0.0f32; 6];
/// mixup::one_hot_targets(&[0, 2], 3, &[1, 0], &[0.75], 0.0, &mut targets).unwrap();
/// assert_eq!(targets, [0.75, 0.0, 0.25, 0.25, 0.0, 0.75]);
/// ```
///
/// # Errors
/// - [`Error::InvalidArgument`] when `partners` is not `n` long, the
///   lambdas are not 1 or `n` values in `[0, 1]`, `smoothing` is not in
///   `[0, 1]`, `num_classes` is 0 with `n > 0`, or `out.len() != n * num_classes`.
/// - [`Error::SizeOverflow`] when `n * num_classes` overflows.
/// - [`Error::IndexOutOfRange`], [`Error::LabelOutOfRange`].
pub fn one_hot_targets(
    labels: &[i64],
    num_classes: usize,
    partners: &[u32],
    lambdas: &[f64],
    smoothing: f64,
    out: &mut [f32],
) -> Result<()> {
    let n = labels.len();
    if !(0.0..=1.0).contains(&smoothing) {
        return Err(Error::InvalidArgument);
    }
    let size = n.checked_mul(num_classes).ok_or(Error::SizeOverflow)?;
    if out.len() != size {
        return Err(Error::InvalidArgument);
    }
    check_labels(labels, num_classes, partners, lambdas)?;
    if size == 0 {
        return Ok(());
    }
    let plan = Plan::new(partners, lambdas);
    one_hot_rows(labels, num_classes, &plan, smoothing, out);
    Ok(())
}

/// The sparse form: `(y[i], y[p(i)], lam_i)` per sample.
///
/// # Errors
/// - [`Error::InvalidArgument`] when `partners` or `out` is not `n` long,
///   or the lambdas are not 1 or `n` values in `[0, 1]`.
/// - [`Error::IndexOutOfRange`], [`Error::LabelOutOfRange`].
pub fn sparse_targets(
    labels: &[i64],
    num_classes: usize,
    partners: &[u32],
    lambdas: &[f64],
    out: &mut [SparseTarget],
) -> Result<()> {
    if out.len() != labels.len() {
        return Err(Error::InvalidArgument);
    }
    check_labels(labels, num_classes, partners, lambdas)?;
    let plan = Plan::new(partners, lambdas);
    for (i, t) in out.iter_mut().enumerate() {
        *t = SparseTarget {
            y_a: labels[i],
            y_b: labels[partners[i] as usize],
            lam: plan.lambda(i),
        };
    }
    Ok(())
}

/// The labels of a batch, turned into soft targets by its plan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Targets<'a> {
    /// One class id per sample, one-hot with label smoothing `smoothing`,
    /// then mixed, as [`one_hot_targets`] computes them.
    Classes {
        /// Class ids, `n`, each in `[0, num_classes)`.
        labels: &'a [i64],
        /// Classes, at least 1.
        num_classes: usize,
        /// Label smoothing in `[0, 1]`.
        smoothing: f64,
    },
    /// Rows of `num_classes` floats per sample (probabilities, multi-label
    /// rows), each row that mixes blended with its partner's by its lambda
    /// (`lam'` for CutMix: labels are weighed, never pasted), with the
    /// arithmetic of the f32 images.
    Dense {
        /// `n * num_classes` floats, row-major.
        rows: &'a [f32],
        /// Floats per row, at least 1.
        num_classes: usize,
    },
}

impl Targets<'_> {
    /// Floats per sample of the targets.
    pub fn num_classes(&self) -> usize {
        match *self {
            Targets::Classes { num_classes, .. } | Targets::Dense { num_classes, .. } => {
                num_classes
            }
        }
    }

    /// Checks the labels of a batch of `n`, and that `out_len` floats hold
    /// the targets of its first `rows <= n` samples (`rows * num_classes`).
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] for labels not `n` long (rows not `n *
    ///   num_classes`), `smoothing` outside `[0, 1]`, or `out_len` that is
    ///   not a whole number of rows up to `n`.
    /// - [`Error::SizeOverflow`] when `n * num_classes` overflows.
    /// - [`Error::LabelOutOfRange`] for a class id outside `[0, num_classes)`
    ///   (every id, when `num_classes` is 0).
    pub fn check(&self, n: usize, out_len: usize) -> Result<()> {
        let classes = self.num_classes();
        let size = n.checked_mul(classes).ok_or(Error::SizeOverflow)?;
        let whole_rows = out_len <= size && out_len.checked_rem(classes).unwrap_or(0) == 0;
        let ok = match *self {
            Targets::Classes {
                labels, smoothing, ..
            } => labels.len() == n && (0.0..=1.0).contains(&smoothing),
            Targets::Dense { rows, .. } => rows.len() == size,
        };
        if !(ok && whole_rows) {
            return Err(Error::InvalidArgument);
        }
        match *self {
            Targets::Classes { labels, .. }
                if !labels
                    .iter()
                    .all(|&y| y >= 0 && (y as u64) < classes as u64) =>
            {
                Err(Error::LabelOutOfRange)
            }
            _ => Ok(()),
        }
    }

    /// Writes the targets of the first `out.len() / num_classes` samples of
    /// `plan`'s batch into `out`.
    ///
    /// # Errors
    /// As [`check`](Self::check), and as [`one_hot_targets`] for the plan.
    pub fn write(&self, plan: &Plan<'_>, out: &mut [f32]) -> Result<()> {
        let n = plan.len();
        self.check(n, out.len())?;
        plan.check()?;
        check_in_range(plan.partners, n)?;
        if out.is_empty() {
            return Ok(());
        }
        match *self {
            Targets::Classes {
                labels,
                num_classes,
                smoothing,
            } => one_hot_rows(labels, num_classes, plan, smoothing, out),
            Targets::Dense { rows, num_classes } => dense_rows(rows, num_classes, plan, out),
        }
        Ok(())
    }
}

/// The one-hot rows of [`one_hot_targets`] for the first `out.len() /
/// num_classes` samples of a checked plan and checked labels.
fn one_hot_rows(
    labels: &[i64],
    num_classes: usize,
    plan: &Plan<'_>,
    smoothing: f64,
    out: &mut [f32],
) {
    let off64 = smoothing / num_classes as f64;
    let (off, on) = (off64 as f32, (1.0 - smoothing + off64) as f32);
    for (i, row) in out.chunks_exact_mut(num_classes).enumerate() {
        let w = plan.weights(i);
        let (ws, wp) = (w.w_self, w.w_partner);
        let ya = labels[i] as usize;
        let yb = labels[plan.partners[i] as usize] as usize;
        let value = |a: bool, b: bool| {
            let (va, vb) = (if a { on } else { off }, if b { on } else { off });
            ws * va + wp * vb
        };
        row.fill(value(false, false));
        row[ya] = value(true, ya == yb);
        row[yb] = value(ya == yb, true);
    }
}

/// Dense rows mixed by a checked plan: a row that mixes (by either op) is
/// blended with its partner's, one that does not is copied.
fn dense_rows(rows: &[f32], num_classes: usize, plan: &Plan<'_>, out: &mut [f32]) {
    let backend = Backend::detect();
    for (i, dst) in out.chunks_exact_mut(num_classes).enumerate() {
        let own = &rows[i * num_classes..][..num_classes];
        let partner = &rows[plan.partners[i] as usize * num_classes..][..num_classes];
        match plan.op(i) {
            Op::Unmixed => dst.copy_from_slice(own),
            Op::Mixup | Op::CutMix => {
                f32::blend(backend, plan.weights(i), dst, own, partner, false)
            }
        }
    }
}
