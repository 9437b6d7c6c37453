//! The C calls for one batch on many threads: parts run on threads give
//! the bits of the one-thread call; hostile arguments get their status and
//! write nothing.

mod common;

use common::OK;

use mixup::ffi::*;
use mixup::{MixRng, Pairing};
use std::ptr::null_mut;

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

/// A byte pointer that threads may share: each thread writes other bytes.
#[derive(Clone, Copy)]
struct SharedBytes(*mut u8);
// SAFETY: the calls below write disjoint samples through it.
unsafe impl Send for SharedBytes {}
// SAFETY: as above.
unsafe impl Sync for SharedBytes {}

#[test]
fn u8_parts_on_threads_give_the_one_thread_bytes() {
    for (n, len, parts) in [(33usize, 23usize, 3usize), (64, 100, 2), (4, 5, 6)] {
        let mut partners = vec![0u32; n];
        Pairing::Cycle
            .fill(&mut MixRng::seed_from_u64(n as u64), &mut partners)
            .unwrap();
        let lam = [0.61f64];
        let x: Vec<u8> = (0..n * len).map(|i| (i * 89 % 256) as u8).collect();
        let mut scratch_len = 0;
        // SAFETY: a valid out-pointer.
        unsafe { mixup_scratch_size_u8(n, len, &mut scratch_len) };
        let (mut want, mut scratch) = (x.clone(), vec![0u8; scratch_len]);
        let mut want_into = vec![0u8; n * len];
        // SAFETY: every pointer is valid for the length given.
        unsafe {
            let p = partners.as_ptr();
            let s = mixup_apply_u8(
                want.as_mut_ptr(),
                n,
                len,
                p,
                n,
                lam.as_ptr(),
                1,
                scratch.as_mut_ptr(),
                scratch_len,
            );
            assert_eq!(s, OK);
            let s = mixup_apply_into_u8(
                x.as_ptr(),
                n,
                len,
                p,
                n,
                lam.as_ptr(),
                1,
                want_into.as_mut_ptr(),
                n * len,
            );
            assert_eq!(s, OK);
        }
        let (mut got, mut got_into) = (x.clone(), vec![0u8; n * len]);
        let (shared, shared_into) = (
            SharedBytes(got.as_mut_ptr()),
            SharedBytes(got_into.as_mut_ptr()),
        );
        std::thread::scope(|s| {
            for part in 0..parts {
                let (partners, x) = (&partners, &x);
                s.spawn(move || {
                    let (shared, shared_into) = (shared, shared_into);
                    let mut scratch = vec![0u8; scratch_len];
                    let p = partners.as_ptr();
                    // SAFETY: valid pointers; each part touches its own samples.
                    unsafe {
                        let st = mixup_apply_u8_part(
                            shared.0,
                            n,
                            len,
                            p,
                            n,
                            lam.as_ptr(),
                            1,
                            scratch.as_mut_ptr(),
                            scratch_len,
                            part,
                            parts,
                        );
                        assert_eq!(st, OK);
                        let st = mixup_apply_into_u8_part(
                            x.as_ptr(),
                            n,
                            len,
                            p,
                            n,
                            lam.as_ptr(),
                            1,
                            shared_into.0,
                            n * len,
                            part,
                            parts,
                        );
                        assert_eq!(st, OK);
                    }
                });
            }
        });
        assert_eq!(got, want, "in place {n}x{len} in {parts}");
        assert_eq!(got_into, want_into, "out of place {n}x{len} in {parts}");
    }
}

#[test]
fn hostile_u8_parts_are_refused_and_nothing_written() {
    let (n, len) = (4usize, 3usize);
    let partners = [1u32, 0, 3, 2];
    let x: Vec<u8> = (0..12).collect();
    let mut scratch_len = 0;
    // SAFETY: a valid out-pointer.
    unsafe { mixup_scratch_size_u8(n, len, &mut scratch_len) };
    let (mut images, mut scratch, mut out) = (x.clone(), vec![0u8; scratch_len], vec![9u8; 12]);
    // SAFETY: valid pointers for the lengths given; NULL is refused first.
    unsafe {
        let p = partners.as_ptr();
        let bad = mixup_status::InvalidArgument;
        assert_eq!(
            mixup_apply_u8_part(
                images.as_mut_ptr(),
                n,
                len,
                p,
                n,
                [0.5f64].as_ptr(),
                1,
                scratch.as_mut_ptr(),
                scratch_len,
                1,
                1
            ),
            bad
        );
        assert_eq!(
            mixup_apply_u8_part(
                images.as_mut_ptr(),
                n,
                len,
                p,
                n,
                [1.5f64].as_ptr(),
                1,
                scratch.as_mut_ptr(),
                scratch_len,
                0,
                1
            ),
            bad
        );
        assert_eq!(
            mixup_apply_u8_part(
                images.as_mut_ptr(),
                n,
                len,
                p,
                n,
                [0.5f64].as_ptr(),
                1,
                scratch.as_mut_ptr(),
                scratch_len - 1,
                0,
                1
            ),
            mixup_status::BufferTooSmall
        );
        assert_eq!(
            mixup_apply_into_u8_part(
                x.as_ptr(),
                n,
                len,
                p,
                n,
                [0.5f64].as_ptr(),
                1,
                out.as_mut_ptr(),
                12,
                0,
                0
            ),
            bad
        );
        assert_eq!(
            mixup_apply_into_u8_part(
                x.as_ptr(),
                n,
                len,
                p,
                n,
                [0.5f64].as_ptr(),
                1,
                null_mut(),
                12,
                0,
                2
            ),
            mixup_status::NullPointer
        );
    }
    assert_eq!(images, x);
    assert_eq!(out, vec![9u8; 12]);
}

#[test]
fn fused_parts_on_threads_give_the_one_thread_bits_and_refuse_bad_arguments() {
    let (n, pixels) = (11usize, 6 * 5);
    let mut image = mixup_image_default();
    (
        image.channels,
        image.pixels,
        image.input_layout,
        image.output_layout,
    ) = (3, pixels, 0, 1);
    let len = 3 * pixels;
    let mut partners = vec![0u32; n];
    Pairing::Permutation
        .fill(&mut MixRng::seed_from_u64(2), &mut partners)
        .unwrap();
    let lam: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) / n as f64).collect();
    let (mean, std) = ([0.485f32, 0.456, 0.406], [0.229f32, 0.224, 0.225]);
    let x: Vec<u8> = (0..n * len).map(|i| (i * 131 % 256) as u8).collect();
    let mut want = vec![0.0f32; n * len];
    // SAFETY: every pointer is valid for the length given.
    let status = unsafe {
        mixup_apply_into_u8_f32(
            x.as_ptr(),
            n,
            &image,
            partners.as_ptr(),
            n,
            lam.as_ptr(),
            n,
            mean.as_ptr(),
            3,
            std.as_ptr(),
            3,
            want.as_mut_ptr(),
            n * len,
        )
    };
    assert_eq!(status, OK);
    let parts = 3;
    let mut got = vec![f32::NAN; n * len];
    let shared = Shared(got.as_mut_ptr());
    std::thread::scope(|s| {
        for part in 0..parts {
            let (partners, lam, x, image) = (&partners, &lam, &x, &image);
            s.spawn(move || {
                let shared = shared;
                // SAFETY: valid pointers; each part writes its own samples.
                let status = unsafe {
                    mixup_apply_into_u8_f32_part(
                        x.as_ptr(),
                        n,
                        image,
                        partners.as_ptr(),
                        n,
                        lam.as_ptr(),
                        n,
                        mean.as_ptr(),
                        3,
                        std.as_ptr(),
                        3,
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
    assert_eq!(got, want);
    // a bad part, a std of 0, an output over the input: refused, nothing written
    let mut out = vec![7.0f32; n * len];
    let zero_std = [0.229f32, 0.0, 0.225];
    // SAFETY: valid pointers for the lengths given.
    unsafe {
        let (p, l) = (partners.as_ptr(), lam.as_ptr());
        let bad = mixup_status::InvalidArgument;
        let call = |std: &[f32], out: *mut f32, part: usize, parts: usize| {
            mixup_apply_into_u8_f32_part(
                x.as_ptr(),
                n,
                &image,
                p,
                n,
                l,
                n,
                mean.as_ptr(),
                3,
                std.as_ptr(),
                3,
                out,
                n * len,
                part,
                parts,
            )
        };
        assert_eq!(call(&std, out.as_mut_ptr(), 3, 3), bad);
        assert_eq!(call(&zero_std, out.as_mut_ptr(), 0, 3), bad);
        assert_eq!(
            call(&std, std.as_ptr().cast_mut(), 0, 3),
            mixup_status::Overlap
        );
    }
    assert!(out.iter().all(|&v| v == 7.0));
}
