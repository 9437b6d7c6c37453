//! Every backend is bit-identical to the scalar reference, over lengths,
//! unaligned starts, every kind of f32 and lambdas in [0, 1].

mod common;

use common::{any_f32, any_lambda, assert_same, every_mixer, formula};
use mixup::{Backend, Mixer};
use proptest::prelude::*;

fn reference() -> Mixer {
    Mixer::with_backend(Backend::Scalar).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn out_of_place_matches_scalar(
        data in prop::collection::vec(any_f32(), 0..=8300),
        split in 0usize..=4150,
        offset in 0usize..8,
        lam in any_lambda(),
    ) {
        // a and b start at arbitrary (unaligned) offsets inside `data`
        let half = (data.len() / 2).min(split);
        let offset = offset.min(half);
        let len = half - offset;
        let a = &data[offset..offset + len];
        let b = &data[half..half + len];
        let mut want = vec![0.0f32; len + offset];
        reference().blend(&mut want[offset..], a, b, lam).unwrap();
        for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
            prop_assert!(common::same(want[offset + i], formula(lam, x, y)));
        }
        for mixer in every_mixer() {
            let mut got = vec![0.0f32; len + offset];
            mixer.blend(&mut got[offset..], a, b, lam).unwrap();
            assert_same(&got, &want, mixer.backend().name());
        }
    }

    #[test]
    fn in_place_matches_scalar(
        a in prop::collection::vec(any_f32(), 0..=4200),
        seed_b in prop::collection::vec(any_f32(), 1..64),
        offset in 0usize..8,
        lam in any_lambda(),
    ) {
        let offset = offset.min(a.len());
        let len = a.len() - offset;
        let b: Vec<f32> = (0..len).map(|i| seed_b[i % seed_b.len()]).collect();
        let mut want = a.clone();
        reference().blend_in_place(&mut want[offset..], &b, lam).unwrap();
        for mixer in every_mixer() {
            let mut got = a.clone();
            mixer.blend_in_place(&mut got[offset..], &b, lam).unwrap();
            assert_same(&got, &want, mixer.backend().name());
            // out of place gives the same bits as in place
            let mut out = vec![0.0f32; len];
            mixer.blend(&mut out, &a[offset..], &b, lam).unwrap();
            assert_same(&out, &want[offset..], "out of place vs in place");
        }
    }
}

/// Every length up to 4352: past 4096, where the AVX-512 loop changes from
/// eight vectors an iteration to four.
#[test]
fn every_length_to_4352_on_every_backend() {
    let a: Vec<f32> = (0..4352).map(|i| (i as f32 * 0.37).sin() * 1e3).collect();
    let b: Vec<f32> = (0..4352u32)
        .map(|i| f32::from_bits(0x3f00_0000 ^ i.wrapping_mul(2_654_435_761u32)))
        .collect();
    for len in 0..=4352 {
        let mut want = vec![0.0f32; len];
        reference()
            .blend(&mut want, &a[..len], &b[..len], 0.3)
            .unwrap();
        for mixer in every_mixer() {
            let mut got = vec![0.0f32; len];
            mixer.blend(&mut got, &a[..len], &b[..len], 0.3).unwrap();
            assert_same(&got, &want, mixer.backend().name());
        }
    }
}

#[test]
fn lambda_zero_and_one_compute_the_formula() {
    // as NumPy: 1 * -0 + 0 * inf is NaN, 1 * -0 + 0 * 1 is +0, 0 * nan is NaN
    let a = [-0.0f32, 1.5, f32::NAN, -3.0, -0.0];
    let b = [f32::INFINITY, f32::NAN, 2.0, -0.0, 1.0];
    let nan = f32::NAN;
    for mixer in every_mixer() {
        let mut out = [9.0f32; 5];
        mixer.blend(&mut out, &a, &b, 1.0).unwrap();
        assert_same(&out, &[nan, nan, nan, -3.0, 0.0], "lambda 1");
        assert_eq!(out[4].to_bits(), 0, "+0");
        mixer.blend(&mut out, &a, &b, 0.0).unwrap();
        assert_same(&out, &[f32::INFINITY, nan, nan, -0.0, 1.0], "lambda 0");
        let mut x = a;
        mixer.blend_in_place(&mut x, &b, 1.0).unwrap();
        assert_same(&x, &[nan, nan, nan, -3.0, 0.0], "lambda 1 in place");
        assert_eq!(x[4].to_bits(), 0, "+0 in place");
    }
}

#[test]
fn weights_follow_design_rounding() {
    // 1 - lam is computed in f64 and then rounded, not computed in f32.
    let lam = 1.0f64 / 3.0;
    let w = mixup::Weights::from_lambda(lam).unwrap();
    assert_eq!(w.w_self, (1.0f64 / 3.0) as f32);
    assert_eq!(w.w_partner, (2.0f64 / 3.0) as f32);
    assert_ne!(w.w_partner.to_bits(), (1.0f32 - w.w_self).to_bits());
    assert!(mixup::Weights::from_lambda(f64::NAN).is_err());
    assert!(mixup::Weights::from_lambda(1.0 + f64::EPSILON).is_err());
    assert!(mixup::Weights::from_lambda(-1e-300).is_err());
}

#[test]
fn blend_rejects_bad_arguments_without_writing() {
    let mixer = Mixer::new();
    let mut out = [7.0f32; 3];
    assert_eq!(
        mixer.blend(&mut out, &[1.0; 3], &[1.0; 2], 0.5),
        Err(mixup::Error::InvalidArgument)
    );
    assert_eq!(
        mixer.blend(&mut out, &[1.0; 3], &[1.0; 3], f64::NAN),
        Err(mixup::Error::InvalidArgument)
    );
    assert_eq!(
        mixer.blend_in_place(&mut out, &[1.0; 4], 0.5),
        Err(mixup::Error::InvalidArgument)
    );
    assert_eq!(out, [7.0; 3]);
}

#[test]
fn detection_picks_the_widest_backend_this_cpu_has() {
    #[cfg(target_arch = "x86_64")]
    let want = if std::arch::is_x86_feature_detected!("avx512f") {
        Backend::Avx512
    } else if std::arch::is_x86_feature_detected!("avx2") {
        Backend::Avx2
    } else {
        Backend::Sse2
    };
    #[cfg(not(target_arch = "x86_64"))]
    let want = Backend::Portable;
    assert_eq!(Backend::detect(), want);
    assert_eq!(Mixer::new().backend(), want);
    #[cfg(target_arch = "x86_64")]
    {
        assert_eq!(
            Backend::Avx2.is_available(),
            std::arch::is_x86_feature_detected!("avx2")
        );
        assert_eq!(
            Backend::Avx512.is_available(),
            std::arch::is_x86_feature_detected!("avx512f")
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    assert!(
        !Backend::Sse2.is_available()
            && !Backend::Avx2.is_available()
            && !Backend::Avx512.is_available()
    );
}
