//! CutMix pasting and mixed plans (mixup, CutMix and unmixed samples in one
//! batch) on every backend, both layouts, f32, u8 and fused u8 to f32, in
//! place and out of place, against a reference written here: every output
//! element is the sample's own or its partner's at the same position, and
//! exactly the box takes the partner's.

mod common;

use common::{any_f32, any_lambda, assert_same, every_mixer, formula};
use mixup::{
    ChannelOrder, CutBox, Cuts, Error, FusedImage, ImageShape, MixRng, Mixer, Normalize, Op,
    Pairing, Plan, in_place_scratch_len, in_place_scratch_len_u8,
};
use proptest::prelude::*;
use std::ops::Range;

/// The channel, row and column of element `i` of a sample.
fn position(image: ImageShape, i: usize) -> (usize, usize, usize) {
    let (c, h, w) = (image.channels, image.height, image.width);
    match image.layout {
        ChannelOrder::Hwc => (i % c, i / (w * c), i / c % w),
        ChannelOrder::Chw => (i / (h * w), i / w % h, i % w),
    }
}

/// Where (channel, row, column) lies in a sample: the inverse of [`position`].
fn offset(image: ImageShape, (ch, y, x): (usize, usize, usize)) -> usize {
    let (c, h, w) = (image.channels, image.height, image.width);
    match image.layout {
        ChannelOrder::Hwc => (y * w + x) * c + ch,
        ChannelOrder::Chw => (ch * h + y) * w + x,
    }
}

fn inside(b: CutBox, y: usize, x: usize) -> bool {
    (b.y1 as usize..b.y2 as usize).contains(&y) && (b.x1 as usize..b.x2 as usize).contains(&x)
}

/// What a plan makes of a batch: mixup by `blend`, CutMix by taking the
/// partner's element inside the box, unmixed as it is.
fn reference<T: Copy>(
    batch: &[T],
    image: ImageShape,
    plan: &Plan<'_>,
    blend: impl Fn(f64, T, T) -> T,
) -> Vec<T> {
    let len = image.elements().unwrap();
    let mut out = batch.to_vec();
    for i in 0..plan.len() {
        let p = plan.partners[i] as usize;
        let lam = plan.lambdas[if plan.lambdas.len() == 1 { 0 } else { i }];
        for k in 0..len {
            let (a, b) = (batch[i * len + k], batch[p * len + k]);
            out[i * len + k] = match plan.ops.map_or(Op::Mixup, |o| o[i]) {
                Op::Unmixed => a,
                Op::Mixup => blend(lam, a, b),
                Op::CutMix => {
                    let (_, y, x) = position(image, k);
                    if inside(plan.cuts.unwrap().boxes[i], y, x) {
                        b
                    } else {
                        a
                    }
                }
            };
        }
    }
    out
}

/// timm's u8 rounding, as `FastCollateMixup` computes it.
fn timm_u8(lam: f64, a: u8, b: u8) -> u8 {
    let (ws, wp) = (lam as f32, (1.0 - lam) as f32);
    (f32::from(a) * ws + f32::from(b) * wp)
        .round_ties_even()
        .clamp(0.0, 255.0) as u8
}

/// A random plan for `n` images: partners a permutation, any ops, boxes
/// anywhere in the image (empty ones too).
#[derive(Debug, Clone)]
struct Case {
    image: ImageShape,
    partners: Vec<u32>,
    lambdas: Vec<f64>,
    ops: Vec<Op>,
    boxes: Vec<CutBox>,
}

fn any_case() -> impl Strategy<Value = Case> {
    case_of(1..9, 1..10)
}

/// Cases of `samples` images of sides in `sides`.
fn case_of(samples: Range<usize>, sides: Range<usize>) -> impl Strategy<Value = Case> {
    (
        samples,
        // more channels than the fused pass keeps tables for (4) too
        1usize..7,
        sides.clone(),
        sides,
        any::<bool>(),
        any::<u64>(),
    )
        .prop_flat_map(|(n, channels, height, width, hwc, seed)| {
            let image = ImageShape {
                channels,
                height,
                width,
                layout: if hwc {
                    ChannelOrder::Hwc
                } else {
                    ChannelOrder::Chw
                },
            };
            let corner = |side: usize| {
                (0..=side, 0..=side).prop_map(|(a, b)| (a.min(b) as u32, a.max(b) as u32))
            };
            let a_box = (corner(height), corner(width)).prop_map(|((y1, y2), (x1, x2))| CutBox {
                y1,
                y2,
                x1,
                x2,
            });
            let op = prop::sample::select(vec![Op::Unmixed, Op::Mixup, Op::CutMix, Op::CutMix]);
            (
                prop::collection::vec(any_lambda(), n),
                prop::collection::vec(op, n),
                prop::collection::vec(a_box, n),
            )
                .prop_map(move |(lambdas, ops, boxes)| {
                    let mut partners = vec![0u32; n];
                    Pairing::Permutation
                        .fill(&mut MixRng::seed_from_u64(seed), &mut partners)
                        .unwrap();
                    Case {
                        image,
                        partners,
                        lambdas,
                        ops,
                        boxes,
                    }
                })
        })
}

impl Case {
    fn plan(&self) -> Plan<'_> {
        Plan::new(&self.partners, &self.lambdas)
            .with_ops(&self.ops)
            .with_cuts(Cuts {
                image: self.image,
                boxes: &self.boxes,
            })
    }
    fn len(&self) -> usize {
        self.image.elements().unwrap()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn f32_in_place_and_out_of_place_match_the_reference(case in any_case(), values in prop::collection::vec(any_f32(), 64)) {
        let (n, len) = (case.partners.len(), case.len());
        let batch: Vec<f32> = (0..n * len).map(|i| values[(i * 5 + i / 7) % 64]).collect();
        let want = reference(&batch, case.image, &case.plan(), formula);
        for mixer in every_mixer() {
            let mut out = vec![f32::NAN; batch.len()];
            mixer.mix_into(&mut out, &batch, len, case.plan()).unwrap();
            assert_same(&out, &want, mixer.backend().name());
            let mut x = batch.clone();
            let mut scratch = vec![0.0; in_place_scratch_len(n, len).unwrap()];
            mixer.mix_in_place(&mut x, len, case.plan(), &mut scratch).unwrap();
            assert_same(&x, &want, mixer.backend().name());
        }
    }

    #[test]
    fn u8_in_place_and_out_of_place_match_the_reference(case in any_case(), seed in any::<u64>()) {
        let (n, len) = (case.partners.len(), case.len());
        let mut rng = MixRng::seed_from_u64(seed);
        let batch: Vec<u8> = (0..n * len).map(|_| rng.next_u64() as u8).collect();
        let want = reference(&batch, case.image, &case.plan(), timm_u8);
        for mixer in every_mixer() {
            let mut out = vec![7u8; batch.len()];
            mixer.mix_into(&mut out, &batch, len, case.plan()).unwrap();
            prop_assert_eq!(&out, &want);
            let mut x = batch.clone();
            let mut scratch = vec![0u8; in_place_scratch_len_u8(n, len).unwrap()];
            mixer.mix_in_place(&mut x, len, case.plan(), &mut scratch).unwrap();
            prop_assert_eq!(&x, &want);
        }
    }

    #[test]
    // sides up to 60: images of more pixels than one run of the table pass
    fn fused_u8_to_f32_matches_the_reference(case in case_of(1..5, 1..61), seed in any::<u64>(), chw_out in any::<bool>(), norm in any::<bool>()) {
        let (n, len) = (case.partners.len(), case.len());
        let image = case.image;
        let mut rng = MixRng::seed_from_u64(seed);
        let batch: Vec<u8> = (0..n * len).map(|_| rng.next_u64() as u8).collect();
        let (mean, std) = (
            [0.485f32, 0.456, 0.406, 0.5, 0.3, 0.7],
            [0.229f32, 0.224, 0.225, 0.25, 0.2, 0.4],
        );
        let c = image.channels;
        let v = |u: u8, ch: usize| {
            let x = f32::from(u) / 255.0;
            if norm { (x - mean[ch]) / std[ch] } else { x }
        };
        // ToTensor + Normalize of the input, in the input's layout, then the plan
        let converted: Vec<f32> = batch.iter().enumerate().map(|(i, &u)| v(u, position(image, i % len).0)).collect();
        let mixed = reference(&converted, image, &case.plan(), formula);
        // then the output layout
        let output = if chw_out { ChannelOrder::Chw } else { ChannelOrder::Hwc };
        let out_image = ImageShape { layout: output, ..image };
        let mut want = vec![0.0f32; n * len];
        for s in 0..n {
            for k in 0..len {
                let o = offset(out_image, position(image, k));
                want[s * len + o] = mixed[s * len + k];
            }
        }
        let layout = FusedImage { channels: c, pixels: image.height * image.width, input: image.layout, output };
        let normalize = norm.then(|| Normalize { mean: &mean[..c], std: &std[..c] });
        for mixer in every_mixer() {
            let mut out = vec![f32::NAN; n * len];
            mixer.mix_u8_to_f32(&mut out, &batch, layout, case.plan(), normalize).unwrap();
            assert_same(&out, &want, mixer.backend().name());
        }
    }
}

#[test]
fn a_box_that_does_not_fit_or_a_missing_image_is_refused_and_nothing_written() {
    let image = ImageShape {
        channels: 1,
        height: 4,
        width: 4,
        layout: ChannelOrder::Chw,
    };
    let batch: Vec<f32> = (0..32).map(|i| i as f32).collect();
    let mut x = batch.clone();
    let mut out = vec![9.0f32; 32];
    let mut scratch = vec![0.0; in_place_scratch_len(2, 16).unwrap()];
    let mixer = Mixer::new();
    let ops = [Op::CutMix, Op::Mixup];
    let bad_boxes = [
        CutBox {
            y1: 0,
            y2: 5,
            x1: 0,
            x2: 1,
        },
        CutBox {
            y1: 0,
            y2: 1,
            x1: 3,
            x2: 5,
        },
        CutBox {
            y1: 2,
            y2: 1,
            x1: 0,
            x2: 1,
        },
        CutBox {
            y1: 0,
            y2: 1,
            x1: 2,
            x2: 1,
        },
    ];
    for b in bad_boxes {
        let boxes = [b, CutBox::default()];
        let plan = Plan::new(&[1, 0], &[0.5]).with_ops(&ops).with_cuts(Cuts {
            image,
            boxes: &boxes,
        });
        assert_eq!(
            mixer.mix_into(&mut out, &batch, 16, plan),
            Err(Error::InvalidArgument)
        );
        assert_eq!(
            mixer.mix_in_place(&mut x, 16, plan, &mut scratch),
            Err(Error::InvalidArgument)
        );
    }
    let boxes = [CutBox {
        y1: 0,
        y2: 4,
        x1: 0,
        x2: 4,
    }; 2];
    // CutMix without cuts, a box per sample missing, an image of another length
    let plans = [
        Plan::new(&[1, 0], &[0.5]).with_ops(&ops),
        Plan::new(&[1, 0], &[0.5]).with_ops(&ops).with_cuts(Cuts {
            image,
            boxes: &boxes[..1],
        }),
        Plan::new(&[1, 0], &[0.5]).with_ops(&ops).with_cuts(Cuts {
            image: ImageShape { width: 3, ..image },
            boxes: &boxes,
        }),
    ];
    for plan in plans {
        assert_eq!(
            mixer.mix_into(&mut out, &batch, 16, plan),
            Err(Error::InvalidArgument)
        );
        assert_eq!(
            mixer.mix_in_place(&mut x, 16, plan, &mut scratch),
            Err(Error::InvalidArgument)
        );
    }
    assert_eq!(x, batch);
    assert_eq!(out, vec![9.0; 32]);
    // the fused call wants the cuts' image to be its input
    let layout = FusedImage {
        channels: 1,
        pixels: 16,
        input: ChannelOrder::Hwc,
        output: ChannelOrder::Chw,
    };
    let plan = Plan::new(&[1, 0], &[0.5]).with_ops(&ops).with_cuts(Cuts {
        image,
        boxes: &boxes,
    });
    let bytes = [0u8; 32];
    let cuts_hwc = Cuts {
        image: ImageShape {
            layout: ChannelOrder::Hwc,
            ..image
        },
        boxes: &boxes,
    };
    assert_eq!(
        mixer.mix_u8_to_f32(&mut out, &bytes, layout, plan, None),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        mixer.mix_u8_to_f32(&mut out, &bytes, layout, plan.with_cuts(cuts_hwc), None),
        Ok(())
    );
}

#[test]
fn in_place_cutmix_moves_only_the_box_and_needs_one_sample_of_scratch() {
    // Out-of-box elements are never written: poison them through a
    // batch where own == partner outside the box would hide a bug, so use
    // distinct values and check each element's source.
    let image = ImageShape {
        channels: 3,
        height: 6,
        width: 5,
        layout: ChannelOrder::Hwc,
    };
    let (n, len) = (7, 90);
    let batch: Vec<f32> = (0..n * len).map(|i| i as f32).collect();
    let partners = [3u32, 0, 6, 1, 2, 4, 5];
    let boxes: Vec<CutBox> = (0..n as u32)
        .map(|i| CutBox {
            y1: i % 3,
            y2: 3 + i % 4,
            x1: i % 2,
            x2: 5 - i % 3,
        })
        .collect();
    let ops = [Op::CutMix; 7];
    let plan = Plan::new(&partners, &[0.5]).with_ops(&ops).with_cuts(Cuts {
        image,
        boxes: &boxes,
    });
    let mut x = batch.clone();
    let mut scratch = vec![0.0; in_place_scratch_len(n, len).unwrap()];
    assert_eq!(scratch.len(), len + 1);
    Mixer::new()
        .mix_in_place(&mut x, len, plan, &mut scratch)
        .unwrap();
    for i in 0..n {
        for k in 0..len {
            let (_, y, xx) = position(image, k);
            let source = if inside(boxes[i], y, xx) {
                partners[i] as usize
            } else {
                i
            };
            assert_eq!(
                x[i * len + k],
                batch[source * len + k],
                "sample {i} element {k}"
            );
        }
    }
}
