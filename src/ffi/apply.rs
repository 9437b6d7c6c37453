//! Mixing with the caller's own partners and lambdas: one pair, and
//! batches of f32 or u8, in place or out of place.

use super::*;

/// One pair: `out = (float) lam * a + (float) (1 - lam) * b`.
///
/// `a_len` must equal `b_len`; `out` needs `a_len` elements. `out` may be
/// exactly `a` or exactly `b` (same address), but not both, and must not
/// otherwise overlap them. `lam` must be in [0, 1].
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_blend_f32(
    a: *const f32,
    a_len: usize,
    b: *const f32,
    b_len: usize,
    lam: f64,
    out: *mut f32,
    out_len: usize,
) -> mixup_status {
    status_of((|| {
        let w = Weights::from_lambda(lam)?;
        let (a, b) = (Buf::new(a, a_len)?, Buf::new(b, b_len)?);
        if a_len != b_len {
            return Err(Error::InvalidArgument);
        }
        let out = Buf::new(out, out_len)?.first(a_len)?;
        let mixer = Mixer::new();
        let (same_a, same_b) = (out.ptr.cast_const() == a.ptr.cast_const(), out.ptr == b.ptr);
        if a_len == 0 {
            return Ok(());
        }
        if same_a && same_b {
            return Err(Error::Overlap);
        }
        if same_a {
            disjoint(&[out.region(), b.region()])?;
            // SAFETY: `out` is `a` itself and disjoint from `b`; valid by the caller's promise.
            let (x, b) = unsafe { (out.slice_mut(), b.slice()) };
            mixer.blend_in_place_weighted(x, b, w)
        } else if same_b {
            disjoint(&[out.region(), a.region()])?;
            let swapped = Weights {
                w_self: w.w_partner,
                w_partner: w.w_self,
            };
            // SAFETY: `out` is `b` itself and disjoint from `a`; valid by the caller's promise.
            let (x, a) = unsafe { (out.slice_mut(), a.slice()) };
            // w_partner * b + w_self * a: the same bits, the add commutes
            mixer.blend_in_place_weighted(x, a, swapped)
        } else {
            disjoint(&[out.region(), a.region()])?;
            disjoint(&[out.region(), b.region()])?;
            // SAFETY: `out` is disjoint from both inputs; valid by the caller's promise.
            let (o, a, b) = unsafe { (out.slice_mut(), a.slice(), b.slice()) };
            mixer.blend(o, a, b, lam)
        }
    })())
}

/// The checked buffers of an in-place batch call.
pub(crate) struct InPlaceViews<'a, T> {
    batch: &'a mut [T],
    plan: Plan<'a>,
    scratch: &'a mut [T],
}

/// Checks the buffers of an in-place batch call of `n` samples of `len`
/// and returns them as slices: `partners` and `lam` as the plan, `scratch`
/// at least `in_place_scratch_len_of::<T>(n, len)` long, none overlapping.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length for
/// `'a`, and not used through another pointer meanwhile.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn in_place_views<'a, T: Sample>(
    batch: *mut T,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    scratch: *mut T,
    scratch_len: usize,
) -> Result<InPlaceViews<'a, T>> {
    let needed = in_place_scratch_len_of::<T>(n, len)?;
    let batch = batch_buf(batch, n, len)?;
    let partners = Buf::new(partners, partners_len)?.first(n)?;
    let lam = lambdas(lam, lam_len, n)?;
    let scratch = Buf::new(scratch, scratch_len)?.first(needed)?;
    disjoint(&[
        batch.region(),
        partners.region(),
        lam.region(),
        scratch.region(),
    ])?;
    // SAFETY: all checked and pairwise disjoint; valid by the caller's promise.
    unsafe {
        Ok(InPlaceViews {
            batch: batch.slice_mut(),
            plan: Plan::new(partners.slice(), lam.slice()),
            scratch: scratch.slice_mut(),
        })
    }
}

/// The checked buffers of an out-of-place batch call.
pub(crate) struct IntoViews<'a, T, U> {
    pub(crate) out: &'a mut [U],
    pub(crate) batch: &'a [T],
    pub(crate) plan: Plan<'a>,
}

/// Checks the buffers of an out-of-place batch call of `n` samples of
/// `len` and returns them as slices: `out` gets `n * len` elements and
/// overlaps no input, nor any of `more_inputs`.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length for
/// `'a`, and `out` not used through another pointer meanwhile.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn into_views<'a, T, U>(
    batch: *const T,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    out: *mut U,
    out_len: usize,
    more_inputs: &[(usize, usize)],
) -> Result<IntoViews<'a, T, U>> {
    let batch = batch_buf(batch, n, len)?;
    let partners = Buf::new(partners, partners_len)?.first(n)?;
    let lam = lambdas(lam, lam_len, n)?;
    let out = Buf::new(out, out_len)?.first(batch.len)?;
    for &input in [batch.region(), partners.region(), lam.region()]
        .iter()
        .chain(more_inputs)
    {
        disjoint(&[out.region(), input])?;
    }
    // SAFETY: checked; `out` is disjoint from every input; valid by the caller's promise.
    unsafe {
        Ok(IntoViews {
            out: out.slice_mut(),
            batch: batch.slice(),
            plan: Plan::new(partners.slice(), lam.slice()),
        })
    }
}

/// An in-place batch call for either sample type: the checks, then the mix.
///
/// # Safety
/// As [`in_place_views`].
#[allow(clippy::too_many_arguments)]
unsafe fn apply_in_place<T: Sample>(
    batch: *mut T,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    scratch: *mut T,
    scratch_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    let views = unsafe {
        in_place_views(
            batch,
            n,
            len,
            partners,
            partners_len,
            lam,
            lam_len,
            scratch,
            scratch_len,
        )
    };
    status_of(views.and_then(|v| Mixer::new().mix_in_place(v.batch, len, v.plan, v.scratch)))
}

/// An out-of-place batch call for either sample type: the checks, then the mix.
///
/// # Safety
/// As [`into_views`].
#[allow(clippy::too_many_arguments)]
unsafe fn apply_into<T: Sample>(
    batch: *const T,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    out: *mut T,
    out_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    let views = unsafe {
        into_views(
            batch,
            n,
            len,
            partners,
            partners_len,
            lam,
            lam_len,
            out,
            out_len,
            &[],
        )
    };
    status_of(views.and_then(|v| Mixer::new().mix_into(v.out, v.batch, len, v.plan)))
}

/// Mixes a batch of `n` samples of `len` floats in place:
/// `x[i] = lam_i * x[i] + (1 - lam_i) * x[partners[i]]`.
///
/// `partners` (at least `n` entries) must be a permutation of `0..n`. `lam` has
/// 1 value (the batch) or `n` (per sample), each in [0, 1]. `scratch` needs
/// `len + ceil(n / 32)` floats (one sample plus one bit per sample), the
/// library's to clobber on every return. No buffer may overlap another.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_f32(
    batch: *mut f32,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    scratch: *mut f32,
    scratch_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    unsafe {
        apply_in_place(
            batch,
            n,
            len,
            partners,
            partners_len,
            lam,
            lam_len,
            scratch,
            scratch_len,
        )
    }
}

/// Mixes a batch of `n` samples of `len` floats into `out`:
/// `out[i] = lam_i * batch[i] + (1 - lam_i) * batch[partners[i]]`.
///
/// `partners` (at least `n` entries) may be any map into `0..n`. `lam` has
/// 1 or `n` values in [0, 1]. `out` needs `n * len` floats and must not
/// overlap any input.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_into_f32(
    batch: *const f32,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    out: *mut f32,
    out_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    unsafe {
        apply_into(
            batch,
            n,
            len,
            partners,
            partners_len,
            lam,
            lam_len,
            out,
            out_len,
        )
    }
}

/// Mixes a batch of `n` u8 samples of `len` bytes in place, as timm's
/// `FastCollateMixup`: `x[i] = sat(rint(f32(x[i]) * lam_i + f32(x[partners[i]]) * (1 - lam_i)))`,
/// rounding half to even. As `mixup_apply_f32` otherwise; `scratch` needs
/// `len + ceil(n / 8)` bytes.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_u8(
    batch: *mut u8,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    scratch: *mut u8,
    scratch_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    unsafe {
        apply_in_place(
            batch,
            n,
            len,
            partners,
            partners_len,
            lam,
            lam_len,
            scratch,
            scratch_len,
        )
    }
}

/// Mixes a batch of `n` u8 samples of `len` bytes into `out`, with the
/// arithmetic of `mixup_apply_u8`; `partners` may be any map into `0..n`.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_into_u8(
    batch: *const u8,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    out: *mut u8,
    out_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    unsafe {
        apply_into(
            batch,
            n,
            len,
            partners,
            partners_len,
            lam,
            lam_len,
            out,
            out_len,
        )
    }
}

/// The scratch `mixup_apply_f32` needs for `n` samples of `len` floats, in
/// floats, into `*floats_out`: one sample and one bit per sample,
/// `len + ceil(n / 32)`.
///
/// # Safety
/// `floats_out` must be NULL or valid and writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_scratch_size(
    n: usize,
    len: usize,
    floats_out: *mut usize,
) -> mixup_status {
    // SAFETY: the caller's promise on `floats_out`.
    unsafe { write_size(floats_out, || in_place_scratch_len(n, len)) }
}

/// The scratch `mixup_apply_u8` needs for `n` samples of `len` bytes, in
/// bytes, into `*bytes_out`: `len + ceil(n / 8)`.
///
/// # Safety
/// `bytes_out` must be NULL or valid and writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_scratch_size_u8(
    n: usize,
    len: usize,
    bytes_out: *mut usize,
) -> mixup_status {
    // SAFETY: the caller's promise on `bytes_out`.
    unsafe { write_size(bytes_out, || in_place_scratch_len_u8(n, len)) }
}
