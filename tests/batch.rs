//! Batch application: in place (cycle walk, one sample of scratch) and out
//! of place are bit-identical to the formula of docs/DESIGN.md §2 and to
//! each other.

mod common;

use common::{any_f32, any_lambda, assert_same, bits, every_mixer, formula, outs};
use mixup::{Error, MixRng, Mixer, Op, Pairing, Plan, in_place_scratch_len};

/// Ops from flags: mixup where set, unmixed where not.
fn ops_of(flags: &[bool]) -> Vec<Op> {
    flags
        .iter()
        .map(|&f| if f { Op::Mixup } else { Op::Unmixed })
        .collect()
}
use proptest::prelude::*;

/// `out[i] = formula(lam_i, x[i], x[p(i)])`, element by element.
fn expected(batch: &[f32], len: usize, partners: &[u32], lambdas: &[f64]) -> Vec<f32> {
    expected_where(batch, len, Plan::new(partners, lambdas))
}

/// As [`expected`], with the samples that do not mix left as they are.
fn expected_where(batch: &[f32], len: usize, plan: Plan<'_>) -> Vec<f32> {
    let mut out = batch.to_vec();
    for (i, &p) in plan.partners.iter().enumerate() {
        if plan.ops.is_some_and(|m| m[i] == Op::Unmixed) {
            continue;
        }
        let lam = if plan.lambdas.len() == 1 {
            plan.lambdas[0]
        } else {
            plan.lambdas[i]
        };
        for k in 0..len {
            out[i * len + k] = formula(lam, batch[i * len + k], batch[p as usize * len + k]);
        }
    }
    out
}

fn pairing_strategy() -> impl Strategy<Value = Pairing> {
    prop_oneof![
        (-5i64..5).prop_map(Pairing::Roll),
        Just(Pairing::Flip),
        Just(Pairing::Permutation),
        Just(Pairing::Cycle),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn in_place_and_out_of_place_match_the_formula(
        n in 0usize..12,
        len in 0usize..70,
        pairing in pairing_strategy(),
        seed in any::<u64>(),
        values in prop::collection::vec(any_f32(), 1..50),
        lambdas in prop::collection::vec(any_lambda(), 1..12),
        per_sample in any::<bool>(),
        flags in prop::option::of(prop::collection::vec(any::<bool>(), 12)),
    ) {
        let batch: Vec<f32> = (0..n * len).map(|i| values[(i * 7 + i / 3) % values.len()]).collect();
        let mut partners = vec![0u32; n];
        pairing.fill(&mut MixRng::seed_from_u64(seed), &mut partners).unwrap();
        let lambdas: Vec<f64> = if per_sample && n > 0 {
            (0..n).map(|i| lambdas[i % lambdas.len()]).collect()
        } else {
            vec![lambdas[0]]
        };
        let flags = flags.map(|f| ops_of(&f[..n]));
        let plan = Plan { ops: flags.as_deref(), ..Plan::new(&partners, &lambdas) };
        let want = expected_where(&batch, len, plan);
        for mixer in every_mixer() {
            let mut out = vec![f32::NAN; batch.len()];
            mixer.mix_into(&mut out, &batch, len, plan).unwrap();
            assert_same(&out, &want, "out of place");

            let mut in_place = batch.clone();
            let mut scratch = vec![0.0f32; in_place_scratch_len(n, len).unwrap()];
            mixer.mix_in_place(&mut in_place, len, plan, &mut scratch).unwrap();
            assert_same(&in_place, &want, "in place");
        }
    }

    #[test]
    fn out_of_place_takes_any_index_map(
        n in 1usize..10,
        len in 0usize..40,
        map_seed in prop::collection::vec(any::<u32>(), 10),
        lam in any_lambda(),
    ) {
        let batch: Vec<f32> = (0..n * len).map(|i| i as f32 * 0.25 - 3.0).collect();
        let partners: Vec<u32> = (0..n).map(|i| map_seed[i] % n as u32).collect();
        let want = expected(&batch, len, &partners, &[lam]);
        let mut out = vec![0.0; batch.len()];
        Mixer::new().mix_into(&mut out, &batch, len, Plan::new(&partners, &[lam])).unwrap();
        assert_same(&out, &want, "index map");
    }
}

/// The audit's batch: `[[inf, 1, -0], [2, nan, 3]]`, partners `[1, 0]`.
fn audit_batch() -> [f32; 6] {
    [f32::INFINITY, 1.0, -0.0, 2.0, f32::NAN, 3.0]
}

#[test]
fn lambda_zero_and_one_are_the_formula_as_numpy_computes_it() {
    // NumPy and torch: 0 * inf and 0 * nan are NaN, and 1 * -0 + 0 * 3 is +0
    let cases: [(f64, [f32; 6]); 3] = [
        (0.0, [f32::NAN, f32::NAN, 3.0, f32::INFINITY, f32::NAN, 0.0]),
        // 1e-300 rounds to a weight of 0 in f32: the same formula
        (
            1e-300,
            [f32::NAN, f32::NAN, 3.0, f32::INFINITY, f32::NAN, 0.0],
        ),
        (1.0, [f32::INFINITY, f32::NAN, 0.0, f32::NAN, f32::NAN, 3.0]),
    ];
    for (lam, want) in cases {
        let lambdas = [lam];
        for mixer in every_mixer() {
            let plan = Plan::new(&[1, 0], &lambdas);
            let mut out = [0.0f32; 6];
            mixer.mix_into(&mut out, &audit_batch(), 3, plan).unwrap();
            assert_same(&out, &want, "out of place");
            let mut x = audit_batch();
            let mut scratch = vec![0.0; in_place_scratch_len(2, 3).unwrap()];
            mixer.mix_in_place(&mut x, 3, plan, &mut scratch).unwrap();
            assert_same(&x, &want, "in place");
            assert_eq!(out[5].to_bits() >> 31, 0, "+0, not -0");
        }
    }
}

#[test]
fn samples_that_do_not_mix_are_left_as_they_are() {
    // torchvision returns a batch it does not mix untouched: -0 and inf too
    let batch: Vec<f32> = (0..40)
        .map(|i| match i % 4 {
            0 => -0.0,
            1 => f32::INFINITY,
            _ => i as f32,
        })
        .collect();
    for mixer in every_mixer() {
        let plan = Plan::new(&[1, 2, 3, 4, 0], &[1.0]).with_ops(&[Op::Unmixed; 5]);
        let mut x = batch.clone();
        let mut scratch = vec![0.0; in_place_scratch_len(5, 8).unwrap()];
        mixer.mix_in_place(&mut x, 8, plan, &mut scratch).unwrap();
        assert_eq!(bits(&x), bits(&batch));
        let mut out = vec![7.0; 40];
        mixer.mix_into(&mut out, &batch, 8, plan).unwrap();
        assert_eq!(bits(&out), bits(&batch));
        // one that mixes with lambda 1 is the formula: 1 * inf + 0 * inf is NaN
        let first = [
            Op::Mixup,
            Op::Unmixed,
            Op::Unmixed,
            Op::Unmixed,
            Op::Unmixed,
        ];
        let plan = plan.with_ops(&first);
        let mut x = batch.clone();
        mixer.mix_in_place(&mut x, 8, plan, &mut scratch).unwrap();
        assert!(x[1].is_nan());
        assert_eq!(bits(&x[8..]), bits(&batch[8..]));
    }
}

#[test]
fn self_partner_and_single_sample() {
    // n = 1 pairs the sample with itself: lam*x + (1-lam)*x
    let mut x = vec![1.0f32, -2.0, 3.5];
    let mut scratch = vec![0.0; in_place_scratch_len(1, 3).unwrap()];
    Mixer::new()
        .mix_in_place(&mut x, 3, Plan::new(&[0], &[0.3]), &mut scratch)
        .unwrap();
    let want: Vec<f32> = [1.0f32, -2.0, 3.5]
        .iter()
        .map(|&v| formula(0.3, v, v))
        .collect();
    assert_same(&x, &want, "n = 1");
}

#[test]
fn soft_labels_mix_through_the_same_plan() {
    // dense soft labels are one more batch, of len = num_classes
    let labels = vec![0.7f32, 0.3, 0.0, 0.0, 0.1, 0.9];
    let mut mixed = labels.clone();
    let mut scratch = vec![0.0; in_place_scratch_len(2, 3).unwrap()];
    Mixer::new()
        .mix_in_place(&mut mixed, 3, Plan::new(&[1, 0], &[0.6]), &mut scratch)
        .unwrap();
    assert_same(
        &mixed,
        &expected(&labels, 3, &[1, 0], &[0.6]),
        "soft labels",
    );
}

#[test]
fn in_place_needs_only_one_sample_and_n_bits() {
    assert_eq!(
        in_place_scratch_len(64, 3 * 224 * 224),
        Ok(3 * 224 * 224 + 2)
    );
    assert_eq!(in_place_scratch_len(0, 0), Ok(0));
    assert_eq!(
        in_place_scratch_len(usize::MAX, usize::MAX),
        Err(Error::SizeOverflow)
    );
}

/// One bad call: what, partners, lambdas, len, scratch length, the error.
type BadCall = (&'static str, Vec<u32>, Vec<f64>, usize, usize, Error);

/// Every error, each with the batch and the scratch left untouched.
#[test]
fn errors_leave_every_buffer_untouched() {
    let mixer = Mixer::new();
    let original: Vec<f32> = (0..12).map(|i| i as f32).collect();
    let good_scratch = in_place_scratch_len(3, 4).unwrap();
    let cases: Vec<BadCall> = vec![
        (
            "duplicate partner",
            vec![0, 0, 1],
            vec![0.5],
            4,
            good_scratch,
            Error::BadPermutation,
        ),
        (
            "partner out of range",
            vec![1, 2, 3],
            vec![0.5],
            4,
            good_scratch,
            Error::IndexOutOfRange,
        ),
        (
            "batch not n * len",
            vec![1, 2, 0],
            vec![0.5],
            5,
            good_scratch,
            Error::InvalidArgument,
        ),
        (
            "two lambdas for three",
            vec![1, 2, 0],
            vec![0.5, 0.5],
            4,
            good_scratch,
            Error::InvalidArgument,
        ),
        (
            "lambda above 1",
            vec![1, 2, 0],
            vec![1.5],
            4,
            good_scratch,
            Error::InvalidArgument,
        ),
        (
            "NaN lambda",
            vec![1, 2, 0],
            vec![0.2, f64::NAN, 0.3],
            4,
            good_scratch,
            Error::InvalidArgument,
        ),
        (
            "no lambda",
            vec![1, 2, 0],
            vec![],
            4,
            good_scratch,
            Error::InvalidArgument,
        ),
        (
            "scratch one short",
            vec![1, 2, 0],
            vec![0.5],
            4,
            good_scratch - 1,
            Error::BufferTooSmall,
        ),
        (
            "overflowing n * len",
            vec![1, 2, 0],
            vec![0.5],
            usize::MAX / 2,
            good_scratch,
            Error::SizeOverflow,
        ),
    ];
    for (what, partners, lambdas, len, scratch_len, error) in cases {
        let mut batch = original.clone();
        let mut scratch = vec![-1.0f32; scratch_len];
        let got = mixer.mix_in_place(
            &mut batch,
            len,
            Plan::new(&partners, &lambdas),
            &mut scratch,
        );
        assert_eq!(got, Err(error), "in place: {what}");
        assert_eq!(batch, original, "in place: {what}: batch written");
        if error != Error::BadPermutation {
            // the permutation check is the only one that uses the scratch bitmap
            assert!(
                scratch.iter().all(|&v| v == -1.0),
                "in place: {what}: scratch written"
            );
        }

        let mut out = vec![-1.0f32; 12];
        let got = mixer.mix_into(&mut out, &original, len, Plan::new(&partners, &lambdas));
        if error != Error::BadPermutation && error != Error::BufferTooSmall {
            assert_eq!(got, Err(error), "out of place: {what}");
        }
        if got.is_err() {
            assert!(
                out.iter().all(|&v| v == -1.0),
                "out of place: {what}: output written"
            );
        }
    }
    let mut short_out = vec![-1.0f32; 11];
    assert_eq!(
        mixer.mix_into(&mut short_out, &original, 4, Plan::new(&[1, 2, 0], &[0.5])),
        Err(Error::InvalidArgument)
    );
    assert!(short_out.iter().all(|&v| v == -1.0));
}

#[test]
fn empty_batches_are_fine() {
    let mixer = Mixer::new();
    mixer
        .mix_in_place(&mut [], 5, Plan::new(&[], &[]), &mut [0.0; 5])
        .unwrap();
    mixer
        .mix_into::<f32>(&mut [], &[], 5, Plan::new(&[], &[0.5]))
        .unwrap();
    let mut batch = [1.0f32; 0];
    mixer
        .mix_in_place(&mut batch, 0, Plan::new(&[1, 0], &[0.5]), &mut [0.0])
        .unwrap();
}

#[test]
fn batches_beyond_the_walk_bitmap_still_match() {
    // out of place walks partner chains with a 4096-sample bitmap; past it,
    // it goes in index order. Both give the formula's bits.
    for n in [4095usize, 4096, 4097, 6000] {
        let len = 3;
        let batch: Vec<f32> = (0..n * len).map(|i| (i as f32 * 0.61).cos()).collect();
        let mut partners = vec![0u32; n];
        Pairing::Cycle
            .fill(&mut MixRng::seed_from_u64(n as u64), &mut partners)
            .unwrap();
        let lambdas: Vec<f64> = (0..n).map(|i| (i % 17) as f64 / 16.0).collect();
        let want = expected(&batch, len, &partners, &lambdas);
        let mut out = vec![0.0; n * len];
        Mixer::new()
            .mix_into(&mut out, &batch, len, Plan::new(&partners, &lambdas))
            .unwrap();
        assert_same(&out, &want, "out of place, large n");
        let mut x = batch.clone();
        let mut scratch = vec![0.0; in_place_scratch_len(n, len).unwrap()];
        Mixer::new()
            .mix_in_place(&mut x, len, Plan::new(&partners, &lambdas), &mut scratch)
            .unwrap();
        assert_same(&x, &want, "in place, large n");
    }
}

/// The one-call C form: a sample whose `prob` test fails, or a batch with
/// mixing off, is returned untouched (`-0` and `inf` too) and flagged 0;
/// the others are the formula.
#[test]
fn one_call_batches_leave_unmixed_samples_untouched() {
    use mixup::ffi::*;
    let (n, len) = (16usize, 6usize);
    let batch: Vec<f32> = (0..n * len)
        .map(|i| match i % 3 {
            0 => -0.0,
            1 => f32::INFINITY,
            _ => i as f32,
        })
        .collect();
    for (alpha, prob) in [(0.0, 1.0), (0.4, 0.5), (0.4, 1.0)] {
        let mut config = mixup_config_default();
        (config.alpha, config.beta, config.prob) = (alpha, alpha, prob);
        config.granularity = mixup_granularity::Elem as u32;
        let mut rng = mixup_rng { s: [0; 4] };
        let mut bytes = 0;
        let mut images = batch.clone();
        let (mut lam, mut partners, mut applied) = (vec![0.0; n], vec![0u32; n], vec![9u8; n]);
        // SAFETY: every pointer is valid for its length.
        unsafe {
            mixup_rng_seed(&mut rng, 5);
            assert_eq!(mixup_workspace_size(n, len, &mut bytes), mixup_status::Ok);
            let mut workspace = vec![0u64; bytes.div_ceil(8)];
            let status = mixup_batch_f32(
                &mut rng,
                &config,
                images.as_mut_ptr(),
                n,
                len,
                std::ptr::null(),
                0,
                0,
                workspace.as_mut_ptr().cast(),
                bytes,
                &outs(
                    std::ptr::null_mut(),
                    0,
                    lam.as_mut_ptr(),
                    n,
                    partners.as_mut_ptr(),
                    n,
                    applied.as_mut_ptr(),
                    n,
                ),
            );
            assert_eq!(status, mixup_status::Ok);
        }
        let flags: Vec<bool> = applied.iter().map(|&a| a == 1).collect();
        assert!(applied.iter().all(|&a| a <= 1));
        let mixed = flags.iter().filter(|&&f| f).count();
        match (alpha, prob) {
            (0.0, _) => assert_eq!(mixed, 0, "alpha 0 mixes nothing"),
            (_, 0.5) => assert!(mixed > 0 && mixed < n, "{mixed} of {n}"),
            _ => assert_eq!(mixed, n),
        }
        let ops = ops_of(&flags);
        let plan = Plan::new(&partners, &lam).with_ops(&ops);
        assert_same(&images, &expected_where(&batch, len, plan), "one call");
        for i in (0..n).filter(|&i| !flags[i]) {
            assert_eq!(
                bits(&images[i * len..][..len]),
                bits(&batch[i * len..][..len])
            );
        }
    }
}
