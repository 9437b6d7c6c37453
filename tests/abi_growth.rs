//! The ABI can grow: every options struct starts with its size, and the
//! library reads only the fields that size covers, defaulting the rest. A
//! caller built against an older, smaller struct keeps working; one built
//! against a newer, larger struct is read as far as this library knows.

mod common;

use common::outs;
use mixup::ffi::*;
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
