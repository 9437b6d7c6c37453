//! Hostile arguments for the detection calls (`mixup_canvas_size`,
//! `mixup_blend_canvas_*`, `mixup_mix_boxes`, `mixup_mix_detection_*`):
//! one fault per call, the right status, every caller buffer unchanged on
//! an error.

mod common;

use common::{OK, bad_lambda, bits, det_layout, det_outs};
use mixup::ffi::*;
use proptest::prelude::*;
use std::ptr::{null, null_mut};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

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


    /// `mixup_blend_canvas_f32` and `mixup_mix_boxes` with one fault, or none.
    #[test]
    fn detection_calls(
        h1 in 0usize..6, w1 in 0usize..6, h2 in 0usize..6, w2 in 0usize..6,
        channels in 1usize..4,
        fault in 0u8..9,
        bad in bad_lambda(),
        coords in prop::collection::vec(-50.0f32..50.0, 8),
    ) {
        let (ha, wa) = (h1.max(h2), w1.max(w2));
        let (la, lb, lo) = (h1 * w1 * channels, h2 * w2 * channels, ha * wa * channels);
        let mut arena: Vec<f32> = (0..la + lb + lo + 4).map(|i| i as f32 * 0.25).collect();
        let base = arena.as_mut_ptr();
        let (a, b) = (base.cast_const(), unsafe { base.add(la) }.cast_const());
        let mut out = unsafe { base.add(la + lb) };
        let (mut lam, mut layout, mut out_len, mut channels_arg) = (0.3, 0u32, lo, channels);
        let mut expected = OK;
        match fault {
            1 => { lam = bad; expected = mixup_status::InvalidArgument; }
            2 => { layout = 2; expected = mixup_status::InvalidArgument; }
            3 if lo > 0 => { out_len -= 1; expected = mixup_status::BufferTooSmall; }
            4 if lo > 0 && la > 0 => { out = base; expected = mixup_status::Overlap; }
            5 => { channels_arg = 0; expected = mixup_status::InvalidArgument; }
            6 if la > 0 => { expected = mixup_status::NullPointer; }
            _ => {}
        }
        let a = if fault == 6 && la > 0 { null() } else { a };
        let before = arena.clone();
        let got = unsafe { mixup_blend_canvas_f32(a, h1, w1, b, h2, w2, channels_arg, layout, lam, out, out_len) };
        prop_assert_eq!(got, expected, "canvas fault {}", fault);
        if expected != OK {
            prop_assert_eq!(bits(&arena), bits(&before));
        }

        // boxes: (x1, y1, x2, y2) sorted so that they are valid unless the fault says otherwise
        let mut boxes = [0.0f32; 8];
        for k in 0..2 {
            let (x1, x2) = (coords[4 * k].min(coords[4 * k + 2]), coords[4 * k].max(coords[4 * k + 2]));
            let (y1, y2) = (coords[4 * k + 1].min(coords[4 * k + 3]), coords[4 * k + 1].max(coords[4 * k + 3]));
            boxes[4 * k..4 * k + 4].copy_from_slice(&[x1, y1, x2, y2]);
        }
        let classes = [3i64, 4];
        let mut out_boxes = [mixup_weighted_box { x1: -9.0, y1: -9.0, x2: -9.0, y2: -9.0, class_id: -9, weight: -9.0 }; 3];
        let (mut count, mut out_len, mut lam) = (77usize, 2usize, 0.5);
        let mut expected = OK;
        match fault {
            1 => { lam = bad; expected = mixup_status::InvalidArgument; }
            2 => { boxes[2] = f32::NAN; expected = mixup_status::InvalidArgument; }
            3 => { boxes[0] = boxes[2] + 1.0; expected = mixup_status::InvalidArgument; }
            4 => { out_len = 1; expected = mixup_status::BufferTooSmall; }
            _ => {}
        }
        let got = unsafe {
            mixup_mix_boxes(boxes.as_ptr(), classes.as_ptr(), 1, boxes.as_ptr().wrapping_add(4), classes.as_ptr().wrapping_add(1), 1, lam, 0, out_boxes.as_mut_ptr(), out_len, &mut count)
        };
        prop_assert_eq!(got, expected, "boxes fault {}", fault);
        if expected == OK {
            prop_assert_eq!(count, 2);
            prop_assert_eq!((out_boxes[0].class_id, out_boxes[1].class_id), (3, 4));
            prop_assert_eq!(out_boxes[0].weight + out_boxes[1].weight, 1.0);
        } else {
            prop_assert_eq!(count, 77);
            prop_assert!(out_boxes.iter().all(|b| b.class_id == -9));
        }
    }
}
