//! The one-call batch functions (f32, u8, u8 to f32): the workspace, the
//! plan drawn and applied, the targets. Their options are in `config.rs`.

use super::*;

/// Where the parts of a one-call batch workspace lie: `n` lambdas (f64),
/// `n` boxes (4 u32), `n` partners (u32), `n` ops (u8), then, 8-byte
/// aligned, the scratch.
pub(crate) struct WorkspaceLayout {
    boxes_at: usize,
    partners_at: usize,
    ops_at: usize,
    scratch_at: usize,
    total: usize,
}

impl WorkspaceLayout {
    fn new(n: usize, scratch_bytes: usize) -> Result<WorkspaceLayout> {
        // 29 bytes per sample and the scratch, plus at most 7 of padding
        let per_sample = n.checked_mul(29).ok_or(Error::SizeOverflow)?;
        let scratch_at = per_sample
            .checked_next_multiple_of(8)
            .ok_or(Error::SizeOverflow)?;
        let total = scratch_at
            .checked_add(scratch_bytes)
            .filter(|&t| t <= isize::MAX as usize)
            .ok_or(Error::SizeOverflow)?;
        Ok(WorkspaceLayout {
            boxes_at: 8 * n,
            partners_at: 24 * n,
            ops_at: 28 * n,
            scratch_at,
            total,
        })
    }
}

/// The workspace `mixup_batch_f32` needs for `n` samples of `len` floats,
/// in bytes, into `*bytes_out`. Allocate it once (8-byte aligned, as
/// `malloc` gives) and reuse it for every batch.
///
/// # Safety
/// `bytes_out` must be NULL or valid and writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_workspace_size(
    n: usize,
    len: usize,
    bytes_out: *mut usize,
) -> mixup_status {
    // SAFETY: the caller's promise on `bytes_out`.
    unsafe {
        write_size(bytes_out, || {
            let scratch = in_place_scratch_len(n, len)?;
            let scratch = scratch.checked_mul(4).ok_or(Error::SizeOverflow)?;
            Ok(WorkspaceLayout::new(n, scratch)?.total)
        })
    }
}

/// What a one-call batch function writes besides the batch: the soft
/// targets and what was drawn. Every pointer may be NULL with length 0 for
/// an output not wanted; start from `mixup_batch_outputs_default()`, which
/// asks for none. It grows like `mixup_config`: by fields at the end, read
/// only as far as `struct_size` covers.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct mixup_batch_outputs {
    /// `sizeof(mixup_batch_outputs)` as the caller was built, set by
    /// `mixup_batch_outputs_default()`.
    pub struct_size: usize,
    /// Dense soft targets, `n * num_classes` floats, with the config's label
    /// smoothing; wanted exactly when the call is given labels.
    pub targets: *mut f32,
    /// Floats at `targets`.
    pub targets_len: usize,
    /// The lambda of each sample (`n`; 1 is enough at batch granularity);
    /// for CutMix the corrected `lam'` that weights the targets.
    pub lambdas: *mut f64,
    /// Values at `lambdas`.
    pub lambdas_len: usize,
    /// The partner of each sample (`n`).
    pub partners: *mut u32,
    /// Values at `partners`.
    pub partners_len: usize,
    /// 1 where the sample mixed, 0 where it did not: its `prob` test failed
    /// or mixing is off (`alpha = beta = 0`); such a sample is left as it is (`n`).
    pub applied: *mut u8,
    /// Values at `applied`.
    pub applied_len: usize,
    /// The `mixup_op` of each sample (`n`).
    pub ops: *mut u8,
    /// Values at `ops`.
    pub ops_len: usize,
    /// The CutMix box of each sample (`n`; empty where its op is not CutMix).
    pub boxes: *mut CutBox,
    /// Boxes at `boxes`.
    pub boxes_len: usize,
}

/// Outputs that ask for nothing: every pointer NULL, every length 0.
#[unsafe(no_mangle)]
pub extern "C" fn mixup_batch_outputs_default() -> mixup_batch_outputs {
    mixup_batch_outputs {
        struct_size: size_of::<mixup_batch_outputs>(),
        targets: core::ptr::null_mut(),
        targets_len: 0,
        lambdas: core::ptr::null_mut(),
        lambdas_len: 0,
        partners: core::ptr::null_mut(),
        partners_len: 0,
        applied: core::ptr::null_mut(),
        applied_len: 0,
        ops: core::ptr::null_mut(),
        ops_len: 0,
        boxes: core::ptr::null_mut(),
        boxes_len: 0,
    }
}

/// The arguments every one-call batch function shares.
pub(crate) struct BatchCall {
    pub(crate) rng: *mut mixup_rng,
    pub(crate) config: *const mixup_config,
    pub(crate) n: usize,
    pub(crate) labels: *const i64,
    pub(crate) labels_len: usize,
    pub(crate) num_classes: usize,
    pub(crate) workspace: *mut u8,
    pub(crate) workspace_len: usize,
    pub(crate) outputs: *const mixup_batch_outputs,
}

impl BatchCall {
    /// Checks every argument the batch call shares and splits the
    /// workspace: the caller then builds what it mixes (with
    /// [`Prepared::scratch`]) and calls [`Prepared::run`]. `data` are the
    /// regions of the caller's images (already checked), which must not
    /// overlap anything else; `scratch_bytes` is the scratch the mix needs.
    /// Nothing is written here but the workspace's op bytes.
    ///
    /// # Safety
    /// Every pointer must be NULL (with length 0) or valid for its length
    /// for `'a`; `rng` and `config` must be valid, and `outputs` NULL or valid.
    pub(crate) unsafe fn prepare<'a>(
        self,
        samples: Samples,
        data: &[(usize, usize)],
        scratch_bytes: usize,
    ) -> Result<Prepared<'a>> {
        let n = self.n;
        let rng = Buf::one(self.rng)?;
        // SAFETY: valid for its stated size by the caller's promise; plain
        // numbers, any bit pattern valid; only read.
        let (raw_config, config_region) =
            unsafe { read_sized(self.config, mixup_config_default())? };
        let config = config_of(&raw_config)?;
        let cut_image = if config.cutmix_on() {
            Some(samples.cut_image(&raw_config)?)
        } else {
            None
        };
        let (outs, outputs_region) = if self.outputs.is_null() {
            (mixup_batch_outputs_default(), (0, 0))
        } else {
            // SAFETY: as above: plain numbers and raw pointers, only read.
            unsafe { read_sized(self.outputs, mixup_batch_outputs_default())? }
        };
        if config.pairing == Pairing::Given {
            return Err(Error::InvalidArgument);
        }
        if n as u64 > u64::from(u32::MAX) + 1 {
            // partners are u32
            return Err(Error::SizeOverflow);
        }
        let with_labels = self.labels_len != 0 || outs.targets_len != 0;
        let labels =
            Buf::new(self.labels, self.labels_len)?.first(if with_labels { n } else { 0 })?;
        let target_size = if with_labels {
            n.checked_mul(self.num_classes).ok_or(Error::SizeOverflow)?
        } else {
            0
        };
        let targets = Buf::new(outs.targets, outs.targets_len)?.first(target_size)?;
        let parts = WorkspaceLayout::new(n, scratch_bytes)?;
        let workspace = Buf::new(self.workspace, self.workspace_len)?.first(parts.total)?;
        if workspace.len != 0 && !(workspace.ptr as usize).is_multiple_of(8) {
            return Err(Error::InvalidArgument);
        }
        // n lambdas, or just the batch's one at batch granularity
        let lam_wanted = if config.granularity == Granularity::Batch && outs.lambdas_len < n {
            n.min(1)
        } else {
            n
        };
        let lam_out = optional(outs.lambdas, outs.lambdas_len, lam_wanted)?;
        let partners_out = optional(outs.partners, outs.partners_len, n)?;
        let applied_out = optional(outs.applied, outs.applied_len, n)?;
        let ops_out = optional(outs.ops, outs.ops_len, n)?;
        let boxes_out = optional(outs.boxes, outs.boxes_len, n)?;
        let mut regions = [(0, 0); 16];
        let ours = [
            rng.region(),
            config_region,
            outputs_region,
            labels.region(),
            targets.region(),
            workspace.region(),
            lam_out.region(),
            partners_out.region(),
            applied_out.region(),
            ops_out.region(),
            boxes_out.region(),
        ];
        if data.len() > regions.len() - ours.len() {
            return Err(Error::InvalidArgument);
        }
        regions[..ours.len()].copy_from_slice(&ours);
        regions[ours.len()..ours.len() + data.len()].copy_from_slice(data);
        disjoint(&regions[..ours.len() + data.len()])?;

        // SAFETY: the workspace holds `parts.total` bytes, 8-byte aligned,
        // split into five disjoint parts that `WorkspaceLayout` placed: n
        // f64 at 0, n boxes (4 u32) at 8n, n u32 at 24n, n ops at 28n, the
        // scratch at a multiple of 8. Every bit pattern is valid for f64,
        // u32, boxes and u8; the op bytes are set to 0, a valid `Op`
        // (`repr(u8)`, `Unmixed`), before they are seen as ops. Every other
        // buffer is checked and disjoint from the rest, valid by the
        // caller's promise; the labels are only read.
        unsafe {
            let op_bytes = workspace.part::<u8>(parts.ops_at, n);
            op_bytes.slice_mut().fill(0);
            let bufs = PlanBufs {
                partners: workspace.part::<u32>(parts.partners_at, n).slice_mut(),
                lambdas: workspace.part::<f64>(0, n).slice_mut(),
                ops: op_bytes.part::<Op>(0, n).slice_mut(),
                boxes: workspace.part::<CutBox>(parts.boxes_at, n).slice_mut(),
            };
            let targets = with_labels.then(|| TargetsOut {
                targets: Targets::Classes {
                    labels: labels.slice(),
                    num_classes: self.num_classes,
                    smoothing: raw_config.label_smoothing,
                },
                out: targets.slice_mut(),
            });
            Ok(Prepared {
                config,
                cut_image,
                bufs,
                scratch: workspace.part::<u8>(parts.scratch_at, scratch_bytes),
                targets,
                lam_out: lam_out.slice_mut(),
                partners_out: partners_out.slice_mut(),
                applied_out: applied_out.slice_mut(),
                ops_out: ops_out.slice_mut(),
                boxes_out: boxes_out.slice_mut(),
                generator: &mut rng.slice_mut()[0],
            })
        }
    }
}

/// A one-call batch whose shared arguments all passed the checks: the
/// caller builds what it mixes (with `scratch`) and calls
/// [`run`](Prepared::run).
pub(crate) struct Prepared<'a> {
    config: MixConfig,
    cut_image: Option<ImageShape>,
    bufs: PlanBufs<'a>,
    /// The scratch part of the workspace, 8-byte aligned.
    pub(crate) scratch: Buf<u8>,
    targets: Option<TargetsOut<'a>>,
    lam_out: &'a mut [f64],
    partners_out: &'a mut [u32],
    applied_out: &'a mut [u8],
    ops_out: &'a mut [u8],
    boxes_out: &'a mut [CutBox],
    generator: &'a mut mixup_rng,
}

impl Prepared<'_> {
    /// Runs the core's batch step ([`MixConfig::mix_batch`]) on `what`,
    /// then writes the optional outputs and advances the caller's generator.
    pub(crate) fn run(self, what: impl Mixable) -> Result<()> {
        let mut rng = MixRng::from_state(self.generator.s);
        let plan =
            (self.config).mix_batch(&mut rng, self.bufs, self.cut_image, what, self.targets)?;
        self.lam_out
            .iter_mut()
            .zip(plan.lambdas)
            .for_each(|(d, s)| *d = *s);
        self.partners_out
            .iter_mut()
            .zip(plan.partners)
            .for_each(|(d, s)| *d = *s);
        let ops = plan.ops.unwrap_or(&[]);
        self.applied_out
            .iter_mut()
            .zip(ops)
            .for_each(|(d, &op)| *d = u8::from(op != Op::Unmixed));
        self.ops_out
            .iter_mut()
            .zip(ops)
            .for_each(|(d, &op)| *d = op as u8);
        match plan.cuts {
            Some(cuts) => self
                .boxes_out
                .copy_from_slice(&cuts.boxes[..self.boxes_out.len()]),
            None => self.boxes_out.fill(CutBox::default()),
        }
        self.generator.s = rng.state();
        Ok(())
    }
}

/// A one-call batch mixed in place, for either sample type.
///
/// # Safety
/// As [`BatchCall::prepare`], and `images` NULL (with `n * len` 0) or valid
/// for `n * len` elements.
unsafe fn batch_in_place<T: Sample>(call: BatchCall, images: *mut T, len: usize) -> Result<()> {
    let images = batch_buf(images, call.n, len)?;
    let scratch_len = in_place_scratch_len_of::<T>(call.n, len)?;
    let scratch_bytes = scratch_len
        .checked_mul(size_of::<T>())
        .ok_or(Error::SizeOverflow)?;
    // SAFETY: the caller's promises, passed on.
    let call = unsafe { call.prepare(Samples::Flat(len), &[images.region()], scratch_bytes)? };
    // SAFETY: checked, disjoint from every other buffer of the call; the
    // scratch part of the workspace starts 8-byte aligned.
    let (batch, scratch) = unsafe {
        (
            images.slice_mut(),
            call.scratch.part::<T>(0, scratch_len).slice_mut(),
        )
    };
    call.run(Batch::InPlace {
        batch,
        len,
        scratch,
    })
}

/// Mixup for one batch in one call, as torchvision's `RandomMixup` does it:
/// draws the plan from `rng` and `config`, mixes `images` (`n` samples of
/// `len` floats) in place and writes the soft targets.
///
/// - `labels` (`n` class ids) and `outputs->targets` (`n * num_classes`
///   floats) may both be absent (NULL, length 0) to mix images only.
/// - `workspace` needs `mixup_workspace_size(n, len)` bytes, 8-byte aligned.
/// - `outputs` (NULL for none) says where the targets, the lambdas, the
///   partners and the applied flags go (`mixup_batch_outputs`). A sample
///   that does not mix is left as it is, bit for bit.
/// - `lam` 0 and 1 are the formula, as NumPy and torch compute it.
/// - For partners of your own, use `mixup_apply_f32` instead.
///
/// `rng` advances only on success. No buffer may overlap another.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `rng` and `config` must be valid, and `outputs` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_batch_f32(
    rng: *mut mixup_rng,
    config: *const mixup_config,
    images: *mut f32,
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
    status_of(unsafe { batch_in_place(call, images, len) })
}

/// The workspace `mixup_batch_u8` needs for `n` samples of `len` bytes, in
/// bytes, into `*bytes_out`: `n` lambdas, `n` partners, `n` flags, one
/// sample and one bit per sample.
///
/// # Safety
/// `bytes_out` must be NULL or valid and writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_workspace_size_u8(
    n: usize,
    len: usize,
    bytes_out: *mut usize,
) -> mixup_status {
    // SAFETY: the caller's promise on `bytes_out`.
    unsafe {
        write_size(bytes_out, || {
            Ok(WorkspaceLayout::new(n, in_place_scratch_len_u8(n, len)?)?.total)
        })
    }
}

/// The workspace `mixup_batch_u8_f32` needs for `n` samples, in bytes, into
/// `*bytes_out`: `n` lambdas, `n` partners and `n` flags (no scratch: it
/// is out of place).
///
/// # Safety
/// `bytes_out` must be NULL or valid and writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_workspace_size_u8_f32(
    n: usize,
    bytes_out: *mut usize,
) -> mixup_status {
    // SAFETY: the caller's promise on `bytes_out`.
    unsafe { write_size(bytes_out, || Ok(WorkspaceLayout::new(n, 0)?.total)) }
}

/// `mixup_batch_f32` for u8 images mixed in place with the arithmetic of
/// `mixup_apply_u8` (timm's `FastCollateMixup`). `workspace` needs
/// `mixup_workspace_size_u8(n, len)` bytes, 8-byte aligned; everything
/// else is as `mixup_batch_f32`.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `rng` and `config` must be valid, and `outputs` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_batch_u8(
    rng: *mut mixup_rng,
    config: *const mixup_config,
    images: *mut u8,
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
    status_of(unsafe { batch_in_place(call, images, len) })
}

/// `mixup_batch_f32` from u8 images to f32, fused with ToTensor and
/// Normalize as `mixup_apply_into_u8_f32` does: `images` (`n` samples of
/// `image`) are read, `out` gets the mixed f32 batch (at half granularity,
/// only its first `n / 2` samples, as timm's `half` mode outputs them). `workspace` needs
/// `mixup_workspace_size_u8_f32(n)` bytes, 8-byte aligned; everything else
/// is as `mixup_batch_f32`.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `rng`, `config` and `image` must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_batch_u8_f32(
    rng: *mut mixup_rng,
    config: *const mixup_config,
    images: *const u8,
    n: usize,
    image: *const mixup_image,
    mean: *const f32,
    mean_len: usize,
    std: *const f32,
    std_len: usize,
    out: *mut f32,
    out_len: usize,
    labels: *const i64,
    labels_len: usize,
    num_classes: usize,
    workspace: *mut u8,
    workspace_len: usize,
    outputs: *const mixup_batch_outputs,
) -> mixup_status {
    status_of((|| {
        // SAFETY: the caller promises `image` valid for its stated size.
        let (layout, image_region) = unsafe { image_of(image)? };
        let len = layout.len()?;
        let images = batch_buf(images, n, len)?;
        let (mean, std) = normalize_bufs(mean, mean_len, std, std_len)?;
        // SAFETY: checked; only read.
        let norm = unsafe { normalize_from(mean, std) };
        if let Some(norm) = norm {
            norm.check(layout.channels)?;
        }
        // SAFETY: the caller promises `config` valid for its stated size;
        // plain numbers, only read.
        let (raw_config, _) = unsafe { read_sized(config, mixup_config_default())? };
        let samples_out = config_of(&raw_config)?.output_rows(n);
        let out = Buf::new(out, out_len)?.first(samples_out * len)?;
        let data = [
            images.region(),
            image_region,
            mean.region(),
            std.region(),
            out.region(),
        ];
        let common = BatchCall {
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
        let call = unsafe { common.prepare(Samples::Image(layout), &data, 0)? };
        // SAFETY: checked and disjoint from every other buffer of the call.
        let (out, batch) = unsafe { (out.slice_mut(), images.slice()) };
        call.run(FusedBatch {
            out,
            batch,
            image: layout,
            normalize: norm,
        })
    })())
}
