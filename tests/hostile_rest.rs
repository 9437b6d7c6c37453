//! Hostile arguments for the exported functions the other hostile tests do
//! not reach: the u8 out-of-place call, the size queries, the canvas size,
//! the u8 detection batch and the argument-free calls. One fault per call,
//! the right status, every caller buffer unchanged on an error.

mod common;

use common::{OK, dangling, det_layout, det_outs, outs};
use mixup::ffi::*;
use proptest::prelude::*;
use std::ffi::CStr;
use std::ptr::{null, null_mut};

/// `mixup_workspace_size_u8_f32` in the shape of the other size queries.
unsafe extern "C" fn workspace_u8_f32(n: usize, _len: usize, out: *mut usize) -> mixup_status {
    // SAFETY: the caller's promise on `out`.
    unsafe { mixup_workspace_size_u8_f32(n, out) }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// `mixup_apply_into_u8`: out of place, any index map.
    #[test]
    fn apply_into_u8(n in 0usize..8, len in 0usize..40, fault in 0u8..9, seed in any::<u32>()) {
        let batch: Vec<u8> = (0..n * len).map(|i| (i as u32 * 37 + seed) as u8).collect();
        let mut partners: Vec<u32> = (0..n as u32).map(|i| (i * 7 + seed) % n.max(1) as u32).collect();
        let mut lam = [0.3f64];
        let mut out = vec![9u8; n * len + 4];
        let (mut out_len, mut n_arg, mut batch_ptr) = (n * len, n, batch.as_ptr());
        let mut out_ptr = out.as_mut_ptr();
        let mut expected = OK;
        match fault {
            1 if n * len > 0 => { batch_ptr = null(); expected = mixup_status::NullPointer; }
            2 if n > 0 => { partners[0] = n as u32; expected = mixup_status::IndexOutOfRange; }
            3 => { lam[0] = f64::NAN; expected = mixup_status::InvalidArgument; }
            4 if n * len > 0 => { out_len -= 1; expected = mixup_status::BufferTooSmall; }
            5 if n * len > 0 => { out_ptr = batch.as_ptr().cast_mut(); expected = mixup_status::Overlap; }
            6 => { n_arg = usize::MAX; expected = if len > 0 { mixup_status::SizeOverflow } else { mixup_status::BufferTooSmall }; }
            7 if n * len == 0 => { batch_ptr = dangling(); }
            _ => {}
        }
        let before = out.clone();
        // SAFETY: every pointer is NULL or valid for its stated length.
        let got = unsafe {
            mixup_apply_into_u8(batch_ptr, n_arg, len, partners.as_ptr(), partners.len(), lam.as_ptr(), 1, out_ptr, out_len)
        };
        prop_assert_eq!(got, expected, "fault {}", fault);
        if expected == OK {
            for i in 0..n {
                for e in 0..len {
                    let (a, b) = (batch[i * len + e], batch[partners[i] as usize * len + e]);
                    let v = (f32::from(a) * 0.3f32 + f32::from(b) * 0.7f32).round_ties_even();
                    prop_assert_eq!(out[i * len + e], v as u8);
                }
            }
            prop_assert_eq!(&out[n * len..], &before[n * len..]);
        } else {
            prop_assert_eq!(&out, &before);
        }
    }

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

    /// `mixup_canvas_size`: any sizes; NULL or overlapping out-pointers refused.
    #[test]
    fn canvas_size(h1 in any::<usize>(), w1 in any::<usize>(), h2 in any::<usize>(), w2 in any::<usize>(), fault in 0u8..4) {
        let mut out = [7usize; 2];
        let base = out.as_mut_ptr();
        // SAFETY: both pointers are NULL or within `out`.
        let got = unsafe {
            match fault {
                1 => mixup_canvas_size(h1, w1, h2, w2, null_mut(), base.add(1)),
                2 => mixup_canvas_size(h1, w1, h2, w2, base, null_mut()),
                3 => mixup_canvas_size(h1, w1, h2, w2, base, base),
                _ => mixup_canvas_size(h1, w1, h2, w2, base, base.add(1)),
            }
        };
        let expected = [OK, mixup_status::NullPointer, mixup_status::NullPointer, mixup_status::Overlap][fault as usize];
        prop_assert_eq!(got, expected);
        prop_assert_eq!(out, if expected == OK { [h1.max(h2), w1.max(w2)] } else { [7, 7] });
    }

    /// `mixup_mix_detection_u8`: two images of different sizes, one fault.
    #[test]
    fn mix_detection_u8(h in 1usize..5, w in 1usize..5, fault in 0u8..7, lam in 0.0f64..=1.0) {
        let sizes = [mixup_size { height: h, width: w }, mixup_size { height: w, width: h + 1 }];
        let (la, lb) = (h * w * 3, w * (h + 1) * 3);
        let images: Vec<u8> = (0..la + lb).map(|i| (i * 31) as u8).collect();
        let mut offsets = [0usize, la];
        let boxes = [[0.0f32, 0.0, 1.0, 1.0], [0.5, 0.5, 2.0, 3.0]];
        let classes = [4i64, 5];
        let box_offsets = [0usize, 1, 2];
        let mut partners = [1u32, 0];
        let mut lams = [lam];
        let canvas = h.max(w) * w.max(h + 1) * 3;
        let mut canvases = vec![7u8; 2 * canvas];
        let mut canvas_offsets = [77usize; 2];
        let mut canvas_sizes = [mixup_size { height: 7, width: 7 }; 2];
        let mut out_boxes = [mixup_weighted_box { x1: 0.0, y1: 0.0, x2: 0.0, y2: 0.0, class_id: -9, weight: 0.0 }; 4];
        let mut out_box_offsets = [77usize; 3];
        let (mut layout, mut canvases_len) = (mixup_layout::Hwc as u32, canvases.len());
        let mut expected = OK;
        match fault {
            1 => { partners[0] = 2; expected = mixup_status::IndexOutOfRange; }
            2 => { lams[0] = -0.5; expected = mixup_status::InvalidArgument; }
            3 => { layout = 7; expected = mixup_status::InvalidArgument; }
            4 => { canvases_len -= 1; expected = mixup_status::BufferTooSmall; }
            5 => { offsets[1] = usize::MAX - 1; expected = mixup_status::SizeOverflow; }
            6 => { offsets[1] = la + 1; expected = mixup_status::InvalidArgument; }
            _ => {}
        }
        // SAFETY: every pointer is valid for its stated length.
        let got = unsafe {
            mixup_mix_detection_u8(images.as_ptr(), images.len(), &det_layout(2, sizes.as_ptr(), offsets.as_ptr(), boxes.as_ptr().cast(), classes.as_ptr(), 2, box_offsets.as_ptr(), 3, layout), partners.as_ptr(), 2, lams.as_ptr(), 1, canvases.as_mut_ptr(), canvases_len, &det_outs(canvas_offsets.as_mut_ptr(), canvas_sizes.as_mut_ptr(), out_boxes.as_mut_ptr(), 4, out_box_offsets.as_mut_ptr()))
        };
        prop_assert_eq!(got, expected, "fault {}", fault);
        if expected == OK {
            prop_assert_eq!(canvas_offsets, [0, canvas]);
            prop_assert_eq!(out_box_offsets, [0, 2, 4]);
            prop_assert_eq!(out_boxes.map(|b| b.class_id), [4, 5, 5, 4]);
        } else {
            prop_assert!(canvases.iter().all(|&v| v == 7));
            prop_assert_eq!((canvas_offsets, out_box_offsets), ([77; 2], [77; 3]));
            prop_assert!(out_boxes.iter().all(|b| b.class_id == -9));
        }
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
