//! Detection mixup: the canvas against a direct formula for every
//! geometry and layout, and the weighted boxes.

mod common;

use common::{assert_same, formula};
use mixup::{Backend, Error, ImageSize, Layout, Mixer, WeightedBox, mix_boxes};

fn mixers() -> Vec<Mixer> {
    Backend::ALL
        .iter()
        .filter_map(|&b| Mixer::with_backend(b))
        .collect()
}

fn at(layout: Layout, size: ImageSize, channels: usize, c: usize, y: usize, x: usize) -> usize {
    match layout {
        Layout::Hwc => (y * size.width + x) * channels + c,
        Layout::Chw => (c * size.height + y) * size.width + x,
    }
}

/// `pad(image)` at (c, y, x): the value, or 0 outside the image.
fn padded<T: Copy + Default>(
    img: &[T],
    size: ImageSize,
    layout: Layout,
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
            for layout in [Layout::Hwc, Layout::Chw] {
                let a: Vec<f32> = (0..ha * wa * channels)
                    .map(|i| i as f32 * 0.5 + 1.0)
                    .collect();
                let b: Vec<f32> = (0..hb * wb * channels)
                    .map(|i| 100.0 - i as f32 * 0.25)
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
                                let (pa, pb) = (
                                    padded(&a, sa, layout, channels, c, y, x),
                                    padded(&b, sb, layout, channels, c, y, x),
                                );
                                want[o] = formula(lam, pa, pb);
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
                    for mixer in mixers() {
                        let mut out = vec![f32::NAN; n + 2];
                        let got = mixer
                            .blend_canvas(&mut out, &a, sa, &b, sb, channels, layout, lam)
                            .unwrap();
                        assert_eq!(got, canvas);
                        assert_same(&out[..n], &want, "f32 canvas");
                        assert!(out[n..].iter().all(|v| v.is_nan()), "wrote past the canvas");
                        let mut out_u8 = vec![7u8; n];
                        mixer
                            .blend_canvas_u8(&mut out_u8, &ab, sa, &bb, sb, channels, layout, lam)
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
        mixer.blend_canvas(&mut out[..5], &a, sa, &b, sb, 1, Layout::Hwc, 0.5),
        Err(Error::BufferTooSmall)
    );
    assert_eq!(
        mixer.blend_canvas(&mut out, &a[..3], sa, &b, sb, 1, Layout::Hwc, 0.5),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        mixer.blend_canvas(&mut out, &a, sa, &b, sb, 0, Layout::Hwc, 0.5),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        mixer.blend_canvas(&mut out, &a, sa, &b, sb, 1, Layout::Chw, f64::NAN),
        Err(Error::InvalidArgument)
    );
    let huge = ImageSize {
        height: usize::MAX,
        width: 2,
    };
    assert_eq!(
        mixer.blend_canvas(&mut out, &a, huge, &b, sb, 1, Layout::Hwc, 0.5),
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
            class: 3,
            weight: 0.6
        }
    );
    assert_eq!(out[1].class, 4);
    assert_eq!(
        out[2],
        WeightedBox {
            x1: 1.0,
            y1: 1.0,
            x2: 1.0,
            y2: 1.0,
            class: 9,
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
