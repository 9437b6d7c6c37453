//! Segmentation masks (label maps of class ids per pixel) mixed by the plan
//! of their images, as docs/DESIGN.md §9 sets out: a CutMix sample's map
//! takes exactly its image's box from the same partner; a mixup sample's
//! map stays its own, the pair `(masks[i], masks[partners[i]])` with the
//! weights of its lambda being its target; an unmixed one stays too. The
//! dense per-pixel form of the same targets is [`PixelTargets`].

use crate::batch::Mixable;
use crate::cutmix::paste::{compose, pack, paste, unpack};
use crate::cutmix::{CutBox, Op};
use crate::error::{Error, Result};
use crate::image::{ChannelOrder, ImageShape};
use crate::kernel::sample::sealed::Plain;
use crate::mixer::{Mixer, as_bytes, check_batch, output_samples};
use crate::pairing::check_in_range;
use crate::plan::Plan;
use crate::walk::{
    CycleSteps, Partner, Scratch, Slices, check_permutation, cycles_in_place, mark_bytes,
};

/// The type of the class ids of a mask: `u8`, `i32` or `i64` (sealed).
pub trait ClassId: Plain + Default + PartialEq + Send + Sync + 'static {
    /// The id as an `i64`.
    fn id(self) -> i64;
}

impl ClassId for u8 {
    fn id(self) -> i64 {
        i64::from(self)
    }
}

impl ClassId for i32 {
    fn id(self) -> i64 {
        i64::from(self)
    }
}

impl ClassId for i64 {
    fn id(self) -> i64 {
        self
    }
}

/// The scratch, in ids of type `M`, that [`Masks::InPlace`] needs for `n`
/// maps of `pixels`: one map and one bit per sample.
///
/// # Errors
/// [`Error::SizeOverflow`] when the sum overflows.
pub fn mask_scratch_len<M: ClassId>(n: usize, pixels: usize) -> Result<usize> {
    pixels
        .checked_add(mark_bytes(n).div_ceil(size_of::<M>()))
        .ok_or(Error::SizeOverflow)
}

/// The label maps of a batch, `n` maps of `pixels = height * width` class
/// ids (`[N, H, W]`), mixed by the plan of their images: a CutMix sample's
/// map takes its image's box from the same partner, every other map stays
/// as it is. Ids are copied, never read as classes, so any value (an
/// `ignore_index` too) survives.
#[derive(Debug)]
pub enum Masks<'a, M> {
    /// Mixed in place (the partners must be a permutation), with
    /// [`mask_scratch_len`] ids of scratch.
    InPlace {
        /// `n * pixels` ids.
        masks: &'a mut [M],
        /// Pixels per map.
        pixels: usize,
        /// The scratch.
        scratch: &'a mut [M],
    },
    /// Mixed into `out`: all `n` maps, or the first
    /// [`MixConfig::output_rows`](crate::MixConfig::output_rows).
    Into {
        /// The mixed maps.
        out: &'a mut [M],
        /// `n * pixels` ids, only read.
        masks: &'a [M],
        /// Pixels per map.
        pixels: usize,
    },
}

/// Checks the plan for maps of `pixels`: the plan itself, the partners, and,
/// where a box is cut, an image of `pixels` pixels. Returns the map shape
/// the boxes lie in.
fn check_maps(plan: &Plan<'_>, masks_len: usize, pixels: usize) -> Result<ImageShape> {
    check_batch(masks_len, plan.len(), pixels)?;
    plan.check()?;
    check_in_range(plan.partners, plan.len())?;
    match plan.cuts {
        Some(cuts) if plan.cutting() => {
            let map = ImageShape {
                channels: 1,
                layout: ChannelOrder::Chw,
                ..cuts.image
            };
            if map.elements()? == pixels {
                Ok(map)
            } else {
                Err(Error::InvalidArgument)
            }
        }
        _ => Ok(ImageShape::PIXEL),
    }
}

/// The box of sample `k` of a checked plan (empty where it has no cuts).
fn box_of(plan: &Plan<'_>, k: usize) -> CutBox {
    plan.cuts.map_or(CutBox::default(), |cuts| cuts.boxes[k])
}

/// The steps of an in-place walk over label maps: the boxes of a
/// checked plan's CutMix samples, and nothing for the others.
struct MaskSteps<'p, 'a> {
    plan: &'p Plan<'a>,
    map: ImageShape,
}

impl MaskSteps<'_, '_> {
    /// The box of sample `k`, if it cuts.
    fn cut(&self, k: usize) -> Option<CutBox> {
        (self.plan.op(k) == Op::CutMix).then(|| box_of(self.plan, k))
    }
}

impl<M: Copy> CycleSteps<M> for MaskSteps<'_, '_> {
    fn needs_last(&self) -> bool {
        true
    }

    fn save(&self, last: usize, first: &[M], saved: &mut [M]) {
        if let Some(b) = self.cut(last) {
            pack(saved, first, self.map, b);
        }
    }

    fn step(&self, k: usize, x: &mut [M], partner: Partner<'_, M>) {
        match (self.cut(k), partner) {
            (None, _) => {}
            (Some(b), Partner::Sample(p)) => paste(x, p, self.map, b),
            (Some(b), Partner::Saved(p)) => unpack(x, p, self.map, b),
        }
    }

    fn swap(&self, _: (usize, usize), _: (&mut [M], &mut [M]), _: &mut [M]) -> bool {
        false
    }
}

impl<M: ClassId> Masks<'_, M> {
    /// Checks every argument against the plan; returns the map shape the
    /// boxes lie in.
    fn checked(&mut self, plan: &Plan<'_>) -> Result<ImageShape> {
        match self {
            Masks::InPlace {
                masks,
                pixels,
                scratch,
            } => {
                let map = check_maps(plan, masks.len(), *pixels)?;
                let needed = mask_scratch_len::<M>(plan.len(), *pixels)?;
                if scratch.len() < needed {
                    return Err(Error::BufferTooSmall);
                }
                check_permutation(plan.partners, as_bytes(&mut scratch[*pixels..needed]))?;
                Ok(map)
            }
            Masks::Into { out, masks, pixels } => {
                let map = check_maps(plan, masks.len(), *pixels)?;
                output_samples(out.len(), *pixels, plan)?;
                Ok(map)
            }
        }
    }
}

impl<M: ClassId> crate::batch::sealed::Sealed for Masks<'_, M> {}
impl<M: ClassId> Mixable for Masks<'_, M> {
    fn check(&mut self, plan: &Plan<'_>) -> Result<()> {
        self.checked(plan).map(drop)
    }

    fn mix(mut self, _: &Mixer, plan: &Plan<'_>) -> Result<()> {
        let map = self.checked(plan)?;
        match self {
            Masks::InPlace {
                masks,
                pixels,
                scratch,
            } => {
                if !plan.cutting() {
                    return Ok(());
                }
                let needed = mask_scratch_len::<M>(plan.len(), pixels)?;
                let (saved, rest) = scratch[..needed].split_at_mut(pixels);
                let steps = MaskSteps { plan, map };
                let scratch = Scratch {
                    saved,
                    marks: as_bytes(rest),
                };
                cycles_in_place(
                    &mut Slices {
                        batch: masks,
                        len: pixels,
                    },
                    plan.partners,
                    scratch,
                    &steps,
                );
                Ok(())
            }
            Masks::Into { out, masks, pixels } => {
                for (k, dst) in out.chunks_exact_mut(pixels.max(1)).enumerate() {
                    let own = &masks[k * pixels..][..pixels];
                    let partner = &masks[plan.partners[k] as usize * pixels..][..pixels];
                    let copy = |d: &mut [M], s: &[M]| d.copy_from_slice(s);
                    match plan.op(k) {
                        Op::CutMix => compose(dst, own, partner, map, box_of(plan, k), copy),
                        Op::Mixup | Op::Unmixed => dst.copy_from_slice(own),
                    }
                }
                Ok(())
            }
        }
    }
}

/// Dense per-pixel soft targets `[rows, num_classes, H, W]` (f32) from the
/// label maps, mixed by the plan, for losses that take probabilities: a
/// pixel of class `a` is the one-hot `e_a`; a mixup sample's pixel is
/// `w_self * e_a + w_partner * e_b` (`b` the partner's class there, the
/// weights those of the images, each product rounded to f32, then the
/// sum); a CutMix sample's pixel is `e_b` inside its box and `e_a` outside;
/// an unmixed one `e_a`. `ignore_index` contributes a zero vector, so a
/// pixel ignored on one side keeps only the other side's weight, and one
/// ignored on both sides is all zeros: `sum_c -t_c * log p_c` then equals
/// `w_self * CE(a) + w_partner * CE(b)` with that `ignore_index`.
#[derive(Debug)]
pub struct PixelTargets<'a, M> {
    /// `n * pixels` class ids, each in `[0, num_classes)` or `ignore_index`.
    pub masks: &'a [M],
    /// Pixels per map.
    pub pixels: usize,
    /// Classes, at least 1.
    pub num_classes: usize,
    /// The id of pixels that no class claims, or `None`.
    pub ignore_index: Option<i64>,
    /// `rows * num_classes * pixels` floats: all `n` samples, or the first
    /// [`MixConfig::output_rows`](crate::MixConfig::output_rows).
    pub out: &'a mut [f32],
}

impl<M: ClassId> PixelTargets<'_, M> {
    /// The class of an id, or `None` for the ignored one.
    fn class(&self, id: M) -> Option<usize> {
        let id = id.id();
        (Some(id) != self.ignore_index).then_some(id as usize)
    }

    /// Checks every argument against the plan, every id included; returns
    /// the map shape the boxes lie in.
    fn checked(&self, plan: &Plan<'_>) -> Result<ImageShape> {
        let map = check_maps(plan, self.masks.len(), self.pixels)?;
        let per_sample = (self.num_classes)
            .checked_mul(self.pixels)
            .ok_or(Error::SizeOverflow)?;
        if self.num_classes == 0 {
            return Err(Error::InvalidArgument);
        }
        output_samples(self.out.len(), per_sample, plan)?;
        let k = self.num_classes as u64;
        let valid =
            |&id: &M| Some(id.id()) == self.ignore_index || (id.id() >= 0 && (id.id() as u64) < k);
        if self.masks.iter().all(valid) {
            Ok(map)
        } else {
            Err(Error::LabelOutOfRange)
        }
    }
}

impl<M: ClassId> crate::batch::sealed::Sealed for PixelTargets<'_, M> {}
impl<M: ClassId> Mixable for PixelTargets<'_, M> {
    fn check(&mut self, plan: &Plan<'_>) -> Result<()> {
        self.checked(plan).map(drop)
    }

    fn mix(mut self, _: &Mixer, plan: &Plan<'_>) -> Result<()> {
        let map = self.checked(plan)?;
        let (pixels, classes) = (self.pixels, self.num_classes);
        let per_sample = classes * pixels;
        let out = core::mem::take(&mut self.out);
        for (i, dst) in out.chunks_exact_mut(per_sample.max(1)).enumerate() {
            dst.fill(0.0);
            let own = &self.masks[i * pixels..][..pixels];
            let partner = &self.masks[plan.partners[i] as usize * pixels..][..pixels];
            let mut put = |class: Option<usize>, px: usize, value: f32| {
                if let Some(c) = class {
                    dst[c * pixels + px] = value;
                }
            };
            match plan.op(i) {
                Op::Unmixed => (0..pixels).for_each(|px| put(self.class(own[px]), px, 1.0)),
                Op::CutMix => {
                    let b = box_of(plan, i);
                    let inside = |px: usize| {
                        b.rows().contains(&(px / map.width))
                            && b.columns().contains(&(px % map.width))
                    };
                    for px in 0..pixels {
                        let id = if inside(px) { partner[px] } else { own[px] };
                        put(self.class(id), px, 1.0);
                    }
                }
                Op::Mixup => {
                    let w = plan.weights(i);
                    for px in 0..pixels {
                        let (a, b) = (self.class(own[px]), self.class(partner[px]));
                        let one = |on: bool| if on { 1.0f32 } else { 0.0 };
                        put(b, px, w.w_self * one(a == b) + w.w_partner);
                        if a != b {
                            put(a, px, w.w_self + w.w_partner * 0.0);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
