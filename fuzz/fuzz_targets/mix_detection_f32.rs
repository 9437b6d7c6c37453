//! `mixup_mix_detection_f32`: variable-size images on padded canvases, and
//! the weighted boxes of both.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixup::ffi::{
    mixup_detection_layout, mixup_detection_layout_default, mixup_detection_outputs,
    mixup_detection_outputs_default, mixup_mix_detection_f32, mixup_size, mixup_status,
    mixup_weighted_box,
};
use mixup_fuzz::{Arena, Spec, Unstructured, lambda, partner, room, same, samples, sides, weights};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let n = u.int_in_range(0..=4).unwrap_or(0);
    let channels = u.int_in_range(0..=3).unwrap_or(1);
    let layout: u32 = u.int_in_range(0..=2).unwrap_or(0);
    let lams = if u.arbitrary().unwrap_or(false) {
        n.max(1)
    } else {
        1
    };
    let sizes: Vec<mixup_size> = (0..n)
        .map(|_| {
            let [height, width] = sides(&mut u, [6, 6]);
            mixup_size { height, width }
        })
        .collect();
    let counts: Vec<usize> = (0..n).map(|_| u.int_in_range(0..=3).unwrap_or(0)).collect();
    let partners: Vec<u32> = (0..n).map(|_| partner(&mut u, n)).collect();
    let elements = |s: mixup_size| s.height * s.width * channels;
    let (mut image_offsets, mut total) = (Vec::new(), 0);
    for &s in &sizes {
        image_offsets.push(total);
        total += elements(s);
    }
    if n > 0 && u.arbitrary::<u8>().unwrap_or(0) % 16 == 0 {
        image_offsets[0] = u.arbitrary().unwrap_or(0);
    }
    let mut box_offsets = vec![0usize];
    counts
        .iter()
        .for_each(|&c| box_offsets.push(box_offsets.last().unwrap() + c));
    let num_boxes = *box_offsets.last().unwrap();
    // the outputs as the pairs need them, when the partners are in range
    let (mut canvas_total, mut out_boxes) = (0usize, 0);
    for (i, &p) in partners.iter().enumerate() {
        let p = (p as usize).min(n - 1);
        let (a, b) = (sizes[i], sizes[p]);
        // HUGE x 0 with 0 x HUGE has a HUGE x HUGE canvas: saturate, and
        // the buffer gets at most MOST elements
        let canvas = a.height.max(b.height).saturating_mul(a.width.max(b.width));
        canvas_total = canvas_total.saturating_add(canvas.saturating_mul(channels));
        out_boxes += counts[i] + counts[p];
    }
    let specs = [
        Spec::of::<f32>(total),
        Spec::of::<usize>(n),
        Spec::of::<mixup_size>(n),
        Spec::of::<f32>(4 * num_boxes),
        Spec::of::<i64>(num_boxes),
        Spec::of::<usize>(n + 1),
        Spec::of::<u32>(n),
        Spec::of::<f64>(lams),
        Spec::of::<f32>(room(canvas_total)),
        Spec::of::<usize>(n),
        Spec::of::<mixup_size>(n),
        Spec::of::<mixup_weighted_box>(out_boxes),
        Spec::of::<usize>(n + 1),
    ];
    let mut arena = Arena::new(&mut u, &specs);
    for b in 0..num_boxes {
        if u.arbitrary::<u8>().unwrap_or(0) % 8 != 0 {
            let (x1, y1, w, h): (i8, i8, u8, u8) = u.arbitrary().unwrap_or((0, 0, 0, 0));
            let corners = [
                f32::from(x1),
                f32::from(y1),
                f32::from(x1) + f32::from(w),
                f32::from(y1) + f32::from(h),
            ];
            corners
                .iter()
                .enumerate()
                .for_each(|(e, &v)| arena.set(3, 4 * b + e, v));
        }
    }
    (0..lams).for_each(|i| arena.set(7, i, lambda(&mut u)));
    // the shapes last, so that they are what the call reads
    for i in 0..n {
        arena.set(1, i, image_offsets[i]);
        arena.set(2, i, sizes[i]);
        arena.set(6, i, partners[i]);
    }
    box_offsets
        .iter()
        .enumerate()
        .for_each(|(i, &o)| arena.set(5, i, o));
    let before = arena.snapshot();
    let (images, offsets, sz, boxes, classes) = (
        arena.ptr(0),
        arena.ptr(1),
        arena.ptr(2),
        arena.ptr(3),
        arena.ptr(4),
    );
    let (bo, p, l, canvases) = (arena.ptr(5), arena.ptr(6), arena.ptr(7), arena.ptr(8));
    let (co, cs, ob, obo) = (arena.ptr(9), arena.ptr(10), arena.ptr(11), arena.ptr(12));
    // SAFETY: every pointer is NULL or valid for its stated length (the
    // index arrays for n or n + 1 entries, as the call reads them).
    let shape = mixup_detection_layout {
        n,
        sizes: sz,
        image_offsets: offsets,
        boxes,
        classes,
        num_boxes,
        box_offsets: bo,
        channels,
        layout,
        ..mixup_detection_layout_default()
    };
    let outputs = mixup_detection_outputs {
        canvas_offsets: co,
        canvas_sizes: cs,
        boxes: ob,
        boxes_len: arena.len(11),
        box_offsets: obo,
        ..mixup_detection_outputs_default()
    };
    let status = unsafe {
        mixup_mix_detection_f32(
            images,
            arena.len(0),
            &shape,
            p,
            n,
            l,
            arena.len(7),
            canvases,
            arena.len(8),
            &outputs,
        )
    };
    if status != mixup_status::Ok {
        return arena.assert_untouched(&before, &[], status as i32);
    }
    let at = |s: mixup_size, c: usize, y: usize, x: usize| {
        if layout == 0 {
            (y * s.width + x) * channels + c
        } else {
            (c * s.height + y) * s.width + x
        }
    };
    for i in 0..n {
        let j = arena.get::<u32>(6, i) as usize;
        let lam: f64 = arena.get(7, if arena.len(7) == 1 { 0 } else { i });
        let (ws, wp) = weights(lam);
        let (sa, sb): (mixup_size, mixup_size) = (arena.get(2, i), arena.get(2, j));
        let canvas: mixup_size = arena.get(10, i);
        assert_eq!(
            (canvas.height, canvas.width),
            (sa.height.max(sb.height), sa.width.max(sb.width))
        );
        let start: usize = arena.get(9, i);
        let (oa, ob): (usize, usize) = (arena.get(1, i), arena.get(1, j));
        // over the canvas's elements, never its sides: one may be HUGE
        let pixels = match channels {
            0 => 0,
            _ => (canvas.height.checked_mul(canvas.width)).expect("an accepted canvas"),
        };
        for (c, p) in samples(channels, pixels, arena.len(8).saturating_sub(start)) {
            let (y, x) = (p / canvas.width, p % canvas.width);
            // GluonCV: zeros, `a * lam` where a covers, `+ b * (1 - lam)` where b does
            let covers = |s: mixup_size| y < s.height && x < s.width;
            let mut want = 0.0f32;
            if covers(sa) {
                want = arena.get::<f32>(0, oa + at(sa, c, y, x)) * ws;
            }
            if covers(sb) {
                want += arena.get::<f32>(0, ob + at(sb, c, y, x)) * wp;
            }
            let got: f32 = arena.get(8, start + at(canvas, c, y, x));
            assert!(same(got, want), "canvas {i} c {c} y {y} x {x}");
        }
        let mut slot: usize = arena.get(12, i);
        for (k, weight) in [(i, ws), (j, wp)] {
            for b in arena.get::<usize>(5, k)..arena.get::<usize>(5, k + 1) {
                let got: mixup_weighted_box = arena.get(11, slot);
                let corners: [f32; 4] = std::array::from_fn(|e| arena.get(3, 4 * b + e));
                assert_eq!(
                    [got.x1, got.y1, got.x2, got.y2].map(f32::to_bits),
                    corners.map(f32::to_bits)
                );
                assert_eq!(
                    (got.class_id, got.weight.to_bits()),
                    (arena.get::<i64>(4, b), weight.to_bits())
                );
                slot += 1;
            }
        }
        assert_eq!(slot, arena.get::<usize>(12, i + 1));
    }
});
