//! The C calls for one batch on many threads: parts run on threads give
//! the bits of the one-thread call; hostile arguments get their status and
//! write nothing.

use mixup::ffi::*;
use mixup::{MixRng, Pairing};
use std::ptr::null_mut;

const OK: mixup_status = mixup_status::Ok;

/// A pointer that threads may share: each thread writes other elements.
#[derive(Clone, Copy)]
struct Shared(*mut f32);
// SAFETY: the calls below write disjoint samples through it.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

fn batch(n: usize, len: usize) -> Vec<f32> {
    (0..n * len)
        .map(|i| ((i * 37) % 101) as f32 * 0.5 - 7.0)
        .collect()
}

#[test]
fn parts_on_threads_give_the_one_thread_bits() {
    for (n, len, parts) in [
        (37usize, 19usize, 3usize),
        (128, 64, 2),
        (5, 3, 7),
        (0, 4, 2),
        (9, 0, 2),
    ] {
        let mut partners = vec![0u32; n];
        Pairing::Permutation
            .fill(&mut MixRng::seed_from_u64(n as u64), &mut partners)
            .unwrap();
        let lam: Vec<f64> = (0..n).map(|i| i as f64 / (n as f64 + 1.0)).collect();
        let x = batch(n, len);
        let mut scratch_len = 0;
        // SAFETY: a valid out-pointer.
        unsafe { mixup_scratch_size(n, len, &mut scratch_len) };

        let mut want = x.clone();
        let mut scratch = vec![0.0f32; scratch_len];
        // SAFETY: every pointer is valid for the length given.
        let status = unsafe {
            mixup_apply_f32(
                want.as_mut_ptr(),
                n,
                len,
                partners.as_ptr(),
                n,
                lam.as_ptr(),
                n,
                scratch.as_mut_ptr(),
                scratch_len,
            )
        };
        assert_eq!(status, OK);
        let mut got = x.clone();
        let shared = Shared(got.as_mut_ptr());
        std::thread::scope(|s| {
            for part in 0..parts {
                let (partners, lam) = (&partners, &lam);
                s.spawn(move || {
                    let shared = shared;
                    let mut scratch = vec![0.0f32; scratch_len];
                    // SAFETY: valid pointers; each part touches its own samples.
                    let status = unsafe {
                        mixup_apply_f32_part(
                            shared.0,
                            n,
                            len,
                            partners.as_ptr(),
                            n,
                            lam.as_ptr(),
                            n,
                            scratch.as_mut_ptr(),
                            scratch_len,
                            part,
                            parts,
                        )
                    };
                    assert_eq!(status, OK);
                });
            }
        });
        assert_eq!(got, want, "in place {n}x{len} in {parts}");

        let mut want = vec![0.0f32; n * len];
        // SAFETY: as above.
        let status = unsafe {
            mixup_apply_into_f32(
                x.as_ptr(),
                n,
                len,
                partners.as_ptr(),
                n,
                lam.as_ptr(),
                n,
                want.as_mut_ptr(),
                n * len,
            )
        };
        assert_eq!(status, OK);
        let mut out = vec![f32::NAN; n * len];
        let shared = Shared(out.as_mut_ptr());
        std::thread::scope(|s| {
            for part in 0..parts {
                let (partners, lam, x) = (&partners, &lam, &x);
                s.spawn(move || {
                    let shared = shared;
                    // SAFETY: valid pointers; each part writes its own samples.
                    let status = unsafe {
                        mixup_apply_into_f32_part(
                            x.as_ptr(),
                            n,
                            len,
                            partners.as_ptr(),
                            n,
                            lam.as_ptr(),
                            n,
                            shared.0,
                            n * len,
                            part,
                            parts,
                        )
                    };
                    assert_eq!(status, OK);
                });
            }
        });
        assert_eq!(out, want, "out of place {n}x{len} in {parts}");
    }
}

/// What, part, parts, partners, lambdas, scratch cut, out cut, expected.
type Case<'a> = (
    &'a str,
    usize,
    usize,
    &'a [u32],
    &'a [f64],
    usize,
    usize,
    mixup_status,
);

#[test]
fn hostile_parts_are_refused_and_nothing_written() {
    let (n, len) = (6usize, 5usize);
    let partners = [1u32, 2, 0, 4, 5, 3];
    let lam = [0.3f64];
    let x = batch(n, len);
    let mut scratch_len = 0;
    // SAFETY: a valid out-pointer.
    unsafe { mixup_scratch_size(n, len, &mut scratch_len) };
    let bad_perm = [1u32, 1, 0, 4, 5, 3];
    let wild = [1u32, 2, 0, 4, 5, 9];
    let cases: [Case; 9] = [
        (
            "part = parts",
            2,
            2,
            &partners,
            &lam,
            0,
            0,
            mixup_status::InvalidArgument,
        ),
        (
            "parts 0",
            0,
            0,
            &partners,
            &lam,
            0,
            0,
            mixup_status::InvalidArgument,
        ),
        (
            "parts above 256",
            0,
            257,
            &partners,
            &lam,
            0,
            0,
            mixup_status::InvalidArgument,
        ),
        (
            "lambda NaN",
            0,
            2,
            &partners,
            &[f64::NAN],
            0,
            0,
            mixup_status::InvalidArgument,
        ),
        (
            "two lambdas for six",
            0,
            2,
            &partners,
            &[0.1, 0.2],
            0,
            0,
            mixup_status::InvalidArgument,
        ),
        (
            "partner out of range",
            0,
            2,
            &wild,
            &lam,
            0,
            0,
            mixup_status::IndexOutOfRange,
        ),
        (
            "not a permutation (in place)",
            0,
            2,
            &bad_perm,
            &lam,
            0,
            0,
            mixup_status::BadPermutation,
        ),
        (
            "short scratch (in place)",
            0,
            2,
            &partners,
            &lam,
            1,
            0,
            mixup_status::BufferTooSmall,
        ),
        (
            "short out (out of place)",
            0,
            2,
            &partners,
            &lam,
            0,
            1,
            mixup_status::BufferTooSmall,
        ),
    ];
    for (what, part, parts, p, l, scratch_cut, out_cut, expected) in cases {
        let in_place = !what.contains("out of place");
        let out_of_place = !what.contains("in place");
        if in_place {
            let mut images = x.clone();
            let mut scratch = vec![9.0f32; scratch_len];
            // SAFETY: valid pointers for the lengths given.
            let status = unsafe {
                mixup_apply_f32_part(
                    images.as_mut_ptr(),
                    n,
                    len,
                    p.as_ptr(),
                    p.len(),
                    l.as_ptr(),
                    l.len(),
                    scratch.as_mut_ptr(),
                    scratch_len - scratch_cut,
                    part,
                    parts,
                )
            };
            assert_eq!(status, expected, "{what} in place");
            assert_eq!(images, x, "{what}");
        }
        if out_of_place && expected != mixup_status::BadPermutation {
            let mut out = vec![9.0f32; n * len];
            // SAFETY: as above.
            let status = unsafe {
                mixup_apply_into_f32_part(
                    x.as_ptr(),
                    n,
                    len,
                    p.as_ptr(),
                    p.len(),
                    l.as_ptr(),
                    l.len(),
                    out.as_mut_ptr(),
                    n * len - out_cut,
                    part,
                    parts,
                )
            };
            assert_eq!(status, expected, "{what} out of place");
            assert!(out.iter().all(|&v| v == 9.0), "{what}");
        }
    }
    // NULL with a length, and an output over the input
    let mut images = x.clone();
    let mut scratch = vec![0.0f32; scratch_len];
    // SAFETY: NULL is refused before use; the rest are valid.
    unsafe {
        assert_eq!(
            mixup_apply_f32_part(
                null_mut(),
                n,
                len,
                partners.as_ptr(),
                n,
                lam.as_ptr(),
                1,
                scratch.as_mut_ptr(),
                scratch_len,
                0,
                1
            ),
            mixup_status::NullPointer
        );
        assert_eq!(
            mixup_apply_f32_part(
                images.as_mut_ptr(),
                n,
                len,
                partners.as_ptr(),
                n,
                lam.as_ptr(),
                1,
                images.as_mut_ptr(),
                scratch_len,
                0,
                1
            ),
            mixup_status::Overlap
        );
        assert_eq!(
            mixup_apply_into_f32_part(
                images.as_ptr(),
                n,
                len,
                partners.as_ptr(),
                n,
                lam.as_ptr(),
                1,
                images.as_mut_ptr(),
                n * len,
                0,
                1
            ),
            mixup_status::Overlap
        );
    }
    assert_eq!(images, x);
}
