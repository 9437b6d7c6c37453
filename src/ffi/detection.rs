//! Detection mixup: padded canvases and weighted boxes, pair by pair or
//! over a batch of variable-size images.

use super::*;

/// One box of a detection mixup (`WeightedBox`): corners, class and loss weight.
pub type mixup_weighted_box = WeightedBox;

/// The two image sizes of a pair call.
fn pair_sizes(h1: usize, w1: usize, h2: usize, w2: usize) -> (ImageSize, ImageSize) {
    let size = |height, width| ImageSize { height, width };
    (size(h1, w1), size(h2, w2))
}

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
        let (sa, sb) = pair_sizes(h1, w1, h2, w2);
        let canvas = ImageSize::canvas(sa, sb);
        // SAFETY: checked, disjoint; writable by the caller's promise.
        let (h, w) = unsafe { (h.slice_mut(), w.slice_mut()) };
        (h[0], w[0]) = (canvas.height, canvas.width);
        Ok(())
    })())
}

/// The checks and the call of a canvas blend, for either sample type.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[allow(clippy::too_many_arguments)]
unsafe fn canvas_call<T: Sample>(
    a: *const T,
    h1: usize,
    w1: usize,
    b: *const T,
    h2: usize,
    w2: usize,
    channels: usize,
    layout: u32,
    lam: f64,
    out: *mut T,
    out_len: usize,
) -> mixup_status {
    status_of((|| {
        let (size_a, size_b) = pair_sizes(h1, w1, h2, w2);
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
    })())
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
    // SAFETY: the caller's promises, passed on.
    unsafe { canvas_call(a, h1, w1, b, h2, w2, channels, layout, lam, out, out_len) }
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
    // SAFETY: the caller's promises, passed on.
    unsafe { canvas_call(a, h1, w1, b, h2, w2, channels, layout, lam, out, out_len) }
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

/// Everything about a detection batch but its pixels: the images' sizes
/// and where they start, their boxes and classes, the channels and the
/// layout. Start from `mixup_detection_layout_default()`. It grows like
/// `mixup_config`: by fields at the end, read only as far as `struct_size`
/// covers.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct mixup_detection_layout {
    /// `sizeof(mixup_detection_layout)` as the caller was built, set by
    /// `mixup_detection_layout_default()`.
    pub struct_size: usize,
    /// Images in the batch.
    pub n: usize,
    /// Each image's size (`n` entries).
    pub sizes: *const ImageSize,
    /// Where each image starts in the pixel buffer, in elements (`n` entries).
    pub image_offsets: *const usize,
    /// Every image's boxes, `(x1, y1, x2, y2)`: `4 * num_boxes` floats.
    pub boxes: *const f32,
    /// One class id per box (`num_boxes` entries).
    pub classes: *const i64,
    /// Boxes in all.
    pub num_boxes: usize,
    /// Image `i` has boxes `box_offsets[i]..box_offsets[i + 1]` (`n + 1`
    /// non-decreasing entries).
    pub box_offsets: *const usize,
    /// Channels per pixel, at least 1.
    pub channels: usize,
    /// A `mixup_layout` value, for every image and canvas.
    pub layout: u32,
    /// 0; room for a later field.
    pub reserved: u32,
}

/// An empty batch of 3-channel HWC images.
#[unsafe(no_mangle)]
pub extern "C" fn mixup_detection_layout_default() -> mixup_detection_layout {
    mixup_detection_layout {
        struct_size: size_of::<mixup_detection_layout>(),
        n: 0,
        sizes: core::ptr::null(),
        image_offsets: core::ptr::null(),
        boxes: core::ptr::null(),
        classes: core::ptr::null(),
        num_boxes: 0,
        box_offsets: core::ptr::null(),
        channels: 3,
        layout: mixup_layout::Hwc as u32,
        reserved: 0,
    }
}

/// Where a detection batch call writes, besides the canvases: canvas `i`
/// starts at element `canvas_offsets[i]` and is `canvas_sizes[i]`; its
/// boxes are `boxes[box_offsets[i]..box_offsets[i + 1]]`. Start from
/// `mixup_detection_outputs_default()`; it grows like `mixup_config`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct mixup_detection_outputs {
    /// `sizeof(mixup_detection_outputs)` as the caller was built, set by
    /// `mixup_detection_outputs_default()`.
    pub struct_size: usize,
    /// Where each canvas starts (`n` entries).
    pub canvas_offsets: *mut usize,
    /// Each canvas's size (`n` entries).
    pub canvas_sizes: *mut ImageSize,
    /// Every canvas's weighted boxes, one list after another.
    pub boxes: *mut WeightedBox,
    /// Room at `boxes`, as `mixup_detection_sizes` gives it.
    pub boxes_len: usize,
    /// Prefix offsets into `boxes` (`n + 1` entries).
    pub box_offsets: *mut usize,
}

/// Outputs with every pointer NULL: set all of them before a call.
#[unsafe(no_mangle)]
pub extern "C" fn mixup_detection_outputs_default() -> mixup_detection_outputs {
    mixup_detection_outputs {
        struct_size: size_of::<mixup_detection_outputs>(),
        canvas_offsets: core::ptr::null_mut(),
        canvas_sizes: core::ptr::null_mut(),
        boxes: core::ptr::null_mut(),
        boxes_len: 0,
        box_offsets: core::ptr::null_mut(),
    }
}

/// The checked inputs of a detection layout, besides the pixels.
struct LayoutBufs {
    sizes: Buf<ImageSize>,
    image_offsets: Buf<usize>,
    boxes: Buf<[f32; 4]>,
    classes: Buf<i64>,
    box_offsets: Buf<usize>,
    channels: usize,
    layout: ChannelOrder,
    /// The bytes of the struct itself.
    region: (usize, usize),
}

impl LayoutBufs {
    /// Reads and checks a `mixup_detection_layout`.
    ///
    /// # Safety
    /// `layout` must be NULL or valid for its stated size, and its pointers
    /// NULL (with length 0) or valid for their lengths.
    unsafe fn new(layout: *const mixup_detection_layout) -> Result<LayoutBufs> {
        // SAFETY: the caller's promise; plain numbers and raw pointers, only read.
        let (raw, region) = unsafe { read_sized(layout, mixup_detection_layout_default())? };
        let n_plus_1 = raw.n.checked_add(1).ok_or(Error::SizeOverflow)?;
        Ok(LayoutBufs {
            sizes: Buf::new(raw.sizes, raw.n)?,
            image_offsets: Buf::new(raw.image_offsets, raw.n)?,
            boxes: Buf::new(raw.boxes.cast::<[f32; 4]>(), raw.num_boxes)?,
            classes: Buf::new(raw.classes, raw.num_boxes)?,
            box_offsets: Buf::new(raw.box_offsets, n_plus_1)?,
            channels: raw.channels,
            layout: layout_of(raw.layout)?,
            region,
        })
    }

    fn regions(&self) -> [(usize, usize); 6] {
        [
            self.sizes.region(),
            self.image_offsets.region(),
            self.boxes.region(),
            self.classes.region(),
            self.box_offsets.region(),
            self.region,
        ]
    }
}

/// The output a detection batch needs: `*elements_out` canvas elements and
/// `*boxes_out` boxes in all, when image `i` of `layout` is mixed with
/// `partners[i]` (`n` entries). Only the sizes, box offsets and channels of
/// `layout` are read.
///
/// # Safety
/// `layout` must be valid, its pointers and `partners` NULL (with length
/// 0) or valid for their lengths; the two out-pointers must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_detection_sizes(
    layout: *const mixup_detection_layout,
    partners: *const u32,
    partners_len: usize,
    elements_out: *mut usize,
    boxes_out: *mut usize,
) -> mixup_status {
    status_of((|| {
        // SAFETY: the caller's promise; plain numbers and raw pointers, only read.
        let (raw, region) = unsafe { read_sized(layout, mixup_detection_layout_default())? };
        let sizes = Buf::new(raw.sizes, raw.n)?;
        let n_plus_1 = raw.n.checked_add(1).ok_or(Error::SizeOverflow)?;
        let box_offsets = Buf::new(raw.box_offsets, n_plus_1)?;
        let partners = Buf::new(partners, partners_len)?.first(raw.n)?;
        let (e, b) = (Buf::one(elements_out)?, Buf::one(boxes_out)?);
        disjoint(&[e.region(), b.region()])?;
        for input in [
            sizes.region(),
            box_offsets.region(),
            partners.region(),
            region,
        ] {
            disjoint(&[e.region(), b.region(), input])?;
        }
        // SAFETY: checked and disjoint; valid by the caller's promise.
        let (s, o, p) = unsafe { (sizes.slice(), box_offsets.slice(), partners.slice()) };
        let (elements, boxes) = detection_output_sizes(s, o, p, raw.channels)?;
        // SAFETY: as above.
        let (e, b) = unsafe { (e.slice_mut(), b.slice_mut()) };
        (e[0], b[0]) = (elements, boxes);
        Ok(())
    })())
}

/// Checks the arguments of a detection batch call, then mixes.
///
/// # Safety
/// As `mixup_mix_detection_f32`.
#[allow(clippy::too_many_arguments)]
unsafe fn detection_call<T: Sample>(
    images: *const T,
    images_len: usize,
    layout: *const mixup_detection_layout,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    canvases: *mut T,
    canvases_len: usize,
    outputs: *const mixup_detection_outputs,
) -> Result<()> {
    // SAFETY: the caller's promises.
    let input = unsafe { LayoutBufs::new(layout)? };
    // SAFETY: as above.
    let (out, out_region) = unsafe { read_sized(outputs, mixup_detection_outputs_default())? };
    let n = input.sizes.len;
    let images = Buf::new(images, images_len)?;
    let partners = Buf::new(partners, partners_len)?.first(n)?;
    let lam = lambdas(lam, lam_len, n)?;
    let canvases = Buf::new(canvases, canvases_len)?;
    let canvas_offsets = Buf::new(out.canvas_offsets, n)?;
    let canvas_sizes = Buf::new(out.canvas_sizes, n)?;
    let out_boxes = Buf::new(out.boxes, out.boxes_len)?;
    let out_box_offsets = Buf::new(out.box_offsets, input.box_offsets.len)?;
    let written = [
        canvases.region(),
        canvas_offsets.region(),
        canvas_sizes.region(),
        out_boxes.region(),
        out_box_offsets.region(),
    ];
    disjoint(&written)?;
    let read = [images.region(), partners.region(), lam.region(), out_region];
    for w in written {
        for r in input.regions().into_iter().chain(read) {
            disjoint(&[w, r])?;
        }
    }
    // SAFETY: every buffer checked; the outputs are disjoint from each
    // other and from every input; valid by the caller's promise.
    let (batch, p, l, output) = unsafe {
        (
            DetectionBatch {
                images: images.slice(),
                image_offsets: input.image_offsets.slice(),
                sizes: input.sizes.slice(),
                boxes: input.boxes.slice(),
                box_offsets: input.box_offsets.slice(),
                classes: input.classes.slice(),
                channels: input.channels,
                layout: input.layout,
            },
            partners.slice(),
            lam.slice(),
            DetectionOutput {
                canvases: canvases.slice_mut(),
                canvas_offsets: canvas_offsets.slice_mut(),
                canvas_sizes: canvas_sizes.slice_mut(),
                boxes: out_boxes.slice_mut(),
                box_offsets: out_box_offsets.slice_mut(),
            },
        )
    };
    Mixer::new().mix_detection(&batch, p, l, output)
}

/// Detection mixup over a batch of f32 images of different sizes: image
/// `i` of `layout` (starting at element `image_offsets[i]` of `images`)
/// is mixed with image `partners[i]` (`n` entries) with weight `lam_i`
/// (`lam` has 1 or `n` values), as `mixup_blend_canvas_f32` does, and its
/// boxes are both images' boxes, weighted. Canvas `i` goes to `canvases`
/// where `outputs` says. Size `canvases` and `outputs->boxes` with
/// `mixup_detection_sizes`. Draw lambdas with `mixup_beta(rng, 32, 32)` as
/// YOLOv5 does, or 1.5 as GluonCV.
///
/// # Safety
/// `layout` and `outputs` must be valid for their stated sizes; every
/// pointer, theirs too, NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_mix_detection_f32(
    images: *const f32,
    images_len: usize,
    layout: *const mixup_detection_layout,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    canvases: *mut f32,
    canvases_len: usize,
    outputs: *const mixup_detection_outputs,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe {
        detection_call(
            images,
            images_len,
            layout,
            partners,
            partners_len,
            lam,
            lam_len,
            canvases,
            canvases_len,
            outputs,
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
    layout: *const mixup_detection_layout,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    canvases: *mut u8,
    canvases_len: usize,
    outputs: *const mixup_detection_outputs,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status_of(unsafe {
        detection_call(
            images,
            images_len,
            layout,
            partners,
            partners_len,
            lam,
            lam_len,
            canvases,
            canvases_len,
            outputs,
        )
    })
}
