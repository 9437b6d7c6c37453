//! One batch on many threads from C: each thread calls the `_part`
//! function with its own part index and its own scratch; between them the
//! parts give the bits of the one-thread call.

use super::*;
use crate::parts::{InPlaceParts, Part};

/// Part `part` of `parts` of `mixup_apply_f32`: the cycles of the
/// permutation that fall in this part's share of the samples. Call it from
/// `parts` threads at once with the same arguments and `part = 0, 1, ...,
/// parts - 1`, each part once, each thread with its own `scratch`
/// (`mixup_scratch_size(n, len)` floats). The parts touch disjoint samples
/// of `batch`. `parts` is 1 to 256.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `batch` may be shared only with the other parts of the same split.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_f32_part(
    batch: *mut f32,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    scratch: *mut f32,
    scratch_len: usize,
    part: usize,
    parts: usize,
) -> mixup_status {
    let buffers = (
        batch,
        partners,
        partners_len,
        lam,
        lam_len,
        scratch,
        scratch_len,
    );
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { in_place_part(buffers, n, len, part, parts) })
}

/// `mixup_apply_f32_part` for u8 batches, with the arithmetic of
/// `mixup_apply_u8`; `scratch` holds `mixup_scratch_size_u8(n, len)` bytes.
///
/// # Safety
/// As `mixup_apply_f32_part`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_u8_part(
    batch: *mut u8,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    scratch: *mut u8,
    scratch_len: usize,
    part: usize,
    parts: usize,
) -> mixup_status {
    let buffers = (
        batch,
        partners,
        partners_len,
        lam,
        lam_len,
        scratch,
        scratch_len,
    );
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { in_place_part(buffers, n, len, part, parts) })
}

/// The buffers of an in-place part call: batch, partners (and length),
/// lambdas (and length), scratch (and length).
type InPlaceBuffers<T> = (*mut T, *const u32, usize, *const f64, usize, *mut T, usize);

/// An in-place part for either sample type: the checks, then the part.
///
/// # Safety
/// As `mixup_apply_f32_part`.
unsafe fn in_place_part<T: Sample>(
    (batch, partners, partners_len, lam, lam_len, scratch, scratch_len): InPlaceBuffers<T>,
    n: usize,
    len: usize,
    part: usize,
    parts: usize,
) -> Result<()> {
    let part = Part {
        index: part,
        count: parts,
    };
    part.samples(n)?;
    let needed = in_place_scratch_len_of::<T>(n, len)?;
    let images = batch_buf(batch, n, len)?;
    let partners = Buf::new(partners, partners_len)?.first(n)?;
    let lam = lambdas(lam, lam_len, n)?;
    let scratch = Buf::new(scratch, scratch_len)?.first(needed)?;
    disjoint(&[
        images.region(),
        partners.region(),
        lam.region(),
        scratch.region(),
    ])?;
    // SAFETY: checked and disjoint; the partners, the lambdas and the
    // scratch are valid by the caller's promise, and only read but for
    // this thread's own scratch.
    let (plan, s) = unsafe {
        (
            Plan::new(partners.slice(), lam.slice()),
            scratch.slice_mut(),
        )
    };
    // SAFETY: `images` holds `n * len` elements; the caller shares it only
    // with the other parts of this split, which touch other samples.
    let handle = unsafe { InPlaceParts::from_raw(Mixer::new(), images.ptr, len, plan)? };
    handle.run(part, s)
}

/// Part `part` of `parts` of `mixup_apply_into_f32`: it writes the output
/// samples `n * part / parts` up to `n * (part + 1) / parts` of `out`
/// (which holds all `n * len` floats) and no others. Call it from `parts`
/// threads at once with the same arguments and `part = 0, 1, ..., parts -
/// 1`. `parts` is 1 to 256.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `out` may be shared only with the other parts of the same split.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_into_f32_part(
    batch: *const f32,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    out: *mut f32,
    out_len: usize,
    part: usize,
    parts: usize,
) -> mixup_status {
    let buffers = (batch, partners, partners_len, lam, lam_len, out, out_len);
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { into_part(buffers, n, len, part, parts) })
}

/// `mixup_apply_into_f32_part` for u8 batches, with the arithmetic of
/// `mixup_apply_into_u8` (timm's `FastCollateMixup`).
///
/// # Safety
/// As `mixup_apply_into_f32_part`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_into_u8_part(
    batch: *const u8,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    out: *mut u8,
    out_len: usize,
    part: usize,
    parts: usize,
) -> mixup_status {
    let buffers = (batch, partners, partners_len, lam, lam_len, out, out_len);
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { into_part(buffers, n, len, part, parts) })
}

/// The buffers of an out-of-place part call: batch, partners (and
/// length), lambdas (and length), output (and length).
type IntoBuffers<T> = (
    *const T,
    *const u32,
    usize,
    *const f64,
    usize,
    *mut T,
    usize,
);

/// An out-of-place part for either sample type: the checks, then the part.
///
/// # Safety
/// As `mixup_apply_into_f32_part`.
unsafe fn into_part<T: Sample>(
    (batch, partners, partners_len, lam, lam_len, out, out_len): IntoBuffers<T>,
    n: usize,
    len: usize,
    part: usize,
    parts: usize,
) -> Result<()> {
    let part = Part {
        index: part,
        count: parts,
    };
    let share = part.samples(n)?;
    let images = batch_buf(batch, n, len)?;
    let partners = Buf::new(partners, partners_len)?.first(n)?;
    let lam = lambdas(lam, lam_len, n)?;
    let out = Buf::new(out, out_len)?.first(images.len)?;
    outputs_apart(
        &[out.region()],
        &[images.region(), partners.region(), lam.region()],
    )?;
    // SAFETY: the inputs are checked and only read; `mine` is this part's
    // range of the checked `out` (`share.end * len <= n * len`, checked by
    // `batch_buf`), which the other parts do not touch, and disjoint from
    // every input.
    let (x, plan, mine) = unsafe {
        (
            images.slice(),
            Plan::new(partners.slice(), lam.slice()),
            out.samples(share, len).slice_mut(),
        )
    };
    Mixer::new().mix_into_part(mine, x, len, plan, part)
}

/// Part `part` of `parts` of `mixup_apply_into_u8_f32` (ToTensor,
/// Normalize and mixup fused): it writes the output samples `n * part /
/// parts` up to `n * (part + 1) / parts` of `out` (which holds all of them)
/// and no others. Call it from `parts` threads at once with the same
/// arguments and `part = 0, 1, ..., parts - 1`. `parts` is 1 to 256.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `image` must be valid; `out` may be shared only with the other parts of
/// the same split.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_into_u8_f32_part(
    batch: *const u8,
    n: usize,
    image: *const mixup_image,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    mean: *const f32,
    mean_len: usize,
    std: *const f32,
    std_len: usize,
    out: *mut f32,
    out_len: usize,
    part: usize,
    parts: usize,
) -> mixup_status {
    status_of((|| {
        let part = Part {
            index: part,
            count: parts,
        };
        let share = part.samples(n)?;
        // SAFETY: the caller promises `image` valid for its stated size.
        let (layout, image_region) = unsafe { image_of(image)? };
        let len = layout.len()?;
        let (mean, std) = normalize_bufs(mean, mean_len, std, std_len)?;
        let images = batch_buf(batch, n, len)?;
        let partners = Buf::new(partners, partners_len)?.first(n)?;
        let lam = lambdas(lam, lam_len, n)?;
        let out = Buf::new(out, out_len)?.first(images.len)?;
        let inputs = [
            images.region(),
            partners.region(),
            lam.region(),
            mean.region(),
            std.region(),
            image_region,
        ];
        outputs_apart(&[out.region()], &inputs)?;
        // SAFETY: the inputs are checked and only read; `mine` is this
        // part's range of the checked `out` (`share.end * len <= n * len`,
        // checked by `batch_buf`), which the other parts do not touch, and
        // disjoint from every input.
        let (x, plan, norm, mine) = unsafe {
            (
                images.slice(),
                Plan::new(partners.slice(), lam.slice()),
                normalize_from(mean, std),
                out.samples(share, len).slice_mut(),
            )
        };
        Mixer::new().mix_u8_to_f32_part(mine, x, layout, plan, norm, part)
    })())
}
