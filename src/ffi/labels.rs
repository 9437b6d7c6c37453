//! Soft targets, dense and sparse.

use super::*;

/// One sample's target in sparse form (`SparseTarget`): loss = lam * CE(y_a) + (1 - lam) * CE(y_b).
pub type mixup_sparse_target = SparseTarget;

/// Dense mixed targets `[n, num_classes]` from class ids, with timm's label
/// smoothing `s`: `off = s / K`, `on = 1 - s + off`, then
/// `target_i = lam_i * onehot(labels[i]) + (1 - lam_i) * onehot(labels[partners[i]])`.
///
/// `targets` needs `n * num_classes` floats and must not overlap an input.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_labels_f32(
    labels: *const i64,
    n: usize,
    num_classes: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    smoothing: f64,
    targets: *mut f32,
    targets_len: usize,
) -> mixup_status {
    status_of((|| {
        let labels = Buf::new(labels, n)?;
        let partners = Buf::new(partners, partners_len)?.first(n)?;
        let lam = lambdas(lam, lam_len, n)?;
        let size = n.checked_mul(num_classes).ok_or(Error::SizeOverflow)?;
        let targets = Buf::new(targets, targets_len)?.first(size)?;
        for input in [labels.region(), partners.region(), lam.region()] {
            disjoint(&[targets.region(), input])?;
        }
        // SAFETY: checked; `targets` is disjoint from every input; valid by the caller's promise.
        let (t, y, p, l) = unsafe {
            (
                targets.slice_mut(),
                labels.slice(),
                partners.slice(),
                lam.slice(),
            )
        };
        one_hot_targets(y, num_classes, p, l, smoothing, t)
    })())
}

/// Sparse targets `(labels[i], labels[partners[i]], lam_i)` for each of `n`
/// samples; every class id must be in `[0, num_classes)`.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_labels_sparse(
    labels: *const i64,
    n: usize,
    num_classes: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    out: *mut mixup_sparse_target,
    out_len: usize,
) -> mixup_status {
    status_of((|| {
        let labels = Buf::new(labels, n)?;
        let partners = Buf::new(partners, partners_len)?.first(n)?;
        let lam = lambdas(lam, lam_len, n)?;
        let out = Buf::new(out, out_len)?.first(n)?;
        for input in [labels.region(), partners.region(), lam.region()] {
            disjoint(&[out.region(), input])?;
        }
        // SAFETY: checked; `out` is disjoint from every input.
        let (o, y, p, l) = unsafe {
            (
                out.slice_mut(),
                labels.slice(),
                partners.slice(),
                lam.slice(),
            )
        };
        sparse_targets(y, num_classes, p, l, o)
    })())
}
