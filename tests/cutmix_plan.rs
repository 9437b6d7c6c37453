//! Plans with CutMix: the frozen order of draws, switching, timm's rules
//! (float32 lambdas, a lambda of 1 unmixed, `pair`, `half`, `minmax`), the
//! images and targets of timm's `_mix_elem` and `_mix_batch` bit for bit.

use mixup::{
    Beta, ChannelOrder, CutBox, Cuts, Error, Granularity, ImageShape, MixConfig, MixRng, Mixer, Op,
    Pairing, Plan, Recipe, TimmRule, in_place_scratch_len, one_hot_targets, timm_box,
    timm_minmax_box, torchvision_box,
};

struct Drawn {
    partners: Vec<u32>,
    lambdas: Vec<f64>,
    ops: Vec<Op>,
    boxes: Vec<CutBox>,
    mixed: usize,
}

fn draw(config: &MixConfig, n: usize, sides: (usize, usize), rng: &mut MixRng) -> Drawn {
    let (mut partners, mut lambdas) = (vec![0u32; n], vec![0.0; n]);
    let (mut ops, mut boxes) = (
        vec![Op::CutMix; n],
        vec![
            CutBox {
                y1: 9,
                y2: 9,
                x1: 9,
                x2: 9
            };
            n
        ],
    );
    let mixed = config
        .draw_with_boxes(
            rng,
            sides,
            &mut partners,
            &mut lambdas,
            &mut ops,
            &mut boxes,
        )
        .unwrap();
    Drawn {
        partners,
        lambdas,
        ops,
        boxes,
        mixed,
    }
}

fn timm_elem(mixup_alpha: f64, cutmix_alpha: f64) -> MixConfig {
    MixConfig {
        granularity: Granularity::Elem,
        ..MixConfig::timm(mixup_alpha, cutmix_alpha)
    }
}

#[test]
fn order_of_draws_is_prob_switch_lambda_box_per_sample_then_pairing() {
    let minmax = |rule| Recipe::Timm {
        correct_lam: false,
        minmax: Some((0.2, 0.7)),
        rule,
    };
    for recipe in [
        Recipe::TorchVision,
        Recipe::TIMM,
        Recipe::TIMM_1_0_28,
        minmax(TimmRule::Since1_0_29),
        minmax(TimmRule::UpTo1_0_28),
    ] {
        let config = MixConfig {
            prob: 0.7,
            switch_prob: 0.4,
            pairing: Pairing::Cycle,
            recipe,
            ..timm_elem(0.6, 1.3)
        };
        let (n, h, w) = (9, 20, 30);
        let got = draw(&config, n, (h, w), &mut MixRng::stream(5, 6));
        let mut rng = MixRng::stream(5, 6);
        let (mix, cut) = (
            Beta::symmetric(0.6).unwrap(),
            Beta::symmetric(
                if matches!(
                    recipe,
                    Recipe::Timm {
                        minmax: Some(_),
                        ..
                    }
                ) {
                    1.0
                } else {
                    1.3
                },
            )
            .unwrap(),
        );
        let f32_rule = recipe != Recipe::TorchVision;
        for i in 0..n {
            let passes = rng.uniform_f64() < 0.7;
            let cutmix = rng.uniform_f64() < 0.4;
            let mut lam = if cutmix {
                cut.sample(&mut rng)
            } else {
                mix.sample(&mut rng)
            };
            if f32_rule {
                lam = lam as f32 as f64;
            }
            let (op, lam, b) = if cutmix {
                let (b, l) = match recipe {
                    Recipe::TorchVision => {
                        let cy = rng.below(h as u64) as usize;
                        torchvision_box(h, w, lam, (cy, rng.below(w as u64) as usize)).unwrap()
                    }
                    Recipe::Timm {
                        minmax: None, rule, ..
                    } => {
                        let cy = rng.below(h as u64) as usize;
                        let cx = rng.below(w as u64) as usize;
                        timm_box(h, w, lam, (cy, cx), true, true, rule).unwrap()
                    }
                    Recipe::Timm {
                        minmax: Some(_),
                        rule,
                        ..
                    } => {
                        let cut_h = 4 + rng.below(14 - 4) as usize; // [int(20*.2), int(20*.7))
                        let cut_w = 6 + rng.below(21 - 6) as usize;
                        // randint(0, H - cut_h + 1) today, randint(0, H - cut_h) up to 1.0.28
                        let wider = u64::from(rule == TimmRule::Since1_0_29);
                        let yl = rng.below((h - cut_h) as u64 + wider) as usize;
                        let xl = rng.below((w - cut_w) as u64 + wider) as usize;
                        let cuts = (cut_h, cut_w);
                        let (b, l) =
                            timm_minmax_box(h, w, (0.2, 0.7), cuts, (yl, xl), rule).unwrap();
                        (b, l as f32 as f64)
                    }
                };
                (Op::CutMix, l, b)
            } else {
                (Op::Mixup, lam, CutBox::default())
            };
            let unit = f32_rule && lam == 1.0 && op == Op::Mixup;
            if passes && !unit {
                assert_eq!(
                    (got.ops[i], got.lambdas[i], got.boxes[i]),
                    (op, lam, b),
                    "{recipe:?} sample {i}"
                );
            } else {
                assert_eq!(
                    (got.ops[i], got.lambdas[i], got.boxes[i]),
                    (Op::Unmixed, 1.0, CutBox::default())
                );
            }
        }
        let mut partners = vec![0u32; n];
        Pairing::Cycle.fill(&mut rng, &mut partners).unwrap();
        assert_eq!(got.partners, partners);
        assert!(
            got.ops.contains(&Op::CutMix)
                && got.ops.contains(&Op::Mixup)
                && got.ops.contains(&Op::Unmixed)
        );
    }
}

#[test]
fn switch_frequency_is_switch_prob_within_four_sigma() {
    for (switch_prob, granularity) in [
        (0.3, Granularity::Elem),
        (0.5, Granularity::Batch),
        (0.9, Granularity::Pair),
    ] {
        let config = MixConfig {
            switch_prob,
            granularity,
            ..MixConfig::timm(0.8, 1.0)
        };
        let (mut cut, mut draws) = (0usize, 0usize);
        let mut rng = MixRng::seed_from_u64(11);
        for _ in 0..4000 {
            let d = draw(&config, 8, (16, 16), &mut rng);
            let groups = config.groups(8);
            cut += d.ops[..groups]
                .iter()
                .filter(|&&op| op == Op::CutMix)
                .count();
            draws += groups;
        }
        let (n, p) = (draws as f64, switch_prob);
        let sigma = (n * p * (1.0 - p)).sqrt();
        assert!(
            (cut as f64 - n * p).abs() < 4.0 * sigma,
            "{cut} of {draws} at {p}"
        );
    }
}

#[test]
fn one_alpha_at_zero_means_the_other_op_always_and_both_zero_none() {
    let mut rng = MixRng::seed_from_u64(3);
    let d = draw(&timm_elem(0.0, 1.0), 64, (8, 8), &mut rng);
    assert!(d.ops.iter().all(|&op| op == Op::CutMix));
    let d = draw(&timm_elem(0.4, 0.0), 64, (8, 8), &mut rng);
    assert!(d.ops.iter().all(|&op| op == Op::Mixup));
    assert!(d.boxes.iter().all(|b| *b == CutBox::default()));
    let before = rng.clone();
    let d = draw(&timm_elem(0.0, 0.0), 64, (8, 8), &mut rng);
    assert!(d.ops.iter().all(|&op| op == Op::Unmixed) && d.mixed == 0);
    assert!(d.lambdas.iter().all(|&l| l == 1.0));
    assert_ne!(rng, before, "the draws are still made");
}

#[test]
fn mixup_alone_draws_what_draw_draws_and_empty_boxes() {
    for granularity in [
        Granularity::Batch,
        Granularity::Elem,
        Granularity::Pair,
        Granularity::Half,
    ] {
        let config = MixConfig {
            prob: 0.6,
            granularity,
            alpha: 0.3,
            beta: 0.3,
            ..MixConfig::default()
        };
        let d = draw(&config, 9, (5, 5), &mut MixRng::seed_from_u64(8));
        let (mut p, mut l, mut o) = (vec![0u32; 9], vec![0.0; 9], vec![Op::CutMix; 9]);
        let mixed = config
            .draw(&mut MixRng::seed_from_u64(8), &mut p, &mut l, Some(&mut o))
            .unwrap();
        assert_eq!((d.partners, d.lambdas, d.ops, d.mixed), (p, l, o, mixed));
        assert!(d.boxes.iter().all(|b| *b == CutBox::default()));
    }
    // draw refuses a CutMix configuration: it has no image to cut
    let (mut p, mut l) = (vec![0u32; 4], vec![0.0; 4]);
    assert_eq!(
        MixConfig::timm(0.8, 1.0).draw(&mut MixRng::seed_from_u64(0), &mut p, &mut l, None),
        Err(Error::InvalidArgument)
    );
}

#[test]
fn timm_lambdas_are_f32_per_sample_and_f64_per_batch() {
    let mut rng = MixRng::seed_from_u64(21);
    for granularity in [Granularity::Elem, Granularity::Pair, Granularity::Half] {
        let config = MixConfig {
            granularity,
            ..MixConfig::timm(0.8, 1.0)
        };
        let d = draw(&config, 64, (224, 224), &mut rng);
        assert!(d.lambdas.iter().all(|&l| l == l as f32 as f64));
    }
    let wide = (0..50).any(|_| {
        let d = draw(&MixConfig::timm(0.8, 0.0), 4, (224, 224), &mut rng);
        d.lambdas[0] != d.lambdas[0] as f32 as f64
    });
    assert!(wide, "batch mode keeps f64 lambdas");
    // torchvision's recipe never rounds
    let config = MixConfig {
        granularity: Granularity::Elem,
        cutmix_alpha: 1.0,
        ..MixConfig::default()
    };
    let d = draw(&config, 64, (224, 224), &mut rng);
    assert!(d.lambdas.iter().any(|&l| l != l as f32 as f64));
}

#[test]
fn a_timm_lambda_of_one_is_unmixed_and_a_torchvision_one_is_the_formula() {
    // tiny alphas draw exact 0 and 1 often
    let timm = MixConfig {
        prob: 1.0,
        ..timm_elem(0.005, 0.0)
    };
    let torchvision = MixConfig {
        recipe: Recipe::TorchVision,
        ..timm
    };
    let a = draw(&timm, 2000, (4, 4), &mut MixRng::seed_from_u64(1));
    let b = draw(&torchvision, 2000, (4, 4), &mut MixRng::seed_from_u64(1));
    let mut ones = 0;
    for i in 0..2000 {
        // timm's elem lambdas are float32: 1 - 1e-9 is 1 too
        if b.lambdas[i] as f32 == 1.0 {
            ones += 1;
            assert_eq!((a.ops[i], b.ops[i]), (Op::Unmixed, Op::Mixup));
        } else {
            assert_eq!(a.ops[i], Op::Mixup);
        }
    }
    assert!(ones > 100, "{ones}");
}

#[test]
fn pair_shares_op_lambda_and_box_and_half_leaves_the_second_half() {
    let mut rng = MixRng::seed_from_u64(4);
    for n in [1usize, 2, 7, 10] {
        let config = MixConfig {
            granularity: Granularity::Pair,
            prob: 0.8,
            ..MixConfig::timm(0.8, 1.0)
        };
        let d = draw(&config, n, (12, 9), &mut rng);
        for i in 0..n {
            let j = n - 1 - i;
            assert_eq!(
                (d.ops[i], d.lambdas[i], d.boxes[i]),
                (d.ops[j], d.lambdas[j], d.boxes[j])
            );
            assert_eq!(d.partners[i] as usize, j);
        }
        let config = MixConfig {
            granularity: Granularity::Half,
            ..config
        };
        let d = draw(&config, n, (12, 9), &mut rng);
        assert!(d.ops[n / 2..].iter().all(|&op| op == Op::Unmixed));
        assert!(d.lambdas[n / 2..].iter().all(|&l| l == 1.0));
        assert_eq!(
            d.mixed,
            d.ops[..n / 2]
                .iter()
                .filter(|&&op| op != Op::Unmixed)
                .count()
        );
    }
}

#[test]
fn boxes_fit_and_corrected_lambdas_are_the_area() {
    let mut rng = MixRng::seed_from_u64(9);
    for recipe in [
        Recipe::TorchVision,
        Recipe::TIMM,
        Recipe::Timm {
            correct_lam: true,
            minmax: Some((0.1, 0.9)),
            rule: TimmRule::Since1_0_29,
        },
    ] {
        for (h, w) in [(1, 1), (3, 50), (224, 224), (31, 7)] {
            let config = MixConfig {
                recipe,
                granularity: Granularity::Elem,
                ..MixConfig::timm(0.0, 1.0)
            };
            let Ok(_) = config.draw_with_boxes(
                &mut rng.clone(),
                (h, w),
                &mut [0],
                &mut [0.0],
                &mut [Op::Unmixed],
                &mut [CutBox::default()],
            ) else {
                assert!(
                    matches!(
                        recipe,
                        Recipe::Timm {
                            minmax: Some(_),
                            ..
                        }
                    ) && h < 10,
                    "{h}x{w}"
                );
                continue;
            };
            let d = draw(&config, 200, (h, w), &mut rng);
            for i in 0..200 {
                let b = d.boxes[i];
                assert!(b.fits(h, w));
                let want = 1.0 - b.area() as f64 / (h * w) as f64;
                let want = if recipe == Recipe::TorchVision {
                    want
                } else {
                    want as f32 as f64
                };
                assert_eq!(d.lambdas[i], want);
            }
        }
    }
    // without correct_lam the lambda is the drawn one, whatever the box
    let config = MixConfig {
        recipe: Recipe::Timm {
            correct_lam: false,
            minmax: None,
            rule: TimmRule::Since1_0_29,
        },
        ..timm_elem(0.0, 1.0)
    };
    let d = draw(&config, 500, (5, 5), &mut rng);
    assert!((0..500).any(|i| d.lambdas[i] != 1.0 - d.boxes[i].area() as f64 / 25.0));
}

#[test]
fn bad_configurations_are_refused_and_nothing_is_written() {
    let bad = [
        MixConfig {
            switch_prob: f64::NAN,
            ..MixConfig::timm(0.8, 1.0)
        },
        MixConfig {
            switch_prob: 1.5,
            ..MixConfig::timm(0.8, 1.0)
        },
        MixConfig {
            cutmix_alpha: -1.0,
            ..MixConfig::timm(0.8, 1.0)
        },
        MixConfig {
            cutmix_alpha: f64::INFINITY,
            ..MixConfig::timm(0.8, 1.0)
        },
        MixConfig {
            recipe: Recipe::Timm {
                correct_lam: true,
                minmax: Some((0.5, 0.5)),
                rule: TimmRule::Since1_0_29,
            },
            ..MixConfig::timm(0.8, 1.0)
        },
        MixConfig {
            recipe: Recipe::Timm {
                correct_lam: true,
                minmax: Some((0.0, 0.5)),
                rule: TimmRule::Since1_0_29,
            },
            ..MixConfig::timm(0.8, 1.0)
        },
        MixConfig {
            recipe: Recipe::Timm {
                correct_lam: true,
                minmax: Some((0.2, 1.01)),
                rule: TimmRule::Since1_0_29,
            },
            ..MixConfig::timm(0.8, 1.0)
        },
        // integer ranges empty for a 4-pixel side: [0, 1) is fine, [1, 1) is not
        MixConfig {
            recipe: Recipe::Timm {
                correct_lam: true,
                minmax: Some((0.3, 0.45)),
                rule: TimmRule::Since1_0_29,
            },
            ..MixConfig::timm(0.8, 1.0)
        },
    ];
    for config in bad {
        for sides in [(4, 4), (0, 4), (4, 0), (1 << 33, 4)] {
            let mut rng = MixRng::seed_from_u64(0);
            let (mut p, mut l, mut o, mut b) = (
                vec![9u32; 3],
                vec![9.0; 3],
                vec![Op::Mixup; 3],
                vec![CutBox::default(); 3],
            );
            assert_eq!(
                config.draw_with_boxes(&mut rng, sides, &mut p, &mut l, &mut o, &mut b),
                Err(Error::InvalidArgument),
                "{config:?} {sides:?}"
            );
            assert_eq!(
                (p, l, o, b, rng),
                (
                    vec![9; 3],
                    vec![9.0; 3],
                    vec![Op::Mixup; 3],
                    vec![CutBox::default(); 3],
                    MixRng::seed_from_u64(0)
                )
            );
        }
    }
    let config = MixConfig::timm(0.8, 1.0);
    let mut rng = MixRng::seed_from_u64(0);
    assert_eq!(
        config.draw_with_boxes(
            &mut rng,
            (4, 4),
            &mut [0; 3],
            &mut [0.0; 3],
            &mut [Op::Mixup; 2],
            &mut [CutBox::default(); 3]
        ),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        config.draw_with_boxes(
            &mut rng,
            (4, 4),
            &mut [0; 3],
            &mut [0.0; 3],
            &mut [Op::Mixup; 3],
            &mut [CutBox::default(); 4]
        ),
        Err(Error::InvalidArgument)
    );
}

/// timm's `mixup_target` for one row: `y1 * lam + y2 * (1 - lam)` on
/// float32 tensors, with `lam` a float32 tensor (`elem`) or a Python float
/// (`batch`), one-hots of `off = s / K`, `on = 1 - s + off`.
fn timm_target(y1: usize, y2: usize, k: usize, s: f64, w_self: f32, w_partner: f32) -> Vec<f32> {
    let off = s / k as f64;
    let (off, on) = (off as f32, (1.0 - s + off) as f32);
    (0..k)
        .map(|c| {
            let (a, b) = (
                if c == y1 { on } else { off },
                if c == y2 { on } else { off },
            );
            a * w_self + b * w_partner
        })
        .collect()
}

#[test]
fn timm_elem_and_batch_images_and_targets_bit_for_bit() {
    let (c, h, w, k, s) = (3, 17, 13, 10, 0.1);
    let len = c * h * w;
    let image = ImageShape {
        channels: c,
        height: h,
        width: w,
        layout: ChannelOrder::Chw,
    };
    let mut rng = MixRng::seed_from_u64(77);
    for granularity in [Granularity::Elem, Granularity::Batch, Granularity::Pair] {
        for round in 0..20 {
            let n = 6;
            let config = MixConfig {
                granularity,
                prob: 0.9,
                ..MixConfig::timm(0.8, 1.0)
            };
            let d = draw(&config, n, (h, w), &mut rng);
            let x: Vec<f32> = (0..n * len)
                .map(|i| ((i * 2654435761usize) % 1000) as f32 / 7.0 - 50.0)
                .collect();
            let labels: Vec<i64> = (0..n as i64).map(|i| (i * 3 + round) % k as i64).collect();
            // timm: x_orig = x.clone(); per sample j = n - 1 - i
            let mut want = x.clone();
            let mut want_t = Vec::new();
            for i in 0..n {
                let j = n - 1 - i;
                let lam = d.lambdas[i];
                // elem: float32 lam, `1 - lam` in float32; batch: a Python float
                let (ws, wp) = if granularity == Granularity::Batch {
                    (lam as f32, (1.0 - lam) as f32)
                } else {
                    assert_eq!(lam, lam as f32 as f64);
                    (lam as f32, 1.0f32 - lam as f32)
                };
                match d.ops[i] {
                    Op::Mixup => {
                        for e in 0..len {
                            want[i * len + e] = x[i * len + e] * ws + x[j * len + e] * wp;
                        }
                    }
                    Op::CutMix => {
                        let b = d.boxes[i];
                        for ch in 0..c {
                            for y in b.y1 as usize..b.y2 as usize {
                                for xx in b.x1 as usize..b.x2 as usize {
                                    let e = (ch * h + y) * w + xx;
                                    want[i * len + e] = x[j * len + e];
                                }
                            }
                        }
                    }
                    Op::Unmixed => assert_eq!(lam, 1.0),
                }
                want_t.extend(timm_target(
                    labels[i] as usize,
                    labels[j] as usize,
                    k,
                    s,
                    ws,
                    wp,
                ));
            }
            let plan = Plan::new(&d.partners, &d.lambdas)
                .with_ops(&d.ops)
                .with_cuts(Cuts {
                    image,
                    boxes: &d.boxes,
                });
            let mut got = x.clone();
            let mut scratch = vec![0.0; in_place_scratch_len(n, len).unwrap()];
            Mixer::new()
                .mix_in_place(&mut got, len, plan, &mut scratch)
                .unwrap();
            assert_eq!(
                got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                want.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
            let mut targets = vec![0.0f32; n * k];
            one_hot_targets(&labels, k, &d.partners, &d.lambdas, s, &mut targets).unwrap();
            assert_eq!(
                targets.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                want_t.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn torchvision_cutmix_is_roll_one_pasted() {
    // out = x.clone(); out[..., y1:y2, x1:x2] = x.roll(1, 0)[..., y1:y2, x1:x2]
    let (n, c, h, w) = (5, 2, 9, 11);
    let len = c * h * w;
    let image = ImageShape {
        channels: c,
        height: h,
        width: w,
        layout: ChannelOrder::Chw,
    };
    let config = MixConfig {
        alpha: 0.0,
        beta: 0.0,
        cutmix_alpha: 1.0,
        pairing: Pairing::TORCHVISION,
        ..MixConfig::default()
    };
    let mut rng = MixRng::seed_from_u64(5);
    for _ in 0..50 {
        let d = draw(&config, n, (h, w), &mut rng);
        assert!(
            d.ops.iter().all(|&op| op == Op::CutMix) && d.boxes.iter().all(|b| *b == d.boxes[0])
        );
        let x: Vec<f32> = (0..n * len).map(|i| i as f32).collect();
        let b = d.boxes[0];
        let mut want = x.clone();
        for i in 0..n {
            let rolled = (i + n - 1) % n;
            for ch in 0..c {
                for y in b.y1 as usize..b.y2 as usize {
                    for xx in b.x1 as usize..b.x2 as usize {
                        want[i * len + (ch * h + y) * w + xx] =
                            x[rolled * len + (ch * h + y) * w + xx];
                    }
                }
            }
        }
        let plan = Plan::new(&d.partners, &d.lambdas)
            .with_ops(&d.ops)
            .with_cuts(Cuts {
                image,
                boxes: &d.boxes,
            });
        let mut out = vec![0.0f32; n * len];
        Mixer::new().mix_into(&mut out, &x, len, plan).unwrap();
        assert_eq!(out, want);
        assert_eq!(d.lambdas[0], 1.0 - b.area() as f64 / (h * w) as f64);
    }
}

#[test]
fn value_stability_of_a_timm_plan() {
    // timm as it is today, and the plan of timm up to 1.0.28 exactly as
    // this library drew it before timm 1.0.29 changed its boxes: the same
    // draws; the boxes of samples 4 and 5, whose cuts are odd, reach one
    // pixel further down and right today (their lam' with them)
    assert_eq!(timm_plan(Recipe::TIMM), FROZEN);
    assert_eq!(timm_plan(Recipe::TIMM_1_0_28), FROZEN_UP_TO_1_0_28);
}

fn timm_plan(recipe: Recipe) -> String {
    let config = MixConfig {
        granularity: Granularity::Elem,
        prob: 0.9,
        recipe,
        ..MixConfig::timm(0.8, 1.0)
    };
    let d = draw(&config, 6, (32, 32), &mut MixRng::stream(2026, 12));
    let summary: Vec<(Op, u64, [u32; 4])> = (0..6)
        .map(|i| {
            (
                d.ops[i],
                d.lambdas[i].to_bits(),
                [d.boxes[i].y1, d.boxes[i].y2, d.boxes[i].x1, d.boxes[i].x2],
            )
        })
        .collect();
    assert_eq!(d.partners, [5, 4, 3, 2, 1, 0]);
    format!("{summary:?}")
}

const FROZEN: &str = "[(CutMix, 4605915781404819456, [3, 15, 3, 15]), (Mixup, 4605504955971796992, [0, 0, 0, 0]), (CutMix, 4604930618986332160, [16, 32, 16, 32]), (Mixup, 4606231449153044480, [0, 0, 0, 0]), (CutMix, 4606751410241929216, [13, 20, 22, 29]), (CutMix, 4601623288009981952, [0, 26, 0, 22])]";

const FROZEN_UP_TO_1_0_28: &str = "[(CutMix, 4605915781404819456, [3, 15, 3, 15]), (Mixup, 4605504955971796992, [0, 0, 0, 0]), (CutMix, 4604930618986332160, [16, 32, 16, 32]), (Mixup, 4606231449153044480, [0, 0, 0, 0]), (CutMix, 4606865759451217920, [13, 19, 22, 28]), (CutMix, 4602450120754069504, [0, 25, 0, 21])]";

#[test]
fn timm_fast_collate_elem_u8_bit_for_bit() {
    // timm's `_mix_elem_collate`: j = n - 1 - i; with lam a float32,
    // mixup is `np.rint(a.astype(f32) * lam + b.astype(f32) * (1 - lam))`,
    // CutMix copies the box of `batch[j]`
    let (c, h, w) = (3, 11, 9);
    let len = c * h * w;
    let image = ImageShape {
        channels: c,
        height: h,
        width: w,
        layout: ChannelOrder::Chw,
    };
    let mut rng = MixRng::seed_from_u64(31);
    for _ in 0..30 {
        let n = 8;
        let config = MixConfig {
            granularity: Granularity::Elem,
            ..MixConfig::timm(0.8, 1.0)
        };
        let d = draw(&config, n, (h, w), &mut rng);
        let x: Vec<u8> = (0..n * len).map(|i| (i * 7919 % 256) as u8).collect();
        let mut want = x.clone();
        for i in 0..n {
            let j = n - 1 - i;
            let lam = d.lambdas[i] as f32;
            match d.ops[i] {
                Op::Mixup => {
                    for e in 0..len {
                        let v = f32::from(x[i * len + e]) * lam
                            + f32::from(x[j * len + e]) * (1.0 - lam);
                        want[i * len + e] = v.round_ties_even() as u8;
                    }
                }
                Op::CutMix => {
                    let b = d.boxes[i];
                    for e in 0..len {
                        let (y, xx) = (e / w % h, e % w);
                        if (b.y1 as usize..b.y2 as usize).contains(&y)
                            && (b.x1 as usize..b.x2 as usize).contains(&xx)
                        {
                            want[i * len + e] = x[j * len + e];
                        }
                    }
                }
                Op::Unmixed => {}
            }
        }
        let plan = Plan::new(&d.partners, &d.lambdas)
            .with_ops(&d.ops)
            .with_cuts(Cuts {
                image,
                boxes: &d.boxes,
            });
        let mut out = vec![0u8; n * len];
        Mixer::new().mix_into(&mut out, &x, len, plan).unwrap();
        assert_eq!(out, want);
    }
}

#[test]
fn half_mode_outputs_the_first_half() {
    // timm's FastCollateMixup(mode='half'): n inputs, n / 2 outputs
    let (c, h, w, n) = (2, 6, 5, 7);
    let len = c * h * w;
    let image = ImageShape {
        channels: c,
        height: h,
        width: w,
        layout: ChannelOrder::Hwc,
    };
    let config = MixConfig {
        granularity: Granularity::Half,
        ..MixConfig::timm(0.8, 1.0)
    };
    let d = draw(&config, n, (h, w), &mut MixRng::seed_from_u64(6));
    let x: Vec<f32> = (0..n * len).map(|i| i as f32).collect();
    let plan = Plan::new(&d.partners, &d.lambdas)
        .with_ops(&d.ops)
        .with_cuts(Cuts {
            image,
            boxes: &d.boxes,
        });
    let mut full = vec![0.0f32; n * len];
    Mixer::new().mix_into(&mut full, &x, len, plan).unwrap();
    let mut half = vec![0.0f32; n / 2 * len];
    Mixer::new().mix_into(&mut half, &x, len, plan).unwrap();
    assert_eq!(half, full[..n / 2 * len]);
    // fused too
    let bytes: Vec<u8> = (0..n * len).map(|i| (i % 256) as u8).collect();
    let layout = mixup::FusedImage {
        channels: c,
        pixels: h * w,
        input: ChannelOrder::Hwc,
        output: ChannelOrder::Chw,
    };
    let (mut full, mut half) = (vec![0.0f32; n * len], vec![0.0f32; n / 2 * len]);
    Mixer::new()
        .mix_u8_to_f32(&mut full, &bytes, layout, plan, None)
        .unwrap();
    Mixer::new()
        .mix_u8_to_f32(&mut half, &bytes, layout, plan, None)
        .unwrap();
    assert_eq!(half, full[..n / 2 * len]);
    // a shorter output where a later sample mixes, or a part of a sample: refused
    let elem = MixConfig {
        granularity: Granularity::Elem,
        ..config
    };
    let d = draw(&elem, n, (h, w), &mut MixRng::seed_from_u64(6));
    assert!(d.ops[n / 2..].iter().any(|&op| op != Op::Unmixed));
    let plan = Plan::new(&d.partners, &d.lambdas)
        .with_ops(&d.ops)
        .with_cuts(Cuts {
            image,
            boxes: &d.boxes,
        });
    let mut short = vec![7.0f32; n / 2 * len];
    assert_eq!(
        Mixer::new().mix_into(&mut short, &x, len, plan),
        Err(Error::InvalidArgument)
    );
    let mut ragged = vec![7.0f32; n * len - 1];
    assert_eq!(
        Mixer::new().mix_into(&mut ragged, &x, len, plan),
        Err(Error::InvalidArgument)
    );
    assert!(short.iter().chain(&ragged).all(|&v| v == 7.0));
    // without ops, every sample mixes: only the whole batch will do
    assert_eq!(
        Mixer::new().mix_into(&mut short, &x, len, Plan::new(&d.partners, &[0.5])),
        Err(Error::InvalidArgument)
    );
}
