//! Detection mixup (Bag of Freebies; GluonCV's `MixupDetection`): two
//! images of different sizes blended on one zero-padded canvas, and the
//! boxes of both kept, weighted by the share of the image they came from.

use crate::error::{Error, Result};
use crate::image::Layout;
use crate::kernel::{self, Weights};
use crate::mixer::Mixer;

/// The height and width of an image, in pixels.
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
    pub class: i64,
    /// `(f32) lam` for the first image's boxes, `(f32) (1 - lam)` for the second's.
    pub weight: f32,
}

/// Zeros standing in for the part of the canvas an image does not cover.
const ZERO_RUN: usize = 1024;
static ZEROS_F32: [f32; ZERO_RUN] = [0.0; ZERO_RUN];
static ZEROS_U8: [u8; ZERO_RUN] = [0; ZERO_RUN];

/// Blends `pad(a)` and `pad(b)` onto `out`, row by row, with `blend` on
/// runs of equal length; `zeros` stands in for uncovered parts.
#[allow(clippy::too_many_arguments)]
fn canvas_rows<T: Copy>(
    out: &mut [T],
    a: &[T],
    size_a: ImageSize,
    b: &[T],
    size_b: ImageSize,
    channels: usize,
    layout: Layout,
    zeros: &[T],
    mut blend: impl FnMut(&mut [T], &[T], &[T]),
) {
    let canvas = ImageSize::canvas(size_a, size_b);
    // (planes, values per pixel in a row)
    let (planes, per_pixel) = match layout {
        Layout::Hwc => (1, channels),
        Layout::Chw => (channels, 1),
    };
    // where row `y` of `plane` starts in an image, if the image has it
    let row_of = |size: ImageSize, plane: usize, y: usize| -> Option<usize> {
        (y < size.height).then(|| (plane * size.height + y) * size.width * per_pixel)
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
                    let e = end.min(s + zeros.len());
                    let xa = part(a, zeros, ra, size_a.width * per_pixel, s, e);
                    let xb = part(b, zeros, rb, size_b.width * per_pixel, s, e);
                    blend(&mut dst_row[s..e], xa, xb);
                    s = e;
                }
            }
        }
    }
}

/// Values `s..e` of an image row starting at `row` and `covered` values
/// wide, or zeros where the image does not reach.
fn part<'d, T>(
    data: &'d [T],
    zeros: &'d [T],
    row: Option<usize>,
    covered: usize,
    s: usize,
    e: usize,
) -> &'d [T] {
    match row {
        Some(r) if e <= covered => &data[r + s..r + e],
        _ => &zeros[..e - s],
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
    /// GluonCV's detection mixup of two f32 images: the canvas is
    /// `(max h, max w)`, and `out = w_self * pad(a) + w_partner * pad(b)`,
    /// where `pad` puts an image at the top left and zeros elsewhere. Both
    /// images and the canvas share `layout` and `channels`. Returns the
    /// canvas size; `out` needs at least its elements.
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] for 0 channels, an image whose length is
    ///   not its size times `channels`, or `lam` outside `[0, 1]`.
    /// - [`Error::BufferTooSmall`] when `out` is shorter than the canvas.
    /// - [`Error::SizeOverflow`] when a size overflows.
    #[allow(clippy::too_many_arguments)]
    pub fn blend_canvas(
        &self,
        out: &mut [f32],
        a: &[f32],
        size_a: ImageSize,
        b: &[f32],
        size_b: ImageSize,
        channels: usize,
        layout: Layout,
        lam: f64,
    ) -> Result<ImageSize> {
        let w = Weights::from_lambda(lam)?;
        let canvas = check_canvas(out.len(), a.len(), size_a, b.len(), size_b, channels)?;
        let backend = self.backend();
        canvas_rows(
            out,
            a,
            size_a,
            b,
            size_b,
            channels,
            layout,
            &ZEROS_F32,
            |o, x, y| kernel::blend(backend, w, o, x, y),
        );
        Ok(canvas)
    }

    /// [`blend_canvas`](Self::blend_canvas) for u8 images, with the u8
    /// arithmetic of [`mix_u8_in_place`](Self::mix_u8_in_place): rounding
    /// half to even and saturating. (GluonCV and YOLOv5 truncate to u8
    /// instead, so they can differ by one.)
    ///
    /// # Errors
    /// As [`blend_canvas`](Self::blend_canvas).
    #[allow(clippy::too_many_arguments)]
    pub fn blend_canvas_u8(
        &self,
        out: &mut [u8],
        a: &[u8],
        size_a: ImageSize,
        b: &[u8],
        size_b: ImageSize,
        channels: usize,
        layout: Layout,
        lam: f64,
    ) -> Result<ImageSize> {
        let w = Weights::from_lambda(lam)?;
        let canvas = check_canvas(out.len(), a.len(), size_a, b.len(), size_b, channels)?;
        let backend = self.backend();
        canvas_rows(
            out,
            a,
            size_a,
            b,
            size_b,
            channels,
            layout,
            &ZEROS_U8,
            |o, x, y| kernel::blend_u8(backend, w, o, x, y),
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
/// assert_eq!((out[0].class, out[0].weight), (7, 0.25));
/// assert_eq!((out[2].class, out[2].weight), (2, 0.75));
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
            .map(move |(b, &class)| WeightedBox {
                x1: b[0],
                y1: b[1],
                x2: b[2],
                y2: b[3],
                class,
                weight,
            })
    });
    for (slot, b) in out.iter_mut().zip(boxes) {
        *slot = b;
    }
    Ok(count)
}
