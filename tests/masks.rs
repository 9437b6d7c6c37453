//! Segmentation masks against a plain reference written from the contract
//! (docs/DESIGN.md §9): every recipe, granularity and id type, in place and
//! out of place, with the images in the same call; nothing written on an error.

mod common;

use common::bits;
use mixup::{
    Batch, ChannelOrder, ClassId, CutBox, Error, Granularity, ImageShape, Masks, MixConfig, MixRng,
    Op, OwnedPlan, PixelTargets, Recipe, mask_scratch_len,
};

const H: usize = 9;
const W: usize = 7;
const P: usize = H * W;
const CLASSES: usize = 5;
const IGNORE: i64 = 255;

fn image(layout: ChannelOrder) -> ImageShape {
    ImageShape {
        channels: 3,
        height: H,
        width: W,
        layout,
    }
}

/// Class ids with some ignored pixels: a drawn shape per sample.
fn maps<M: TryFrom<i64>>(n: usize) -> Vec<M> {
    (0..n * P)
        .map(|i| {
            let (s, y, x) = (i / P, i % P / W, i % W);
            let id = if (y + s) % 4 == 0 && x > 3 {
                IGNORE
            } else {
                ((s + y * x) % CLASSES) as i64
            };
            M::try_from(id).ok().unwrap()
        })
        .collect()
}

fn configs() -> Vec<MixConfig> {
    let mut all: Vec<MixConfig> = [
        Granularity::Batch,
        Granularity::Elem,
        Granularity::Pair,
        Granularity::Half,
    ]
    .into_iter()
    .map(|granularity| MixConfig {
        granularity,
        ..MixConfig::timm(0.8, 1.0)
    })
    .collect();
    all.push(MixConfig {
        cutmix_alpha: 1.0,
        alpha: 0.0,
        beta: 0.0,
        recipe: Recipe::TorchVision,
        ..MixConfig::default()
    });
    all
}

fn inside(b: CutBox, px: usize) -> bool {
    (b.y1 as usize..b.y2 as usize).contains(&(px / W))
        && (b.x1 as usize..b.x2 as usize).contains(&(px % W))
}

/// The reference: map `i` takes its partner's ids inside its CutMix box.
fn reference<M: Copy>(masks: &[M], plan: &OwnedPlan, rows: usize) -> Vec<M> {
    let mut out = masks[..rows * P].to_vec();
    for i in 0..rows {
        let p = plan.partners[i] as usize;
        for px in 0..P {
            if plan.ops[i] == Op::CutMix && inside(plan.boxes[i], px) {
                out[i * P + px] = masks[p * P + px];
            }
        }
    }
    out
}

/// The dense reference: `w_self * e_a + w_partner * e_b` per pixel in f32,
/// the ignored id a zero vector.
fn dense_reference<M: ClassId>(masks: &[M], plan: &OwnedPlan, rows: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; rows * CLASSES * P];
    let onehot = |id: i64, c: usize| if id == c as i64 { 1.0f32 } else { 0.0 };
    for i in 0..rows {
        let p = plan.partners[i] as usize;
        let lam = plan.lambdas[i];
        let (ws, wp) = (lam as f32, (1.0 - lam) as f32);
        for c in 0..CLASSES {
            for px in 0..P {
                let (a, b) = (masks[i * P + px].id(), masks[p * P + px].id());
                out[(i * CLASSES + c) * P + px] = match plan.ops[i] {
                    Op::Unmixed => onehot(a, c),
                    Op::Mixup => ws * onehot(a, c) + wp * onehot(b, c),
                    Op::CutMix if inside(plan.boxes[i], px) => onehot(b, c),
                    Op::CutMix => onehot(a, c),
                };
            }
        }
    }
    out
}

fn every_case<M: ClassId + TryFrom<i64> + core::fmt::Debug>() {
    let n = 8;
    for config in configs() {
        for layout in [ChannelOrder::Chw, ChannelOrder::Hwc] {
            for seed in 0..25 {
                let masks: Vec<M> = maps(n);
                let rows = config.output_rows(n);
                let x0: Vec<f32> = (0..n * 3 * P).map(|i| i as f32).collect();

                // in place, with the images in the same call
                let (mut x, mut m) = (x0.clone(), masks.clone());
                let mut xs = vec![0.0f32; mixup::in_place_scratch_len(n, 3 * P).unwrap()];
                let mut ms = vec![M::default(); mask_scratch_len::<M>(n, P).unwrap()];
                let mut dense = vec![-1.0f32; rows * CLASSES * P];
                let mut plan = OwnedPlan::new(n);
                let what = (
                    Batch::InPlace {
                        batch: &mut x[..],
                        len: 3 * P,
                        scratch: &mut xs[..],
                    },
                    Masks::InPlace {
                        masks: &mut m[..],
                        pixels: P,
                        scratch: &mut ms[..],
                    },
                    PixelTargets {
                        masks: &masks,
                        pixels: P,
                        num_classes: CLASSES,
                        ignore_index: Some(IGNORE),
                        out: &mut dense,
                    },
                );
                let mut rng = MixRng::stream(seed, 0);
                config
                    .mix_batch(&mut rng, plan.bufs(), Some(image(layout)), what, None)
                    .unwrap();
                let want = reference(&masks, &plan, n);
                assert_eq!(m, want, "{config:?} {seed}");
                assert_eq!(
                    bits(&dense),
                    bits(&dense_reference(&masks, &plan, rows)),
                    "{config:?} {seed}"
                );

                // out of place: the same plan, the output rows only
                let mut out = vec![M::default(); rows * P];
                let mut again = OwnedPlan::new(n);
                let what = Masks::Into {
                    out: &mut out[..],
                    masks: &masks[..],
                    pixels: P,
                };
                config
                    .mix_batch(
                        &mut MixRng::stream(seed, 0),
                        again.bufs(),
                        Some(image(layout)),
                        what,
                        None,
                    )
                    .unwrap();
                assert_eq!(again, plan);
                assert_eq!(out, want[..rows * P]);
            }
        }
    }
}

#[test]
fn u8_maps_match_the_reference() {
    every_case::<u8>();
}

#[test]
fn i32_maps_match_the_reference() {
    every_case::<i32>();
}

#[test]
fn i64_maps_match_the_reference() {
    every_case::<i64>();
}

#[test]
fn some_samples_cut_and_some_blend() {
    // the cases above cover both ops, in the same batch too
    let config = MixConfig {
        granularity: Granularity::Elem,
        ..MixConfig::timm(0.8, 1.0)
    };
    let mut plan = OwnedPlan::new(64);
    config
        .mix_batch(
            &mut MixRng::stream(3, 0),
            plan.bufs(),
            Some(image(ChannelOrder::Chw)),
            (),
            None,
        )
        .unwrap();
    assert!(plan.ops.contains(&Op::CutMix) && plan.ops.contains(&Op::Mixup));
    assert!(
        plan.boxes
            .iter()
            .any(|b| b.area() > 0 && b.area() < P as u64)
    );
}

#[test]
fn bad_masks_write_nothing() {
    let n = 4;
    let config = MixConfig::timm(0.8, 1.0);
    let masks: Vec<i64> = maps(n);
    let mut bad = masks.clone();
    bad[17] = 7; // neither a class nor the ignored id
    let x0 = vec![1.5f32; n * 3 * P];
    // (masks, pixels, scratch length, ignore_index, the error)
    type Case = (Vec<i64>, usize, usize, Option<i64>, Error);
    let cases: Vec<Case> = vec![
        (
            bad.clone(),
            P,
            mask_scratch_len::<i64>(n, P).unwrap(),
            Some(IGNORE),
            Error::LabelOutOfRange,
        ),
        (
            masks.clone(),
            P,
            mask_scratch_len::<i64>(n, P).unwrap(),
            None,
            Error::LabelOutOfRange,
        ),
        (masks.clone(), P, P, Some(IGNORE), Error::BufferTooSmall),
        (
            masks[..(n - 1) * P].to_vec(),
            P,
            2 * P,
            Some(IGNORE),
            Error::InvalidArgument,
        ),
    ];
    for (source, pixels, scratch_len, ignore_index, error) in cases {
        let mut x = x0.clone();
        let mut xs = vec![0.0f32; mixup::in_place_scratch_len(n, 3 * P).unwrap()];
        let mut m = source.clone();
        let mut ms = vec![0i64; scratch_len];
        let mut dense = vec![-1.0f32; n * CLASSES * P];
        let what = (
            Batch::InPlace {
                batch: &mut x[..],
                len: 3 * P,
                scratch: &mut xs[..],
            },
            Masks::InPlace {
                masks: &mut m[..],
                pixels,
                scratch: &mut ms[..],
            },
            PixelTargets {
                masks: &source,
                pixels,
                num_classes: CLASSES,
                ignore_index,
                out: &mut dense,
            },
        );
        let mut rng = MixRng::stream(1, 0);
        let mut plan = OwnedPlan::new(n);
        let got = config.mix_batch(
            &mut rng,
            plan.bufs(),
            Some(image(ChannelOrder::Chw)),
            what,
            None,
        );
        assert_eq!(got.err(), Some(error));
        assert_eq!(bits(&x), bits(&x0));
        assert_eq!(m, source);
        assert!(dense.iter().all(|&t| t == -1.0));
        assert_eq!(rng, MixRng::stream(1, 0));
    }
    // maps of other sides than the images' CutMix boxes
    let mut out = vec![0u8; n * (P + 1)];
    let odd = vec![0u8; n * (P + 1)];
    let what = Masks::Into {
        out: &mut out[..],
        masks: &odd[..],
        pixels: P + 1,
    };
    let mut plan = OwnedPlan::new(n);
    let config = MixConfig {
        cutmix_alpha: 1.0,
        alpha: 0.0,
        beta: 0.0,
        ..MixConfig::timm(0.0, 1.0)
    };
    let got = config.mix_batch(
        &mut MixRng::stream(1, 0),
        plan.bufs(),
        Some(image(ChannelOrder::Chw)),
        what,
        None,
    );
    assert_eq!(got.err(), Some(Error::InvalidArgument));
}
