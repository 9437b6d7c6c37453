//! u8 batches: timm's `FastCollateMixup` arithmetic (u8 to u8) and
//! ToTensor + Normalize + mixup fused (u8 to f32), on every backend,
//! against formulas written here independently.

mod common;

use common::{any_lambda, assert_same, every_backend, every_mixer, formula};
use mixup::{
    ChannelOrder, Error, FusedImage, MixRng, Mixer, Normalize, Pairing, Plan,
    in_place_scratch_len_u8,
};
use proptest::prelude::*;

/// timm: `np.rint(a.astype(f32) * lam + b.astype(f32) * (1 - lam))` then
/// `astype(uint8)`, saturated.
fn timm(lam: f64, a: u8, b: u8) -> u8 {
    let (ws, wp) = (lam as f32, (1.0 - lam) as f32);
    (f32::from(a) * ws + f32::from(b) * wp)
        .round_ties_even()
        .clamp(0.0, 255.0) as u8
}

/// ImageNet's mean and std, and a fourth channel.
const IMAGENET: [(f32, f32); 4] = [(0.485, 0.229), (0.456, 0.224), (0.406, 0.225), (0.5, 0.25)];

/// torchvision: `ToTensor()` then `Normalize(mean, std)`, in f32.
fn to_tensor(u: u8, mean: f32, std: f32, normalize: bool) -> f32 {
    let v = f32::from(u) / 255.0;
    if normalize { (v - mean) / std } else { v }
}

#[test]
fn every_pair_of_bytes_at_chosen_lambdas() {
    let a: Vec<u8> = (0..65536u32).map(|i| (i / 256) as u8).collect();
    let b: Vec<u8> = (0..65536u32).map(|i| (i % 256) as u8).collect();
    for lam in [
        0.0,
        1.0,
        0.5,
        1.0 / 3.0,
        0.3,
        0.999_999,
        1e-7,
        0.123_456_789,
        0.75,
    ] {
        let want: Vec<u8> = a.iter().zip(&b).map(|(&x, &y)| timm(lam, x, y)).collect();
        for mixer in every_backend() {
            // one sample of all pairs: the batch is [a, b] and sample 0 pairs with 1
            let batch: Vec<u8> = a.iter().chain(&b).copied().collect();
            let mut out2 = vec![0u8; batch.len()];
            mixer
                .mix_into(&mut out2, &batch, a.len(), Plan::new(&[1, 0], &[lam]))
                .unwrap();
            assert_eq!(
                &out2[..a.len()],
                &want[..],
                "{} at lam {lam}",
                mixer.backend().name()
            );
            let mut in_place = batch.clone();
            let mut scratch = vec![0u8; in_place_scratch_len_u8(2, a.len()).unwrap()];
            mixer
                .mix_in_place(
                    &mut in_place,
                    a.len(),
                    Plan::new(&[1, 0], &[lam]),
                    &mut scratch,
                )
                .unwrap();
            assert_eq!(
                &in_place[..a.len()],
                &want[..],
                "{} in place at lam {lam}",
                mixer.backend().name()
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn u8_batches_match_timm(
        n in 0usize..9,
        len in 0usize..150,
        pairing in prop_oneof![Just(Pairing::Roll(1)), Just(Pairing::Flip), Just(Pairing::Permutation), Just(Pairing::Cycle)],
        seed in any::<u64>(),
        bytes in prop::collection::vec(any::<u8>(), 1..300),
        lambdas in prop::collection::vec(any_lambda(), 9),
    ) {
        let batch: Vec<u8> = (0..n * len).map(|i| bytes[i % bytes.len()]).collect();
        let mut partners = vec![0u32; n];
        pairing.fill(&mut MixRng::seed_from_u64(seed), &mut partners).unwrap();
        let lambdas = &lambdas[..n.max(1)];
        let mut want = vec![0u8; n * len];
        for i in 0..n {
            for k in 0..len {
                want[i * len + k] = timm(lambdas[i], batch[i * len + k], batch[partners[i] as usize * len + k]);
            }
        }
        for mixer in every_backend() {
            let mut out = vec![7u8; n * len];
            mixer.mix_into(&mut out, &batch, len, Plan::new(&partners, lambdas)).unwrap();
            prop_assert_eq!(&out, &want);
            let mut x = batch.clone();
            let mut scratch = vec![0u8; in_place_scratch_len_u8(n, len).unwrap()];
            mixer.mix_in_place(&mut x, len, Plan::new(&partners, lambdas), &mut scratch).unwrap();
            prop_assert_eq!(&x, &want);
        }
    }

    #[test]
    fn u8_to_f32_matches_totensor_normalize_mixup(
        n in 1usize..6,
        channels in 1usize..5,
        pixels in prop_oneof![0usize..70, 70usize..400],
        input in prop_oneof![Just(ChannelOrder::Hwc), Just(ChannelOrder::Chw)],
        output in prop_oneof![Just(ChannelOrder::Hwc), Just(ChannelOrder::Chw)],
        normalize in any::<bool>(),
        constants in prop_oneof![
            Just(IMAGENET),
            prop::array::uniform4((-2.0f32..2.0, prop_oneof![-4.0f32..-0.01, 0.01f32..4.0, Just(1e-40f32), Just(3e38f32)])),
        ],
        seed in any::<u64>(),
        bytes in prop::collection::vec(any::<u8>(), 1..200),
        lambdas in prop::collection::vec(any_lambda(), 6),
    ) {
        let len = channels * pixels;
        let batch: Vec<u8> = (0..n * len).map(|i| bytes[(i * 7) % bytes.len()]).collect();
        let mut partners = vec![0u32; n];
        Pairing::Permutation.fill(&mut MixRng::seed_from_u64(seed), &mut partners).unwrap();
        let lambdas = &lambdas[..n];
        let mean = constants.map(|(m, _)| m);
        let std = constants.map(|(_, s)| s);
        let norm = normalize.then(|| Normalize { mean: &mean[..channels], std: &std[..channels] });
        let image = FusedImage { channels, pixels, input, output };
        let at = |layout: ChannelOrder, c: usize, p: usize| match layout {
            ChannelOrder::Hwc => p * channels + c,
            ChannelOrder::Chw => c * pixels + p,
        };
        // the three passes of a loader: ToTensor + Normalize, then mixup
        let mut tensors = vec![0.0f32; n * len];
        for i in 0..n {
            for c in 0..channels {
                for p in 0..pixels {
                    let u = batch[i * len + at(input, c, p)];
                    tensors[i * len + at(output, c, p)] = to_tensor(u, mean[c], std[c], normalize);
                }
            }
        }
        let mut want = vec![0.0f32; n * len];
        for i in 0..n {
            for k in 0..len {
                want[i * len + k] = formula(lambdas[i], tensors[i * len + k], tensors[partners[i] as usize * len + k]);
            }
        }
        let mut three_pass = vec![0.0f32; n * len];
        Mixer::new().mix_into(&mut three_pass, &tensors, len, Plan::new(&partners, lambdas)).unwrap();
        assert_same(&three_pass, &want, "three passes");
        for mixer in every_mixer() {
            let mut out = vec![f32::NAN; n * len];
            mixer.mix_u8_to_f32(&mut out, &batch, image, Plan::new(&partners, lambdas), norm).unwrap();
            assert_same(&out, &want, mixer.backend().name());
        }
    }
}

#[test]
fn u8_errors_write_nothing() {
    let mixer = Mixer::new();
    let batch = vec![9u8; 12];
    let mut out = vec![1u8; 12];
    let mut x = batch.clone();
    let mut scratch = vec![0u8; in_place_scratch_len_u8(3, 4).unwrap()];
    assert_eq!(
        mixer.mix_in_place(&mut x, 4, Plan::new(&[0, 0, 1], &[0.5]), &mut scratch),
        Err(Error::BadPermutation)
    );
    assert_eq!(
        mixer.mix_in_place(&mut x, 4, Plan::new(&[1, 2, 0], &[0.5]), &mut scratch[..4]),
        Err(Error::BufferTooSmall)
    );
    assert_eq!(
        mixer.mix_in_place(&mut x, 5, Plan::new(&[1, 2, 0], &[0.5]), &mut scratch),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        mixer.mix_into(&mut out, &batch, 4, Plan::new(&[1, 2, 3], &[0.5])),
        Err(Error::IndexOutOfRange)
    );
    assert_eq!(
        mixer.mix_into(&mut out, &batch, 4, Plan::new(&[1, 2, 0], &[f64::NAN])),
        Err(Error::InvalidArgument)
    );
    assert_eq!(x, batch);
    assert_eq!(out, vec![1u8; 12]);

    let mut f = vec![-1.0f32; 12];
    let image = FusedImage {
        channels: 3,
        pixels: 1,
        input: ChannelOrder::Hwc,
        output: ChannelOrder::Chw,
    };
    let bad_std = [0.5f32, 0.0, 0.5];
    let bad_mean = [0.5f32, f32::NAN, 0.5];
    let good = [0.5f32; 3];
    for norm in [
        Normalize {
            mean: &good,
            std: &bad_std,
        },
        Normalize {
            mean: &bad_mean,
            std: &good,
        },
        Normalize {
            mean: &good[..2],
            std: &good,
        },
        Normalize {
            mean: &good,
            std: &[0.5, f32::INFINITY, 0.5],
        },
    ] {
        assert_eq!(
            mixer.mix_u8_to_f32(
                &mut f[..12],
                &batch,
                FusedImage { pixels: 4, ..image },
                Plan::new(&[1, 2, 0], &[0.5]),
                Some(norm)
            ),
            Err(Error::InvalidArgument)
        );
    }
    let no_channels = FusedImage {
        channels: 0,
        ..image
    };
    assert_eq!(
        mixer.mix_u8_to_f32(
            &mut f,
            &batch,
            no_channels,
            Plan::new(&[1, 2, 0], &[0.5]),
            None
        ),
        Err(Error::InvalidArgument)
    );
    assert!(f.iter().all(|&v| v == -1.0));
}
