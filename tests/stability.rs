//! Value stability: these numbers freeze the generator, the Beta sampler,
//! the pairings and the order of draws. A seed must give the same lambdas
//! and partners in every release; change them only with a major version.

use mixup::{Beta, Granularity, MixConfig, MixRng, Pairing};

#[test]
fn generator_stream() {
    let mut rng = MixRng::seed_from_u64(2026);
    let words: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
    assert_eq!(
        words,
        [0x6d4ff0619c339b97, 0x9d34f4497825b7a7, 0xb8d25ad967770acd]
    );
    assert_eq!(MixRng::stream(2026, 3).next_u64(), 0x51e0fb5bb436fc8b);
}

fn draws(a: f64, b: f64, logit: bool) -> Vec<u64> {
    let beta = Beta::new(a, b).unwrap();
    let mut rng = MixRng::seed_from_u64(7);
    (0..4)
        .map(|_| {
            if logit {
                beta.sample_logit(&mut rng)
            } else {
                beta.sample(&mut rng)
            }
            .to_bits()
        })
        .collect()
}

#[test]
fn beta_draws() {
    assert_eq!(
        draws(0.4, 0.4, false),
        [
            0x3f7246de30b98a31,
            0x3fe974333846b640,
            0x3feaa0ce33dd4096,
            0x3fa7fae7daa3b2a4
        ]
    );
    assert_eq!(
        draws(2.0, 5.0, false),
        [
            0x3fc531ebbdba9f78,
            0x3fbeb4ee3f5dd84a,
            0x3fc1149d8f54522e,
            0x3fde44297627e1ca
        ]
    );
    assert_eq!(
        draws(1000.0, 0.05, false),
        [
            0x3ff0000000000000,
            0x3feffeef5f39a9ba,
            0x3feffffffffff7d6,
            0x3fefffffffffeb94
        ]
    );
    assert_eq!(
        draws(0.001, 0.001, true),
        [
            0xc09b1b6da41a1414,
            0xc03da2b6d670d8e0,
            0x40927ac00aa78fb7,
            0xc0908c64c4511279
        ]
    );
}

#[test]
fn pairings() {
    let mut rng = MixRng::seed_from_u64(11);
    let mut p = [0u32; 10];
    Pairing::Permutation.fill(&mut rng, &mut p).unwrap();
    assert_eq!(p, [2, 5, 6, 0, 3, 1, 4, 9, 7, 8]);
    Pairing::Cycle.fill(&mut rng, &mut p).unwrap();
    assert_eq!(p, [8, 9, 4, 7, 0, 6, 1, 2, 5, 3]);
}

#[test]
fn whole_plan() {
    let config = MixConfig {
        alpha: 0.2,
        beta: 0.2,
        prob: 0.5,
        pairing: Pairing::Permutation,
        granularity: Granularity::Elem,
        ..MixConfig::default()
    };
    let mut rng = MixRng::stream(99, 1);
    let (mut partners, mut lambdas) = ([0u32; 6], [0.0f64; 6]);
    config
        .draw(&mut rng, &mut partners, &mut lambdas, None)
        .unwrap();
    assert_eq!(partners, [0, 5, 1, 4, 3, 2]);
    assert_eq!(
        lambdas.map(f64::to_bits),
        [
            0x3ff0000000000000,
            0x3f40230b680560d2,
            0x3fdaa2247eaf78a0,
            0x3ff0000000000000,
            0x3f5f405e9260f9fc,
            0x3ff0000000000000
        ]
    );
}
