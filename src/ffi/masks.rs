//! Segmentation masks in C: label maps (u8, i32 or i64 class ids, `H x W`
//! per sample) mixed by a `mixup_plan`, in place or out of place, and the
//! dense per-pixel soft targets of the same plan (docs/DESIGN.md §9).

use super::*;
use crate::masks::{ClassId, Masks, PixelTargets, mask_scratch_len};

/// The `ignore_index` of `mixup_plan_pixel_targets_*` that ignores no id:
/// every id must then be a class.
pub const MIXUP_NO_IGNORE_INDEX: i64 = i64::MIN;

/// The scratch `mixup_plan_apply_masks_*` needs for `n` maps of `pixels`,
/// in ids of `id_bytes` bytes (1, 4 or 8: u8, i32 or i64), into
/// `*len_out`: one map and one bit per sample.
///
/// # Safety
/// `len_out` must be NULL or valid and writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_masks_scratch_size(
    n: usize,
    pixels: usize,
    id_bytes: usize,
    len_out: *mut usize,
) -> mixup_status {
    // SAFETY: the caller's promise on `len_out`.
    unsafe {
        write_size(len_out, || match id_bytes {
            1 => mask_scratch_len::<u8>(n, pixels),
            4 => mask_scratch_len::<i32>(n, pixels),
            8 => mask_scratch_len::<i64>(n, pixels),
            _ => Err(Error::InvalidArgument),
        })
    }
}

/// Checks and runs one masks call: `what` mixed by the plan.
fn run(mut what: impl Mixable, plan: &Plan<'_>) -> Result<()> {
    what.check(plan)?;
    what.mix(&Mixer::new(), plan)
}

/// Maps mixed in place, for any id type.
///
/// # Safety
/// As `mixup_plan_apply_masks_u8`.
unsafe fn masks_in_place<M: ClassId>(
    masks: *mut M,
    pixels: usize,
    plan: *const mixup_plan,
    (scratch, scratch_len): (*mut M, usize),
) -> Result<()> {
    // SAFETY: the caller's promise, passed on.
    let checked = unsafe { checked_plan(plan, pixels, None)? };
    let n = checked.plan.len();
    let maps = batch_buf(masks, n, pixels)?;
    let scratch = Buf::new(scratch, scratch_len)?.first(mask_scratch_len::<M>(n, pixels)?)?;
    outputs_apart(&[maps.region(), scratch.region()], &checked.regions)?;
    disjoint(&[maps.region(), scratch.region()])?;
    // SAFETY: checked, disjoint from each other and from the plan.
    let (masks, scratch) = unsafe { (maps.slice_mut(), scratch.slice_mut()) };
    let what = Masks::InPlace {
        masks,
        pixels,
        scratch,
    };
    run(what, &checked.plan)
}

/// Applies `plan` in place to `masks`, `plan->n` label maps of `pixels`
/// class ids (`[N, H, W]`): a sample whose op is `MIXUP_OP_CUTMIX` takes
/// its partner's ids inside its box, every other map stays as it is (a
/// mixup sample's target is the pair of its map and its partner's, weighed
/// by its lambda). With CutMix, `pixels` must be the plan's `height *
/// width`. The partners must be a permutation; `scratch` holds
/// `mixup_masks_scratch_size(n, pixels, 1)` ids.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `plan` must be valid, and its arrays valid for `plan->n` entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_apply_masks_u8(
    masks: *mut u8,
    pixels: usize,
    plan: *const mixup_plan,
    scratch: *mut u8,
    scratch_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { masks_in_place(masks, pixels, plan, (scratch, scratch_len)) })
}

/// `mixup_plan_apply_masks_u8` for i32 class ids.
///
/// # Safety
/// As `mixup_plan_apply_masks_u8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_apply_masks_i32(
    masks: *mut i32,
    pixels: usize,
    plan: *const mixup_plan,
    scratch: *mut i32,
    scratch_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { masks_in_place(masks, pixels, plan, (scratch, scratch_len)) })
}

/// `mixup_plan_apply_masks_u8` for i64 class ids.
///
/// # Safety
/// As `mixup_plan_apply_masks_u8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_apply_masks_i64(
    masks: *mut i64,
    pixels: usize,
    plan: *const mixup_plan,
    scratch: *mut i64,
    scratch_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { masks_in_place(masks, pixels, plan, (scratch, scratch_len)) })
}

/// Maps mixed out of place, for any id type.
///
/// # Safety
/// As `mixup_plan_apply_masks_into_u8`.
unsafe fn masks_into<M: ClassId>(
    masks: *const M,
    pixels: usize,
    plan: *const mixup_plan,
    (out, out_len): (*mut M, usize),
) -> Result<()> {
    // SAFETY: the caller's promise, passed on.
    let checked = unsafe { checked_plan(plan, pixels, None)? };
    let n = checked.plan.len();
    let maps = batch_buf(masks, n, pixels)?;
    let out = Buf::new(out, out_len)?.first(maps.len)?;
    outputs_apart(&[out.region()], &checked.regions)?;
    outputs_apart(&[out.region()], &[maps.region()])?;
    // SAFETY: checked; the input only read, the output disjoint from it
    // and from the plan.
    let (masks, out) = unsafe { (maps.slice(), out.slice_mut()) };
    run(Masks::Into { out, masks, pixels }, &checked.plan)
}

/// `mixup_plan_apply_masks_u8` out of place: `out` (`plan->n * pixels`
/// ids) gets the mixed maps; the partners may be any index map.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `plan` must be valid, and its arrays valid for `plan->n` entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_apply_masks_into_u8(
    masks: *const u8,
    pixels: usize,
    plan: *const mixup_plan,
    out: *mut u8,
    out_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { masks_into(masks, pixels, plan, (out, out_len)) })
}

/// `mixup_plan_apply_masks_into_u8` for i32 class ids.
///
/// # Safety
/// As `mixup_plan_apply_masks_into_u8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_apply_masks_into_i32(
    masks: *const i32,
    pixels: usize,
    plan: *const mixup_plan,
    out: *mut i32,
    out_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { masks_into(masks, pixels, plan, (out, out_len)) })
}

/// `mixup_plan_apply_masks_into_u8` for i64 class ids.
///
/// # Safety
/// As `mixup_plan_apply_masks_into_u8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_apply_masks_into_i64(
    masks: *const i64,
    pixels: usize,
    plan: *const mixup_plan,
    out: *mut i64,
    out_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { masks_into(masks, pixels, plan, (out, out_len)) })
}

/// Dense per-pixel targets, for any id type.
///
/// # Safety
/// As `mixup_plan_pixel_targets_u8`.
unsafe fn pixel_targets<M: ClassId>(
    masks: *const M,
    pixels: usize,
    plan: *const mixup_plan,
    (num_classes, ignore_index): (usize, i64),
    (out, out_len): (*mut f32, usize),
) -> Result<()> {
    // SAFETY: the caller's promise, passed on.
    let checked = unsafe { checked_plan(plan, pixels, None)? };
    let n = checked.plan.len();
    let maps = batch_buf(masks, n, pixels)?;
    let per_sample = num_classes.checked_mul(pixels).ok_or(Error::SizeOverflow)?;
    let size = n.checked_mul(per_sample).ok_or(Error::SizeOverflow)?;
    let out = Buf::new(out, out_len)?.first(size)?;
    outputs_apart(&[out.region()], &checked.regions)?;
    outputs_apart(&[out.region()], &[maps.region()])?;
    // SAFETY: checked; the input only read, the output disjoint from it
    // and from the plan.
    let (masks, out) = unsafe { (maps.slice(), out.slice_mut()) };
    let what = PixelTargets {
        masks,
        pixels,
        num_classes,
        ignore_index: (ignore_index != MIXUP_NO_IGNORE_INDEX).then_some(ignore_index),
        out,
    };
    run(what, &checked.plan)
}

/// The dense per-pixel soft targets of `masks` (`plan->n` maps of `pixels`
/// u8 class ids) under `plan`, `[n, num_classes, H, W]` floats into `out`:
/// one-hot where a sample is unmixed; `w_self * e_a + w_partner * e_b` for
/// mixup (the weights of the images); the partner's class inside a CutMix
/// box and the own outside. `ignore_index` is the zero vector
/// (`MIXUP_NO_IGNORE_INDEX` for none); any other id outside `[0,
/// num_classes)` is `MIXUP_STATUS_LABEL_OUT_OF_RANGE`.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `plan` must be valid, and its arrays valid for `plan->n` entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_pixel_targets_u8(
    masks: *const u8,
    pixels: usize,
    plan: *const mixup_plan,
    num_classes: usize,
    ignore_index: i64,
    out: *mut f32,
    out_len: usize,
) -> mixup_status {
    let classes = (num_classes, ignore_index);
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { pixel_targets(masks, pixels, plan, classes, (out, out_len)) })
}

/// `mixup_plan_pixel_targets_u8` for i32 class ids.
///
/// # Safety
/// As `mixup_plan_pixel_targets_u8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_pixel_targets_i32(
    masks: *const i32,
    pixels: usize,
    plan: *const mixup_plan,
    num_classes: usize,
    ignore_index: i64,
    out: *mut f32,
    out_len: usize,
) -> mixup_status {
    let classes = (num_classes, ignore_index);
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { pixel_targets(masks, pixels, plan, classes, (out, out_len)) })
}

/// `mixup_plan_pixel_targets_u8` for i64 class ids.
///
/// # Safety
/// As `mixup_plan_pixel_targets_u8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_pixel_targets_i64(
    masks: *const i64,
    pixels: usize,
    plan: *const mixup_plan,
    num_classes: usize,
    ignore_index: i64,
    out: *mut f32,
    out_len: usize,
) -> mixup_status {
    let classes = (num_classes, ignore_index);
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { pixel_targets(masks, pixels, plan, classes, (out, out_len)) })
}
