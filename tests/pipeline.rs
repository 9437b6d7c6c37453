//! The one batch step (`MixConfig::mix_batch`) gives the bits of the steps
//! it is made of, writes nothing on an error, and leaves the generator
//! where it was.

mod common;

use common::bits;
use mixup::{
    Batch, ChannelOrder, CutBox, Error, FusedBatch, FusedImage, Granularity, ImageShape, MixConfig,
    MixRng, Mixer, Op, OwnedPlan, Plan, Targets, TargetsOut, in_place_scratch_len_of,
    one_hot_targets,
};

const IMAGE: ImageShape = ImageShape {
    channels: 3,
    height: 7,
    width: 5,
    layout: ChannelOrder::Hwc,
};
const LEN: usize = 3 * 7 * 5;
const CLASSES: usize = 6;

fn photos(n: usize) -> Vec<u8> {
    (0..n * LEN).map(|i| (i * 37 % 251) as u8).collect()
}

fn labels(n: usize) -> Vec<i64> {
    (0..n as i64).map(|i| (i * 5) % CLASSES as i64).collect()
}

/// The plan of `config` for `n` samples, drawn step by step.
fn drawn(config: &MixConfig, seed: u64, n: usize) -> OwnedPlan {
    let mut p = OwnedPlan::new(n);
    let mut rng = MixRng::stream(seed, 3);
    config
        .draw_with_boxes(
            &mut rng,
            (IMAGE.height, IMAGE.width),
            &mut p.partners,
            &mut p.lambdas,
            &mut p.ops,
            &mut p.boxes,
        )
        .unwrap();
    p
}

fn plan_of(p: &OwnedPlan) -> Plan<'_> {
    Plan::new(&p.partners, &p.lambdas)
        .with_ops(&p.ops)
        .with_cuts(mixup::Cuts {
            image: IMAGE,
            boxes: &p.boxes,
        })
}

fn configs() -> Vec<MixConfig> {
    let mut all = Vec::new();
    for granularity in [
        Granularity::Batch,
        Granularity::Elem,
        Granularity::Pair,
        Granularity::Half,
    ] {
        all.push(MixConfig {
            granularity,
            ..MixConfig::timm(0.8, 1.0)
        });
    }
    all.push(MixConfig {
        alpha: 0.4,
        beta: 0.4,
        ..MixConfig::default()
    });
    all
}

#[test]
fn in_place_equals_the_steps_for_f32_and_u8() {
    let n = 10;
    for config in configs() {
        for seed in 0..20 {
            let want = drawn(&config, seed, n);
            let plan = plan_of(&want);
            let mut wanted_targets = vec![0.0f32; n * CLASSES];
            one_hot_targets(
                &labels(n),
                CLASSES,
                &want.partners,
                &want.lambdas,
                0.1,
                &mut wanted_targets,
            )
            .unwrap();

            let mut u8_want = photos(n);
            let mut s = vec![0u8; in_place_scratch_len_of::<u8>(n, LEN).unwrap()];
            Mixer::new()
                .mix_in_place(&mut u8_want, LEN, plan, &mut s)
                .unwrap();
            let mut u8_got = photos(n);
            let mut f32_want: Vec<f32> = photos(n).iter().map(|&v| f32::from(v) / 7.0).collect();
            let mut f32_got = f32_want.clone();
            let mut t = vec![0.0f32; in_place_scratch_len_of::<f32>(n, LEN).unwrap()];
            Mixer::new()
                .mix_in_place(&mut f32_want, LEN, plan, &mut t)
                .unwrap();

            let mut got = OwnedPlan::new(n);
            let mut targets = vec![0.0f32; n * CLASSES];
            let mut rng = MixRng::stream(seed, 3);
            let what = (
                Batch::InPlace {
                    batch: &mut u8_got[..],
                    len: LEN,
                    scratch: &mut s[..],
                },
                Batch::InPlace {
                    batch: &mut f32_got[..],
                    len: LEN,
                    scratch: &mut t[..],
                },
            );
            let out = TargetsOut {
                targets: Targets::Classes {
                    labels: &labels(n),
                    num_classes: CLASSES,
                    smoothing: 0.1,
                },
                out: &mut targets,
            };
            config
                .mix_batch(&mut rng, got.bufs(), Some(IMAGE), what, Some(out))
                .unwrap();
            assert_eq!(got, want, "{config:?} {seed}");
            assert_eq!(u8_got, u8_want);
            assert_eq!(bits(&f32_got), bits(&f32_want));
            assert_eq!(bits(&targets), bits(&wanted_targets));
            // the generator moved on exactly as the draw moved it
            let mut after = MixRng::stream(seed, 3);
            drawn_rng(&config, &mut after, n);
            assert_eq!(rng, after);
        }
    }
}

fn drawn_rng(config: &MixConfig, rng: &mut MixRng, n: usize) {
    let mut p = OwnedPlan::new(n);
    let sides = (IMAGE.height, IMAGE.width);
    config
        .draw_with_boxes(
            rng,
            sides,
            &mut p.partners,
            &mut p.lambdas,
            &mut p.ops,
            &mut p.boxes,
        )
        .unwrap();
}

#[test]
fn fused_and_out_of_place_output_the_rows_of_half_mode() {
    let n = 8;
    for config in configs() {
        let rows = config.output_rows(n);
        assert_eq!(
            rows,
            if config.granularity == Granularity::Half {
                4
            } else {
                8
            }
        );
        let want = drawn(&config, 5, n);
        let plan = plan_of(&want);
        let fused = FusedImage {
            channels: 3,
            pixels: 35,
            input: ChannelOrder::Hwc,
            output: ChannelOrder::Chw,
        };
        let x = photos(n);
        let mut want_f32 = vec![0.0f32; rows * LEN];
        Mixer::new()
            .mix_u8_to_f32(&mut want_f32, &x, fused, plan, None)
            .unwrap();
        let mut want_u8 = vec![0u8; rows * LEN];
        Mixer::new().mix_into(&mut want_u8, &x, LEN, plan).unwrap();

        let (mut got_f32, mut got_u8) = (vec![0.0f32; rows * LEN], vec![0u8; rows * LEN]);
        let mut targets = vec![0.0f32; rows * CLASSES];
        let what = (
            FusedBatch {
                out: &mut got_f32,
                batch: &x,
                image: fused,
                normalize: None,
            },
            Batch::Into {
                out: &mut got_u8[..],
                batch: &x[..],
                len: LEN,
            },
        );
        let out = TargetsOut {
            targets: Targets::Classes {
                labels: &labels(n),
                num_classes: CLASSES,
                smoothing: 0.0,
            },
            out: &mut targets,
        };
        let mut got = OwnedPlan::new(n);
        config
            .mix_batch(
                &mut MixRng::stream(5, 3),
                got.bufs(),
                Some(IMAGE),
                what,
                Some(out),
            )
            .unwrap();
        assert_eq!(bits(&got_f32), bits(&want_f32));
        assert_eq!(got_u8, want_u8);
        let mut all = vec![0.0f32; n * CLASSES];
        one_hot_targets(
            &labels(n),
            CLASSES,
            &want.partners,
            &want.lambdas,
            0.0,
            &mut all,
        )
        .unwrap();
        assert_eq!(bits(&targets), bits(&all[..rows * CLASSES]));
    }
}

#[test]
fn dense_rows_blend_by_lam_prime_even_for_cutmix() {
    let n = 6;
    let config = MixConfig {
        granularity: Granularity::Elem,
        ..MixConfig::timm(0.8, 1.0)
    };
    let rows: Vec<f32> = (0..n * CLASSES).map(|i| (i % 7) as f32 / 7.0).collect();
    let mut out = vec![0.0f32; n * CLASSES];
    let mut plan = OwnedPlan::new(n);
    let dense = Targets::Dense {
        rows: &rows,
        num_classes: CLASSES,
    };
    let plan = config
        .mix_batch(
            &mut MixRng::stream(9, 0),
            plan.bufs(),
            Some(IMAGE),
            (),
            Some(TargetsOut {
                targets: dense,
                out: &mut out,
            }),
        )
        .unwrap();
    assert!(plan.ops.unwrap().contains(&Op::CutMix));
    for i in 0..n {
        let p = plan.partners[i] as usize;
        let lam = plan.lambdas[i];
        for c in 0..CLASSES {
            let (a, b) = (rows[i * CLASSES + c], rows[p * CLASSES + c]);
            let want = match plan.ops.unwrap()[i] {
                Op::Unmixed => a,
                _ => lam as f32 * a + (1.0 - lam) as f32 * b,
            };
            assert_eq!(out[i * CLASSES + c].to_bits(), want.to_bits(), "{i} {c}");
        }
    }
}

#[test]
fn an_error_writes_nothing_and_keeps_the_generator() {
    let n = 4;
    let config = MixConfig::timm(0.8, 1.0);
    let x0: Vec<f32> = (0..n * LEN).map(|i| i as f32).collect();
    let cases: [(usize, Vec<i64>, Error); 3] = [
        (LEN, vec![0, 1, 2, 6], Error::LabelOutOfRange), // a label out of range
        (LEN - 1, labels(n), Error::BufferTooSmall),     // short scratch
        (LEN, vec![0, 1, 2], Error::InvalidArgument),    // labels not n
    ];
    for (scratch_len, labels, error) in cases {
        let mut x = x0.clone();
        let mut scratch = vec![0.0f32; scratch_len + 1];
        let mut targets = vec![-1.0f32; n * CLASSES];
        let mut rng = MixRng::stream(1, 1);
        let mut plan = OwnedPlan::new(n);
        let what = Batch::InPlace {
            batch: &mut x[..],
            len: LEN,
            scratch: &mut scratch[..],
        };
        let out = TargetsOut {
            targets: Targets::Classes {
                labels: &labels,
                num_classes: CLASSES,
                smoothing: 0.0,
            },
            out: &mut targets,
        };
        let got = config.mix_batch(&mut rng, plan.bufs(), Some(IMAGE), what, Some(out));
        assert_eq!(got.err(), Some(error));
        assert_eq!(bits(&x), bits(&x0));
        assert!(targets.iter().all(|&t| t == -1.0));
        assert_eq!(rng, MixRng::stream(1, 1));
    }
    // CutMix without an image, and buffers of different lengths
    let mut plan = OwnedPlan::new(n);
    plan.boxes.pop();
    let mut rng = MixRng::stream(1, 1);
    assert_eq!(
        config
            .mix_batch(&mut rng, plan.bufs(), Some(IMAGE), (), None)
            .err(),
        Some(Error::InvalidArgument)
    );
    let mut plan = OwnedPlan::new(n);
    assert_eq!(
        config
            .mix_batch(&mut rng, plan.bufs(), None, (), None)
            .err(),
        Some(Error::InvalidArgument)
    );
    assert_eq!(plan.boxes, vec![CutBox::default(); n]);
}
