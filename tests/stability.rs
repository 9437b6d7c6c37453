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
            0x3f3a715486953ab0,
            0x3fa55592e3362bc5,
            0x3fa5c615605f65d3,
            0x3f983098ec79f5df
        ]
    );
    assert_eq!(
        draws(2.0, 5.0, false),
        [
            0x3fe1667989e50630,
            0x3fccabe3ae0c5593,
            0x3fe30830e32ac706,
            0x3fcb63a851f5d74e
        ]
    );
    assert_eq!(
        draws(1000.0, 0.05, false),
        [
            0x3ff0000000000000,
            0x3fefffe645b70b11,
            0x3ff0000000000000,
            0x3fefffffffff86c6
        ]
    );
    assert_eq!(
        draws(0.001, 0.001, true),
        [
            0xc0aa3079bc5d2e79,
            0xc0987a032451809a,
            0xc092e09ef7962778,
            0xc099f86be90e40f3
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
    };
    let mut rng = MixRng::stream(99, 1);
    let (mut partners, mut lambdas) = ([0u32; 6], [0.0f64; 6]);
    config
        .draw(&mut rng, &mut partners, &mut lambdas, None)
        .unwrap();
    assert_eq!(partners, [0, 5, 1, 4, 2, 3]);
    assert_eq!(
        lambdas.map(f64::to_bits),
        [
            0x3ff0000000000000,
            0x3fefe102910c0a0a,
            0x3f62c198b28cd891,
            0x3ff0000000000000,
            0x3f9daf2007efc550,
            0x3ff0000000000000
        ]
    );
}
