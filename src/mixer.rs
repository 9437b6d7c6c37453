//! Batch application: every sample blended with its partner, in place with
//! one sample of scratch, or out of place.

use crate::cutmix::paste::{compose, pack, paste, unpack};
use crate::cutmix::{CutBox, Op};
use crate::error::{Error, Result};
use crate::image::{FusedImage, ImageShape, Normalize};
use crate::kernel::fused::Fused;
use crate::kernel::sample::sealed::Plain;
use crate::kernel::{self, Backend, Sample, Weights};
use crate::pairing::check_in_range;
use crate::plan::Plan;
use crate::walk::{
    CycleSteps, Partner, Scratch, Slices, chains, check_permutation, cycles_in_place, mark_bytes,
};

/// Applies blends with one kernel [`Backend`].
///
/// A batch is `n` samples of `len` contiguous values (f32, or u8 for the
/// for [`Sample`] `u8`); as its [`Plan`] says, sample `i` becomes
/// `w_self_i * x[i] + w_partner_i * x[partners[i]]` with the weights of
/// [`Weights::from_lambda`], or stays as it is where it does not mix. The
/// layout inside a sample (CHW, HWC, audio, soft labels) does not matter.
/// Every method checks all its arguments before it writes anything; an
/// `Err` leaves every buffer untouched, except the scratch, whose contents
/// are the library's on every return.
///
/// ```
/// use mixup::{Mixer, Plan};
/// let mut batch = [1.0f32, 1.0, 3.0, 3.0]; // two samples of two
/// let mut scratch = [0.0f32; 3];           // mixup::in_place_scratch_len(2, 2)
/// let plan = Plan::new(&[1, 0], &[0.25]);
/// Mixer::new().mix_in_place(&mut batch, 2, plan, &mut scratch).unwrap();
/// assert_eq!(batch, [2.5, 2.5, 1.5, 1.5]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mixer {
    backend: Backend,
    stores: Stores,
}

/// How out-of-place results reach memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Stores {
    /// Non-temporal stores for outputs of at least
    /// [`STREAMING_THRESHOLD_BYTES`], which would only evict the inputs from
    /// cache; ordinary stores below, where the result may be used from cache.
    #[default]
    Auto,
    /// Always ordinary stores, through the cache.
    Cached,
    /// Always non-temporal stores, where the backend has them (SSE2, AVX2).
    Streaming,
}

/// The output size from which [`Stores::Auto`] writes with non-temporal stores.
pub const STREAMING_THRESHOLD_BYTES: usize = 8 << 20;

/// The chunk of a cycle of two mixed in one go (see
/// [`Mixer::swap_in_place`]): its saved copy and both samples' parts stay
/// in the L1 or L2 cache.
const SWAP_CHUNK_BYTES: usize = 8 << 10;

impl Default for Mixer {
    fn default() -> Self {
        Mixer::new()
    }
}

/// The length of scratch, in samples of type `T`, that
/// [`Mixer::mix_in_place`] needs: one sample (`len`) plus a bitmap of one
/// bit per sample (`ceil(n / 8)` bytes, rounded up to whole `T`s), which
/// validates the permutation and marks the cycles already walked.
///
/// # Errors
/// [`Error::SizeOverflow`] when the sum overflows.
pub fn in_place_scratch_len_of<T: Sample>(n: usize, len: usize) -> Result<usize> {
    len.checked_add(mark_bytes(n).div_ceil(size_of::<T>()))
        .ok_or(Error::SizeOverflow)
}

/// [`in_place_scratch_len_of`] for f32 batches: `len + ceil(n / 32)` floats.
///
/// # Errors
/// [`Error::SizeOverflow`] when the sum overflows.
pub fn in_place_scratch_len(n: usize, len: usize) -> Result<usize> {
    in_place_scratch_len_of::<f32>(n, len)
}

/// [`in_place_scratch_len_of`] for u8 batches: `len + ceil(n / 8)` bytes.
///
/// # Errors
/// [`Error::SizeOverflow`] when the sum overflows.
pub fn in_place_scratch_len_u8(n: usize, len: usize) -> Result<usize> {
    in_place_scratch_len_of::<u8>(n, len)
}

/// Checks that `batch_len == n * len`.
pub(crate) fn check_batch(batch_len: usize, n: usize, len: usize) -> Result<()> {
    let expected = n.checked_mul(len).ok_or(Error::SizeOverflow)?;
    if expected > isize::MAX as usize / 4 {
        // no batch of f32, nor its f32 output, may pass isize::MAX bytes
        return Err(Error::SizeOverflow);
    }
    if batch_len == expected {
        Ok(())
    } else {
        Err(Error::InvalidArgument)
    }
}

/// Samples seen as bytes: the marks live in the scratch.
pub(crate) fn as_bytes<T: Plain>(samples: &mut [T]) -> &mut [u8] {
    // SAFETY: `Plain` (sealed) is plain data with no padding, for which
    // every byte pattern is valid; u8 has alignment 1; the new slice covers
    // the same bytes and takes over the unique borrow.
    unsafe {
        core::slice::from_raw_parts_mut(samples.as_mut_ptr().cast::<u8>(), size_of_val(samples))
    }
}

/// Checks what every in-place call needs before the permutation: the
/// shape, the plan and the scratch length.
pub(crate) fn check_in_place(
    batch_len: usize,
    len: usize,
    plan: &Plan<'_>,
    scratch_len: usize,
    needed: usize,
) -> Result<()> {
    check_batch(batch_len, plan.len(), len)?;
    check_plan(plan, len)?;
    if scratch_len < needed {
        return Err(Error::BufferTooSmall);
    }
    Ok(())
}

/// Checks what every out-of-place call needs: the shape, the output
/// length, the lambdas and the partners' range.
///
/// Returns how many samples `out` holds: all `n`, or the first `m < n`
/// when every later sample is unmixed (timm's `half` mode).
pub(crate) fn check_into(
    out_len: usize,
    batch_len: usize,
    len: usize,
    plan: &Plan<'_>,
) -> Result<usize> {
    let n = plan.len();
    check_batch(batch_len, n, len)?;
    check_plan(plan, len)?;
    check_in_range(plan.partners, n)?;
    output_samples(out_len, len, plan)
}

/// How many samples of `len` an output of `out_len` elements holds for a
/// checked plan: all `n`, or the first `m < n` when every later sample is
/// unmixed (timm's `half` mode).
pub(crate) fn output_samples(out_len: usize, len: usize, plan: &Plan<'_>) -> Result<usize> {
    let n = plan.len();
    if Some(out_len) == n.checked_mul(len) {
        return Ok(n);
    }
    let m = out_len
        .checked_div(len)
        .filter(|&m| m * len == out_len && m < n);
    match (m, plan.ops) {
        (Some(m), Some(ops)) if ops[m..].iter().all(|&op| op == Op::Unmixed) => Ok(m),
        _ => Err(Error::InvalidArgument),
    }
}

/// Checks the plan, and that its CutMix images are samples of `len`.
pub(crate) fn check_plan(plan: &Plan<'_>, len: usize) -> Result<()> {
    plan.check()?;
    match plan.cuts {
        Some(cuts) if plan.cutting() && cuts.image.elements()? != len => {
            Err(Error::InvalidArgument)
        }
        _ => Ok(()),
    }
}

/// The image and the box of sample `k` of a checked plan; an empty box in
/// a one-pixel image where the plan has no cuts (never for a CutMix op).
fn cut_of(plan: &Plan<'_>, k: usize) -> (ImageShape, CutBox) {
    match plan.cuts {
        Some(cuts) => (cuts.image, cuts.boxes[k]),
        None => (ImageShape::PIXEL, CutBox::default()),
    }
}

/// Checks what the fused pass needs besides the shapes: the normalization
/// and, where a box is cut, cuts that describe the input.
pub(crate) fn check_fused(
    image: FusedImage,
    plan: &Plan<'_>,
    normalize: Option<Normalize<'_>>,
) -> Result<()> {
    if let Some(norm) = normalize {
        norm.check(image.channels)?;
    }
    match plan.cuts {
        // the lengths agree, so the pixels do too
        Some(cuts)
            if plan.cutting()
                && (cuts.image.channels != image.channels || cuts.image.layout != image.input) =>
        {
            Err(Error::InvalidArgument)
        }
        _ => Ok(()),
    }
}

/// Output sample `k` of a checked plan by the fused pass, into `dst`.
pub(crate) fn step_fused(
    fused: &Fused<'_>,
    plan: &Plan<'_>,
    k: usize,
    dst: &mut [f32],
    batch: &[u8],
    len: usize,
    stream: bool,
) {
    let p = plan.partners[k] as usize;
    let (a, b) = (&batch[k * len..][..len], &batch[p * len..][..len]);
    match plan.op(k) {
        Op::Unmixed => fused.convert(dst, a, stream),
        Op::Mixup => fused.blend(plan.weights(k), dst, a, b, stream),
        Op::CutMix => {
            let (shape, cut) = cut_of(plan, k);
            fused.convert_cut(dst, (a, b), shape.width, cut, stream);
        }
    }
}

/// What the last step of an in-place cycle needs of its first sample,
/// saved: all of it for mixup, its own box for CutMix, nothing if unmixed.
/// Where no op cuts (`!cutting`), the whole sample, whoever the last is.
fn save_for_last<T: Sample>(
    plan: &Plan<'_>,
    cutting: bool,
    last: usize,
    first: &[T],
    saved: &mut [T],
) {
    match plan.op(last) {
        _ if !cutting => saved.copy_from_slice(first),
        Op::Unmixed => {}
        Op::Mixup => saved.copy_from_slice(first),
        Op::CutMix => {
            let (image, cut) = cut_of(plan, last);
            pack(saved, first, image, cut);
        }
    }
}

/// Sample `k` of a checked plan takes its partner's box, in place: from
/// the partner itself, or as [`save_for_last`] packed it. Out of line, so
/// that a blend's step stays small.
#[inline(never)]
fn cut_in_place<T: Sample>(plan: &Plan<'_>, k: usize, x: &mut [T], partner: Partner<'_, T>) {
    let (image, cut) = cut_of(plan, k);
    match partner {
        Partner::Sample(p) => paste(x, p, image, cut),
        Partner::Saved(packed) => unpack(x, packed, image, cut),
    }
}

/// The steps of an in-place walk over a batch: the blends and boxes of a
/// checked plan.
pub(crate) struct InPlaceSteps<'p, 'a> {
    mixer: Mixer,
    plan: &'p Plan<'a>,
    cutting: bool,
}

impl<'p, 'a> InPlaceSteps<'p, 'a> {
    /// The steps of `plan` with `mixer`'s kernels.
    pub(crate) fn new(mixer: Mixer, plan: &'p Plan<'a>) -> Self {
        InPlaceSteps {
            mixer,
            plan,
            cutting: plan.cutting(),
        }
    }
}

impl<T: Sample> CycleSteps<T> for InPlaceSteps<'_, '_> {
    fn needs_last(&self) -> bool {
        // only a box needs to know the last sample (see `save_for_last`)
        self.cutting
    }

    fn save(&self, last: usize, first: &[T], saved: &mut [T]) {
        save_for_last(self.plan, self.cutting, last, first, saved);
    }

    fn step(&self, k: usize, x: &mut [T], partner: Partner<'_, T>) {
        self.mixer.step_in_place(self.plan, k, x, partner);
    }

    fn swap(&self, pair: (usize, usize), samples: (&mut [T], &mut [T]), saved: &mut [T]) -> bool {
        self.mixer.swap_in_place(self.plan, pair, samples, saved)
    }
}

impl Mixer {
    /// One step of an in-place cycle: sample `k` of a checked plan, with
    /// its partner still original or as [`save_for_last`] saved it.
    fn step_in_place<T: Sample>(
        &self,
        plan: &Plan<'_>,
        k: usize,
        x: &mut [T],
        partner: Partner<'_, T>,
    ) {
        match (plan.op(k), partner) {
            (Op::Unmixed, _) => {}
            (Op::Mixup, Partner::Sample(p) | Partner::Saved(p)) => {
                T::blend_in_place(self.backend, plan.weights(k), x, p);
            }
            (Op::CutMix, partner) => cut_in_place(plan, k, x, partner),
        }
    }

    /// A cycle of two of a checked plan, `k <-> j`, in one pass where no
    /// box is cut: two blends chunk by chunk (each chunk of `x[k]` saved in
    /// `saved` first, so it stays in cache), or one blend where the other
    /// sample stays. Each sample is then read and written once, without
    /// the saved copy of a whole sample that a longer cycle needs. Returns
    /// `false`, having written nothing, where a box is cut.
    fn swap_in_place<T: Sample>(
        &self,
        plan: &Plan<'_>,
        (k, j): (usize, usize),
        (x, y): (&mut [T], &mut [T]),
        saved: &mut [T],
    ) -> bool {
        let backend = self.backend;
        match (plan.op(k), plan.op(j)) {
            (Op::CutMix, _) | (_, Op::CutMix) => return false,
            (Op::Unmixed, Op::Unmixed) => {}
            (Op::Mixup, Op::Unmixed) => T::blend_in_place(backend, plan.weights(k), x, y),
            (Op::Unmixed, Op::Mixup) => T::blend_in_place(backend, plan.weights(j), y, x),
            (Op::Mixup, Op::Mixup) => {
                let (wk, wj) = (plan.weights(k), plan.weights(j));
                let chunk = SWAP_CHUNK_BYTES / size_of::<T>();
                for (a, b) in x.chunks_mut(chunk).zip(y.chunks_mut(chunk)) {
                    let first = &mut saved[..a.len()];
                    first.copy_from_slice(a);
                    T::blend_in_place(backend, wk, a, b);
                    T::blend_in_place(backend, wj, b, first);
                }
            }
        }
        true
    }

    /// Output sample `k` of a checked plan into `dst`, from the batch.
    pub(crate) fn step_into<T: Sample>(
        &self,
        plan: &Plan<'_>,
        k: usize,
        dst: &mut [T],
        batch: &[T],
        len: usize,
        stream: bool,
    ) {
        let p = plan.partners[k] as usize;
        let (a, b) = (&batch[k * len..][..len], &batch[p * len..][..len]);
        match plan.op(k) {
            Op::Unmixed => T::copy(self.backend, dst, a, stream),
            Op::Mixup => T::blend(self.backend, plan.weights(k), dst, a, b, stream),
            Op::CutMix => {
                let (image, cut) = cut_of(plan, k);
                let copy = |d: &mut [T], s: &[T]| T::copy(self.backend, d, s, stream);
                compose(dst, a, b, image, cut, copy);
            }
        }
    }

    /// Whether an out-of-place output of `bytes` is streamed.
    pub(crate) fn streams(&self, bytes: usize) -> bool {
        match self.stores {
            Stores::Auto => bytes >= STREAMING_THRESHOLD_BYTES,
            Stores::Cached => false,
            Stores::Streaming => true,
        }
    }

    /// A mixer on the fastest backend of this CPU.
    pub fn new() -> Mixer {
        Mixer {
            backend: Backend::detect(),
            stores: Stores::Auto,
        }
    }

    /// A mixer forced onto `backend`, or `None` when this CPU lacks it.
    pub fn with_backend(backend: Backend) -> Option<Mixer> {
        backend.is_available().then_some(Mixer {
            backend,
            stores: Stores::Auto,
        })
    }

    /// The same mixer with another store policy for out-of-place results.
    pub fn with_stores(self, stores: Stores) -> Mixer {
        Mixer { stores, ..self }
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// One pair: `out = w_self * a + w_partner * b`.
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] when the lengths differ or `lam` is not in `[0, 1]`.
    pub fn blend(&self, out: &mut [f32], a: &[f32], b: &[f32], lam: f64) -> Result<()> {
        let w = Weights::from_lambda(lam)?;
        if out.len() != a.len() || out.len() != b.len() {
            return Err(Error::InvalidArgument);
        }
        f32::blend(self.backend, w, out, a, b, self.streams(size_of_val(out)));
        Ok(())
    }

    /// One pair, written over the first: `x = w_self * x + w_partner * b`.
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] when the lengths differ or `lam` is not in `[0, 1]`.
    pub fn blend_in_place(&self, x: &mut [f32], b: &[f32], lam: f64) -> Result<()> {
        self.blend_in_place_weighted(x, b, Weights::from_lambda(lam)?)
    }

    /// One pair, written over the first, with explicit weights:
    /// `x = w.w_self * x + w.w_partner * b`, by the formula for every weight.
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] when the lengths differ.
    pub fn blend_in_place_weighted(&self, x: &mut [f32], b: &[f32], w: Weights) -> Result<()> {
        if x.len() != b.len() {
            return Err(Error::InvalidArgument);
        }
        kernel::blend_in_place(self.backend, w, x, b);
        Ok(())
    }

    /// Mixes a batch in place: `n = plan.len()` samples of `len` values,
    /// f32 or u8.
    ///
    /// The partners must be a permutation. Each cycle `c0 -> c1 -> ...` is
    /// walked once: `x[c0]` is saved in scratch, then `x[c_k]` is blended
    /// with `x[c_{k+1}]`, still original, and the last with the saved copy.
    /// A cycle of two (timm's flip pairs all samples so) is mixed in one
    /// pass, a few KiB at a time, without saving a whole sample. Each sample
    /// is read about once and written once, the traffic of a `memcpy`. A
    /// CutMix sample takes its partner's elements inside its box and no
    /// others; where the last sample of a cycle cuts, only the box
    /// of `x[c0]` it needs is saved. Samples that do not mix are not
    /// written, and a batch in which none mixes is not touched at all. u8
    /// samples take timm's `FastCollateMixup` arithmetic:
    /// `sat(rint(f32(x[i]) * w_self + f32(x[p(i)]) * w_partner))`, rounding
    /// half to even and saturating to `[0, 255]`.
    ///
    /// # Errors
    /// - [`Error::SizeOverflow`] when `n * len` overflows.
    /// - [`Error::InvalidArgument`] when `batch.len() != n * len`, or the
    ///   plan's lambdas are not 1 or `n` values in `[0, 1]`, or its ops not
    ///   `n`; or, where an op is CutMix, the plan has no cuts, not `n`
    ///   boxes, a box outside the image, or an image of other than `len`
    ///   elements.
    /// - [`Error::BufferTooSmall`] when `scratch` is shorter than
    ///   [`in_place_scratch_len_of`]`::<T>(n, len)`.
    /// - [`Error::IndexOutOfRange`], [`Error::BadPermutation`] for partners
    ///   that are not a permutation of `0..n`.
    pub fn mix_in_place<T: Sample>(
        &self,
        batch: &mut [T],
        len: usize,
        plan: Plan<'_>,
        scratch: &mut [T],
    ) -> Result<()> {
        let needed = in_place_scratch_len_of::<T>(plan.len(), len)?;
        check_in_place(batch.len(), len, &plan, scratch.len(), needed)?;
        let (saved, rest) = scratch.split_at_mut(len);
        let marks = as_bytes(&mut rest[..needed - len]);
        check_permutation(plan.partners, marks)?;
        if plan.mixes_none() {
            return Ok(());
        }
        let steps = InPlaceSteps::new(*self, &plan);
        let scratch = Scratch { saved, marks };
        cycles_in_place(&mut Slices { batch, len }, plan.partners, scratch, &steps);
        Ok(())
    }

    /// Mixes a batch into `out`: `out[i] = w_self_i * batch[i] + w_partner_i * batch[partners[i]]`,
    /// `batch[i]` with `batch[partners[i]]`'s box for CutMix (each element
    /// written once), or a copy of `batch[i]` where sample `i` does not
    /// mix; f32 or u8, with the arithmetic of [`mix_in_place`](Self::mix_in_place).
    /// `out` holds all `n` samples, or only the first `m` when every later
    /// sample is unmixed: timm's `half` mode ([`Granularity::Half`](crate::Granularity::Half)),
    /// whose output is the first half.
    ///
    /// The partners may be any index map into `0..n` (repeats allowed).
    /// Samples are visited along the partner chains (`k`, then `partners[k]`,
    /// ...), so each partner is read from memory once and is still in cache
    /// when its own turn comes; for a permutation that is its cycles.
    ///
    /// # Errors
    /// - [`Error::SizeOverflow`] when `n * len` overflows.
    /// - [`Error::InvalidArgument`] when `batch.len() != n * len`,
    ///   `out` holds neither `n` samples nor a first `m` after which every
    ///   sample is unmixed, or the plan is not valid (as for
    ///   [`mix_in_place`](Self::mix_in_place)).
    /// - [`Error::IndexOutOfRange`] for a partner not below `n`.
    pub fn mix_into<T: Sample>(
        &self,
        out: &mut [T],
        batch: &[T],
        len: usize,
        plan: Plan<'_>,
    ) -> Result<()> {
        let m = check_into(out.len(), batch.len(), len, &plan)?;
        let stream = self.streams(size_of_val(out));
        chains(plan.partners, 0..m, |k| {
            let dst = &mut out[k * len..][..len];
            self.step_into(&plan, k, dst, batch, len, stream);
        });
        if stream {
            kernel::stream_fence();
        }
        Ok(())
    }

    /// Decodes, normalizes and mixes in one pass: u8 images in, f32 out.
    ///
    /// Per channel `c`, `v = ((f32(u) / 255) - mean[c]) / std[c]` (plain
    /// `f32(u) / 255` without `normalize`), then the f32 blend of
    /// [`mix_into`](Self::mix_into). The bits equal torchvision's
    /// `ToTensor()`, then `Normalize(mean, std)`, then mixup. `image` gives
    /// the channels, the pixels and both layouts, so HWC in and CHW out
    /// also fuses the transpose. A sample that does not mix gets its own
    /// `v(u)`, as ToTensor and Normalize alone give it; a CutMix sample its
    /// own `v(u)` outside the box and its partner's inside.
    ///
    /// # Errors
    /// - As [`mix_into`](Self::mix_into), with `len = image.len()`; the
    ///   plan's cuts describe the input (same channels, same layout).
    /// - [`Error::InvalidArgument`] for 0 channels, or a `normalize` whose
    ///   lengths are not `channels`, with a non-finite mean or a zero or
    ///   non-finite std.
    pub fn mix_u8_to_f32(
        &self,
        out: &mut [f32],
        batch: &[u8],
        image: FusedImage,
        plan: Plan<'_>,
        normalize: Option<Normalize<'_>>,
    ) -> Result<()> {
        let len = image.len()?;
        let m = check_into(out.len(), batch.len(), len, &plan)?;
        check_fused(image, &plan, normalize)?;
        if len == 0 {
            return Ok(());
        }
        let stream = self.streams(size_of_val(out));
        let fused = Fused::new(self.backend, image, normalize);
        chains(plan.partners, 0..m, |k| {
            let dst = &mut out[k * len..][..len];
            step_fused(&fused, &plan, k, dst, batch, len, stream);
        });
        Ok(())
    }
}
