//! Hostile shapes through the `extern "C"` functions: zero-element shapes
//! with one huge dimension (each call runs under a deadline: time must be
//! O(bytes), whatever the dimensions), offsets and counts near `SIZE_MAX`,
//! `n > 2^32` with nothing to mix, and canaries around the scratch. The
//! test binary is built with overflow checks, so an unchecked `+` or `*`
//! on a caller's size would abort it. The size queries answer or refuse,
//! writing nothing then.

mod common;

use common::{OK, dangling, det_layout, det_outs, outs};
use mixup::ffi::*;
use proptest::prelude::*;
use std::ptr::{null, null_mut};
use std::sync::mpsc;
use std::time::Duration;

const HWC: u32 = mixup_layout::Hwc as u32;
const CHW: u32 = mixup_layout::Chw as u32;

/// Runs `call` on a thread and fails the test if it takes longer than a
/// few seconds: a loop over a dimension of 2^62 never would finish.
fn within_deadline<T: Send + 'static>(what: &str, call: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(call());
    });
    rx.recv_timeout(Duration::from_secs(5))
        .unwrap_or_else(|_| panic!("{what}: no answer within 5 s"))
}

/// Sizes near the top of `usize`, and zero.
fn huge() -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(0usize),
        Just(1usize << 40),
        Just(1usize << 62),
        Just(usize::MAX),
        Just(usize::MAX / 3),
        (1usize << 32)..(1usize << 34),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// An image with no pixels and a huge channel count (a corrupt header):
    /// accepted or refused at once, and nothing written.
    #[test]
    fn fused_u8_to_f32_with_no_pixels(channels in huge(), layouts in (0u32..2, 0u32..2)) {
        let status = within_deadline("mixup_apply_into_u8_f32", move || {
            let image = mixup_image { struct_size: size_of::<mixup_image>(), channels, pixels: 0, input_layout: layouts.0, output_layout: layouts.1 };
            let (partners, lam) = ([0u32], [0.5f64]);
            let mut canary = [7.0f32; 4];
            // SAFETY: every pointer is valid for its length (0 for the images).
            let status = unsafe {
                mixup_apply_into_u8_f32(dangling(), 1, &image, partners.as_ptr(), 1, lam.as_ptr(), 1,
                    null(), 0, null(), 0, canary.as_mut_ptr(), 0)
            };
            assert_eq!(canary, [7.0; 4]);
            status
        });
        let want = if channels == 0 { mixup_status::InvalidArgument } else { OK };
        prop_assert_eq!(status, want);
    }

    /// The one-call fused batch, with the same shapes.
    #[test]
    fn fused_batch_with_no_pixels(channels in huge(), n in 1usize..5) {
        let status = within_deadline("mixup_batch_u8_f32", move || {
            let image = mixup_image { struct_size: size_of::<mixup_image>(), channels, pixels: 0, input_layout: HWC, output_layout: CHW };
            let mut rng = mixup_rng { s: [1, 2, 3, 4] };
            let config = mixup_config_default();
            let mut bytes = 0;
            // SAFETY: a valid out-pointer.
            assert_eq!(unsafe { mixup_workspace_size_u8_f32(n, &mut bytes) }, OK);
            let mut workspace = vec![0u64; bytes.div_ceil(8)];
            let mut applied = vec![9u8; n];
            // SAFETY: every pointer is valid for its length.
            let status = unsafe {
                mixup_batch_u8_f32(&mut rng, &config, dangling(), n, &image, null(), 0, null(), 0, dangling(), 0, null(), 0, 0, workspace.as_mut_ptr().cast(), bytes, &outs(null_mut(), 0, null_mut(), 0, null_mut(), 0, applied.as_mut_ptr(), n))
            };
            if status != OK {
                assert!(applied.iter().all(|&a| a == 9));
                assert_eq!(rng.s, [1, 2, 3, 4]);
            }
            status
        });
        let want = if channels == 0 { mixup_status::InvalidArgument } else { OK };
        prop_assert_eq!(status, want);
    }

    /// Canvas blends of images with no elements and one huge dimension, in
    /// both layouts and both sample types.
    #[test]
    fn canvas_with_no_elements(
        h1 in huge(), w1 in huge(), h2 in huge(), w2 in huge(),
        channels in prop_oneof![Just(1usize), Just(3), huge()],
        layout in 0u32..2,
    ) {
        // every image here has a zero dimension: keep one zero in each
        let (w1, w2) = (if h1 == 0 { w1 } else { 0 }, if h2 == 0 { w2 } else { 0 });
        let (f, u) = within_deadline("mixup_blend_canvas_*", move || {
            let mut canary = [7.0f32; 4];
            let mut canary_u8 = [7u8; 4];
            // SAFETY: both images are empty, and the output is valid for 0 elements.
            let f = unsafe {
                mixup_blend_canvas_f32(null(), h1, w1, null(), h2, w2, channels, layout, 0.5, canary.as_mut_ptr(), 0)
            };
            // SAFETY: as above.
            let u = unsafe {
                mixup_blend_canvas_u8(null(), h1, w1, null(), h2, w2, channels, layout, 0.5, canary_u8.as_mut_ptr(), 0)
            };
            assert_eq!((canary, canary_u8), ([7.0; 4], [7; 4]));
            (f, u)
        });
        // the canvas is (max h) x (max w): it may have elements though neither image has
        let canvas = h1.max(h2).checked_mul(w1.max(w2)).and_then(|p| p.checked_mul(channels));
        let want = match canvas {
            _ if channels == 0 => mixup_status::InvalidArgument,
            None => mixup_status::SizeOverflow,
            Some(0) => OK,
            Some(_) => mixup_status::BufferTooSmall,
        };
        prop_assert_eq!(f, want);
        prop_assert_eq!(u, want);
    }

    /// A detection batch whose images have no elements and a huge height,
    /// and box offsets near `SIZE_MAX`.
    #[test]
    fn detection_with_huge_dimensions(height in huge(), end in huge(), channels in 1usize..4) {
        let (sizes_status, mix_status) = within_deadline("mixup_mix_detection_f32", move || {
            let sizes = [mixup_size { height, width: 0 }];
            let (offsets, partners, lam) = ([0usize], [0u32], [0.5f64]);
            let box_offsets = [0usize, end];
            let (mut elements, mut boxes) = (77usize, 77usize);
            // SAFETY: every pointer is valid for its length.
            let sizes_status = unsafe {
                mixup_detection_sizes(&det_layout(1, sizes.as_ptr(), null(), null(), null(), 0, box_offsets.as_ptr(), channels, mixup_layout::Hwc as u32), partners.as_ptr(), 1, &mut elements, &mut boxes)
            };
            if sizes_status == OK {
                assert_eq!((elements, boxes), (0, 2 * end));
            } else {
                assert_eq!((elements, boxes), (77, 77));
            }
            let no_boxes = [0usize, 0];
            let mut canvas_offsets = [77usize];
            let mut canvas_sizes = [mixup_size { height: 7, width: 7 }];
            let mut out_box_offsets = [77usize; 2];
            // SAFETY: every pointer is valid for its length; there are no boxes.
            let mix_status = unsafe {
                mixup_mix_detection_f32(dangling(), 0, &det_layout(1, sizes.as_ptr(), offsets.as_ptr(), dangling(), dangling(), 0, no_boxes.as_ptr(), channels, HWC), partners.as_ptr(), 1, lam.as_ptr(), 1, dangling(), 0, &det_outs(canvas_offsets.as_mut_ptr(), canvas_sizes.as_mut_ptr(), dangling(), 0, out_box_offsets.as_mut_ptr()))
            };
            if mix_status == OK {
                assert_eq!((canvas_sizes[0].height, canvas_sizes[0].width), (height, 0));
            } else {
                assert_eq!(canvas_offsets, [77]);
            }
            (sizes_status, mix_status)
        });
        // each canvas counts both images' boxes: 2 * end must fit
        let boxes_fit = end.checked_mul(2).is_some();
        prop_assert_eq!(sizes_status, if boxes_fit { OK } else { mixup_status::SizeOverflow });
        prop_assert_eq!(mix_status, OK);
    }

    /// Image offsets near `SIZE_MAX` are refused, and nothing is written.
    #[test]
    fn detection_offsets_near_the_top(offset in prop_oneof![Just(usize::MAX), Just(usize::MAX - 2), Just(1usize << 62)]) {
        let sizes = [mixup_size { height: 1, width: 1 }];
        let (images, offsets, partners, lam, no_boxes) = ([1.0f32; 3], [offset], [0u32], [0.5f64], [0usize, 0]);
        let mut canvases = [7.0f32; 3];
        let mut canvas_offsets = [77usize];
        let mut canvas_sizes = [mixup_size { height: 7, width: 7 }];
        let mut out_box_offsets = [77usize; 2];
        // SAFETY: every pointer is valid for its length.
        let status = unsafe {
            mixup_mix_detection_f32(images.as_ptr(), 3, &det_layout(1, sizes.as_ptr(), offsets.as_ptr(), dangling(), dangling(), 0, no_boxes.as_ptr(), 3, HWC), partners.as_ptr(), 1, lam.as_ptr(), 1, canvases.as_mut_ptr(), 3, &det_outs(canvas_offsets.as_mut_ptr(), canvas_sizes.as_mut_ptr(), dangling(), 0, out_box_offsets.as_mut_ptr()))
        };
        prop_assert_ne!(status, OK);
        prop_assert_eq!(canvases, [7.0; 3]);
        prop_assert_eq!((canvas_offsets, out_box_offsets), ([77], [77, 77]));
    }
}

/// The audit's wrap: box offsets `{0, 2^63}` made `count(i) + count(p)`
/// overflow to 0 boxes.
#[test]
fn detection_sizes_do_not_wrap() {
    let sizes = [mixup_size {
        height: 1,
        width: 1,
    }];
    let (box_offsets, partners) = ([0usize, 1 << 63], [0u32]);
    let (mut elements, mut boxes) = (77usize, 77usize);
    // SAFETY: every pointer is valid for its length.
    let status = unsafe {
        mixup_detection_sizes(
            &det_layout(
                1,
                sizes.as_ptr(),
                null(),
                null(),
                null(),
                0,
                box_offsets.as_ptr(),
                3,
                mixup_layout::Hwc as u32,
            ),
            partners.as_ptr(),
            1,
            &mut elements,
            &mut boxes,
        )
    };
    assert_eq!(status, mixup_status::SizeOverflow);
    assert_eq!((elements, boxes), (77, 77));
}

/// `n > 2^32` with samples of no elements: refused before any output is
/// written. The outputs are small real buffers whose stated lengths are
/// `n`: a call that wrote before refusing would crash or change them.
#[test]
fn batch_calls_refuse_n_beyond_u32_before_writing() {
    let n = (1usize << 32) + 3;
    let config = mixup_config_default();
    let image = mixup_image {
        struct_size: size_of::<mixup_image>(),
        channels: 3,
        pixels: 0,
        input_layout: HWC,
        output_layout: CHW,
    };
    for call in 0..3 {
        let mut rng = mixup_rng { s: [1, 2, 3, 4] };
        let mut applied = [9u8; 64];
        let mut lam_out = [-1.0f64; 8];
        let mut partners_out = [u32::MAX; 8];
        let mut workspace = [0u64; 8];
        let (ws, ap) = (workspace.as_mut_ptr().cast::<u8>(), applied.as_mut_ptr());
        let (lo, po) = (lam_out.as_mut_ptr(), partners_out.as_mut_ptr());
        let ws_len = usize::MAX / 4;
        // SAFETY: the library must refuse `n` before it touches any buffer.
        let status = unsafe {
            match call {
                0 => mixup_batch_f32(
                    &mut rng,
                    &config,
                    dangling(),
                    n,
                    0,
                    null(),
                    0,
                    0,
                    ws,
                    ws_len,
                    &outs(null_mut(), 0, lo, n, po, n, ap, n),
                ),
                1 => mixup_batch_u8(
                    &mut rng,
                    &config,
                    dangling(),
                    n,
                    0,
                    null(),
                    0,
                    0,
                    ws,
                    ws_len,
                    &outs(null_mut(), 0, lo, n, po, n, ap, n),
                ),
                _ => mixup_batch_u8_f32(
                    &mut rng,
                    &config,
                    dangling(),
                    n,
                    &image,
                    null(),
                    0,
                    null(),
                    0,
                    dangling(),
                    0,
                    null(),
                    0,
                    0,
                    ws,
                    ws_len,
                    &outs(null_mut(), 0, lo, n, po, n, ap, n),
                ),
            }
        };
        assert_eq!(status, mixup_status::SizeOverflow, "call {call}");
        assert!(applied.iter().all(|&a| a == 9));
        assert!(lam_out.iter().all(|&l| l == -1.0));
        assert!(partners_out.iter().all(|&p| p == u32::MAX));
        assert_eq!(workspace, [0; 8]);
        assert_eq!(rng.s, [1, 2, 3, 4]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// The scratch is the library's to clobber on every return, but only
    /// inside its stated length: canaries just before and after it stay,
    /// on success and on every error.
    #[test]
    fn scratch_writes_stay_inside_the_scratch(
        n in 1usize..40,
        len in 0usize..24,
        duplicate in any::<bool>(),
        short in any::<bool>(),
        seed in any::<u64>(),
    ) {
        const CANARY: usize = 16;
        let mut rng = mixup_rng { s: [0; 4] };
        // SAFETY: valid pointers and lengths.
        unsafe { mixup_rng_seed(&mut rng, seed) };
        let mut perm = vec![0u32; n];
        // SAFETY: `perm` holds n entries.
        unsafe { mixup_pairing_fill(&mut rng, mixup_pairing::Permutation as u32, 0, perm.as_mut_ptr(), n) };
        if duplicate && n > 1 {
            perm[1] = perm[0];
        }
        let lam = [0.3f64];
        let floats = len + n.div_ceil(32);
        let bytes = len + n.div_ceil(8);
        let (floats_arg, bytes_arg) = if short { (floats - 1, bytes - 1) } else { (floats, bytes) };
        let mut batch: Vec<f32> = (0..n * len).map(|i| i as f32).collect();
        let mut batch_u8: Vec<u8> = (0..n * len).map(|i| i as u8).collect();
        let mut scratch = vec![f32::from_bits(0x7fc0_dead); floats + 2 * CANARY];
        let mut scratch_u8 = vec![0xa5u8; bytes + 2 * CANARY];
        let batch_before = (batch.clone(), batch_u8.clone());
        // SAFETY: every pointer is valid for its length; the scratch lies strictly inside its arena.
        let (f, u) = unsafe {
            (
                mixup_apply_f32(batch.as_mut_ptr(), n, len, perm.as_ptr(), n, lam.as_ptr(), 1,
                    scratch.as_mut_ptr().add(CANARY), floats_arg),
                mixup_apply_u8(batch_u8.as_mut_ptr(), n, len, perm.as_ptr(), n, lam.as_ptr(), 1,
                    scratch_u8.as_mut_ptr().add(CANARY), bytes_arg),
            )
        };
        let canary_f = |s: &[f32]| s.iter().all(|v| v.to_bits() == 0x7fc0_dead);
        prop_assert!(canary_f(&scratch[..CANARY]) && canary_f(&scratch[CANARY + floats_arg..]));
        prop_assert!(scratch_u8[..CANARY].iter().chain(&scratch_u8[CANARY + bytes_arg..]).all(|&b| b == 0xa5));
        let want = if short {
            mixup_status::BufferTooSmall
        } else if duplicate && n > 1 {
            mixup_status::BadPermutation
        } else {
            OK
        };
        prop_assert_eq!(f, want);
        prop_assert_eq!(u, want);
        if f != OK {
            prop_assert_eq!(&batch, &batch_before.0);
        }
        if u != OK {
            prop_assert_eq!(&batch_u8, &batch_before.1);
        }
    }
}

/// `mixup_workspace_size_u8_f32` in the shape of the other size queries.
unsafe extern "C" fn workspace_u8_f32(n: usize, _len: usize, out: *mut usize) -> mixup_status {
    // SAFETY: the caller's promise on `out`.
    unsafe { mixup_workspace_size_u8_f32(n, out) }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// The size queries: the answer, or an error and nothing written.
    #[test]
    fn size_queries(n in prop_oneof![0usize..50, Just(usize::MAX), Just(usize::MAX / 8)], len in prop_oneof![0usize..50, Just(usize::MAX)]) {
        type Query = unsafe extern "C" fn(usize, usize, *mut usize) -> mixup_status;
        let queries: [(&str, Query, Option<usize>); 4] = [
            ("scratch", mixup_scratch_size, len.checked_add(n.div_ceil(32))),
            ("scratch u8", mixup_scratch_size_u8, len.checked_add(n.div_ceil(8))),
            ("workspace u8", mixup_workspace_size_u8, n.checked_mul(29).and_then(|b| b.checked_next_multiple_of(8)).and_then(|b| b.checked_add(len.checked_add(n.div_ceil(8))?)).filter(|&b| b <= isize::MAX as usize)),
            ("workspace u8 f32", workspace_u8_f32, n.checked_mul(29).and_then(|b| b.checked_next_multiple_of(8)).filter(|&b| b <= isize::MAX as usize)),
        ];
        for (name, query, want) in queries {
            let mut answer = 7usize;
            // SAFETY: a valid out-pointer, then NULL.
            let (got, null_status) = unsafe { (query(n, len, &mut answer), query(n, len, null_mut())) };
            prop_assert_eq!(null_status, mixup_status::NullPointer, "{}", name);
            match want {
                Some(w) => { prop_assert_eq!(got, OK, "{}", name); prop_assert_eq!(answer, w, "{}", name); }
                None => { prop_assert_eq!(got, mixup_status::SizeOverflow, "{}", name); prop_assert_eq!(answer, 7, "{}", name); }
            }
        }
    }
}
