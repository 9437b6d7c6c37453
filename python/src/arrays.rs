//! Shapes: a NumPy batch as `n` samples of `len` elements, and the image
//! dimensions CutMix and the fused pass need.

use mixup::{ChannelOrder, ImageShape};
use pyo3::PyResult;

use crate::errors::value_error;

/// `(n, len)` of a batch whose first dimension is the sample.
pub fn batch_dims(name: &str, shape: &[usize]) -> PyResult<(usize, usize)> {
    let Some((&n, rest)) = shape.split_first() else {
        return Err(value_error(format!(
            "{name} must have a batch dimension, got a 0-d array"
        )));
    };
    let len = rest
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| value_error(format!("{name}: the sample size overflows")))?;
    Ok((n, len))
}

/// `"chw"` or `"hwc"`.
pub fn layout(name: &str, value: &str) -> PyResult<ChannelOrder> {
    match value {
        "chw" => Ok(ChannelOrder::Chw),
        "hwc" => Ok(ChannelOrder::Hwc),
        _ => Err(value_error(format!(
            "{name} must be 'chw' or 'hwc', got {value:?}"
        ))),
    }
}

/// The image of `(channels, height, width, layout)`, checked against the
/// `len` elements of a sample of `name`.
pub fn image(
    name: &str,
    (channels, height, width, layout_name): (usize, usize, usize, String),
    len: usize,
) -> PyResult<ImageShape> {
    let image = ImageShape {
        channels,
        height,
        width,
        layout: layout("layout", &layout_name)?,
    };
    match image.elements() {
        Ok(elements) if elements == len => Ok(image),
        _ => Err(value_error(format!(
            "{name}: a sample of {len} elements is not an image of {channels} \
             channels x {height} x {width}"
        ))),
    }
}
