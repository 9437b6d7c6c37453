//! Every ISA function, called directly through a function pointer, against
//! the scalar oracle bit for bit: a dispatcher that silently fell back to
//! another kernel could not make these pass. Functions whose CPU feature is
//! missing are skipped with one printed line.
// off x86_64 the tables hold only the portable kernels
#![cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]

use super::*;
use proptest::prelude::*;
use std::vec::Vec;

type Blend = unsafe fn(&mut [f32], &[f32], &[f32], f32, f32);
type BlendInPlace = unsafe fn(&mut [f32], &[f32], f32, f32);
type BlendU8 = unsafe fn(&mut [u8], &[u8], &[u8], f32, f32);
type BlendU8InPlace = unsafe fn(&mut [u8], &[u8], f32, f32);

/// Whether this CPU runs AVX2 code; says so once when it does not.
#[cfg(target_arch = "x86_64")]
fn have_avx2() -> bool {
    let ok = avx2_available();
    if !ok {
        std::println!("skipped the AVX2 functions: this CPU lacks AVX2");
    }
    ok
}

/// Whether this CPU runs AVX-512F code; says so once when it does not.
#[cfg(target_arch = "x86_64")]
fn have_avx512() -> bool {
    let ok = avx512_available();
    if !ok {
        std::println!("skipped the AVX-512 functions: this CPU lacks AVX-512F");
    }
    ok
}

fn blends() -> Vec<(&'static str, Blend)> {
    let mut all: Vec<(&'static str, Blend)> = std::vec![("portable", portable::blend)];
    #[cfg(target_arch = "x86_64")]
    {
        all.push(("sse2", sse2::blend));
        all.push(("sse2 stream", sse2::blend_stream));
        if have_avx2() {
            all.push(("avx2", avx2::blend));
            all.push(("avx2 stream", avx2::blend_stream));
        }
        if have_avx512() {
            all.push(("avx512", avx512::blend));
            all.push(("avx512 stream", avx512::blend_stream));
        }
    }
    all
}

fn blends_in_place() -> Vec<(&'static str, BlendInPlace)> {
    let mut all: Vec<(&'static str, BlendInPlace)> =
        std::vec![("portable", portable::blend_in_place)];
    #[cfg(target_arch = "x86_64")]
    {
        all.push(("sse2", sse2::blend_in_place));
        if have_avx2() {
            all.push(("avx2", avx2::blend_in_place));
        }
        if have_avx512() {
            all.push(("avx512", avx512::blend_in_place));
        }
    }
    all
}

fn blends_u8() -> Vec<(&'static str, BlendU8, BlendU8InPlace)> {
    let mut all: Vec<(&'static str, BlendU8, BlendU8InPlace)> =
        std::vec![("portable", portable::blend_u8, portable::blend_u8_in_place)];
    #[cfg(target_arch = "x86_64")]
    {
        if have_avx2() {
            all.push(("avx2", avx2::blend_u8, avx2::blend_u8_in_place));
        }
        if have_avx512() {
            all.push(("avx512", avx512::blend_u8, avx512::blend_u8_in_place));
        }
    }
    all
}

fn any_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        3 => any::<u32>().prop_map(f32::from_bits),
        3 => -1.0e3f32..1.0e3,
        1 => prop::sample::select(std::vec![
            0.0f32, -0.0, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, f32::from_bits(1),
            f32::MAX, f32::MIN, f32::MIN_POSITIVE,
        ]),
    ]
}

fn any_weights() -> impl Strategy<Value = Weights> {
    prop_oneof![
        3 => (0.0f64..=1.0).prop_map(Weights::from_valid_lambda),
        1 => prop::sample::select(std::vec![0.0, 1.0, 1e-300, 0.5, 1.0 - 1e-9]).prop_map(Weights::from_valid_lambda),
    ]
}

fn same(x: &[f32], y: &[f32]) -> bool {
    x.len() == y.len()
        && x.iter()
            .zip(y)
            .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn f32_blends_match_the_scalar_oracle(
        data in prop_oneof![48usize..400, 48usize..25_000].prop_flat_map(|n| prop::collection::vec(any_f32(), n)),
        offsets in (0usize..16, 0usize..16, 0usize..16),
        w in any_weights(),
    ) {
        let third = data.len() / 3;
        let len = third.saturating_sub(16); // 0 to 8300
        let a = &data[offsets.0..][..len];
        let b = &data[third + offsets.1..][..len];
        let mut want = std::vec![0.0f32; len];
        scalar::blend(&mut want, a, b, w.w_self, w.w_partner);
        for (name, f) in blends() {
            let mut out = std::vec![7.0f32; len + offsets.2];
            // SAFETY: the table holds only the functions this CPU runs.
            unsafe { f(&mut out[offsets.2..], a, b, w.w_self, w.w_partner) };
            stream_fence();
            prop_assert!(same(&out[offsets.2..], &want), "{}", name);
            prop_assert!(out[..offsets.2].iter().all(|&v| v == 7.0), "{} wrote before out", name);
        }
        for (name, f) in blends_in_place() {
            let mut x = a.to_vec();
            // SAFETY: as above.
            unsafe { f(&mut x, b, w.w_self, w.w_partner) };
            prop_assert!(same(&x, &want), "{} in place", name);
        }
    }

    #[test]
    fn u8_blends_match_the_scalar_oracle(
        data in prop_oneof![32usize..300, 32usize..16_600].prop_flat_map(|n| prop::collection::vec(any::<u8>(), n)),
        offset in 0usize..16,
        w in any_weights(),
    ) {
        let half = data.len() / 2;
        let len = half.saturating_sub(16); // 0 to 8284
        let (a, b) = (&data[offset..][..len], &data[half..][..len]);
        let mut want = std::vec![0u8; len];
        scalar::blend_u8(&mut want, a, b, w.w_self, w.w_partner);
        for (name, f, f_in_place) in blends_u8() {
            let mut out = std::vec![0u8; len];
            // SAFETY: the table holds only the functions this CPU runs.
            unsafe { f(&mut out, a, b, w.w_self, w.w_partner) };
            prop_assert_eq!(&out, &want, "{}", name);
            let mut x = a.to_vec();
            // SAFETY: as above.
            unsafe { f_in_place(&mut x, b, w.w_self, w.w_partner) };
            prop_assert_eq!(&x, &want, "{} in place", name);
        }
    }
}
