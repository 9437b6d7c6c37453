//! One batch on many cores. The crate spawns no threads: the caller's
//! threads each run one part. Out of place, a part is a range of output
//! samples; in place, a group of whole cycles of the permutation of about
//! `n / count` samples, so that parts touch disjoint samples.

use core::marker::PhantomData;
use core::ops::Range;
use core::sync::atomic::{AtomicU32, Ordering};

use crate::error::{Error, Result};
use crate::image::{FusedImage, Normalize};
use crate::kernel::Sample;
use crate::kernel::fused::Fused;
use crate::mixer::{
    InPlaceSteps, Mixer, as_bytes, check_batch, check_fused, check_plan, in_place_scratch_len_of,
    step_fused,
};
use crate::pairing::check_in_range;
use crate::plan::Plan;
use crate::walk::{SampleView, chains, check_permutation, for_each_cycle, walk_cycle};

/// The most parts a batch splits into.
pub const MAX_PARTS: usize = 256;

/// Part `index` of `count` parts of one batch (`index < count <= MAX_PARTS`).
///
/// ```
/// use mixup::Part;
/// assert_eq!(Part { index: 1, count: 3 }.samples(10), Ok(3..6));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    /// Which part, below `count`.
    pub index: usize,
    /// How many parts, 1 to [`MAX_PARTS`].
    pub count: usize,
}

impl Part {
    /// The whole batch as one part.
    pub const WHOLE: Part = Part { index: 0, count: 1 };

    /// Its share of `n` samples: `n * index / count .. n * (index + 1) / count`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] unless `index < count <= MAX_PARTS`.
    pub fn samples(self, n: usize) -> Result<Range<usize>> {
        if self.index >= self.count || self.count > MAX_PARTS {
            return Err(Error::InvalidArgument);
        }
        let at = |k: usize| (n as u128 * k as u128 / self.count as u128) as usize;
        Ok(at(self.index)..at(self.index + 1))
    }
}

impl Mixer {
    /// The output samples `part.samples(n)` of
    /// [`mix_into`](Self::mix_into), the same bits: `out` holds exactly
    /// those samples. Threads that each run one part of the same plan
    /// write the whole output between them.
    ///
    /// ```
    /// use mixup::{Mixer, Part, Plan};
    /// let batch: Vec<f32> = (0..8).map(|i| i as f32).collect(); // 4 samples of 2
    /// let plan = Plan::new(&[1, 2, 3, 0], &[0.5]);
    /// let mut out = vec![0.0f32; 8];
    /// let (first, second) = out.split_at_mut(4);
    /// std::thread::scope(|s| {
    ///     s.spawn(|| Mixer::new().mix_into_part(first, &batch, 2, plan, Part { index: 0, count: 2 }));
    ///     s.spawn(|| Mixer::new().mix_into_part(second, &batch, 2, plan, Part { index: 1, count: 2 }));
    /// });
    /// assert_eq!(out, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 3.0, 4.0]);
    /// ```
    ///
    /// # Errors
    /// As [`mix_into`](Self::mix_into), with `out` of the part's samples,
    /// and [`Error::InvalidArgument`] for a bad `part`.
    pub fn mix_into_part<T: Sample>(
        &self,
        out: &mut [T],
        batch: &[T],
        len: usize,
        plan: Plan<'_>,
        part: Part,
    ) -> Result<()> {
        let n = plan.len();
        let range = part.samples(n)?;
        check_batch(batch.len(), n, len)?;
        check_plan(&plan, len)?;
        check_in_range(plan.partners, n)?;
        if out.len() != range.len() * len {
            return Err(Error::InvalidArgument);
        }
        let stream = self.streams(size_of_val(batch));
        let first = range.start;
        chains(plan.partners, range, |k| {
            let dst = &mut out[(k - first) * len..][..len];
            self.step_into(&plan, k, dst, batch, len, stream);
        });
        if stream {
            crate::kernel::stream_fence();
        }
        Ok(())
    }

    /// The output samples `part.samples(n)` of
    /// [`mix_u8_to_f32`](Self::mix_u8_to_f32), the same bits: `out` holds
    /// exactly those samples.
    ///
    /// # Errors
    /// As [`mix_u8_to_f32`](Self::mix_u8_to_f32), with `out` of the part's
    /// samples, and [`Error::InvalidArgument`] for a bad `part`.
    pub fn mix_u8_to_f32_part(
        &self,
        out: &mut [f32],
        batch: &[u8],
        image: FusedImage,
        plan: Plan<'_>,
        normalize: Option<Normalize<'_>>,
        part: Part,
    ) -> Result<()> {
        let (n, len) = (plan.len(), image.len()?);
        let range = part.samples(n)?;
        check_batch(batch.len(), n, len)?;
        check_plan(&plan, len)?;
        check_in_range(plan.partners, n)?;
        if out.len() != range.len() * len {
            return Err(Error::InvalidArgument);
        }
        check_fused(image, &plan, normalize)?;
        if len == 0 {
            return Ok(());
        }
        let stream = self.streams(4 * batch.len());
        let fused = Fused::new(self.backend(), image, normalize);
        let first = range.start;
        chains(plan.partners, range, |k| {
            let dst = &mut out[(k - first) * len..][..len];
            step_fused(&fused, &plan, k, dst, batch, len, stream);
        });
        Ok(())
    }

    /// A batch to mix in place in parts, one per thread: see
    /// [`InPlaceParts`]. The batch stays borrowed until the handle goes.
    ///
    /// # Errors
    /// As [`mix_in_place`](Self::mix_in_place) for the shape and the plan
    /// (the permutation is checked by each part).
    pub fn in_place_parts<'a, T: Sample>(
        &self,
        batch: &'a mut [T],
        len: usize,
        plan: Plan<'a>,
    ) -> Result<InPlaceParts<'a, T>> {
        check_batch(batch.len(), plan.len(), len)?;
        check_plan(&plan, len)?;
        Ok(InPlaceParts {
            batch: batch.as_mut_ptr(),
            len,
            plan,
            mixer: *self,
            claimed: [const { AtomicU32::new(0) }; MAX_PARTS / 32],
            _batch: PhantomData,
        })
    }
}

/// A batch mixed in place by parts, each a group of whole cycles of the
/// permutation, of about `n / count` samples: `run` part `k` of `count`
/// from one thread each (the handle is `Sync`), each with its own scratch.
/// Parts touch disjoint samples, and between them give the bits of
/// [`Mixer::mix_in_place`]. Each part runs at most once per handle.
///
/// A part is no smaller than a cycle: flip pairing (cycles of two) splits
/// evenly, a random permutation's longest cycle holds about 62% of the
/// batch on average, and roll and cycle pairings are one cycle, which one
/// part takes whole. Out of place ([`Mixer::mix_into_part`]) always
/// splits evenly.
///
/// ```
/// use mixup::{in_place_scratch_len, Mixer, Part, Plan};
/// let mut batch: Vec<f32> = (0..8).map(|i| i as f32).collect(); // 4 samples of 2
/// let plan = Plan::new(&[1, 0, 3, 2], &[0.5]);
/// let parts = Mixer::new().in_place_parts(&mut batch, 2, plan)?;
/// std::thread::scope(|s| {
///     for index in 0..2 {
///         let parts = &parts;
///         s.spawn(move || {
///             let mut scratch = vec![0.0f32; in_place_scratch_len(4, 2).unwrap()];
///             parts.run(Part { index, count: 2 }, &mut scratch)
///         });
///     }
/// });
/// drop(parts); // the batch is ours again
/// assert_eq!(batch, [1.0, 2.0, 1.0, 2.0, 5.0, 6.0, 5.0, 6.0]);
/// # Ok::<(), mixup::Error>(())
/// ```
pub struct InPlaceParts<'a, T> {
    batch: *mut T,
    len: usize,
    plan: Plan<'a>,
    mixer: Mixer,
    /// One bit per part that has run.
    claimed: [AtomicU32; MAX_PARTS / 32],
    _batch: PhantomData<&'a mut [T]>,
}

// SAFETY: the handle holds the unique borrow of the batch. `run` claims its
// part once (an atomic bit), and each part reads and writes only the
// samples of its own cycles, which no other part touches: threads never
// share a sample. The plan is shared, read only.
unsafe impl<T: Send> Sync for InPlaceParts<'_, T> {}
// SAFETY: as above; moving the handle moves the unique borrow.
unsafe impl<T: Send> Send for InPlaceParts<'_, T> {}

impl<'a, T: Sample> InPlaceParts<'a, T> {
    /// A handle over `n * len` elements at `batch` for the C ABI, whose
    /// callers share one batch pointer between threads.
    ///
    /// # Safety
    /// `batch` must be valid for reads and writes of `plan.len() * len`
    /// elements for `'a`, and touched meanwhile only by the `run`s of
    /// handles over it, each part of the same split run once in all.
    #[cfg(feature = "capi")]
    pub(crate) unsafe fn from_raw(
        mixer: Mixer,
        batch: *mut T,
        len: usize,
        plan: Plan<'a>,
    ) -> Result<InPlaceParts<'a, T>> {
        check_plan(&plan, len)?;
        Ok(InPlaceParts {
            batch,
            len,
            plan,
            mixer,
            claimed: [const { AtomicU32::new(0) }; MAX_PARTS / 32],
            _batch: PhantomData,
        })
    }

    /// Mixes the cycles of part `part`, with `scratch` of at least
    /// [`in_place_scratch_len_of`]`::<T>(n, len)`. The cycles are taken in
    /// order of their first sample; a cycle belongs to the part whose share
    /// of samples ([`Part::samples`]) holds the count of samples before it.
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] for a bad `part`, or one that has run.
    /// - [`Error::BufferTooSmall`] for a short `scratch`.
    /// - [`Error::IndexOutOfRange`], [`Error::BadPermutation`] for
    ///   partners that are not a permutation.
    pub fn run(&self, part: Part, scratch: &mut [T]) -> Result<()> {
        let (n, len, plan) = (self.plan.len(), self.len, &self.plan);
        let share = part.samples(n)?;
        let needed = in_place_scratch_len_of::<T>(n, len)?;
        if scratch.len() < needed {
            return Err(Error::BufferTooSmall);
        }
        let (saved, rest) = scratch.split_at_mut(len);
        let marks = as_bytes(&mut rest[..needed - len]);
        check_permutation(plan.partners, marks)?;
        let bit = 1u32 << (part.index % 32);
        if self.claimed[part.index / 32].fetch_or(bit, Ordering::AcqRel) & bit != 0 {
            return Err(Error::InvalidArgument);
        }
        if plan.mixes_none() {
            return Ok(());
        }
        let steps = InPlaceSteps::new(self.mixer, plan);
        // SAFETY: the handle's batch holds `n * len` elements (checked when
        // it was made), and the walks below ask the view only for samples
        // of this part's cycles, which no other thread touches: the shares
        // are disjoint, each cycle has one count before it, and the part
        // runs once.
        let mut view = unsafe { RawSamples::new(self.batch, len) };
        let mut before = 0;
        for_each_cycle(plan.partners, marks, |start, length| {
            if share.contains(&before) {
                walk_cycle(&mut view, plan.partners, start, saved, &steps, |_| {});
            }
            before += length;
        });
        Ok(())
    }
}

/// The samples of a batch shared by the threads of a split, each of which
/// asks only for the samples of its own cycles.
struct RawSamples<T> {
    batch: *mut T,
    len: usize,
}

impl<T> RawSamples<T> {
    /// # Safety
    /// `batch` must be valid for reads and writes of every sample asked for
    /// (`len` elements each), and no other thread may touch those samples
    /// while the view lives.
    unsafe fn new(batch: *mut T, len: usize) -> Self {
        RawSamples { batch, len }
    }

    /// Sample `k`, for as long as the view is borrowed.
    fn sample<'s>(&self, k: usize) -> &'s mut [T] {
        // SAFETY: the constructor's promise on sample `k`; a walk holds at
        // most two samples at once, and `SampleView` hands out different ones.
        unsafe { core::slice::from_raw_parts_mut(self.batch.add(k * self.len), self.len) }
    }
}

impl<T> SampleView<T> for RawSamples<T> {
    fn len(&self) -> usize {
        self.len
    }

    fn one(&mut self, k: usize) -> &mut [T] {
        self.sample(k)
    }

    fn two(&mut self, k: usize, j: usize) -> (&mut [T], &[T]) {
        debug_assert_ne!(k, j);
        (self.sample(k), self.sample(j))
    }

    fn pair(&mut self, k: usize, j: usize) -> (&mut [T], &mut [T]) {
        debug_assert_ne!(k, j);
        (self.sample(k), self.sample(j))
    }
}
