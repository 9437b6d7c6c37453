//! One batch in one call, the pipeline every front end shares (the C batch
//! calls, the Python extension, Rust callers): the plan drawn into the
//! caller's buffers, everything checked, the images (and masks) mixed,
//! the targets written. Nothing but the plan buffers is written before
//! every check has passed, and the generator advances only on success.

use crate::config::{Granularity, MixConfig};
use crate::error::Result;
use crate::image::{FusedImage, ImageShape, Normalize};
use crate::kernel::Sample;
use crate::labels::Targets;
use crate::mixer::{Mixer, as_bytes, check_fused, check_in_place, check_into};
use crate::plan::{Plan, PlanBufs};
use crate::rng::MixRng;
use crate::walk::check_permutation;

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// What a plan mixes in one batch call: a [`Batch`] of f32 or u8 samples,
/// a [`FusedBatch`] of u8 images into f32, segmentation masks
/// ([`Masks`](crate::Masks), [`PixelTargets`](crate::PixelTargets)), a
/// tuple or an `Option` of these (all checked before any is written), or
/// `()` (nothing: only the plan and the targets).
pub trait Mixable: sealed::Sealed {
    /// Checks every argument against the plan; writes nothing the caller
    /// reads (the scratch may be used).
    #[doc(hidden)]
    fn check(&mut self, plan: &Plan<'_>) -> Result<()>;

    /// Mixes, after [`check`](Self::check) passed.
    #[doc(hidden)]
    fn mix(self, mixer: &Mixer, plan: &Plan<'_>) -> Result<()>;
}

/// A batch of `n` samples of `len` elements, f32 or u8, mixed as
/// [`Mixer::mix_in_place`] or [`Mixer::mix_into`] mix it.
#[derive(Debug)]
pub enum Batch<'a, T> {
    /// Mixed in place, with [`in_place_scratch_len_of`](crate::in_place_scratch_len_of) elements of scratch.
    InPlace {
        /// `n * len` elements.
        batch: &'a mut [T],
        /// Elements per sample.
        len: usize,
        /// The scratch.
        scratch: &'a mut [T],
    },
    /// Mixed into `out`: all `n` samples, or the first
    /// [`MixConfig::output_rows`].
    Into {
        /// The mixed samples.
        out: &'a mut [T],
        /// `n * len` elements, only read.
        batch: &'a [T],
        /// Elements per sample.
        len: usize,
    },
}

/// u8 images mixed into f32 with ToTensor and Normalize fused, as
/// [`Mixer::mix_u8_to_f32`] mixes them.
#[derive(Debug)]
pub struct FusedBatch<'a> {
    /// The mixed f32 samples: all `n`, or the first [`MixConfig::output_rows`].
    pub out: &'a mut [f32],
    /// `n` u8 images, only read.
    pub batch: &'a [u8],
    /// The images' channels, pixels and both layouts.
    pub image: FusedImage,
    /// torchvision's `Normalize`, or plain `u / 255` without it.
    pub normalize: Option<Normalize<'a>>,
}

impl<T: Sample> sealed::Sealed for Batch<'_, T> {}
impl<T: Sample> Mixable for Batch<'_, T> {
    fn check(&mut self, plan: &Plan<'_>) -> Result<()> {
        match self {
            Batch::InPlace {
                batch,
                len,
                scratch,
            } => {
                let needed = crate::in_place_scratch_len_of::<T>(plan.len(), *len)?;
                check_in_place(batch.len(), *len, plan, scratch.len(), needed)?;
                check_permutation(plan.partners, as_bytes(&mut scratch[*len..]))
            }
            Batch::Into { out, batch, len } => {
                check_into(out.len(), batch.len(), *len, plan).map(drop)
            }
        }
    }

    fn mix(self, mixer: &Mixer, plan: &Plan<'_>) -> Result<()> {
        match self {
            Batch::InPlace {
                batch,
                len,
                scratch,
            } => mixer.mix_in_place(batch, len, *plan, scratch),
            Batch::Into { out, batch, len } => mixer.mix_into(out, batch, len, *plan),
        }
    }
}

impl sealed::Sealed for FusedBatch<'_> {}
impl Mixable for FusedBatch<'_> {
    fn check(&mut self, plan: &Plan<'_>) -> Result<()> {
        check_into(self.out.len(), self.batch.len(), self.image.len()?, plan)?;
        check_fused(self.image, plan, self.normalize)
    }

    fn mix(self, mixer: &Mixer, plan: &Plan<'_>) -> Result<()> {
        mixer.mix_u8_to_f32(self.out, self.batch, self.image, *plan, self.normalize)
    }
}

impl sealed::Sealed for () {}
impl Mixable for () {
    fn check(&mut self, _: &Plan<'_>) -> Result<()> {
        Ok(())
    }

    fn mix(self, _: &Mixer, _: &Plan<'_>) -> Result<()> {
        Ok(())
    }
}

impl<A: Mixable> sealed::Sealed for Option<A> {}
impl<A: Mixable> Mixable for Option<A> {
    fn check(&mut self, plan: &Plan<'_>) -> Result<()> {
        self.as_mut().map_or(Ok(()), |a| a.check(plan))
    }

    fn mix(self, mixer: &Mixer, plan: &Plan<'_>) -> Result<()> {
        self.map_or(Ok(()), |a| a.mix(mixer, plan))
    }
}

impl<A: Mixable, B: Mixable> sealed::Sealed for (A, B) {}
impl<A: Mixable, B: Mixable> Mixable for (A, B) {
    fn check(&mut self, plan: &Plan<'_>) -> Result<()> {
        self.0.check(plan)?;
        self.1.check(plan)
    }

    fn mix(self, mixer: &Mixer, plan: &Plan<'_>) -> Result<()> {
        self.0.mix(mixer, plan)?;
        self.1.mix(mixer, plan)
    }
}

impl<A: Mixable, B: Mixable, C: Mixable> sealed::Sealed for (A, B, C) {}
impl<A: Mixable, B: Mixable, C: Mixable> Mixable for (A, B, C) {
    fn check(&mut self, plan: &Plan<'_>) -> Result<()> {
        self.0.check(plan)?;
        self.1.check(plan)?;
        self.2.check(plan)
    }

    fn mix(self, mixer: &Mixer, plan: &Plan<'_>) -> Result<()> {
        self.0.mix(mixer, plan)?;
        self.1.mix(mixer, plan)?;
        self.2.mix(mixer, plan)
    }
}

/// The soft targets a batch call writes: the labels and where they go,
/// `rows * num_classes` floats for the first `rows` samples.
#[derive(Debug)]
pub struct TargetsOut<'a> {
    /// The labels.
    pub targets: Targets<'a>,
    /// Where the soft targets go.
    pub out: &'a mut [f32],
}

impl MixConfig {
    /// How many samples an out-of-place batch of `n` outputs: the first
    /// `n / 2` in timm's `half` mode ([`Granularity::Half`]), else all `n`.
    pub fn output_rows(&self, n: usize) -> usize {
        match self.granularity {
            Granularity::Half => n / 2,
            _ => n,
        }
    }

    /// One batch in one call, as C's `mixup_batch_f32` and the Python
    /// classes do it: draws the plan of `n = plan.len()` samples into
    /// `plan` (boxes in `image`, which CutMix needs), checks `what` and
    /// `targets` against it, mixes `what` and writes the targets. Returns
    /// the plan. On an error nothing but `plan`'s buffers is written and
    /// `rng` stays where it was.
    ///
    /// ```
    /// use mixup::{Batch, ImageShape, ChannelOrder, MixConfig, MixRng, OwnedPlan, Targets, TargetsOut};
    /// let (n, classes) = (4, 10);
    /// let image = ImageShape { channels: 3, height: 8, width: 8, layout: ChannelOrder::Chw };
    /// let len = 3 * 8 * 8;
    /// let mut images = vec![0.5f32; n * len];
    /// let mut scratch = vec![0.0f32; mixup::in_place_scratch_len(n, len)?];
    /// let mut targets = vec![0.0f32; n * classes];
    /// let labels = Targets::Classes { labels: &[3, 1, 4, 1], num_classes: classes, smoothing: 0.1 };
    ///
    /// let config = MixConfig::timm(0.8, 1.0); // timm's Mixup(mixup_alpha=0.8, cutmix_alpha=1.0)
    /// let mut rng = MixRng::stream(1234, 0); // seed, batch index
    /// let mut plan = OwnedPlan::new(n);
    /// let batch = Batch::InPlace { batch: &mut images, len, scratch: &mut scratch };
    /// let out = TargetsOut { targets: labels, out: &mut targets };
    /// let plan = config.mix_batch(&mut rng, plan.bufs(), Some(image), batch, Some(out))?;
    /// assert_eq!(plan.len(), n);
    /// # Ok::<(), mixup::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`PlanBufs::draw`], [`Targets::check`], and the [`Mixer`] call
    /// that mixes `what`.
    pub fn mix_batch<'p>(
        &self,
        rng: &mut MixRng,
        plan: PlanBufs<'p>,
        image: Option<ImageShape>,
        mut what: impl Mixable,
        targets: Option<TargetsOut<'_>>,
    ) -> Result<Plan<'p>> {
        let n = plan.len();
        if let Some(t) = &targets {
            t.targets.check(n, t.out.len())?;
        }
        let mut next = rng.clone();
        let plan = plan.draw(self, &mut next, image)?;
        what.check(&plan)?;
        what.mix(&Mixer::new(), &plan)?;
        if let Some(t) = targets {
            t.targets.write(&plan, t.out)?;
        }
        *rng = next;
        Ok(plan)
    }
}
