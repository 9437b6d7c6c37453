//! Detection mixup: the canvas against a direct formula for every
//! geometry and layout, and the weighted boxes.

mod common;

use common::{assert_same, every_backend};
use mixup::{ChannelOrder, Error, ImageSize, Mixer, WeightedBox, mix_boxes};

fn at(
    layout: ChannelOrder,
    size: ImageSize,
    channels: usize,
    c: usize,
    y: usize,
    x: usize,
) -> usize {
    match layout {
        ChannelOrder::Hwc => (y * size.width + x) * channels + c,
        ChannelOrder::Chw => (c * size.height + y) * size.width + x,
    }
}

/// GluonCV's canvas at one element: zero, `a * w_self` where `a` covers
/// it, plus `b * w_partner` where `b` does (`None` for a missing image).
fn gluoncv(lam: f64, a: Option<f32>, b: Option<f32>) -> f32 {
    let (ws, wp) = (lam as f32, (1.0 - lam) as f32);
    let canvas = a.map_or(0.0, |a| a * ws);
    b.map_or(canvas, |b| canvas + b * wp)
}

/// `pad(image)` at (c, y, x): the value, or 0 outside the image.
fn padded<T: Copy + Default>(
    img: &[T],
    size: ImageSize,
    layout: ChannelOrder,
    channels: usize,
    c: usize,
    y: usize,
    x: usize,
) -> T {
    if y < size.height && x < size.width {
        img[at(layout, size, channels, c, y, x)]
    } else {
        T::default()
    }
}

const GEOMETRIES: [((usize, usize), (usize, usize)); 7] = [
    ((5, 7), (3, 4)),    // the first larger both ways
    ((3, 9), (6, 2)),    // taller second, wider first
    ((4, 4), (4, 4)),    // equal sizes
    ((1, 1), (1, 1)),    // 1x1
    ((1, 1), (3, 700)),  // rows longer than the zero run
    ((2, 1030), (1, 3)), // likewise, the other way
    ((0, 0), (2, 3)),    // an empty first image
];

#[test]
fn canvas_matches_the_padded_formula() {
    for ((ha, wa), (hb, wb)) in GEOMETRIES {
        let (sa, sb) = (
            ImageSize {
                height: ha,
                width: wa,
            },
            ImageSize {
                height: hb,
                width: wb,
            },
        );
        let canvas = ImageSize::canvas(sa, sb);
        assert_eq!((canvas.height, canvas.width), (ha.max(hb), wa.max(wb)));
        for channels in [1, 3] {
            for layout in [ChannelOrder::Hwc, ChannelOrder::Chw] {
                // signed zeros, tiny values whose product underflows, infinities
                let special = [-0.0f32, -1e-45, f32::INFINITY, 0.0, -7.5];
                let a: Vec<f32> = (0..ha * wa * channels)
                    .map(|i| {
                        if i % 5 == 0 {
                            special[i / 5 % 5]
                        } else {
                            i as f32 * 0.5 + 1.0
                        }
                    })
                    .collect();
                let b: Vec<f32> = (0..hb * wb * channels)
                    .map(|i| {
                        if i % 7 == 0 {
                            special[i / 7 % 5]
                        } else {
                            100.0 - i as f32 * 0.25
                        }
                    })
                    .collect();
                let ab: Vec<u8> = (0..a.len()).map(|i| (i * 37 % 256) as u8).collect();
                let bb: Vec<u8> = (0..b.len()).map(|i| (i * 91 % 256) as u8).collect();
                for lam in [0.3, 1.0, 0.0, 0.5] {
                    let n = canvas.height * canvas.width * channels;
                    let mut want = vec![0.0f32; n];
                    let mut want_u8 = vec![0u8; n];
                    for c in 0..channels {
                        for y in 0..canvas.height {
                            for x in 0..canvas.width {
                                let o = at(layout, canvas, channels, c, y, x);
                                let covers = |s: ImageSize| y < s.height && x < s.width;
                                let (pa, pb) = (
                                    covers(sa).then(|| a[at(layout, sa, channels, c, y, x)]),
                                    covers(sb).then(|| b[at(layout, sb, channels, c, y, x)]),
                                );
                                want[o] = gluoncv(lam, pa, pb);
                                let (ua, ub) = (
                                    padded(&ab, sa, layout, channels, c, y, x),
                                    padded(&bb, sb, layout, channels, c, y, x),
                                );
                                let v =
                                    f32::from(ua) * lam as f32 + f32::from(ub) * (1.0 - lam) as f32;
                                want_u8[o] = v.round_ties_even().clamp(0.0, 255.0) as u8;
                            }
                        }
                    }
                    for mixer in every_backend() {
                        let mut out = vec![f32::NAN; n + 2];
                        let got = mixer
                            .blend_canvas(&mut out, &a, sa, &b, sb, channels, layout, lam)
                            .unwrap();
                        assert_eq!(got, canvas);
                        assert_same(&out[..n], &want, "f32 canvas");
                        assert!(out[n..].iter().all(|v| v.is_nan()), "wrote past the canvas");
                        let mut out_u8 = vec![7u8; n];
                        mixer
                            .blend_canvas(&mut out_u8, &ab, sa, &bb, sb, channels, layout, lam)
                            .unwrap();
                        assert_eq!(
                            out_u8, want_u8,
                            "u8 canvas {ha}x{wa} {hb}x{wb} c{channels} {layout:?} lam {lam}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn where_only_the_first_image_covers_the_canvas_its_zeros_keep_their_sign() {
    // the audit's case: GluonCV writes im1 * lam there, 0x80000000 for -1e-45 * 0.3
    let (sa, sb) = (
        ImageSize {
            height: 1,
            width: 2,
        },
        ImageSize {
            height: 1,
            width: 1,
        },
    );
    for mixer in every_backend() {
        let mut out = [9.0f32; 2];
        mixer
            .blend_canvas(
                &mut out,
                &[-5.0, -1e-45],
                sa,
                &[1.0],
                sb,
                1,
                ChannelOrder::Hwc,
                0.3,
            )
            .unwrap();
        assert_eq!(out[1].to_bits(), 0x8000_0000);
        assert_eq!(out[0], -5.0 * 0.3f32 + 0.7f32);
    }
}

#[test]
fn canvas_errors_write_nothing() {
    let mixer = Mixer::new();
    let (sa, sb) = (
        ImageSize {
            height: 2,
            width: 2,
        },
        ImageSize {
            height: 1,
            width: 3,
        },
    );
    let (a, b) = (vec![1.0f32; 4], vec![2.0f32; 3]);
    let mut out = vec![-1.0f32; 6];
    assert_eq!(
        mixer.blend_canvas(&mut out[..5], &a, sa, &b, sb, 1, ChannelOrder::Hwc, 0.5),
        Err(Error::BufferTooSmall)
    );
    assert_eq!(
        mixer.blend_canvas(&mut out, &a[..3], sa, &b, sb, 1, ChannelOrder::Hwc, 0.5),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        mixer.blend_canvas(&mut out, &a, sa, &b, sb, 0, ChannelOrder::Hwc, 0.5),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        mixer.blend_canvas(&mut out, &a, sa, &b, sb, 1, ChannelOrder::Chw, f64::NAN),
        Err(Error::InvalidArgument)
    );
    let huge = ImageSize {
        height: usize::MAX,
        width: 2,
    };
    assert_eq!(
        mixer.blend_canvas(&mut out, &a, huge, &b, sb, 1, ChannelOrder::Hwc, 0.5),
        Err(Error::SizeOverflow)
    );
    assert!(out.iter().all(|&v| v == -1.0));
}

#[test]
fn boxes_keep_both_images_with_their_weights() {
    let a = [[0.0, 0.0, 10.0, 10.0], [2.0, 3.0, 4.0, 5.0]];
    let b = [[1.0, 1.0, 1.0, 1.0]];
    let mut out = [WeightedBox::default(); 4];
    assert_eq!(
        mix_boxes(&a, &[3, 4], &b, &[9], 0.6, false, &mut out),
        Ok(3)
    );
    assert_eq!(
        out[0],
        WeightedBox {
            x1: 0.0,
            y1: 0.0,
            x2: 10.0,
            y2: 10.0,
            class_id: 3,
            weight: 0.6
        }
    );
    assert_eq!(out[1].class_id, 4);
    assert_eq!(
        out[2],
        WeightedBox {
            x1: 1.0,
            y1: 1.0,
            x2: 1.0,
            y2: 1.0,
            class_id: 9,
            weight: (1.0f64 - 0.6) as f32
        }
    );
    assert_eq!(out[3], WeightedBox::default());
    // lam = 1: the second image's boxes weigh 0 and can be dropped
    let mut out = [WeightedBox::default(); 2];
    assert_eq!(mix_boxes(&a, &[3, 4], &b, &[9], 1.0, true, &mut out), Ok(2));
    assert_eq!(
        mix_boxes(&a, &[3, 4], &b, &[9], 1.0, false, &mut out),
        Err(Error::BufferTooSmall)
    );
    assert_eq!(mix_boxes(&[], &[], &[], &[], 0.5, false, &mut []), Ok(0));
}

#[test]
fn bad_boxes_are_errors_and_write_nothing() {
    let mut out = [WeightedBox::default(); 4];
    let bad: [[f32; 4]; 4] = [
        [0.0, 0.0, f32::NAN, 1.0],
        [0.0, 0.0, 1.0, f32::INFINITY],
        [5.0, 0.0, 4.0, 1.0],
        [0.0, 5.0, 1.0, 4.0],
    ];
    for b in bad {
        assert_eq!(
            mix_boxes(&[b], &[1], &[], &[], 0.5, false, &mut out),
            Err(Error::InvalidArgument)
        );
        assert_eq!(
            mix_boxes(&[], &[], &[b], &[1], 0.5, false, &mut out),
            Err(Error::InvalidArgument)
        );
    }
    assert_eq!(
        mix_boxes(&[[0.0; 4]], &[], &[], &[], 0.5, false, &mut out),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        mix_boxes(&[[0.0; 4]], &[1], &[], &[], 1.5, false, &mut out),
        Err(Error::InvalidArgument)
    );
    assert!(out.iter().all(|b| *b == WeightedBox::default()));
}

#[test]
fn batch_form_matches_pair_by_pair() {
    use mixup::{DetectionBatch, DetectionOutput, detection_output_sizes};
    let sizes = [
        ImageSize {
            height: 3,
            width: 4,
        },
        ImageSize {
            height: 5,
            width: 2,
        },
        ImageSize {
            height: 1,
            width: 1,
        },
    ];
    let channels = 3;
    let mut offsets = [0usize; 3];
    let mut total = 0;
    for (o, s) in offsets.iter_mut().zip(&sizes) {
        *o = total;
        total += s.height * s.width * channels;
    }
    let images: Vec<f32> = (0..total).map(|i| i as f32 * 0.75).collect();
    let bytes: Vec<u8> = (0..total).map(|i| (i * 29 % 256) as u8).collect();
    let boxes = [
        [0.0, 0.0, 1.0, 1.0],
        [1.0, 1.0, 2.0, 3.0],
        [0.5, 0.5, 0.5, 0.5],
    ];
    let classes = [1, 2, 3];
    let box_offsets = [0usize, 2, 2, 3]; // image 1 has no box
    let partners = [1u32, 2, 0];
    let lambdas = [0.2, 0.9, 0.5];
    let batch = DetectionBatch {
        images: &images,
        image_offsets: &offsets,
        sizes: &sizes,
        boxes: &boxes,
        box_offsets: &box_offsets,
        classes: &classes,
        channels,
        layout: ChannelOrder::Hwc,
    };
    let (elements, box_count) =
        detection_output_sizes(&sizes, &box_offsets, &partners, channels).unwrap();
    assert_eq!(elements, (5 * 4 + 5 * 2 + 3 * 4) * channels);
    assert_eq!(box_count, 2 + 1 + 3);

    let mut canvases = vec![f32::NAN; elements];
    let (mut c_off, mut c_size, mut out_boxes, mut b_off) = (
        [0; 3],
        [ImageSize::default(); 3],
        vec![WeightedBox::default(); box_count],
        [9usize; 4],
    );
    let mixer = Mixer::new();
    mixer
        .mix_detection(
            &batch,
            &partners,
            &lambdas,
            DetectionOutput {
                canvases: &mut canvases,
                canvas_offsets: &mut c_off,
                canvas_sizes: &mut c_size,
                boxes: &mut out_boxes,
                box_offsets: &mut b_off,
            },
        )
        .unwrap();
    assert_eq!(b_off, [0, 2, 3, 6]);
    for i in 0..3 {
        let p = partners[i] as usize;
        let image = |k: usize| &images[offsets[k]..][..sizes[k].height * sizes[k].width * channels];
        let mut want = vec![0.0f32; 64 * channels];
        let canvas = mixer
            .blend_canvas(
                &mut want,
                image(i),
                sizes[i],
                image(p),
                sizes[p],
                channels,
                ChannelOrder::Hwc,
                lambdas[i],
            )
            .unwrap();
        assert_eq!(c_size[i], canvas);
        let len = canvas.height * canvas.width * channels;
        assert_same(&canvases[c_off[i]..][..len], &want[..len], "batch canvas");
        let mut want_boxes = vec![WeightedBox::default(); 4];
        let range = |k: usize| box_offsets[k]..box_offsets[k + 1];
        let count = mix_boxes(
            &boxes[range(i)],
            &classes[range(i)],
            &boxes[range(p)],
            &classes[range(p)],
            lambdas[i],
            false,
            &mut want_boxes,
        )
        .unwrap();
        assert_eq!(&out_boxes[b_off[i]..b_off[i + 1]], &want_boxes[..count]);
    }

    // u8, and the errors
    let batch_u8 = DetectionBatch {
        images: &bytes[..],
        image_offsets: &offsets,
        sizes: &sizes,
        boxes: &boxes,
        box_offsets: &box_offsets,
        classes: &classes,
        channels,
        layout: ChannelOrder::Chw,
    };
    let mut canvases_u8 = vec![0u8; elements];
    mixer
        .mix_detection(
            &batch_u8,
            &partners,
            &[0.5],
            DetectionOutput {
                canvases: &mut canvases_u8,
                canvas_offsets: &mut c_off,
                canvas_sizes: &mut c_size,
                boxes: &mut out_boxes,
                box_offsets: &mut b_off,
            },
        )
        .unwrap();
    let mut short = vec![-1.0f32; elements - 1];
    let result = mixer.mix_detection(
        &batch,
        &partners,
        &lambdas,
        DetectionOutput {
            canvases: &mut short,
            canvas_offsets: &mut c_off,
            canvas_sizes: &mut c_size,
            boxes: &mut out_boxes,
            box_offsets: &mut b_off,
        },
    );
    assert_eq!(result, Err(Error::BufferTooSmall));
    assert!(short.iter().all(|&v| v == -1.0));
    assert_eq!(
        detection_output_sizes(&sizes, &box_offsets, &[1, 2, 3], channels),
        Err(Error::IndexOutOfRange)
    );
    assert_eq!(
        detection_output_sizes(&sizes, &[0, 2, 1, 3], &partners, channels),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        detection_output_sizes(&sizes, &box_offsets, &partners, 0),
        Err(Error::InvalidArgument)
    );
    // an image past the end of `images`, and a box with x2 < x1: refused, nothing written
    let mut canvases = vec![-1.0f32; elements];
    for bad in [
        DetectionBatch {
            image_offsets: &[0, 36, total],
            ..batch
        },
        DetectionBatch {
            boxes: &[[0.0, 0.0, 1.0, 1.0], [3.0, 1.0, 2.0, 3.0], [0.5; 4]],
            ..batch
        },
    ] {
        let out = DetectionOutput {
            canvases: &mut canvases,
            canvas_offsets: &mut c_off,
            canvas_sizes: &mut c_size,
            boxes: &mut out_boxes,
            box_offsets: &mut b_off,
        };
        assert_eq!(
            mixer.mix_detection(&bad, &partners, &lambdas, out),
            Err(Error::InvalidArgument)
        );
    }
    assert!(canvases.iter().all(|&v| v == -1.0));
}
