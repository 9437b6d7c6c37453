//! The whole plan in C: `mixup_plan_draw` draws what `mixup_batch_f32`
//! draws (the same outputs, the same generator), and every
//! `mixup_plan_apply_*` call, in place or out of place, f32, u8 or u8 to
//! f32, whole or in parts, gives the bits of the one-call batch, with
//! CutMix switched in; then one hostile argument at a time, for every
//! plan call: the right status, and nothing written.

mod common;

use common::{BAD, OK, bits};

use mixup::ffi::*;
use mixup::{CutBox, Granularity};
use std::ptr::{null, null_mut};

const N: usize = 10;
const K: usize = 4;
const C: usize = 3;
const H: usize = 9;
const W: usize = 7;
const LEN: usize = C * H * W;

/// timm's `Mixup(0.8, 1.0, mode)` with `prob = 0.8`: mixup, CutMix and
/// unmixed samples in one plan.
fn config(granularity: Granularity, pairing: u32) -> mixup_config {
    let mut c = mixup_config_default();
    (c.alpha, c.beta, c.cutmix_alpha, c.label_smoothing, c.prob) = (0.8, 0.8, 1.0, 0.1, 0.8);
    c.granularity = match granularity {
        Granularity::Batch => mixup_granularity::Batch,
        Granularity::Elem => mixup_granularity::Elem,
        Granularity::Pair => mixup_granularity::Pair,
        Granularity::Half => mixup_granularity::Half,
    } as u32;
    (c.pairing, c.recipe, c.height, c.width) = (pairing, mixup_recipe::Timm as u32, H, W);
    c
}

fn rng(batch: u64) -> mixup_rng {
    let mut r = mixup_rng { s: [0; 4] };
    // SAFETY: a valid generator.
    unsafe { mixup_rng_stream(&mut r, 2026, batch) };
    r
}

fn labels() -> Vec<i64> {
    (0..N as i64).map(|i| (i * 3) % K as i64).collect()
}

/// Everything a batch call reports.
#[derive(Debug, PartialEq)]
struct Drawn {
    targets: Vec<f32>,
    lambdas: Vec<f64>,
    partners: Vec<u32>,
    ops: Vec<u8>,
    boxes: Vec<mixup_box>,
    rng: [u64; 4],
}

impl Drawn {
    fn new() -> Drawn {
        Drawn {
            targets: vec![-1.0; N * K],
            lambdas: vec![-1.0; N],
            partners: vec![99; N],
            ops: vec![9; N],
            boxes: vec![CutBox::default(); N],
            rng: [0; 4],
        }
    }

    fn outputs(&mut self) -> mixup_batch_outputs {
        mixup_batch_outputs {
            targets: self.targets.as_mut_ptr(),
            targets_len: N * K,
            lambdas: self.lambdas.as_mut_ptr(),
            lambdas_len: N,
            partners: self.partners.as_mut_ptr(),
            partners_len: N,
            ops: self.ops.as_mut_ptr(),
            ops_len: N,
            boxes: self.boxes.as_mut_ptr(),
            boxes_len: N,
            ..mixup_batch_outputs_default()
        }
    }

    fn plan(&self) -> mixup_plan {
        mixup_plan {
            n: N,
            partners: self.partners.as_ptr(),
            lambdas: self.lambdas.as_ptr(),
            ops: self.ops.as_ptr(),
            boxes: self.boxes.as_ptr(),
            height: H,
            width: W,
            layout: mixup_layout::Chw as u32,
            ..mixup_plan_default()
        }
    }
}

fn images_f32() -> Vec<f32> {
    (0..N * LEN)
        .map(|i| (i % 251) as f32 * 0.37 - 20.0)
        .collect()
}

fn images_u8() -> Vec<u8> {
    (0..N * LEN).map(|i| (i * 7 % 256) as u8).collect()
}

/// `mixup_plan_draw` for batch `b`.
fn draw(c: &mixup_config, b: u64) -> Drawn {
    let mut d = Drawn::new();
    let mut r = rng(b);
    let mut bytes = 0;
    // SAFETY: valid pointers and lengths throughout.
    unsafe { assert_eq!(mixup_workspace_size_u8_f32(N, &mut bytes), OK) };
    let mut ws = vec![0u64; bytes.div_ceil(8)];
    let o = d.outputs();
    let y = labels();
    // SAFETY: as above.
    let status = unsafe {
        mixup_plan_draw(
            &mut r,
            c,
            N,
            LEN,
            y.as_ptr(),
            N,
            K,
            ws.as_mut_ptr().cast(),
            bytes,
            &o,
        )
    };
    assert_eq!(status, OK);
    d.rng = r.s;
    d
}

/// `mixup_batch_f32` (in place) for batch `b`: the images and what it reports.
fn one_call_f32(c: &mixup_config, b: u64) -> (Vec<f32>, Drawn) {
    let mut d = Drawn::new();
    let mut r = rng(b);
    let mut bytes = 0;
    // SAFETY: valid pointers and lengths throughout.
    unsafe { assert_eq!(mixup_workspace_size(N, LEN, &mut bytes), OK) };
    let mut ws = vec![0u64; bytes.div_ceil(8)];
    let (mut x, y, o) = (images_f32(), labels(), d.outputs());
    // SAFETY: as above.
    let status = unsafe {
        mixup_batch_f32(
            &mut r,
            c,
            x.as_mut_ptr(),
            N,
            LEN,
            y.as_ptr(),
            N,
            K,
            ws.as_mut_ptr().cast(),
            bytes,
            &o,
        )
    };
    assert_eq!(status, OK);
    d.rng = r.s;
    (x, d)
}

#[test]
fn a_drawn_plan_applied_every_way_gives_the_one_call_bits() {
    let cases = [
        (Granularity::Elem, mixup_pairing::Flip),
        (Granularity::Batch, mixup_pairing::Permutation),
        (Granularity::Pair, mixup_pairing::Flip),
        (Granularity::Elem, mixup_pairing::Cycle),
    ];
    let mut cutmix_seen = 0;
    for (g, pairing) in cases {
        for b in 0..6 {
            let c = config(g, pairing as u32);
            let (want, reported) = one_call_f32(&c, b);
            let drawn = draw(&c, b);
            assert_eq!(
                drawn, reported,
                "{g:?} batch {b}: the draw is the one call's"
            );
            cutmix_seen += drawn
                .ops
                .iter()
                .filter(|&&op| op == mixup_op::Cutmix as u8)
                .count();
            let plan = drawn.plan();
            let mut scratch_len = 0;
            // SAFETY: valid pointers and lengths throughout this test.
            unsafe { assert_eq!(mixup_scratch_size(N, LEN, &mut scratch_len), OK) };
            for parts in [1, 2, 3] {
                // in place, the parts one after another (each once)
                let mut x = images_f32();
                for part in (0..parts).rev() {
                    let mut scratch = vec![0.0f32; scratch_len];
                    let status = unsafe {
                        mixup_plan_apply_f32(
                            x.as_mut_ptr(),
                            LEN,
                            &plan,
                            scratch.as_mut_ptr(),
                            scratch_len,
                            part,
                            parts,
                        )
                    };
                    assert_eq!(status, OK);
                }
                assert_eq!(
                    bits(&x),
                    bits(&want),
                    "{g:?} batch {b}: in place, {parts} parts"
                );
                // out of place
                let x = images_f32();
                let mut out = vec![f32::NAN; N * LEN];
                for part in 0..parts {
                    let status = unsafe {
                        mixup_plan_apply_into_f32(
                            x.as_ptr(),
                            LEN,
                            &plan,
                            out.as_mut_ptr(),
                            out.len(),
                            part,
                            parts,
                        )
                    };
                    assert_eq!(status, OK);
                }
                assert_eq!(
                    bits(&out),
                    bits(&want),
                    "{g:?} batch {b}: out of place, {parts} parts"
                );
            }
        }
    }
    assert!(cutmix_seen > 10, "the plans must hold CutMix samples");
}

#[test]
fn u8_and_fused_plans_give_the_one_call_bits() {
    let c = config(Granularity::Elem, mixup_pairing::Flip as u32);
    for b in 0..6 {
        let drawn = draw(&c, b);
        let plan = drawn.plan();
        // u8 in place: mixup_batch_u8
        let mut want = images_u8();
        let mut r = rng(b);
        let (mut bytes, mut scratch_len) = (0, 0);
        unsafe {
            assert_eq!(mixup_workspace_size_u8(N, LEN, &mut bytes), OK);
            assert_eq!(mixup_scratch_size_u8(N, LEN, &mut scratch_len), OK);
        }
        let mut ws = vec![0u64; bytes.div_ceil(8)];
        let status = unsafe {
            mixup_batch_u8(
                &mut r,
                &c,
                want.as_mut_ptr(),
                N,
                LEN,
                null(),
                0,
                0,
                ws.as_mut_ptr().cast(),
                bytes,
                null(),
            )
        };
        assert_eq!(status, OK);
        for parts in [1, 2] {
            let mut x = images_u8();
            for part in 0..parts {
                let mut scratch = vec![0u8; scratch_len];
                let status = unsafe {
                    mixup_plan_apply_u8(
                        x.as_mut_ptr(),
                        LEN,
                        &plan,
                        scratch.as_mut_ptr(),
                        scratch_len,
                        part,
                        parts,
                    )
                };
                assert_eq!(status, OK);
            }
            assert_eq!(x, want, "u8 in place, {parts} parts");
            let x = images_u8();
            let mut out = vec![0u8; N * LEN];
            for part in 0..parts {
                let status = unsafe {
                    mixup_plan_apply_into_u8(
                        x.as_ptr(),
                        LEN,
                        &plan,
                        out.as_mut_ptr(),
                        out.len(),
                        part,
                        parts,
                    )
                };
                assert_eq!(status, OK);
            }
            assert_eq!(out, want, "u8 out of place, {parts} parts");
        }
        // u8 HWC to normalized f32 CHW: mixup_batch_u8_f32
        let image = mixup_image {
            channels: C,
            pixels: H * W,
            input_layout: mixup_layout::Hwc as u32,
            output_layout: mixup_layout::Chw as u32,
            ..mixup_image_default()
        };
        let (mean, std) = ([0.485f32, 0.456, 0.406], [0.229f32, 0.224, 0.225]);
        let x = images_u8();
        let mut want = vec![0.0f32; N * LEN];
        let mut r = rng(b);
        unsafe { assert_eq!(mixup_workspace_size_u8_f32(N, &mut bytes), OK) };
        let mut ws = vec![0u64; bytes.div_ceil(8)];
        let mut hwc = c;
        hwc.layout = mixup_layout::Hwc as u32;
        let status = unsafe {
            mixup_batch_u8_f32(
                &mut r,
                &hwc,
                x.as_ptr(),
                N,
                &image,
                mean.as_ptr(),
                3,
                std.as_ptr(),
                3,
                want.as_mut_ptr(),
                want.len(),
                null(),
                0,
                0,
                ws.as_mut_ptr().cast(),
                bytes,
                null(),
            )
        };
        assert_eq!(status, OK);
        for parts in [1, 3] {
            let mut out = vec![f32::NAN; N * LEN];
            for part in 0..parts {
                let status = unsafe {
                    mixup_plan_apply_into_u8_f32(
                        x.as_ptr(),
                        &image,
                        &plan,
                        mean.as_ptr(),
                        3,
                        std.as_ptr(),
                        3,
                        out.as_mut_ptr(),
                        out.len(),
                        part,
                        parts,
                    )
                };
                assert_eq!(status, OK);
            }
            assert_eq!(bits(&out), bits(&want), "fused, {parts} parts");
        }
    }
}

#[test]
fn a_plan_without_ops_mixes_every_sample_as_the_apply_calls_do() {
    let partners = [1u32, 2, 0];
    let lambdas = [0.3, 0.6, 0.9];
    let plan = mixup_plan {
        n: 3,
        partners: partners.as_ptr(),
        lambdas: lambdas.as_ptr(),
        ..mixup_plan_default()
    };
    let x: Vec<f32> = (0..3 * 5).map(|i| i as f32).collect();
    let (mut want, mut got) = (vec![0.0f32; 15], vec![0.0f32; 15]);
    unsafe {
        assert_eq!(
            mixup_apply_into_f32(
                x.as_ptr(),
                3,
                5,
                partners.as_ptr(),
                3,
                lambdas.as_ptr(),
                3,
                want.as_mut_ptr(),
                15
            ),
            OK
        );
        assert_eq!(
            mixup_plan_apply_into_f32(x.as_ptr(), 5, &plan, got.as_mut_ptr(), 15, 0, 1),
            OK
        );
    }
    assert_eq!(bits(&got), bits(&want));
}

/// One hostile change to a good plan or call at a time: the status, and
/// neither the batch nor the output written.
#[test]
fn hostile_plans_are_refused_and_nothing_is_written() {
    let c = config(Granularity::Elem, mixup_pairing::Flip as u32);
    let drawn = (0..20)
        .map(|b| draw(&c, b))
        .find(|d| d.ops.contains(&(mixup_op::Cutmix as u8)));
    let drawn = drawn.expect("a plan with CutMix");
    let good = drawn.plan();
    let mut bad_ops = drawn.ops.clone();
    bad_ops[0] = 3;
    let cut_at = drawn
        .ops
        .iter()
        .position(|&op| op == mixup_op::Cutmix as u8)
        .unwrap();
    let mut outside = drawn.boxes.clone();
    outside[cut_at].y2 = H as u32 + 1;
    let mut repeated = drawn.partners.clone();
    repeated[1] = repeated[0]; // not a permutation: in place refuses, out of place takes it
    let faults: Vec<(&str, mixup_plan, mixup_status, bool)> = vec![
        (
            "struct_size 12",
            mixup_plan {
                struct_size: 12,
                ..good
            },
            BAD,
            true,
        ),
        (
            "struct_size 4",
            mixup_plan {
                struct_size: 4,
                ..good
            },
            BAD,
            true,
        ),
        (
            "reserved",
            mixup_plan {
                reserved: 1,
                ..good
            },
            BAD,
            true,
        ),
        ("layout 2", mixup_plan { layout: 2, ..good }, BAD, true),
        (
            "op 3",
            mixup_plan {
                ops: bad_ops.as_ptr(),
                ..good
            },
            BAD,
            true,
        ),
        (
            "CutMix without boxes",
            mixup_plan {
                boxes: null(),
                ..good
            },
            mixup_status::NullPointer,
            true,
        ),
        (
            "a box outside the image",
            mixup_plan {
                boxes: outside.as_ptr(),
                ..good
            },
            BAD,
            true,
        ),
        (
            "height that does not divide",
            mixup_plan {
                height: H + 1,
                ..good
            },
            BAD,
            true,
        ),
        ("width 0", mixup_plan { width: 0, ..good }, BAD, true),
        (
            "partners NULL",
            mixup_plan {
                partners: null(),
                ..good
            },
            mixup_status::NullPointer,
            true,
        ),
        (
            "lambdas NULL",
            mixup_plan {
                lambdas: null(),
                ..good
            },
            mixup_status::NullPointer,
            true,
        ),
        (
            "not a permutation",
            mixup_plan {
                partners: repeated.as_ptr(),
                ..good
            },
            mixup_status::BadPermutation,
            false,
        ),
    ];
    let mut scratch_len = 0;
    unsafe { assert_eq!(mixup_scratch_size(N, LEN, &mut scratch_len), OK) };
    for (what, plan, status, everywhere) in faults {
        // in place
        let mut x = images_f32();
        let mut scratch = vec![0.0f32; scratch_len + LEN];
        let got = unsafe {
            mixup_plan_apply_f32(
                x.as_mut_ptr(),
                LEN,
                &plan,
                scratch.as_mut_ptr(),
                scratch.len(),
                0,
                1,
            )
        };
        assert_ne!(got, OK, "{what}: in place");
        assert_eq!(got, status, "{what}: in place");
        assert_eq!(bits(&x), bits(&images_f32()), "{what}: in place wrote");
        // u8 in place
        let mut x8 = images_u8();
        let mut scratch8 = vec![0u8; 2 * (LEN + N)];
        let got = unsafe {
            mixup_plan_apply_u8(
                x8.as_mut_ptr(),
                LEN,
                &plan,
                scratch8.as_mut_ptr(),
                scratch8.len(),
                0,
                1,
            )
        };
        assert_eq!(got, status, "{what}: u8 in place");
        assert_eq!(x8, images_u8(), "{what}: u8 in place wrote");
        if everywhere {
            let x8 = images_u8();
            let mut out8 = vec![7u8; N * LEN];
            let got = unsafe {
                mixup_plan_apply_into_u8(
                    x8.as_ptr(),
                    LEN,
                    &plan,
                    out8.as_mut_ptr(),
                    out8.len(),
                    0,
                    1,
                )
            };
            assert_eq!(got, status, "{what}: u8 out of place");
            assert!(
                out8.iter().all(|&v| v == 7),
                "{what}: u8 out of place wrote"
            );
            let image = mixup_image {
                channels: C,
                pixels: H * W,
                ..mixup_image_default()
            };
            let mut outf = vec![-7.0f32; N * LEN];
            let got = unsafe {
                mixup_plan_apply_into_u8_f32(
                    x8.as_ptr(),
                    &image,
                    &plan,
                    null(),
                    0,
                    null(),
                    0,
                    outf.as_mut_ptr(),
                    outf.len(),
                    0,
                    1,
                )
            };
            assert_eq!(got, status, "{what}: u8 to f32");
            assert!(outf.iter().all(|&v| v == -7.0), "{what}: u8 to f32 wrote");
        }
        // out of place
        let x = images_f32();
        let mut out = vec![-7.0f32; N * LEN];
        let got = unsafe {
            mixup_plan_apply_into_f32(x.as_ptr(), LEN, &plan, out.as_mut_ptr(), out.len(), 0, 1)
        };
        if everywhere {
            assert_eq!(got, status, "{what}: out of place");
            assert!(out.iter().all(|&v| v == -7.0), "{what}: out of place wrote");
        } else {
            assert_eq!(got, OK, "{what}: out of place takes any index map");
        }
    }
    // the call's own arguments
    let mut x = images_f32();
    let mut scratch = vec![0.0f32; scratch_len];
    let untouched = bits(&images_f32());
    for (what, part, parts, s_len, plan) in [
        ("part 2 of 2", 2, 2, scratch_len, &good as *const mixup_plan),
        ("parts 0", 0, 0, scratch_len, &good),
        ("parts 257", 0, 257, scratch_len, &good),
        ("scratch one short", 0, 1, scratch_len - 1, &good),
        ("NULL plan", 0, 1, scratch_len, null()),
    ] {
        let got = unsafe {
            mixup_plan_apply_f32(
                x.as_mut_ptr(),
                LEN,
                plan,
                scratch.as_mut_ptr(),
                s_len,
                part,
                parts,
            )
        };
        assert_ne!(got, OK, "{what}");
        assert_eq!(bits(&x), untouched, "{what}: wrote");
    }
    // an output over the plan's own arrays: the lambdas lie in the output
    let mut arena: Vec<u64> = vec![0; N * LEN];
    for (slot, lam) in arena.iter_mut().zip(&drawn.lambdas) {
        *slot = lam.to_bits();
    }
    let before = arena.clone();
    let overlapping = mixup_plan {
        lambdas: arena.as_ptr().cast(),
        ..good
    };
    let x = images_f32();
    let out: *mut f32 = arena.as_mut_ptr().cast();
    let got =
        unsafe { mixup_plan_apply_into_f32(x.as_ptr(), LEN, &overlapping, out, N * LEN, 0, 1) };
    assert_eq!(got, mixup_status::Overlap, "output over the lambdas");
    assert_eq!(arena, before);
    let mut batch = images_f32();
    let got = unsafe {
        mixup_plan_apply_f32(
            batch.as_mut_ptr(),
            LEN,
            &good,
            batch.as_mut_ptr(),
            scratch_len,
            0,
            1,
        )
    };
    assert_eq!(got, mixup_status::Overlap, "scratch over the batch");
    // the draw: a bad config or an output over another writes nothing
    let mut bytes = 0;
    unsafe { assert_eq!(mixup_workspace_size_u8_f32(N, &mut bytes), OK) };
    let mut ws = vec![0u64; bytes.div_ceil(8)];
    let y = labels();
    for (what, config, want) in [
        (
            "struct_size 12",
            mixup_config {
                struct_size: 12,
                ..c
            },
            BAD,
        ),
        ("recipe 3", mixup_config { recipe: 3, ..c }, BAD),
        (
            "height that does not divide",
            mixup_config { height: H + 1, ..c },
            BAD,
        ),
    ] {
        let mut d = Drawn::new();
        let o = d.outputs();
        let mut r = rng(0);
        let got = unsafe {
            mixup_plan_draw(
                &mut r,
                &config,
                N,
                LEN,
                y.as_ptr(),
                N,
                K,
                ws.as_mut_ptr().cast(),
                bytes,
                &o,
            )
        };
        assert_eq!(got, want, "draw: {what}");
        assert_eq!((d, r.s), (Drawn::new(), rng(0).s), "draw: {what}: wrote");
    }
    let mut d = Drawn::new();
    let mut o = d.outputs();
    o.lambdas = d.targets.as_mut_ptr().cast(); // the lambdas over the targets
    let mut r = rng(0);
    let got = unsafe {
        mixup_plan_draw(
            &mut r,
            &c,
            N,
            LEN,
            y.as_ptr(),
            N,
            K,
            ws.as_mut_ptr().cast(),
            bytes,
            &o,
        )
    };
    assert_eq!(got, mixup_status::Overlap, "draw: outputs overlap");
    assert_eq!(
        (d, r.s),
        (Drawn::new(), rng(0).s),
        "draw: outputs overlap: wrote"
    );
    let got = unsafe {
        mixup_plan_draw(
            null_mut(),
            &c,
            N,
            LEN,
            y.as_ptr(),
            N,
            K,
            ws.as_mut_ptr().cast(),
            bytes,
            null(),
        )
    };
    assert_eq!(got, mixup_status::NullPointer, "draw: NULL generator");
}
