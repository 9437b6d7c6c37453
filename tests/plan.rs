//! The plan: prob semantics, granularities, the frozen order of draws.

use mixup::{Beta, Error, Granularity, MixConfig, MixRng, Op, Pairing};

fn draw(config: &MixConfig, n: usize, seed: u64) -> (Vec<u32>, Vec<f64>, Vec<bool>, usize) {
    let (mut p, mut l, mut ops) = (vec![0; n], vec![0.0; n], vec![Op::CutMix; n]);
    let mixed = config
        .draw(
            &mut MixRng::seed_from_u64(seed),
            &mut p,
            &mut l,
            Some(&mut ops),
        )
        .unwrap();
    assert!(ops.iter().all(|&op| op != Op::CutMix));
    let a = ops.iter().map(|&op| op == Op::Mixup).collect();
    (p, l, a, mixed)
}

#[test]
fn batch_granularity_shares_one_lambda_and_one_test() {
    let config = MixConfig {
        prob: 0.5,
        ..MixConfig::default()
    };
    let mut mixed_batches = 0i32;
    for seed in 0..2000 {
        let (_, l, a, mixed) = draw(&config, 7, seed);
        assert!(l.iter().all(|&x| x == l[0]) && a.iter().all(|&x| x == a[0]));
        assert!(mixed == 0 || mixed == 7);
        if a[0] {
            mixed_batches += 1;
        } else {
            assert_eq!(l[0], 1.0, "no mixing means lam = 1");
        }
    }
    assert!((mixed_batches - 1000).abs() < 120, "{mixed_batches}");
}

#[test]
fn elem_granularity_tests_each_sample() {
    let config = MixConfig {
        prob: 0.3,
        granularity: Granularity::Elem,
        alpha: 0.4,
        beta: 0.4,
        ..MixConfig::default()
    };
    let (_, l, a, mixed) = draw(&config, 10_000, 5);
    assert_eq!(mixed, a.iter().filter(|&&x| x).count());
    assert!((mixed as i32 - 3000).abs() < 250, "{mixed}");
    for (lam, applied) in l.iter().zip(&a) {
        if !applied {
            assert_eq!(*lam, 1.0);
        }
    }
    let distinct: std::collections::HashSet<u64> = l.iter().map(|x| x.to_bits()).collect();
    assert!(distinct.len() > 2000);
}

#[test]
fn pair_granularity_shares_lambda_between_i_and_its_mirror() {
    for n in [1, 2, 5, 8] {
        let config = MixConfig {
            prob: 0.5,
            granularity: Granularity::Pair,
            pairing: Pairing::Flip,
            ..MixConfig::default()
        };
        let (p, l, a, _) = draw(&config, n, n as u64);
        for i in 0..n {
            assert_eq!(p[i] as usize, n - 1 - i);
            assert_eq!(l[i].to_bits(), l[n - 1 - i].to_bits());
            assert_eq!(a[i], a[n - 1 - i]);
        }
    }
}

#[test]
fn order_of_draws_is_tests_then_lambdas_then_pairing() {
    // Rebuild the plan by hand from the same generator.
    let config = MixConfig {
        alpha: 0.7,
        beta: 0.7,
        prob: 0.6,
        granularity: Granularity::Elem,
        pairing: Pairing::Cycle,
        ..MixConfig::default()
    };
    let n = 6;
    let (p, l, _, _) = draw(&config, n, 42);
    let mut rng = MixRng::seed_from_u64(42);
    let tests: Vec<f64> = (0..n).map(|_| rng.uniform_f64()).collect();
    let beta = Beta::symmetric(0.7).unwrap();
    let lams: Vec<f64> = (0..n).map(|_| beta.sample(&mut rng)).collect();
    let mut partners = vec![0u32; n];
    Pairing::Cycle.fill(&mut rng, &mut partners).unwrap();
    for i in 0..n {
        let want = if tests[i] < 0.6 { lams[i] } else { 1.0 };
        assert_eq!(l[i].to_bits(), want.to_bits());
    }
    assert_eq!(p, partners);
}

#[test]
fn alpha_zero_switches_mixing_off_and_given_partners_are_kept() {
    let config = MixConfig {
        alpha: 0.0,
        beta: 0.0,
        pairing: Pairing::Given,
        ..MixConfig::default()
    };
    let (mut p, mut l) = (vec![2u32, 2, 0], vec![0.0; 3]);
    config
        .draw(&mut MixRng::seed_from_u64(1), &mut p, &mut l, None)
        .unwrap();
    assert_eq!(l, [1.0; 3]);
    assert_eq!(p, [2, 2, 0]);
}

#[test]
fn samples_are_flagged_as_mixing_only_when_mixing_is_on() {
    // alpha = beta = 0 (and any b = 0) gives lambda 1 and mixes nothing
    for (alpha, beta) in [(0.0, 0.0), (0.5, 0.0)] {
        for granularity in [Granularity::Batch, Granularity::Elem, Granularity::Pair] {
            let config = MixConfig {
                alpha,
                beta,
                granularity,
                ..MixConfig::default()
            };
            let (_, l, a, mixed) = draw(&config, 7, 11);
            assert_eq!((l, a, mixed), (vec![1.0; 7], vec![false; 7], 0));
        }
    }
    assert!(Beta::new(0.0, 0.0).unwrap().is_off());
    assert!(!Beta::new(0.0, 1.0).unwrap().is_off()); // lambda 0: every sample is its partner
    let config = MixConfig {
        alpha: 0.3,
        ..MixConfig::default()
    };
    let (_, _, a, mixed) = draw(&config, 7, 11);
    assert_eq!((a, mixed), (vec![true; 7], 7));
}

#[test]
fn empty_batch_draws_nothing() {
    let mut rng = MixRng::seed_from_u64(3);
    let before = rng.clone();
    assert_eq!(
        MixConfig::default().draw(&mut rng, &mut [], &mut [], None),
        Ok(0)
    );
    assert_eq!(rng, before);
}

#[test]
fn bad_configurations_write_nothing() {
    let bad = [
        MixConfig {
            prob: 1.5,
            ..MixConfig::default()
        },
        MixConfig {
            prob: f64::NAN,
            ..MixConfig::default()
        },
        MixConfig {
            alpha: -1.0,
            ..MixConfig::default()
        },
        MixConfig {
            beta: f64::INFINITY,
            ..MixConfig::default()
        },
    ];
    for config in bad {
        let (mut p, mut l) = (vec![9u32; 4], vec![9.0; 4]);
        let mut rng = MixRng::seed_from_u64(0);
        assert_eq!(
            config.draw(&mut rng, &mut p, &mut l, None),
            Err(Error::InvalidArgument)
        );
        assert_eq!((p, l), (vec![9; 4], vec![9.0; 4]));
        assert_eq!(rng, MixRng::seed_from_u64(0));
    }
    let config = MixConfig::default();
    let mut rng = MixRng::seed_from_u64(0);
    let (mut p, mut l) = (vec![9u32; 4], vec![9.0; 3]);
    assert_eq!(
        config.draw(&mut rng, &mut p, &mut l, None),
        Err(Error::InvalidArgument)
    );
    let mut applied = vec![Op::Unmixed; 5];
    let mut l = vec![9.0; 4];
    assert_eq!(
        config.draw(&mut rng, &mut p, &mut l, Some(&mut applied)),
        Err(Error::InvalidArgument)
    );
    let given = MixConfig {
        pairing: Pairing::Given,
        ..MixConfig::default()
    };
    let mut p = vec![0u32, 4, 1, 2];
    assert_eq!(
        given.draw(&mut rng, &mut p, &mut l, None),
        Err(Error::IndexOutOfRange)
    );
    assert_eq!(l, vec![9.0; 4]);
    assert_eq!(rng, MixRng::seed_from_u64(0));
}
