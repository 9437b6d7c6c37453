//! The ABI can grow: every options struct starts with its size, and the
//! library reads only the fields that size covers, defaulting the rest. A
//! caller built against an older, smaller struct keeps working; one built
//! against a newer, larger struct is read as far as this library knows.
//! The `*_default()` calls and `mixup_version` give what the header says.

mod common;

use common::outs;
use mixup::ffi::*;
use std::ffi::CStr;
use std::mem::{offset_of, size_of};
use std::ptr::{null, null_mut};

const N: usize = 9;
const LEN: usize = 5;

/// One `mixup_batch_f32` call from a fresh generator; returns the status,
/// and the images.
fn run(config: &mixup_config, outputs: *const mixup_batch_outputs) -> (mixup_status, Vec<f32>) {
    let mut rng = mixup_rng { s: [0; 4] };
    let mut bytes = 0;
    // SAFETY: valid pointers and lengths throughout.
    unsafe {
        mixup_rng_seed(&mut rng, 77);
        mixup_workspace_size(N, LEN, &mut bytes);
    }
    let mut workspace = vec![0u64; bytes.div_ceil(8)];
    let mut images: Vec<f32> = (0..N * LEN).map(|i| i as f32 * 0.5).collect();
    // SAFETY: as above; `outputs` points at buffers of the lengths it states.
    let status = unsafe {
        mixup_batch_f32(
            &mut rng,
            config,
            images.as_mut_ptr(),
            N,
            LEN,
            null(),
            0,
            0,
            workspace.as_mut_ptr().cast(),
            bytes,
            outputs,
        )
    };
    (status, images)
}

#[test]
fn an_older_smaller_config_gets_the_defaults_for_what_it_lacks() {
    let (mut lam_a, mut partners_a) = ([0.0f64; N], [0u32; N]);
    let (mut lam_b, mut partners_b) = ([0.0f64; N], [0u32; N]);
    let mut defaults = mixup_config_default();
    defaults.alpha = 0.4;
    defaults.beta = 0.4;
    // An older caller's struct: its size ends before `roll_shift`, and what
    // lies beyond (here garbage) must not be read.
    let mut old = defaults;
    old.struct_size = offset_of!(mixup_config, roll_shift);
    (old.roll_shift, old.pairing, old.granularity) = (5, 99, 99);
    let outs_a = outs(
        null_mut(),
        0,
        lam_a.as_mut_ptr(),
        N,
        partners_a.as_mut_ptr(),
        N,
        null_mut(),
        0,
    );
    let outs_b = outs(
        null_mut(),
        0,
        lam_b.as_mut_ptr(),
        N,
        partners_b.as_mut_ptr(),
        N,
        null_mut(),
        0,
    );
    let (status_a, images_a) = run(&defaults, &outs_a);
    let (status_b, images_b) = run(&old, &outs_b);
    assert_eq!((status_a, status_b), (mixup_status::Ok, mixup_status::Ok));
    assert_eq!(partners_a, partners_b);
    assert_eq!(lam_a.map(f64::to_bits), lam_b.map(f64::to_bits));
    assert_eq!(images_a, images_b);
    // and the fields it does have are read: a different alpha, other lambdas
    let mut other = old;
    other.alpha = 5.0;
    other.beta = 5.0;
    let (status_c, _) = run(&other, &outs_b);
    assert_eq!(status_c, mixup_status::Ok);
    assert_ne!(lam_a.map(f64::to_bits), lam_b.map(f64::to_bits));
}

#[test]
fn an_older_smaller_outputs_struct_leaves_the_newer_outputs_alone() {
    let mut applied = [7u8; N];
    let mut lam = [0.0f64; N];
    let mut outputs = outs(
        null_mut(),
        0,
        lam.as_mut_ptr(),
        N,
        null_mut(),
        0,
        applied.as_mut_ptr(),
        N,
    );
    outputs.struct_size = offset_of!(mixup_batch_outputs, applied);
    let (status, _) = run(&mixup_config_default(), &outputs);
    assert_eq!(status, mixup_status::Ok);
    assert_eq!(applied, [7; N], "a field beyond struct_size was written");
    assert!(lam.iter().all(|l| (0.0..=1.0).contains(l)));
}

#[test]
fn sizes_too_small_to_hold_the_size_are_refused_and_larger_ones_read_as_far_as_known() {
    let mut config = mixup_config_default();
    config.struct_size = size_of::<usize>() - 1;
    assert_eq!(
        run(&config, &mixup_batch_outputs_default()).0,
        mixup_status::InvalidArgument
    );
    // a newer caller: a larger struct whose extra bytes this library ignores
    #[repr(C)]
    struct Newer {
        config: mixup_config,
        future: [u64; 4],
    }
    let newer = Newer {
        config: mixup_config {
            struct_size: size_of::<Newer>(),
            ..mixup_config_default()
        },
        future: [u64::MAX; 4],
    };
    assert_eq!(
        run(&newer.config, &mixup_batch_outputs_default()).0,
        mixup_status::Ok
    );
    // NULL outputs ask for nothing
    assert_eq!(
        run(&mixup_config_default(), std::ptr::null()).0,
        mixup_status::Ok
    );
}

#[test]
fn defaults_set_their_own_size() {
    assert_eq!(
        mixup_config_default().struct_size,
        size_of::<mixup_config>()
    );
    assert_eq!(
        mixup_batch_outputs_default().struct_size,
        size_of::<mixup_batch_outputs>()
    );
    assert_eq!(mixup_image_default().struct_size, size_of::<mixup_image>());
    // every version's size is a multiple of 8, so a field added later never
    // starts inside an older version's tail padding
    for size in [
        size_of::<mixup_config>(),
        size_of::<mixup_batch_outputs>(),
        size_of::<mixup_image>(),
    ] {
        assert_eq!(size % 8, 0);
    }
}

/// A struct with room after it, so that a stated size past its end stays
/// within memory the test owns.
#[repr(C)]
struct Roomy<T> {
    value: T,
    tail: [u64; 4],
}

#[test]
fn a_struct_size_that_is_not_a_multiple_of_8_is_refused_whatever_it_cuts() {
    // every size up to past the end: below 8 or not a multiple of 8 cuts
    // the size field or another field in two (12 once read alpha 1e-3 as
    // about 1.0); a multiple of 8 is an older or newer caller's struct
    let mut config = Roomy {
        value: mixup_config_default(),
        tail: [0; 4],
    };
    let mut outputs = Roomy {
        value: mixup_batch_outputs_default(),
        tail: [0; 4],
    };
    config.value.alpha = 1e-3;
    for size in 0..=size_of::<Roomy<mixup_config>>() {
        config.value.struct_size = size;
        let (status, images) = run(&config.value, &mixup_batch_outputs_default());
        let want = if size >= 8 && size % 8 == 0 {
            mixup_status::Ok
        } else {
            mixup_status::InvalidArgument
        };
        assert_eq!(status, want, "mixup_config.struct_size = {size}");
        if want != mixup_status::Ok {
            let untouched: Vec<f32> = (0..N * LEN).map(|i| i as f32 * 0.5).collect();
            assert_eq!(images, untouched, "struct_size = {size}: images written");
        }
    }
    for size in 0..=size_of::<Roomy<mixup_batch_outputs>>() {
        outputs.value.struct_size = size;
        let (status, _) = run(&mixup_config_default(), &outputs.value);
        let ok = size >= 8 && size % 8 == 0;
        assert_eq!(
            status == mixup_status::Ok,
            ok,
            "outputs.struct_size = {size}"
        );
    }
}

#[test]
fn a_mixup_image_size_that_cuts_a_field_is_refused() {
    const PIXELS: usize = 4;
    let batch = [7u8; 2 * 3 * PIXELS];
    let mut out = [-1.0f32; 2 * 3 * PIXELS];
    for size in [4, 12, 20, 36] {
        let image = Roomy {
            value: mixup_image {
                struct_size: size,
                channels: 3,
                pixels: PIXELS,
                ..mixup_image_default()
            },
            tail: [0; 4],
        };
        // SAFETY: valid pointers and lengths; `image` has room for its stated size.
        let status = unsafe {
            mixup_apply_into_u8_f32(
                batch.as_ptr(),
                2,
                &image.value,
                [1u32, 0].as_ptr(),
                2,
                [0.5f64].as_ptr(),
                1,
                null(),
                0,
                null(),
                0,
                out.as_mut_ptr(),
                out.len(),
            )
        };
        assert_eq!(status, mixup_status::InvalidArgument, "size {size}");
        assert!(out.iter().all(|&v| v == -1.0), "size {size}: written");
    }
}

#[test]
fn an_unknown_enum_value_is_refused_even_where_the_call_does_not_use_it() {
    // the layout matters only with CutMix on; it is checked with it off too
    for (field, value) in [
        ("layout", 2u32),
        ("layout", 99),
        ("recipe", 3),
        ("correct_lam", 2),
    ] {
        let mut config = mixup_config_default();
        match field {
            "layout" => config.layout = value,
            "recipe" => config.recipe = value,
            _ => config.correct_lam = value,
        }
        let (status, images) = run(&config, null());
        assert_eq!(status, mixup_status::InvalidArgument, "{field} = {value}");
        let untouched: Vec<f32> = (0..N * LEN).map(|i| i as f32 * 0.5).collect();
        assert_eq!(images, untouched, "{field} = {value}: images written");
    }
}

#[test]
fn argument_free_calls() {
    // SAFETY: a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(mixup_version()) };
    assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    let config = mixup_config_default();
    assert_eq!(
        (
            config.alpha,
            config.beta,
            config.prob,
            config.label_smoothing
        ),
        (1.0, 1.0, 1.0, 0.0)
    );
    assert_eq!(
        (config.pairing, config.granularity, config.roll_shift),
        (
            mixup_pairing::Permutation as u32,
            mixup_granularity::Batch as u32,
            1
        )
    );
    let image = mixup_image_default();
    assert_eq!(
        (
            image.channels,
            image.pixels,
            image.input_layout,
            image.output_layout
        ),
        (3, 0, mixup_layout::Hwc as u32, mixup_layout::Chw as u32)
    );
    let l = mixup_detection_layout_default();
    assert_eq!(
        (l.n, l.num_boxes, l.channels, l.layout, l.reserved),
        (0, 0, 3, mixup_layout::Hwc as u32, 0)
    );
    assert!(
        l.sizes.is_null()
            && l.image_offsets.is_null()
            && l.boxes.is_null()
            && l.box_offsets.is_null()
    );
    assert_eq!(l.struct_size, size_of::<mixup_detection_layout>());
    let d = mixup_detection_outputs_default();
    assert!(
        d.canvas_offsets.is_null()
            && d.canvas_sizes.is_null()
            && d.boxes.is_null()
            && d.box_offsets.is_null()
    );
    assert_eq!(
        (d.boxes_len, d.struct_size),
        (0, size_of::<mixup_detection_outputs>())
    );
    let o = mixup_batch_outputs_default();
    assert!(
        o.targets.is_null() && o.lambdas.is_null() && o.partners.is_null() && o.applied.is_null()
    );
    assert_eq!(
        o,
        outs(null_mut(), 0, null_mut(), 0, null_mut(), 0, null_mut(), 0)
    );
}
