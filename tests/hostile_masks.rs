//! Segmentation masks through the C ABI: every `mixup_plan_*masks*` and
//! `mixup_plan_pixel_targets_*` call gives what the Rust core gives for the
//! same plan; then one hostile argument at a time: the right status, and
//! nothing written.

mod common;

use common::{BAD, OK, bits, dangling};

use mixup::ffi::*;
use mixup::{
    ChannelOrder, Granularity, ImageShape, Masks, MixConfig, MixRng, Mixable, Mixer, OwnedPlan,
    PixelTargets, mask_scratch_len,
};
use std::ptr::{null, null_mut};

const N: usize = 8;
const H: usize = 9;
const W: usize = 7;
const P: usize = H * W;
const K: usize = 4;

fn drawn(seed: u64) -> OwnedPlan {
    let config = MixConfig {
        granularity: Granularity::Elem,
        prob: 0.8,
        ..MixConfig::timm(0.8, 1.0)
    };
    let image = ImageShape {
        channels: 3,
        height: H,
        width: W,
        layout: ChannelOrder::Hwc,
    };
    let mut plan = OwnedPlan::new(N);
    (config.mix_batch(
        &mut MixRng::stream(seed, 0),
        plan.bufs(),
        Some(image),
        (),
        None,
    ))
    .unwrap();
    plan
}

fn c_plan(p: &OwnedPlan) -> mixup_plan {
    mixup_plan {
        n: N,
        partners: p.partners.as_ptr(),
        lambdas: p.lambdas.as_ptr(),
        ops: p.ops.as_ptr().cast(),
        boxes: p.boxes.as_ptr(),
        height: H,
        width: W,
        ..mixup_plan_default()
    }
}

fn maps() -> Vec<u8> {
    (0..N * P)
        .map(|i| if i % 11 == 0 { 255 } else { (i * 7 % K) as u8 })
        .collect()
}

/// The Rust core's maps and pixel targets for plan `p`.
fn core_result(p: &OwnedPlan, masks: &[u8]) -> (Vec<u8>, Vec<f32>) {
    let plan = mixup::Plan::new(&p.partners, &p.lambdas)
        .with_ops(&p.ops)
        .with_cuts(mixup::Cuts {
            image: ImageShape {
                channels: 1,
                height: H,
                width: W,
                layout: ChannelOrder::Chw,
            },
            boxes: &p.boxes,
        });
    let mut out = vec![0u8; N * P];
    let mut dense = vec![0.0f32; N * K * P];
    let mut what = (
        Masks::Into {
            out: &mut out[..],
            masks,
            pixels: P,
        },
        PixelTargets {
            masks,
            pixels: P,
            num_classes: K,
            ignore_index: Some(255),
            out: &mut dense,
        },
    );
    what.check(&plan).unwrap();
    what.mix(&Mixer::new(), &plan).unwrap();
    (out, dense)
}

#[test]
fn c_calls_give_the_core_result_for_every_id_type() {
    for seed in 0..30 {
        let p = drawn(seed);
        let plan = c_plan(&p);
        let m8 = maps();
        let (want, want_dense) = core_result(&p, &m8);
        let m32: Vec<i32> = m8.iter().map(|&v| i32::from(v)).collect();
        let m64: Vec<i64> = m8.iter().map(|&v| i64::from(v)).collect();
        let mut len = 0;
        // SAFETY: valid pointers and lengths throughout.
        unsafe {
            assert_eq!(mixup_masks_scratch_size(N, P, 8, &mut len), OK);
            assert_eq!(len, mask_scratch_len::<i64>(N, P).unwrap());
            let (mut a, mut b, mut c) = (m8.clone(), m32.clone(), m64.clone());
            let mut s8 = vec![0u8; P + 1];
            let mut s32 = vec![0i32; P + 1];
            let mut s64 = vec![0i64; P + 1];
            assert_eq!(
                mixup_plan_apply_masks_u8(a.as_mut_ptr(), P, &plan, s8.as_mut_ptr(), s8.len()),
                OK
            );
            assert_eq!(
                mixup_plan_apply_masks_i32(b.as_mut_ptr(), P, &plan, s32.as_mut_ptr(), s32.len()),
                OK
            );
            assert_eq!(
                mixup_plan_apply_masks_i64(c.as_mut_ptr(), P, &plan, s64.as_mut_ptr(), s64.len()),
                OK
            );
            assert_eq!(a, want);
            assert_eq!(b, want.iter().map(|&v| i32::from(v)).collect::<Vec<_>>());
            assert_eq!(c, want.iter().map(|&v| i64::from(v)).collect::<Vec<_>>());

            let (mut o8, mut o32, mut o64) =
                (vec![0u8; N * P], vec![0i32; N * P], vec![0i64; N * P]);
            assert_eq!(
                mixup_plan_apply_masks_into_u8(m8.as_ptr(), P, &plan, o8.as_mut_ptr(), N * P),
                OK
            );
            assert_eq!(
                mixup_plan_apply_masks_into_i32(m32.as_ptr(), P, &plan, o32.as_mut_ptr(), N * P),
                OK
            );
            assert_eq!(
                mixup_plan_apply_masks_into_i64(m64.as_ptr(), P, &plan, o64.as_mut_ptr(), N * P),
                OK
            );
            assert_eq!(
                (o8, o32.iter().map(|&v| v as u8).collect::<Vec<_>>()),
                (want.clone(), want.clone())
            );
            assert_eq!(o64.iter().map(|&v| v as u8).collect::<Vec<_>>(), want);

            for dense in 0..3 {
                let mut t = vec![-1.0f32; N * K * P];
                let status = match dense {
                    0 => mixup_plan_pixel_targets_u8(
                        m8.as_ptr(),
                        P,
                        &plan,
                        K,
                        255,
                        t.as_mut_ptr(),
                        t.len(),
                    ),
                    1 => mixup_plan_pixel_targets_i32(
                        m32.as_ptr(),
                        P,
                        &plan,
                        K,
                        255,
                        t.as_mut_ptr(),
                        t.len(),
                    ),
                    _ => mixup_plan_pixel_targets_i64(
                        m64.as_ptr(),
                        P,
                        &plan,
                        K,
                        255,
                        t.as_mut_ptr(),
                        t.len(),
                    ),
                };
                assert_eq!(status, OK);
                assert_eq!(bits(&t), bits(&want_dense));
            }
        }
    }
}

/// One hostile call: its status, and whether the caller's buffers stayed.
fn hostile(name: &str, status: mixup_status, want: mixup_status, unchanged: bool) {
    assert_eq!(status, want, "{name}");
    assert!(unchanged, "{name}: wrote on an error");
}

#[test]
fn hostile_arguments_write_nothing() {
    let p = drawn(3);
    let plan = c_plan(&p);
    let m0 = maps();
    let mut bad_ops = p.clone();
    bad_ops.partners[0] = 99;
    let out_of_range = c_plan(&bad_ops);
    let short_struct = mixup_plan {
        struct_size: 12,
        ..plan
    };
    let mut repeated = p.clone();
    repeated.partners[1] = repeated.partners[0];
    let not_permutation = c_plan(&repeated);
    let odd_sides = mixup_plan {
        height: H + 1,
        ..plan
    };
    // SAFETY: every pointer valid for its length (or NULL or dangling with
    // length 0, or as short as the case says).
    unsafe {
        // in place
        let cases: Vec<(&str, *const mixup_plan, usize, usize, usize, mixup_status)> = vec![
            (
                "null plan",
                null(),
                N * P,
                P,
                P + 1,
                mixup_status::NullPointer,
            ),
            ("struct_size 12", &short_struct, N * P, P, P + 1, BAD),
            (
                "partner out of range",
                &out_of_range,
                N * P,
                P,
                P + 1,
                mixup_status::IndexOutOfRange,
            ),
            (
                "not a permutation",
                &not_permutation,
                N * P,
                P,
                P + 1,
                mixup_status::BadPermutation,
            ),
            ("sides of another map", &odd_sides, N * P, P, P + 1, BAD),
            (
                "short scratch",
                &plan,
                N * P,
                P,
                P,
                mixup_status::BufferTooSmall,
            ),
        ];
        for (name, plan, masks_len, pixels, scratch_len, want) in cases {
            let mut m = m0[..masks_len].to_vec();
            let mut s = vec![7u8; scratch_len];
            let status =
                mixup_plan_apply_masks_u8(m.as_mut_ptr(), pixels, plan, s.as_mut_ptr(), s.len());
            hostile(name, status, want, m == m0[..masks_len]);
        }
        let mut s = vec![0u8; P + 1];
        let status = mixup_plan_apply_masks_u8(null_mut(), P, &plan, s.as_mut_ptr(), s.len());
        hostile("null masks", status, mixup_status::NullPointer, true);
        let mut m = m0.clone();
        let overlap = m.as_mut_ptr().add(P);
        let status = mixup_plan_apply_masks_u8(m.as_mut_ptr(), P, &plan, overlap, P + 1);
        hostile(
            "scratch inside the masks",
            status,
            mixup_status::Overlap,
            m == m0,
        );
        let mut partners_as_masks = p.partners.clone();
        let aliased = mixup_plan {
            partners: partners_as_masks.as_ptr(),
            ..plan
        };
        let mut s = vec![0u32; P + 1];
        let status = mixup_plan_apply_masks_i32(
            partners_as_masks.as_mut_ptr().cast(),
            1,
            &aliased,
            s.as_mut_ptr().cast(),
            P + 1,
        );
        assert_ne!(status, OK, "masks over the plan's partners");
        assert_eq!(partners_as_masks, p.partners);

        // out of place
        let mut out = vec![9u8; N * P];
        let status =
            mixup_plan_apply_masks_into_u8(m0.as_ptr(), P, &plan, out.as_mut_ptr(), N * P - 1);
        hostile(
            "short out",
            status,
            mixup_status::BufferTooSmall,
            out.iter().all(|&v| v == 9),
        );
        let mut m = m0.clone();
        let status =
            mixup_plan_apply_masks_into_u8(m.as_ptr(), P, &plan, m.as_mut_ptr().add(1), N * P);
        hostile("out over the masks", status, mixup_status::Overlap, m == m0);
        let status =
            mixup_plan_apply_masks_into_u8(m0.as_ptr(), P, &odd_sides, out.as_mut_ptr(), N * P);
        hostile(
            "into: sides of another map",
            status,
            BAD,
            out.iter().all(|&v| v == 9),
        );

        // pixel targets
        let mut t = vec![-1.0f32; N * K * P];
        let untouched = |t: &[f32]| t.iter().all(|&v| v == -1.0);
        let s = mixup_plan_pixel_targets_u8(
            m0.as_ptr(),
            P,
            &plan,
            K,
            MIXUP_NO_IGNORE_INDEX,
            t.as_mut_ptr(),
            t.len(),
        );
        hostile(
            "255 without an ignore_index",
            s,
            mixup_status::LabelOutOfRange,
            untouched(&t),
        );
        let s = mixup_plan_pixel_targets_u8(m0.as_ptr(), P, &plan, 3, 255, t.as_mut_ptr(), t.len());
        hostile(
            "an id not below num_classes",
            s,
            mixup_status::LabelOutOfRange,
            untouched(&t),
        );
        let s = mixup_plan_pixel_targets_u8(m0.as_ptr(), P, &plan, 0, 255, t.as_mut_ptr(), t.len());
        hostile("num_classes 0", s, BAD, untouched(&t));
        let s =
            mixup_plan_pixel_targets_u8(m0.as_ptr(), P, &plan, K, 255, t.as_mut_ptr(), t.len() - 1);
        hostile(
            "short targets",
            s,
            mixup_status::BufferTooSmall,
            untouched(&t),
        );
        let s = mixup_plan_pixel_targets_u8(
            m0.as_ptr(),
            P,
            &plan,
            usize::MAX,
            255,
            t.as_mut_ptr(),
            t.len(),
        );
        hostile(
            "num_classes * pixels overflows",
            s,
            mixup_status::SizeOverflow,
            untouched(&t),
        );
        let s = mixup_plan_pixel_targets_i64(dangling(), 0, &plan, K, 255, t.as_mut_ptr(), t.len());
        hostile("maps of 0 pixels", s, BAD, untouched(&t));

        // the scratch size
        let mut len = 5;
        assert_eq!(mixup_masks_scratch_size(N, P, 2, &mut len), BAD);
        assert_eq!(len, 5);
        assert_eq!(
            mixup_masks_scratch_size(usize::MAX, usize::MAX, 1, &mut len),
            mixup_status::SizeOverflow
        );
        assert_eq!(
            mixup_masks_scratch_size(N, P, 1, null_mut()),
            mixup_status::NullPointer
        );
    }
}
