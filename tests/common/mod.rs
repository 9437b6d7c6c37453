// Shared helpers for the integration tests (not a test target itself).
#![allow(dead_code)]

use mixup::ffi::mixup_status;
use mixup::{Backend, Mixer, Stores};
use proptest::prelude::*;
use std::ptr::NonNull;

/// Success.
pub const OK: mixup_status = mixup_status::Ok;

/// The status of a bad parameter.
pub const BAD: mixup_status = mixup_status::InvalidArgument;

/// A dangling, aligned, non-NULL pointer: legal only with length 0.
pub fn dangling<T>() -> *mut T {
    NonNull::dangling().as_ptr()
}

/// The bits of each float, for exact comparisons.
pub fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// A mixer for every backend this CPU has.
pub fn every_backend() -> Vec<Mixer> {
    Backend::ALL
        .iter()
        .filter_map(|&b| Mixer::with_backend(b))
        .collect()
}

/// [`every_backend`], each with cached and with streaming stores.
pub fn every_mixer() -> Vec<Mixer> {
    every_backend()
        .into_iter()
        .flat_map(|m| {
            [
                m.with_stores(Stores::Cached),
                m.with_stores(Stores::Streaming),
            ]
        })
        .collect()
}

/// Bit equality, except that any NaN equals any NaN: Rust does not fix NaN
/// payloads of arithmetic, and neither does NumPy.
pub fn same(x: f32, y: f32) -> bool {
    x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
}

pub fn assert_same(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            same(g, w),
            "{what}: index {i}: got {g:e} ({:#x}), want {w:e} ({:#x})",
            g.to_bits(),
            w.to_bits()
        );
    }
}

/// Any f32, with the special values much more likely than by chance.
pub fn any_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        4 => any::<u32>().prop_map(f32::from_bits),
        4 => -1.0e3f32..1.0e3,
        1 => prop::sample::select(vec![
            0.0f32, -0.0, 1.0, -1.0, f32::INFINITY, f32::NEG_INFINITY, f32::NAN,
            f32::MIN_POSITIVE, -f32::MIN_POSITIVE, f32::from_bits(1), f32::from_bits(0x8000_0001),
            f32::MAX, f32::MIN, f32::from_bits(0x7f80_0001), f32::from_bits(0xffc0_1234),
        ]),
    ]
}

/// Any lambda in [0, 1], with the ends and their neighbours likely.
pub fn any_lambda() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => 0.0f64..=1.0,
        1 => prop::sample::select(vec![0.0, 1.0, 0.5, 1e-300, 1.0 - 1e-17, 1.0 - 1e-9, 1e-45, 0.999_999_99]),
    ]
}

/// The formula of docs/DESIGN.md §2 for one element, for every lambda (0 and 1
/// too), as NumPy computes `lam * x + (1 - lam) * y` with a Python float.
pub fn formula(lam: f64, x: f32, y: f32) -> f32 {
    let (ws, wp) = (lam as f32, (1.0 - lam) as f32);
    ws * x + wp * y
}

/// The optional outputs of a one-call C batch, from positional arguments.
#[allow(clippy::too_many_arguments)]
pub fn outs(
    targets: *mut f32,
    targets_len: usize,
    lambdas: *mut f64,
    lambdas_len: usize,
    partners: *mut u32,
    partners_len: usize,
    applied: *mut u8,
    applied_len: usize,
) -> mixup::ffi::mixup_batch_outputs {
    mixup::ffi::mixup_batch_outputs {
        targets,
        targets_len,
        lambdas,
        lambdas_len,
        partners,
        partners_len,
        applied,
        applied_len,
        ..mixup::ffi::mixup_batch_outputs_default()
    }
}

/// A detection batch's layout, from positional arguments.
#[allow(clippy::too_many_arguments)]
pub fn det_layout(
    n: usize,
    sizes: *const mixup::ffi::mixup_size,
    image_offsets: *const usize,
    boxes: *const f32,
    classes: *const i64,
    num_boxes: usize,
    box_offsets: *const usize,
    channels: usize,
    layout: u32,
) -> mixup::ffi::mixup_detection_layout {
    mixup::ffi::mixup_detection_layout {
        n,
        sizes,
        image_offsets,
        boxes,
        classes,
        num_boxes,
        box_offsets,
        channels,
        layout,
        ..mixup::ffi::mixup_detection_layout_default()
    }
}

/// A detection batch's outputs, from positional arguments.
pub fn det_outs(
    canvas_offsets: *mut usize,
    canvas_sizes: *mut mixup::ffi::mixup_size,
    boxes: *mut mixup::ffi::mixup_weighted_box,
    boxes_len: usize,
    box_offsets: *mut usize,
) -> mixup::ffi::mixup_detection_outputs {
    mixup::ffi::mixup_detection_outputs {
        canvas_offsets,
        canvas_sizes,
        boxes,
        boxes_len,
        box_offsets,
        ..mixup::ffi::mixup_detection_outputs_default()
    }
}

/// Lambdas no call may accept: NaN, infinities, outside `[0, 1]`.
pub fn bad_lambda() -> impl Strategy<Value = f64> {
    prop::sample::select(vec![
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.5,
        1.5,
        -1e-300,
        1.0 + f64::EPSILON,
    ])
}
