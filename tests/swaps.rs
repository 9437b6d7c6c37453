//! Cycles of two (timm's flip pairs every sample so) are mixed in one pass,
//! chunk by chunk: in place must equal out of place for samples shorter
//! and longer than a chunk, with either sample of a pair unmixed, on every
//! backend, f32 and u8, in one call and in parts.

mod common;

use common::{any_f32, any_lambda, assert_same, every_mixer};
use mixup::{Op, Pairing, Part, Plan, in_place_scratch_len_of};
use proptest::prelude::*;

/// Sample lengths around the chunks (8 KiB: 2048 f32, 8192 u8).
fn any_len() -> impl Strategy<Value = usize> {
    prop::sample::select(vec![
        1usize, 7, 2047, 2048, 2049, 4096, 5003, 8191, 8192, 8193, 17000,
    ])
}

fn any_op() -> impl Strategy<Value = Op> {
    prop::sample::select(vec![Op::Unmixed, Op::Mixup, Op::Mixup])
}

fn flip(n: usize) -> Vec<u32> {
    let mut partners = vec![0; n];
    Pairing::Flip
        .fill(&mut mixup::MixRng::seed_from_u64(0), &mut partners)
        .unwrap();
    partners
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn f32_pairs_in_place_equal_out_of_place(
        n in 1usize..6,
        len in any_len(),
        values in prop::collection::vec(any_f32(), 97),
        lambdas in prop::collection::vec(any_lambda(), 6),
        ops in prop::collection::vec(any_op(), 6),
    ) {
        let partners = flip(n);
        let plan = Plan::new(&partners, &lambdas[..n]).with_ops(&ops[..n]);
        let batch: Vec<f32> = (0..n * len).map(|i| values[i % 97]).collect();
        for mixer in every_mixer() {
            let mut want = vec![0.0f32; n * len];
            mixer.mix_into(&mut want, &batch, len, plan).unwrap();
            let mut scratch = vec![0.0f32; in_place_scratch_len_of::<f32>(n, len).unwrap()];
            let mut x = batch.clone();
            mixer.mix_in_place(&mut x, len, plan, &mut scratch).unwrap();
            assert_same(&x, &want, mixer.backend().name());
            // in parts, each on its own
            let mut y = batch.clone();
            {
                let parts = mixer.in_place_parts(&mut y, len, plan).unwrap();
                for index in 0..3 {
                    parts.run(Part { index, count: 3 }, &mut scratch).unwrap();
                }
            }
            assert_same(&y, &want, mixer.backend().name());
        }
    }

    #[test]
    fn u8_pairs_in_place_equal_out_of_place(
        n in 1usize..6,
        len in any_len(),
        seed in any::<u64>(),
        lambdas in prop::collection::vec(any_lambda(), 6),
        ops in prop::collection::vec(any_op(), 6),
    ) {
        let partners = flip(n);
        let plan = Plan::new(&partners, &lambdas[..n]).with_ops(&ops[..n]);
        let mut rng = mixup::MixRng::seed_from_u64(seed);
        let batch: Vec<u8> = (0..n * len).map(|_| rng.next_u64() as u8).collect();
        for mixer in every_mixer() {
            let mut want = vec![0u8; n * len];
            mixer.mix_into(&mut want, &batch, len, plan).unwrap();
            let mut scratch = vec![0u8; in_place_scratch_len_of::<u8>(n, len).unwrap()];
            let mut x = batch.clone();
            mixer.mix_in_place(&mut x, len, plan, &mut scratch).unwrap();
            prop_assert_eq!(&x, &want);
        }
    }
}
