//! A whole plan in C: drawn once (`mixup_plan_draw`, or anywhere else: the
//! Python package, a log), then applied by any call, f32, u8 or u8 to f32,
//! in place or out of place, whole or as part `k` of `m` on `m` threads,
//! with CutMix and the switched recipes. Every apply call gives the bits
//! of the one-call batch that drew the plan.

use super::*;
use crate::parts::{InPlaceParts, Part};

/// What every sample of a batch does: its partner, its lambda (`lam'` for
/// CutMix), its op and its CutMix box, and the image the boxes lie in.
/// Start from `mixup_plan_default()`, then point it at arrays of `n`
/// entries, for example those `mixup_plan_draw` wrote.
///
/// The ABI grows by adding fields at the end, as `mixup_config` does.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mixup_plan {
    /// `sizeof(mixup_plan)` as the caller was built, set by `mixup_plan_default()`.
    pub struct_size: usize,
    /// Samples in the batch.
    pub n: usize,
    /// The partner of each sample (`n`). In place: a permutation.
    pub partners: *const u32,
    /// The lambda of each sample (`n`): `lam` for mixup, `lam'` for CutMix.
    pub lambdas: *const f64,
    /// The `mixup_op` of each sample (`n`); NULL mixes every sample with
    /// its partner (`MIXUP_OP_MIXUP`).
    pub ops: *const u8,
    /// The box of each sample (`n`), read where its op is
    /// `MIXUP_OP_CUTMIX`; NULL when no op is.
    pub boxes: *const CutBox,
    /// Image rows, needed when an op is `MIXUP_OP_CUTMIX`.
    pub height: usize,
    /// Image columns, needed when an op is `MIXUP_OP_CUTMIX`.
    pub width: usize,
    /// The `mixup_layout` of the samples (f32 and u8 calls; the u8 to f32
    /// call takes its `mixup_image` instead); channels fill a sample.
    pub layout: u32,
    /// Reserved, 0.
    pub reserved: u32,
}

/// An empty plan: `n = 0`, every pointer NULL, CHW samples.
#[unsafe(no_mangle)]
pub extern "C" fn mixup_plan_default() -> mixup_plan {
    mixup_plan {
        struct_size: size_of::<mixup_plan>(),
        n: 0,
        partners: core::ptr::null(),
        lambdas: core::ptr::null(),
        ops: core::ptr::null(),
        boxes: core::ptr::null(),
        height: 0,
        width: 0,
        layout: mixup_layout::Chw as u32,
        reserved: 0,
    }
}

/// A caller's plan, checked, as the Rust [`Plan`] and the regions of
/// memory it reads.
pub(crate) struct CheckedPlan<'a> {
    pub(crate) plan: Plan<'a>,
    pub(crate) regions: [(usize, usize); 5],
}

/// Reads and checks a caller's plan for samples of `len` elements: the
/// arrays, every op, and, where an op is CutMix, the boxes in the image.
/// `image` is the u8 to f32 call's image (its pixels must be `height *
/// width`); the other calls take the plan's layout, their channels filling
/// `len`.
///
/// # Safety
/// `plan` must be NULL or valid for its stated size, and each of its
/// pointers NULL (with `n` 0) or valid for `n` entries for `'a`.
pub(crate) unsafe fn checked_plan<'a>(
    plan: *const mixup_plan,
    len: usize,
    image: Option<FusedImage>,
) -> Result<CheckedPlan<'a>> {
    // SAFETY: the caller's promise; plain numbers and raw pointers, only read.
    let (raw, plan_region) = unsafe { read_sized(plan, mixup_plan_default())? };
    let layout = layout_of(raw.layout)?;
    if raw.reserved != 0 {
        return Err(Error::InvalidArgument);
    }
    let n = raw.n;
    let partners = Buf::new(raw.partners, n)?;
    let lambdas = Buf::new(raw.lambdas, n)?;
    // NULL ops: every sample mixes
    let op_bytes = Buf::new(raw.ops, if raw.ops.is_null() { 0 } else { n })?;
    // SAFETY: valid for `n` bytes by the caller's promise; only read.
    let bytes = unsafe { op_bytes.slice() };
    if bytes.iter().any(|&op| op > Op::CutMix as u8) {
        return Err(Error::InvalidArgument);
    }
    let cutmix = bytes.contains(&(Op::CutMix as u8));
    let boxes = Buf::new(raw.boxes, if cutmix { n } else { 0 })?;
    // SAFETY: checked, valid for their lengths by the caller's promise,
    // only read; every op byte is a valid `Op` (`repr(u8)`, 0 to 2).
    let (partners_s, lambdas_s, ops, boxes_s) = unsafe {
        (
            partners.slice(),
            lambdas.slice(),
            (!raw.ops.is_null()).then(|| op_bytes.part::<Op>(0, n).slice()),
            boxes.slice(),
        )
    };
    let mut rust = Plan::new(partners_s, lambdas_s);
    if let Some(ops) = ops {
        rust = rust.with_ops(ops);
    }
    if cutmix {
        let (height, width) = (raw.height, raw.width);
        let pixels = height.checked_mul(width).ok_or(Error::SizeOverflow)?;
        let image = match image {
            Some(fused) if fused.pixels == pixels => ImageShape {
                channels: fused.channels,
                height,
                width,
                layout: fused.input,
            },
            Some(_) => return Err(Error::InvalidArgument),
            None => ImageShape {
                channels: len.checked_div(pixels).ok_or(Error::InvalidArgument)?,
                height,
                width,
                layout,
            },
        };
        if image.elements()? != len {
            return Err(Error::InvalidArgument);
        }
        rust = rust.with_cuts(Cuts {
            image,
            boxes: boxes_s,
        });
    }
    Ok(CheckedPlan {
        plan: rust,
        regions: [
            plan_region,
            partners.region(),
            lambdas.region(),
            op_bytes.region(),
            boxes.region(),
        ],
    })
}

/// Draws a plan from `rng` and `config` and writes it, with the soft
/// targets, to `outputs`, exactly as `mixup_batch_f32` would for the same
/// arguments, without mixing any image: then apply it with the
/// `mixup_plan_apply_*` calls. `len` is the elements of one sample (with
/// CutMix on, `channels * height * width` of the config's image); the
/// arrays a `mixup_plan` needs are `outputs->partners`, `->lambdas` (`n` of
/// them), `->ops` and `->boxes`. `workspace` needs
/// `mixup_workspace_size_u8_f32(n)` bytes, 8-byte aligned.
///
/// # Safety
/// As `mixup_batch_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_draw(
    rng: *mut mixup_rng,
    config: *const mixup_config,
    n: usize,
    len: usize,
    labels: *const i64,
    labels_len: usize,
    num_classes: usize,
    workspace: *mut u8,
    workspace_len: usize,
    outputs: *const mixup_batch_outputs,
) -> mixup_status {
    let call = BatchCall {
        rng,
        config,
        n,
        labels,
        labels_len,
        num_classes,
        workspace,
        workspace_len,
        outputs,
    };
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { call.prepare(Samples::Flat(len), &[], 0) }.and_then(|call| call.run(())))
}

/// Applies `plan` in place to `batch` (`plan->n` samples of `len` floats),
/// or, with `parts > 1`, part `part` of it: the whole cycles of the
/// permutation that fall in this part's share, as `mixup_apply_f32_part`
/// splits them. Call it from `parts` threads at once with the same
/// arguments and `part = 0, 1, ..., parts - 1`, each thread with its own
/// `scratch` (`mixup_scratch_size(n, len)` floats); `part = 0, parts = 1`
/// is the whole batch. `parts` is 1 to 256. The partners must be a
/// permutation.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `plan` must be valid, and its arrays valid for `plan->n` entries;
/// `batch` may be shared only with the other parts of the same split.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_apply_f32(
    batch: *mut f32,
    len: usize,
    plan: *const mixup_plan,
    scratch: *mut f32,
    scratch_len: usize,
    part: usize,
    parts: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { plan_in_place(batch, len, plan, (scratch, scratch_len), (part, parts)) })
}

/// `mixup_plan_apply_f32` for u8 batches, with the arithmetic of
/// `mixup_apply_u8`; `scratch` holds `mixup_scratch_size_u8(n, len)` bytes.
///
/// # Safety
/// As `mixup_plan_apply_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_apply_u8(
    batch: *mut u8,
    len: usize,
    plan: *const mixup_plan,
    scratch: *mut u8,
    scratch_len: usize,
    part: usize,
    parts: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { plan_in_place(batch, len, plan, (scratch, scratch_len), (part, parts)) })
}

/// A plan applied in place, for either sample type.
///
/// # Safety
/// As `mixup_plan_apply_f32`.
unsafe fn plan_in_place<T: Sample>(
    batch: *mut T,
    len: usize,
    plan: *const mixup_plan,
    (scratch, scratch_len): (*mut T, usize),
    (part, parts): (usize, usize),
) -> Result<()> {
    // SAFETY: the caller's promise, passed on.
    let checked = unsafe { checked_plan(plan, len, None)? };
    let n = checked.plan.len();
    let part = Part {
        index: part,
        count: parts,
    };
    part.samples(n)?;
    let images = batch_buf(batch, n, len)?;
    let needed = in_place_scratch_len_of::<T>(n, len)?;
    let scratch = Buf::new(scratch, scratch_len)?.first(needed)?;
    outputs_apart(&[images.region(), scratch.region()], &checked.regions)?;
    // SAFETY: checked and disjoint from the plan; only this thread's scratch.
    let s = unsafe { scratch.slice_mut() };
    // SAFETY: `images` holds `n * len` elements; the caller shares it only
    // with the other parts of this split, which touch other samples.
    let handle = unsafe { InPlaceParts::from_raw(Mixer::new(), images.ptr, len, checked.plan)? };
    handle.run(part, s)
}

/// Applies `plan` out of place: `out` (all `plan->n * len` floats) gets
/// the mixed `batch`; with `parts > 1`, only the output samples `n * part
/// / parts` up to `n * (part + 1) / parts`, so that `parts` threads can
/// share one batch. `part = 0, parts = 1` is the whole batch. The partners
/// may be any index map. A plan drawn at half granularity fills every
/// sample; the first `n / 2` are timm's output.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `plan` must be valid, and its arrays valid for `plan->n` entries; `out`
/// may be shared only with the other parts of the same split.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_apply_into_f32(
    batch: *const f32,
    len: usize,
    plan: *const mixup_plan,
    out: *mut f32,
    out_len: usize,
    part: usize,
    parts: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { plan_into(batch, len, plan, (out, out_len), (part, parts)) })
}

/// `mixup_plan_apply_into_f32` for u8 batches, with the arithmetic of
/// `mixup_apply_into_u8` (timm's `FastCollateMixup`).
///
/// # Safety
/// As `mixup_plan_apply_into_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_apply_into_u8(
    batch: *const u8,
    len: usize,
    plan: *const mixup_plan,
    out: *mut u8,
    out_len: usize,
    part: usize,
    parts: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { plan_into(batch, len, plan, (out, out_len), (part, parts)) })
}

/// A plan applied out of place, for either sample type.
///
/// # Safety
/// As `mixup_plan_apply_into_f32`.
unsafe fn plan_into<T: Sample>(
    batch: *const T,
    len: usize,
    plan: *const mixup_plan,
    (out, out_len): (*mut T, usize),
    (part, parts): (usize, usize),
) -> Result<()> {
    // SAFETY: the caller's promise, passed on.
    let checked = unsafe { checked_plan(plan, len, None)? };
    let n = checked.plan.len();
    let part = Part {
        index: part,
        count: parts,
    };
    let share = part.samples(n)?;
    let images = batch_buf(batch, n, len)?;
    let out = Buf::new(out, out_len)?.first(images.len)?;
    outputs_apart(&[out.region()], &checked.regions)?;
    outputs_apart(&[out.region()], &[images.region()])?;
    // SAFETY: the inputs are checked and only read; `mine` is this part's
    // range of the checked `out` (`share.end * len <= n * len`, checked by
    // `batch_buf`), which the other parts do not touch, and disjoint from
    // every input.
    let (x, mine) = unsafe { (images.slice(), out.samples(share, len).slice_mut()) };
    Mixer::new().mix_into_part(mine, x, len, checked.plan, part)
}

/// Applies `plan` to u8 images (`plan->n` samples of `image`) into f32,
/// fused with ToTensor and Normalize as `mixup_apply_into_u8_f32` does;
/// `part` and `parts` as `mixup_plan_apply_into_f32`. With CutMix, the
/// plan's `height * width` must be the image's pixels; its layout is the
/// image's input layout.
///
/// # Safety
/// As `mixup_plan_apply_into_f32`, and `image` valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_plan_apply_into_u8_f32(
    batch: *const u8,
    image: *const mixup_image,
    plan: *const mixup_plan,
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
        // SAFETY: the caller promises `image` valid for its stated size.
        let (layout, image_region) = unsafe { image_of(image)? };
        let len = layout.len()?;
        // SAFETY: the caller's promise, passed on.
        let checked = unsafe { checked_plan(plan, len, Some(layout))? };
        let n = checked.plan.len();
        let part = Part {
            index: part,
            count: parts,
        };
        let share = part.samples(n)?;
        let (mean, std) = normalize_bufs(mean, mean_len, std, std_len)?;
        let images = batch_buf(batch, n, len)?;
        let out = Buf::new(out, out_len)?.first(images.len)?;
        let rest = [image_region, images.region(), mean.region(), std.region()];
        outputs_apart(&[out.region()], &checked.regions)?;
        outputs_apart(&[out.region()], &rest)?;
        // SAFETY: the inputs are checked and only read; `mine` is this
        // part's range of the checked `out` (`share.end * len <= n * len`,
        // checked by `batch_buf`), which the other parts do not touch, and
        // disjoint from every input.
        let (x, norm, mine) = unsafe {
            (
                images.slice(),
                normalize_from(mean, std),
                out.samples(share, len).slice_mut(),
            )
        };
        Mixer::new().mix_u8_to_f32_part(mine, x, layout, checked.plan, norm, part)
    })())
}
