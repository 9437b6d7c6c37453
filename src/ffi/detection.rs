//! Detection mixup: padded canvases and weighted boxes, pair by pair or
//! over a batch of variable-size images.

use super::*;

/// One box of a detection mixup (`WeightedBox`): corners, class and loss weight.
pub type mixup_weighted_box = WeightedBox;

/// The canvas of a detection mixup, `(max(h1, h2), max(w1, w2))`.
///
/// # Safety
/// `height_out` and `width_out` must be NULL or valid and writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_canvas_size(
    h1: usize,
    w1: usize,
    h2: usize,
    w2: usize,
    height_out: *mut usize,
    width_out: *mut usize,
) -> mixup_status {
    status_of((|| {
        let (h, w) = (Buf::one(height_out)?, Buf::one(width_out)?);
        disjoint(&[h.region(), w.region()])?;
        let canvas = ImageSize::canvas(
            ImageSize {
                height: h1,
                width: w1,
            },
            ImageSize {
                height: h2,
                width: w2,
            },
        );
        // SAFETY: checked, disjoint; writable by the caller's promise.
        let (h, w) = unsafe { (h.slice_mut(), w.slice_mut()) };
        (h[0], w[0]) = (canvas.height, canvas.width);
        Ok(())
    })())
}

/// The checks and the call of a canvas blend, for any sample type.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn canvas_call<T: Sample>(
    a: *const T,
    size_a: ImageSize,
    b: *const T,
    size_b: ImageSize,
    channels: usize,
    layout: u32,
    out: *mut T,
    out_len: usize,
    lam: f64,
) -> Result<()> {
    let layout = layout_of(layout)?;
    if channels == 0 {
        return Err(Error::InvalidArgument);
    }
    let a = Buf::new(a, size_a.elements(channels)?)?;
    let b = Buf::new(b, size_b.elements(channels)?)?;
    let needed = ImageSize::canvas(size_a, size_b).elements(channels)?;
    let out = Buf::new(out, out_len)?.first(needed)?;
    disjoint(&[out.region(), a.region()])?;
    disjoint(&[out.region(), b.region()])?;
    // SAFETY: checked; `out` is disjoint from both inputs; valid by the caller's promise.
    let (o, x, y) = unsafe { (out.slice_mut(), a.slice(), b.slice()) };
    let canvas = Mixer::new().blend_canvas(o, x, size_a, y, size_b, channels, layout, lam);
    canvas.map(|_| ())
}

/// Detection mixup of two f32 images (GluonCV's construction): `a` is
/// `h1 x w1`, `b` is `h2 x w2`, both with `channels` channels in `layout`
/// (a `mixup_layout`); `out` (the canvas, `mixup_canvas_size`, same
/// layout) gets `(float) lam * pad(a) + (float) (1 - lam) * pad(b)`, where
/// `pad` puts an image at the top left and zeros elsewhere.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_blend_canvas_f32(
    a: *const f32,
    h1: usize,
    w1: usize,
    b: *const f32,
    h2: usize,
    w2: usize,
    channels: usize,
    layout: u32,
    lam: f64,
    out: *mut f32,
    out_len: usize,
) -> mixup_status {
    let (sa, sb) = (
        ImageSize {
            height: h1,
            width: w1,
        },
        ImageSize {
            height: h2,
            width: w2,
        },
    );
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { canvas_call(a, sa, b, sb, channels, layout, out, out_len, lam) })
}

/// `mixup_blend_canvas_f32` for u8 images, rounding half to even and
/// saturating (GluonCV and YOLOv5 truncate, so they can differ by one).
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_blend_canvas_u8(
    a: *const u8,
    h1: usize,
    w1: usize,
    b: *const u8,
    h2: usize,
    w2: usize,
    channels: usize,
    layout: u32,
    lam: f64,
    out: *mut u8,
    out_len: usize,
) -> mixup_status {
    let (sa, sb) = (
        ImageSize {
            height: h1,
            width: w1,
        },
        ImageSize {
            height: h2,
            width: w2,
        },
    );
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe { canvas_call(a, sa, b, sb, channels, layout, out, out_len, lam) })
}

/// The boxes of both images of a detection mixup: `boxes_a` holds `n1`
/// boxes of 4 floats `(x1, y1, x2, y2)` with `classes_a`, likewise `b`.
/// `out` gets the first image's boxes with weight `(float) lam`, then the
/// second's with `(float) (1 - lam)`; with `drop_zero_weight` non-zero, the
/// boxes of an image whose weight is 0 are left out. `*count_out` gets the
/// number written. A non-finite coordinate, `x2 < x1` or `y2 < y1` is
/// `MIXUP_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `count_out` must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_mix_boxes(
    boxes_a: *const f32,
    classes_a: *const i64,
    n1: usize,
    boxes_b: *const f32,
    classes_b: *const i64,
    n2: usize,
    lam: f64,
    drop_zero_weight: c_int,
    out: *mut mixup_weighted_box,
    out_len: usize,
    count_out: *mut usize,
) -> mixup_status {
    status_of((|| {
        let ba = Buf::new(boxes_a.cast::<[f32; 4]>(), n1)?;
        let ca = Buf::new(classes_a, n1)?;
        let bb = Buf::new(boxes_b.cast::<[f32; 4]>(), n2)?;
        let cb = Buf::new(classes_b, n2)?;
        let out = Buf::new(out, out_len)?;
        let count = Buf::one(count_out)?;
        for input in [ba.region(), ca.region(), bb.region(), cb.region()] {
            disjoint(&[out.region(), count.region(), input])?;
        }
        disjoint(&[out.region(), count.region()])?;
        // SAFETY: checked; the outputs are disjoint from every input and
        // each other; `[f32; 4]` has the layout of 4 floats, and
        let (o, c, xa, ya, xb, yb) = unsafe {
            (
                out.slice_mut(),
                count.slice_mut(),
                ba.slice(),
                ca.slice(),
                bb.slice(),
                cb.slice(),
            )
        };
        c[0] = mix_boxes(xa, ya, xb, yb, lam, drop_zero_weight != 0, o)?;
        Ok(())
    })())
}

/// An image size in pixels (`ImageSize`), for the detection calls.
pub type mixup_size = ImageSize;

/// The output a detection batch needs: `*elements_out` canvas elements and
/// `*boxes_out` boxes in all, when image `i` (`sizes[i]`, with boxes
/// `box_offsets[i]..box_offsets[i + 1]`) is mixed with `partners[i]`.
/// `box_offsets` has `n + 1` non-decreasing entries.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length; the
/// two out-pointers must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_detection_sizes(
    sizes: *const mixup_size,
    n: usize,
    box_offsets: *const usize,
    box_offsets_len: usize,
    partners: *const u32,
    partners_len: usize,
    channels: usize,
    elements_out: *mut usize,
    boxes_out: *mut usize,
) -> mixup_status {
    status_of((|| {
        let sizes = Buf::new(sizes, n)?;
        let offsets = Buf::new(box_offsets, box_offsets_len)?;
        let partners = Buf::new(partners, partners_len)?;
        let (e, b) = (Buf::one(elements_out)?, Buf::one(boxes_out)?);
        for input in [sizes.region(), offsets.region(), partners.region()] {
            disjoint(&[e.region(), b.region(), input])?;
        }
        // SAFETY: checked and disjoint; valid by the caller's promise.
        let (s, o, p) = unsafe { (sizes.slice(), offsets.slice(), partners.slice()) };
        let (elements, boxes) = detection_output_sizes(s, o, p, channels)?;
        // SAFETY: as above.
        let (e, b) = unsafe { (e.slice_mut(), b.slice_mut()) };
        (e[0], b[0]) = (elements, boxes);
        Ok(())
    })())
}

/// The caller buffers of a detection batch call, checked.
pub(crate) struct DetectionBufs<T> {
    images: Buf<T>,
    image_offsets: Buf<usize>,
    sizes: Buf<ImageSize>,
    boxes: Buf<[f32; 4]>,
    classes: Buf<i64>,
    box_offsets: Buf<usize>,
    partners: Buf<u32>,
    lam: Buf<f64>,
    canvases: Buf<T>,
    canvas_offsets: Buf<usize>,
    canvas_sizes: Buf<ImageSize>,
    out_boxes: Buf<WeightedBox>,
    out_box_offsets: Buf<usize>,
}

impl<T> DetectionBufs<T> {
    /// Checks that the outputs are pairwise disjoint and disjoint from the inputs.
    fn check_disjoint(&self) -> Result<()> {
        let outputs = [
            self.canvases.region(),
            self.canvas_offsets.region(),
            self.canvas_sizes.region(),
            self.out_boxes.region(),
            self.out_box_offsets.region(),
        ];
        disjoint(&outputs)?;
        let inputs = [
            self.images.region(),
            self.image_offsets.region(),
            self.sizes.region(),
            self.boxes.region(),
            self.classes.region(),
            self.box_offsets.region(),
            self.partners.region(),
            self.lam.region(),
        ];
        for output in outputs {
            for input in inputs {
                disjoint(&[output, input])?;
            }
        }
        Ok(())
    }

    /// The Rust views of the buffers.
    ///
    /// # Safety
    /// The buffers must be valid and [`check_disjoint`](Self::check_disjoint) must have passed.
    #[allow(clippy::type_complexity)]
    unsafe fn views<'a>(
        &self,
        channels: usize,
        layout: Layout,
    ) -> (
        DetectionBatch<'a, T>,
        &'a [u32],
        &'a [f64],
        DetectionOutput<'a, T>,
    ) {
        // SAFETY: the caller's promise.
        unsafe {
            (
                DetectionBatch {
                    images: self.images.slice(),
                    image_offsets: self.image_offsets.slice(),
                    sizes: self.sizes.slice(),
                    boxes: self.boxes.slice(),
                    box_offsets: self.box_offsets.slice(),
                    classes: self.classes.slice(),
                    channels,
                    layout,
                },
                self.partners.slice(),
                self.lam.slice(),
                DetectionOutput {
                    canvases: self.canvases.slice_mut(),
                    canvas_offsets: self.canvas_offsets.slice_mut(),
                    canvas_sizes: self.canvas_sizes.slice_mut(),
                    boxes: self.out_boxes.slice_mut(),
                    box_offsets: self.out_box_offsets.slice_mut(),
                },
            )
        }
    }
}

/// Checks the arguments of a detection batch call and runs `mix` on them.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn detection_call<T: Sample>(
    images: *const T,
    images_len: usize,
    image_offsets: *const usize,
    sizes: *const mixup_size,
    n: usize,
    boxes: *const f32,
    classes: *const i64,
    num_boxes: usize,
    box_offsets: *const usize,
    channels: usize,
    layout: u32,
    partners: *const u32,
    lam: *const f64,
    lam_len: usize,
    canvases: *mut T,
    canvases_len: usize,
    canvas_offsets: *mut usize,
    canvas_sizes: *mut mixup_size,
    out_boxes: *mut mixup_weighted_box,
    out_boxes_len: usize,
    out_box_offsets: *mut usize,
) -> Result<()> {
    let layout = layout_of(layout)?;
    let n_plus_1 = n.checked_add(1).ok_or(Error::SizeOverflow)?;
    let bufs = DetectionBufs {
        images: Buf::new(images, images_len)?,
        image_offsets: Buf::new(image_offsets, n)?,
        sizes: Buf::new(sizes, n)?,
        boxes: Buf::new(boxes.cast::<[f32; 4]>(), num_boxes)?,
        classes: Buf::new(classes, num_boxes)?,
        box_offsets: Buf::new(box_offsets, n_plus_1)?,
        partners: Buf::new(partners, n)?,
        lam: lambdas(lam, lam_len, n)?,
        canvases: Buf::new(canvases, canvases_len)?,
        canvas_offsets: Buf::new(canvas_offsets, n)?,
        canvas_sizes: Buf::new(canvas_sizes, n)?,
        out_boxes: Buf::new(out_boxes, out_boxes_len)?,
        out_box_offsets: Buf::new(out_box_offsets, n_plus_1)?,
    };
    bufs.check_disjoint()?;
    // SAFETY: every buffer checked, outputs disjoint from each other and
    // from the inputs; the C structs share the Rust types' repr(C) layouts.
    let (batch, p, l, out) = unsafe { bufs.views(channels, layout) };
    Mixer::new().mix_detection(&batch, p, l, out)
}

/// Detection mixup over a batch of f32 images of different sizes: image
/// `i` (`sizes[i]`, `channels` channels in `layout`, starting at element
/// `image_offsets[i]` of `images`; boxes `box_offsets[i]..box_offsets[i+1]`
/// of `boxes` (4 floats each) and `classes`) is mixed with image
/// `partners[i]` with weight `lam_i` (`lam` has 1 or `n` values). Canvas
/// `i` goes to `canvases` at `canvas_offsets[i]`, of size
/// `canvas_sizes[i]`; its boxes to `out_boxes`
/// `[out_box_offsets[i]..out_box_offsets[i+1]]`. Size the outputs with
/// `mixup_detection_sizes`. Draw lambdas with `mixup_beta(rng, 32, 32)` as
/// YOLOv5 does, or 1.5 as GluonCV.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length:
/// `image_offsets`, `sizes`, `partners`, `canvas_offsets` and
/// `canvas_sizes` for `n` entries, `box_offsets` and `out_box_offsets` for
/// `n + 1`, `boxes` for `4 * num_boxes` floats.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_mix_detection_f32(
    images: *const f32,
    images_len: usize,
    image_offsets: *const usize,
    sizes: *const mixup_size,
    n: usize,
    boxes: *const f32,
    classes: *const i64,
    num_boxes: usize,
    box_offsets: *const usize,
    channels: usize,
    layout: u32,
    partners: *const u32,
    lam: *const f64,
    lam_len: usize,
    canvases: *mut f32,
    canvases_len: usize,
    canvas_offsets: *mut usize,
    canvas_sizes: *mut mixup_size,
    out_boxes: *mut mixup_weighted_box,
    out_boxes_len: usize,
    out_box_offsets: *mut usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe {
        detection_call(
            images,
            images_len,
            image_offsets,
            sizes,
            n,
            boxes,
            classes,
            num_boxes,
            box_offsets,
            channels,
            layout,
            partners,
            lam,
            lam_len,
            canvases,
            canvases_len,
            canvas_offsets,
            canvas_sizes,
            out_boxes,
            out_boxes_len,
            out_box_offsets,
        )
    })
}

/// `mixup_mix_detection_f32` for u8 images, rounding half to even and
/// saturating.
///
/// # Safety
/// As `mixup_mix_detection_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_mix_detection_u8(
    images: *const u8,
    images_len: usize,
    image_offsets: *const usize,
    sizes: *const mixup_size,
    n: usize,
    boxes: *const f32,
    classes: *const i64,
    num_boxes: usize,
    box_offsets: *const usize,
    channels: usize,
    layout: u32,
    partners: *const u32,
    lam: *const f64,
    lam_len: usize,
    canvases: *mut u8,
    canvases_len: usize,
    canvas_offsets: *mut usize,
    canvas_sizes: *mut mixup_size,
    out_boxes: *mut mixup_weighted_box,
    out_boxes_len: usize,
    out_box_offsets: *mut usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe {
        detection_call(
            images,
            images_len,
            image_offsets,
            sizes,
            n,
            boxes,
            classes,
            num_boxes,
            box_offsets,
            channels,
            layout,
            partners,
            lam,
            lam_len,
            canvases,
            canvases_len,
            canvas_offsets,
            canvas_sizes,
            out_boxes,
            out_boxes_len,
            out_box_offsets,
        )
    })
}
