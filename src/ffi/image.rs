//! u8 images to f32 with ToTensor and Normalize fused into the blend.

use super::*;

/// Where the channels of an image sample are, for `mixup_image`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mixup_layout {
    /// Interleaved `[height, width, channels]`, as decoders produce it.
    Hwc = 0,
    /// Planar `[channels, height, width]`, as tensors hold it.
    Chw = 1,
}

/// The shape of one u8 image sample and the layout of its f32 result;
/// start from `mixup_image_default()`. It grows like `mixup_config`: by
/// fields at the end, read only as far as `struct_size` covers.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct mixup_image {
    /// `sizeof(mixup_image)` as the caller was built, set by `mixup_image_default()`.
    pub struct_size: usize,
    /// Channels per pixel, at least 1.
    pub channels: usize,
    /// Pixels per image, height times width.
    pub pixels: usize,
    /// A `mixup_layout` value: the layout of the u8 input.
    pub input_layout: u32,
    /// A `mixup_layout` value: the layout of the f32 output.
    pub output_layout: u32,
}

/// Three channels, no pixels yet, HWC in (as decoders give it) and CHW out
/// (as tensors hold it).
#[unsafe(no_mangle)]
pub extern "C" fn mixup_image_default() -> mixup_image {
    mixup_image {
        struct_size: size_of::<mixup_image>(),
        channels: 3,
        pixels: 0,
        input_layout: mixup_layout::Hwc as u32,
        output_layout: mixup_layout::Chw as u32,
    }
}

pub(crate) fn layout_of(value: u32) -> Result<ChannelOrder> {
    match value {
        0 => Ok(ChannelOrder::Hwc),
        1 => Ok(ChannelOrder::Chw),
        _ => Err(Error::InvalidArgument),
    }
}

/// The checked image shape behind a `mixup_image` pointer, and its region.
///
/// # Safety
/// `image` must be NULL or valid for the `struct_size` bytes it states.
pub(crate) unsafe fn image_of(image: *const mixup_image) -> Result<(FusedImage, (usize, usize))> {
    // SAFETY: the caller's promise; plain numbers, only read.
    let (raw, region) = unsafe { read_sized(image, mixup_image_default())? };
    let layout = FusedImage {
        channels: raw.channels,
        pixels: raw.pixels,
        input: layout_of(raw.input_layout)?,
        output: layout_of(raw.output_layout)?,
    };
    layout.len()?;
    Ok((layout, region))
}

/// `mean` and `std` of a call: both absent (plain `/ 255`) or one value per
/// channel each.
pub(crate) fn normalize_bufs(
    mean: *const f32,
    mean_len: usize,
    std: *const f32,
    std_len: usize,
) -> Result<(Buf<f32>, Buf<f32>)> {
    Ok((Buf::new(mean, mean_len)?, Buf::new(std, std_len)?))
}

/// # Safety
/// `mean` and `std` must be checked buffers, valid for reads.
pub(crate) unsafe fn normalize_from<'a>(mean: Buf<f32>, std: Buf<f32>) -> Option<Normalize<'a>> {
    if mean.len == 0 && std.len == 0 {
        None
    } else {
        // SAFETY: the caller's promise.
        Some(unsafe {
            Normalize {
                mean: mean.slice(),
                std: std.slice(),
            }
        })
    }
}

/// Decodes, normalizes and mixes `n` u8 images into f32 in one pass:
/// per channel `v = ((f32(u) / 255) - mean[c]) / std[c]` (plain
/// `f32(u) / 255` when `mean` and `std` are both absent), then the f32
/// blend. The bits equal torchvision's `ToTensor()`, `Normalize(mean, std)`,
/// then mixup. `image` gives the channels, pixels and both layouts (HWC in,
/// CHW out fuses the transpose). `out` needs `n * channels * pixels` floats.
/// A zero, NaN or infinite `std` is an error.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `image` must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_into_u8_f32(
    batch: *const u8,
    n: usize,
    image: *const mixup_image,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    mean: *const f32,
    mean_len: usize,
    std: *const f32,
    std_len: usize,
    out: *mut f32,
    out_len: usize,
) -> mixup_status {
    status_of((|| {
        // SAFETY: the caller promises `image` valid for its stated size.
        let (layout, image_region) = unsafe { image_of(image)? };
        let len = layout.len()?;
        let (mean, std) = normalize_bufs(mean, mean_len, std, std_len)?;
        let inputs = [mean.region(), std.region(), image_region];
        // SAFETY: the caller's promises, passed on; `mean` and `std` are
        // checked and only read.
        let (v, norm) = unsafe {
            let v = into_views(
                batch,
                n,
                len,
                partners,
                partners_len,
                lam,
                lam_len,
                out,
                out_len,
                &inputs,
            )?;
            (v, normalize_from(mean, std))
        };
        Mixer::new().mix_u8_to_f32(v.out, v.batch, layout, v.plan, norm)
    })())
}
