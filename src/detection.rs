//! Detection mixup (Bag of Freebies; GluonCV's `MixupDetection`): two
//! images of different sizes blended on one zero-padded canvas, and the
//! boxes of both kept, weighted by the share of the image they came from.

use crate::error::{Error, Result};
use crate::image::ChannelOrder;
use crate::kernel::{Backend, CANVAS_RUN, Sample, Weights};
use crate::mixer::Mixer;
use crate::plan::Plan;

/// The height and width of an image, in pixels.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ImageSize {
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
}

impl ImageSize {
    /// The canvas that holds both images at its top left:
    /// `(max(h1, h2), max(w1, w2))`.
    pub fn canvas(a: ImageSize, b: ImageSize) -> ImageSize {
        ImageSize {
            height: a.height.max(b.height),
            width: a.width.max(b.width),
        }
    }

    /// Elements of an image of this size with `channels` channels.
    ///
    /// # Errors
    /// [`Error::SizeOverflow`] when the product overflows.
    pub fn elements(&self, channels: usize) -> Result<usize> {
        self.height
            .checked_mul(self.width)
            .and_then(|p| p.checked_mul(channels))
            .ok_or(Error::SizeOverflow)
    }
}

/// One box of the mixed image: corners, class, and the weight of its loss.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct WeightedBox {
    /// Left.
    pub x1: f32,
    /// Top.
    pub y1: f32,
    /// Right, at least `x1`.
    pub x2: f32,
    /// Bottom, at least `y1`.
    pub y2: f32,
    /// The class id.
    pub class_id: i64,
    /// `(f32) lam` for the first image's boxes, `(f32) (1 - lam)` for the second's.
    pub weight: f32,
}

/// Blends `pad(a)` and `pad(b)` onto `out`, row by row, in runs of at
/// most [`CANVAS_RUN`] values, each covered by both images, one, or neither.
/// Every loop is bounded by the canvas's elements: an empty canvas costs
/// nothing, whatever its other dimensions.
#[allow(clippy::too_many_arguments)]
fn canvas_rows<T: Sample>(
    backend: Backend,
    w: Weights,
    out: &mut [T],
    a: &[T],
    size_a: ImageSize,
    b: &[T],
    size_b: ImageSize,
    channels: usize,
    layout: ChannelOrder,
) {
    let canvas = ImageSize::canvas(size_a, size_b);
    if canvas.height == 0 || canvas.width == 0 || channels == 0 {
        return;
    }
    // Below, the canvas has elements, so each product of its dimensions is
    // at most its (checked) element count and cannot overflow.
    // (planes, values per pixel in a row)
    let (planes, per_pixel) = match layout {
        ChannelOrder::Hwc => (1, channels),
        ChannelOrder::Chw => (channels, 1),
    };
    // where row `y` of `plane` starts in an image, if the image has it
    let row_of = |size: ImageSize, plane: usize, y: usize| -> Option<usize> {
        (y < size.height && size.width != 0)
            .then(|| (plane * size.height + y) * size.width * per_pixel)
    };
    let narrow = size_a.width.min(size_b.width) * per_pixel;
    let wide = canvas.width * per_pixel;
    for plane in 0..planes {
        for y in 0..canvas.height {
            let dst_row = &mut out[(plane * canvas.height + y) * wide..][..wide];
            let (ra, rb) = (row_of(size_a, plane, y), row_of(size_b, plane, y));
            for (start, end) in [(0, narrow), (narrow, wide)] {
                let mut s = start;
                while s < end {
                    let e = end.min(s + CANVAS_RUN);
                    let xa = part(a, ra, size_a.width * per_pixel, s, e);
                    let xb = part(b, rb, size_b.width * per_pixel, s, e);
                    T::canvas_run(backend, w, &mut dst_row[s..e], xa, xb);
                    s = e;
                }
            }
        }
    }
}

/// Values `s..e` of an image row starting at `row` and `covered` values
/// wide, or `None` where the image does not reach.
fn part<T>(data: &[T], row: Option<usize>, covered: usize, s: usize, e: usize) -> Option<&[T]> {
    match row {
        Some(r) if e <= covered => Some(&data[r + s..r + e]),
        _ => None,
    }
}

/// Checks the sizes of a canvas blend and returns the canvas.
fn check_canvas(
    out: usize,
    a: usize,
    size_a: ImageSize,
    b: usize,
    size_b: ImageSize,
    channels: usize,
) -> Result<ImageSize> {
    if channels == 0 || a != size_a.elements(channels)? || b != size_b.elements(channels)? {
        return Err(Error::InvalidArgument);
    }
    let canvas = ImageSize::canvas(size_a, size_b);
    if out < canvas.elements(channels)? {
        return Err(Error::BufferTooSmall);
    }
    Ok(canvas)
}

impl Mixer {
    /// GluonCV's detection mixup of two images, f32 or u8: the canvas is
    /// `(max h, max w)`, and `out = w_self * pad(a) + w_partner * pad(b)`,
    /// where `pad` puts an image at the top left and zeros elsewhere (where
    /// only the first image covers the canvas, `w_self * a` alone, as
    /// GluonCV assigns it). Both images and the canvas share `layout` and
    /// `channels`. Returns the canvas size; `out` needs at least its
    /// elements. u8 images take the u8 arithmetic of
    /// [`mix_in_place`](Self::mix_in_place), rounding half to even and
    /// saturating (GluonCV and YOLOv5 truncate to u8, so they can differ by one).
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] for 0 channels, an image whose length is
    ///   not its size times `channels`, or `lam` outside `[0, 1]`.
    /// - [`Error::BufferTooSmall`] when `out` is shorter than the canvas.
    /// - [`Error::SizeOverflow`] when a size overflows.
    #[allow(clippy::too_many_arguments)]
    pub fn blend_canvas<T: Sample>(
        &self,
        out: &mut [T],
        a: &[T],
        size_a: ImageSize,
        b: &[T],
        size_b: ImageSize,
        channels: usize,
        layout: ChannelOrder,
        lam: f64,
    ) -> Result<ImageSize> {
        let w = Weights::from_lambda(lam)?;
        let canvas = check_canvas(out.len(), a.len(), size_a, b.len(), size_b, channels)?;
        canvas_rows(
            self.backend(),
            w,
            out,
            a,
            size_a,
            b,
            size_b,
            channels,
            layout,
        );
        Ok(canvas)
    }
}

/// The boxes of both images, each with the weight of its image: `(f32) lam`
/// for the first's, `(f32) (1 - lam)` for the second's, first's first.
/// With `drop_zero_weight`, the boxes of an image whose weight is 0 are
/// left out. Returns how many boxes were written.
///
/// ```
/// use mixup::{mix_boxes, WeightedBox};
/// let mut out = [WeightedBox::default(); 3];
/// let count = mix_boxes(&[[0.0, 0.0, 10.0, 20.0]], &[7], &[[5.0, 5.0, 6.0, 6.0], [1.0, 2.0, 3.0, 4.0]], &[1, 2], 0.25, false, &mut out).unwrap();
/// assert_eq!(count, 3);
/// assert_eq!((out[0].class_id, out[0].weight), (7, 0.25));
/// assert_eq!((out[2].class_id, out[2].weight), (2, 0.75));
/// ```
///
/// # Errors
/// - [`Error::InvalidArgument`] when a class list and its boxes differ in
///   length, a coordinate is not finite, `x2 < x1` or `y2 < y1`, or `lam`
///   is outside `[0, 1]`.
/// - [`Error::BufferTooSmall`] when `out` cannot hold the boxes kept.
pub fn mix_boxes(
    boxes_a: &[[f32; 4]],
    classes_a: &[i64],
    boxes_b: &[[f32; 4]],
    classes_b: &[i64],
    lam: f64,
    drop_zero_weight: bool,
    out: &mut [WeightedBox],
) -> Result<usize> {
    let w = Weights::from_lambda(lam)?;
    let valid = |b: &[f32; 4]| b.iter().all(|v| v.is_finite()) && b[2] >= b[0] && b[3] >= b[1];
    if boxes_a.len() != classes_a.len()
        || boxes_b.len() != classes_b.len()
        || !boxes_a.iter().chain(boxes_b).all(valid)
    {
        return Err(Error::InvalidArgument);
    }
    let keep = |weight: f32| !(drop_zero_weight && weight == 0.0);
    let sources = [
        (boxes_a, classes_a, w.w_self),
        (boxes_b, classes_b, w.w_partner),
    ];
    let count: usize = sources
        .iter()
        .filter(|s| keep(s.2))
        .map(|s| s.0.len())
        .sum();
    if out.len() < count {
        return Err(Error::BufferTooSmall);
    }
    let kept = sources.iter().filter(|s| keep(s.2));
    let boxes = kept.flat_map(|&(boxes, classes, weight)| {
        boxes
            .iter()
            .zip(classes)
            .map(move |(b, &class_id)| WeightedBox {
                x1: b[0],
                y1: b[1],
                x2: b[2],
                y2: b[3],
                class_id,
                weight,
            })
    });
    for (slot, b) in out.iter_mut().zip(boxes) {
        *slot = b;
    }
    Ok(count)
}

/// A batch of images of different sizes with their boxes, all in caller
/// buffers: image `i` is `sizes[i]` with `channels` channels in `layout`,
/// starting at element `image_offsets[i]` of `images`; its boxes are
/// `boxes[box_offsets[i]..box_offsets[i + 1]]` with the same range of
/// `classes`.
#[derive(Clone, Copy, Debug)]
pub struct DetectionBatch<'a, T> {
    /// Every image's elements.
    pub images: &'a [T],
    /// Where each image starts in `images` (`n` entries).
    pub image_offsets: &'a [usize],
    /// Each image's size (`n` entries).
    pub sizes: &'a [ImageSize],
    /// Every image's boxes, `(x1, y1, x2, y2)`.
    pub boxes: &'a [[f32; 4]],
    /// Prefix offsets into `boxes` (`n + 1` entries, non-decreasing).
    pub box_offsets: &'a [usize],
    /// One class id per box.
    pub classes: &'a [i64],
    /// Channels per pixel, at least 1.
    pub channels: usize,
    /// The layout of every image and canvas.
    pub layout: ChannelOrder,
}

/// Where [`Mixer::mix_detection`] writes: canvas `i` starts at element
/// `canvas_offsets[i]` of `canvases` and is `canvas_sizes[i]`; its boxes
/// are `boxes[box_offsets[i]..box_offsets[i + 1]]`.
#[derive(Debug)]
pub struct DetectionOutput<'a, T> {
    /// Every canvas, one after another.
    pub canvases: &'a mut [T],
    /// Where each canvas starts (`n` entries, written).
    pub canvas_offsets: &'a mut [usize],
    /// Each canvas's size (`n` entries, written).
    pub canvas_sizes: &'a mut [ImageSize],
    /// Every canvas's weighted boxes, one list after another.
    pub boxes: &'a mut [WeightedBox],
    /// Prefix offsets into `boxes` (`n + 1` entries, written).
    pub box_offsets: &'a mut [usize],
}

impl<T> DetectionBatch<'_, T> {
    /// Checks the batch's own consistency: every image and box range in
    /// bounds, every box valid.
    fn check(&self) -> Result<usize> {
        let n = self.sizes.len();
        let ranges_ok = self.image_offsets.len() == n
            && self.box_offsets.len() == n + 1
            && self.box_offsets.windows(2).all(|w| w[0] <= w[1])
            && self
                .box_offsets
                .last()
                .is_some_and(|&end| end <= self.boxes.len())
            && self.classes.len() == self.boxes.len()
            && self.channels != 0;
        if !ranges_ok {
            return Err(Error::InvalidArgument);
        }
        for (&offset, size) in self.image_offsets.iter().zip(self.sizes) {
            let end = offset
                .checked_add(size.elements(self.channels)?)
                .ok_or(Error::SizeOverflow)?;
            if end > self.images.len() {
                return Err(Error::InvalidArgument);
            }
        }
        let valid = |b: &[f32; 4]| b.iter().all(|v| v.is_finite()) && b[2] >= b[0] && b[3] >= b[1];
        if !self.boxes.iter().all(valid) {
            return Err(Error::InvalidArgument);
        }
        Ok(n)
    }

    fn image(&self, i: usize) -> &[T] {
        &self.images[self.image_offsets[i]..]
            [..self.sizes[i].height * self.sizes[i].width * self.channels]
    }

    fn box_range(&self, i: usize) -> core::ops::Range<usize> {
        self.box_offsets[i]..self.box_offsets[i + 1]
    }
}

/// The output a detection batch needs, `(canvas elements, boxes)` in all,
/// when sample `i` (of `sizes[i]`, with boxes
/// `box_offsets[i]..box_offsets[i + 1]`) is mixed with `partners[i]`.
///
/// # Errors
/// [`Error::InvalidArgument`] for 0 channels, `box_offsets` that are not
/// `n + 1` non-decreasing values, or `partners` that is not `n` long;
/// [`Error::IndexOutOfRange`]; [`Error::SizeOverflow`].
pub fn detection_output_sizes(
    sizes: &[ImageSize],
    box_offsets: &[usize],
    partners: &[u32],
    channels: usize,
) -> Result<(usize, usize)> {
    let n = sizes.len();
    let offsets_ok = box_offsets.len() == n + 1 && box_offsets.windows(2).all(|w| w[0] <= w[1]);
    if channels == 0 || !offsets_ok || partners.len() != n {
        return Err(Error::InvalidArgument);
    }
    crate::pairing::check_in_range(partners, n)?;
    let count = |k: usize| box_offsets[k + 1] - box_offsets[k];
    let (mut elements, mut boxes) = (0usize, 0usize);
    for (i, &p) in partners.iter().enumerate() {
        let p = p as usize;
        let canvas = ImageSize::canvas(sizes[i], sizes[p]);
        elements = elements
            .checked_add(canvas.elements(channels)?)
            .ok_or(Error::SizeOverflow)?;
        boxes = count(i)
            .checked_add(count(p))
            .and_then(|both| boxes.checked_add(both))
            .ok_or(Error::SizeOverflow)?;
    }
    Ok((elements, boxes))
}

impl Mixer {
    /// Detection mixup over a batch: canvas `i` blends image `i` (weight
    /// `lam_i`) with image `partners[i]` (weight `1 - lam_i`) as
    /// [`blend_canvas`](Self::blend_canvas) does, and its boxes are both
    /// images' boxes, as [`mix_boxes`] gives them (all kept). `lambdas` has
    /// one value for the batch or one per sample; draw them from
    /// `Beta::symmetric(32.0)` as YOLOv5 does, or `1.5` as GluonCV. Images
    /// are f32 or u8.
    ///
    /// # Errors
    /// Those of [`detection_output_sizes`]; [`Error::InvalidArgument`] for
    /// bad lambdas or output index lists of the wrong length;
    /// [`Error::BufferTooSmall`] when `out.canvases` or `out.boxes` is
    /// shorter than [`detection_output_sizes`] says.
    pub fn mix_detection<T: Sample>(
        &self,
        batch: &DetectionBatch<'_, T>,
        partners: &[u32],
        lambdas: &[f64],
        out: DetectionOutput<'_, T>,
    ) -> Result<()> {
        batch.check()?;
        let (elements, boxes) =
            detection_output_sizes(batch.sizes, batch.box_offsets, partners, batch.channels)?;
        let n = partners.len();
        let plan = Plan::new(partners, lambdas);
        plan.check()?;
        if out.canvas_offsets.len() != n
            || out.canvas_sizes.len() != n
            || out.box_offsets.len() != n + 1
        {
            return Err(Error::InvalidArgument);
        }
        if out.canvases.len() < elements || out.boxes.len() < boxes {
            return Err(Error::BufferTooSmall);
        }
        let backend = self.backend();
        let (mut at, mut box_at) = (0usize, 0usize);
        out.box_offsets[0] = 0;
        for (i, &p) in partners.iter().enumerate() {
            let p = p as usize;
            let (sa, sb) = (batch.sizes[i], batch.sizes[p]);
            let canvas = ImageSize::canvas(sa, sb);
            let len = canvas.height * canvas.width * batch.channels;
            let dst = &mut out.canvases[at..at + len];
            let (a, b) = (batch.image(i), batch.image(p));
            let w = plan.weights(i);
            canvas_rows(backend, w, dst, a, sa, b, sb, batch.channels, batch.layout);
            out.canvas_offsets[i] = at;
            out.canvas_sizes[i] = canvas;
            at += len;
            let (ra, rb) = (batch.box_range(i), batch.box_range(p));
            let kept = ra.len() + rb.len();
            let lam = plan.lambda(i);
            mix_boxes(
                &batch.boxes[ra.clone()],
                &batch.classes[ra],
                &batch.boxes[rb.clone()],
                &batch.classes[rb],
                lam,
                false,
                &mut out.boxes[box_at..box_at + kept],
            )?;
            box_at += kept;
            out.box_offsets[i + 1] = box_at;
        }
        Ok(())
    }
}
