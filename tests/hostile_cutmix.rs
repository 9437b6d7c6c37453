//! CutMix through the C ABI: the box functions and the one-call batches
//! with the timm recipe, on success against the Rust API, and with one
//! hostile argument at a time (bad recipe, minmax, switch_prob, shapes,
//! layouts, out-pointers): the right status, and nothing written.

mod common;

use common::{BAD, OK};

use mixup::ffi::*;
use mixup::{
    ChannelOrder, CutBox, Cuts, Granularity, ImageShape, MixConfig, MixRng, Mixer, Op, Plan,
    TimmRule, in_place_scratch_len, one_hot_targets, timm_box, timm_minmax_box, torchvision_box,
};
use proptest::prelude::*;
use std::ptr::{null, null_mut};

const POISON: mixup_box = CutBox {
    y1: 7,
    y2: 7,
    x1: 7,
    x2: 7,
};

/// The timm rule of a C timm recipe value (1 or 2).
fn rule(recipe: u32) -> TimmRule {
    [TimmRule::Since1_0_29, TimmRule::UpTo1_0_28][recipe as usize - 1]
}

/// Calls `mixup_cutmix_box` into fresh poisoned outputs.
fn c_box(
    recipe: u32,
    correct: u32,
    f32s: u32,
    h: usize,
    w: usize,
    lam: f64,
    c: (usize, usize),
) -> (mixup_status, mixup_box, f64) {
    let (mut b, mut l) = (POISON, -7.0);
    // SAFETY: valid out-pointers.
    let status =
        unsafe { mixup_cutmix_box(recipe, correct, f32s, h, w, lam, c.0, c.1, &mut b, &mut l) };
    (status, b, l)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn box_calls_match_the_rust_functions_or_refuse_and_write_nothing(
        h in 0usize..70, w in 0usize..70, cy in 0usize..72, cx in 0usize..72,
        lam in prop_oneof![0.0f64..=1.0, Just(f64::NAN), Just(-0.1), Just(1.5), Just(1.0), Just(0.0)],
        recipe in 0u32..4, correct in 0u32..3, f32s in 0u32..3,
    ) {
        let got = c_box(recipe, correct, f32s, h, w, lam, (cy, cx));
        let want = match (recipe, correct, f32s) {
            (0, 0 | 1, 0 | 1) => torchvision_box(h, w, lam, (cy, cx)),
            (1 | 2, 0 | 1, 0 | 1) => {
                timm_box(h, w, lam, (cy, cx), correct == 1, f32s == 1, rule(recipe))
            }
            _ => Err(mixup::Error::InvalidArgument),
        };
        match want {
            Ok((b, l)) => prop_assert_eq!(got, (OK, b, l)),
            Err(_) => prop_assert_eq!(got, (BAD, POISON, -7.0)),
        }
    }

    #[test]
    fn minmax_calls_match_the_rust_function_or_refuse_and_write_nothing(
        h in 0usize..40, w in 0usize..40, cut_h in 0usize..40, cut_w in 0usize..40, yl in 0usize..40, xl in 0usize..40,
        lo in prop_oneof![0.0f64..1.0, Just(f64::NAN)], hi in prop_oneof![0.0f64..1.2, Just(f64::INFINITY)],
        recipe in 0u32..4,
    ) {
        let (mut b, mut l) = (POISON, -7.0);
        // SAFETY: valid out-pointers.
        let status = unsafe { mixup_cutmix_box_minmax(recipe, h, w, lo, hi, cut_h, cut_w, yl, xl, &mut b, &mut l) };
        let want = match recipe {
            1 | 2 => timm_minmax_box(h, w, (lo, hi), (cut_h, cut_w), (yl, xl), rule(recipe)),
            _ => Err(mixup::Error::InvalidArgument),
        };
        match want {
            Ok(want) => prop_assert_eq!((status, b, l), (OK, want.0, want.1)),
            Err(_) => prop_assert_eq!((status, b, l), (BAD, POISON, -7.0)),
        }
    }
}

#[test]
fn box_out_pointers_null_or_overlapping_are_refused() {
    let mut b = POISON;
    let mut l = -7.0;
    // SAFETY: NULL is refused before any write; the others are valid.
    unsafe {
        assert_eq!(
            mixup_cutmix_box(0, 1, 0, 8, 8, 0.5, 1, 1, null_mut(), &mut l),
            mixup_status::NullPointer
        );
        assert_eq!(
            mixup_cutmix_box(0, 1, 0, 8, 8, 0.5, 1, 1, &mut b, null_mut()),
            mixup_status::NullPointer
        );
        assert_eq!(
            mixup_cutmix_box_minmax(1, 8, 8, 0.2, 0.8, 3, 3, 0, 0, null_mut(), &mut l),
            mixup_status::NullPointer
        );
        assert_eq!(
            mixup_cutmix_box_minmax(1, 8, 8, 0.2, 0.8, 3, 3, 0, 0, &mut b, null_mut()),
            mixup_status::NullPointer
        );
        // the lambda inside the box
        let mut both = [0u64; 2];
        let at = both.as_mut_ptr();
        assert_eq!(
            mixup_cutmix_box(0, 1, 0, 8, 8, 0.5, 1, 1, at.cast(), at.add(1).cast()),
            mixup_status::Overlap
        );
        assert_eq!(both, [0, 0]);
        // a misaligned box
        let mut bytes = [0u32; 6];
        let misaligned = bytes.as_mut_ptr().cast::<u8>().add(1).cast::<mixup_box>();
        assert_eq!(
            mixup_cutmix_box(0, 1, 0, 8, 8, 0.5, 1, 1, misaligned, &mut l),
            BAD
        );
        assert_eq!(bytes, [0; 6]);
    }
    assert_eq!((b, l), (POISON, -7.0));
}

const N: usize = 6;
const C: usize = 3;
const H: usize = 10;
const W: usize = 12;
const LEN: usize = C * H * W;
const K: usize = 5;

/// timm's recipe per sample through the C config.
fn timm_config() -> mixup_config {
    let mut c = mixup_config_default();
    (c.alpha, c.beta, c.cutmix_alpha, c.label_smoothing) = (0.8, 0.8, 1.0, 0.1);
    (c.pairing, c.granularity, c.recipe) = (
        mixup_pairing::Flip as u32,
        mixup_granularity::Elem as u32,
        mixup_recipe::Timm as u32,
    );
    (c.height, c.width, c.layout, c.prob) = (H, W, mixup_layout::Chw as u32, 0.8);
    c
}

struct Outputs {
    targets: Vec<f32>,
    lambdas: Vec<f64>,
    partners: Vec<u32>,
    applied: Vec<u8>,
    ops: Vec<u8>,
    boxes: Vec<mixup_box>,
}

impl Outputs {
    fn new() -> Outputs {
        Outputs {
            targets: vec![-1.0; N * K],
            lambdas: vec![-1.0; N],
            partners: vec![99; N],
            applied: vec![9; N],
            ops: vec![9; N],
            boxes: vec![POISON; N],
        }
    }
    fn c(&mut self) -> mixup_batch_outputs {
        let mut o = mixup_batch_outputs_default();
        (o.targets, o.targets_len) = (self.targets.as_mut_ptr(), self.targets.len());
        (o.lambdas, o.lambdas_len) = (self.lambdas.as_mut_ptr(), N);
        (o.partners, o.partners_len) = (self.partners.as_mut_ptr(), N);
        (o.applied, o.applied_len) = (self.applied.as_mut_ptr(), N);
        (o.ops, o.ops_len) = (self.ops.as_mut_ptr(), N);
        (o.boxes, o.boxes_len) = (self.boxes.as_mut_ptr(), N);
        o
    }
}

/// `mixup_batch_f32` on a fresh generator; the status, the images, the outputs, the generator.
fn batch_f32(config: &mixup_config, len: usize) -> (mixup_status, Vec<f32>, Outputs, mixup_rng) {
    let mut rng = mixup_rng { s: [0; 4] };
    let mut bytes = 0;
    // SAFETY: valid pointers.
    unsafe {
        mixup_rng_stream(&mut rng, 12, 34);
        assert_eq!(mixup_workspace_size(N, len, &mut bytes), OK);
    }
    let mut workspace = vec![0u64; bytes.div_ceil(8)];
    let mut images: Vec<f32> = (0..N * len).map(|i| i as f32 * 0.25 - 3.0).collect();
    let labels: Vec<i64> = (0..N as i64).map(|i| (i * 2) % K as i64).collect();
    let mut outputs = Outputs::new();
    let o = outputs.c();
    // SAFETY: every pointer is valid for the length given.
    let status = unsafe {
        mixup_batch_f32(
            &mut rng,
            config,
            images.as_mut_ptr(),
            N,
            len,
            labels.as_ptr(),
            N,
            K,
            workspace.as_mut_ptr().cast(),
            bytes,
            &o,
        )
    };
    (status, images, outputs, rng)
}

#[test]
fn the_timm_recipe_in_one_call_is_the_rust_plan_mixed_and_reported() {
    for granularity in [0u32, 1, 2, 3] {
        for layout in [mixup_layout::Chw, mixup_layout::Hwc] {
            let mut config = timm_config();
            (config.granularity, config.layout) = (granularity, layout as u32);
            let (status, images, out, _) = batch_f32(&config, LEN);
            assert_eq!(status, OK);
            // the same plan through Rust
            let rust = MixConfig {
                prob: 0.8,
                granularity: [
                    Granularity::Batch,
                    Granularity::Elem,
                    Granularity::Pair,
                    Granularity::Half,
                ][granularity as usize],
                ..MixConfig::timm(0.8, 1.0)
            };
            let mut rng = MixRng::stream(12, 34);
            let (mut p, mut l, mut o, mut b) = (
                vec![0u32; N],
                vec![0.0; N],
                vec![Op::Unmixed; N],
                vec![CutBox::default(); N],
            );
            rust.draw_with_boxes(&mut rng, (H, W), &mut p, &mut l, &mut o, &mut b)
                .unwrap();
            let image = ImageShape {
                channels: C,
                height: H,
                width: W,
                layout: if layout == mixup_layout::Chw {
                    ChannelOrder::Chw
                } else {
                    ChannelOrder::Hwc
                },
            };
            let mut want: Vec<f32> = (0..N * LEN).map(|i| i as f32 * 0.25 - 3.0).collect();
            let plan = Plan::new(&p, &l)
                .with_ops(&o)
                .with_cuts(Cuts { image, boxes: &b });
            let mut scratch = vec![0.0; in_place_scratch_len(N, LEN).unwrap()];
            Mixer::new()
                .mix_in_place(&mut want, LEN, plan, &mut scratch)
                .unwrap();
            assert_eq!(images, want);
            let labels: Vec<i64> = (0..N as i64).map(|i| (i * 2) % K as i64).collect();
            let mut targets = vec![0.0; N * K];
            one_hot_targets(&labels, K, &p, &l, 0.1, &mut targets).unwrap();
            assert_eq!(out.targets, targets);
            assert_eq!((out.lambdas, out.partners, out.boxes), (l, p, b));
            assert_eq!(out.ops, o.iter().map(|&op| op as u8).collect::<Vec<_>>());
            assert_eq!(
                out.applied,
                o.iter()
                    .map(|&op| u8::from(op != Op::Unmixed))
                    .collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn u8_and_fused_one_calls_take_cutmix_too() {
    let config = timm_config();
    let mut bytes = 0;
    let batch: Vec<u8> = (0..N * LEN).map(|i| (i * 37 % 251) as u8).collect();
    let mut rng = mixup_rng { s: [0; 4] };
    // u8 in place
    // SAFETY: valid pointers and lengths throughout.
    unsafe {
        mixup_rng_stream(&mut rng, 1, 2);
        assert_eq!(mixup_workspace_size_u8(N, LEN, &mut bytes), OK);
        let mut workspace = vec![0u64; bytes.div_ceil(8)];
        let mut images = batch.clone();
        let mut out = Outputs::new();
        let o = mixup_batch_outputs {
            targets: null_mut(),
            targets_len: 0,
            ..out.c()
        };
        let status = mixup_batch_u8(
            &mut rng,
            &config,
            images.as_mut_ptr(),
            N,
            LEN,
            null(),
            0,
            0,
            workspace.as_mut_ptr().cast(),
            bytes,
            &o,
        );
        assert_eq!(status, OK);
        let ops: Vec<Op> = out
            .ops
            .iter()
            .map(|&op| [Op::Unmixed, Op::Mixup, Op::CutMix][op as usize])
            .collect();
        let image = ImageShape {
            channels: C,
            height: H,
            width: W,
            layout: ChannelOrder::Chw,
        };
        let plan = Plan::new(&out.partners, &out.lambdas)
            .with_ops(&ops)
            .with_cuts(Cuts {
                image,
                boxes: &out.boxes,
            });
        let mut want = vec![0u8; N * LEN];
        Mixer::new().mix_into(&mut want, &batch, LEN, plan).unwrap();
        assert_eq!(images, want);
        assert!(ops.contains(&Op::CutMix));
    }
    // u8 to f32, HWC in and CHW out: the cuts are the input's
    let mut image = mixup_image_default();
    (
        image.channels,
        image.pixels,
        image.input_layout,
        image.output_layout,
    ) = (C, H * W, mixup_layout::Hwc as u32, mixup_layout::Chw as u32);
    // SAFETY: valid pointers and lengths throughout.
    unsafe {
        mixup_rng_stream(&mut rng, 1, 2);
        assert_eq!(mixup_workspace_size_u8_f32(N, &mut bytes), OK);
        let mut workspace = vec![0u64; bytes.div_ceil(8)];
        let mut f = vec![0.0f32; N * LEN];
        let mut out = Outputs::new();
        let o = mixup_batch_outputs {
            targets: null_mut(),
            targets_len: 0,
            ..out.c()
        };
        let status = mixup_batch_u8_f32(
            &mut rng,
            &config,
            batch.as_ptr(),
            N,
            &image,
            null(),
            0,
            null(),
            0,
            f.as_mut_ptr(),
            f.len(),
            null(),
            0,
            0,
            workspace.as_mut_ptr().cast(),
            bytes,
            &o,
        );
        assert_eq!(status, OK);
        let ops: Vec<Op> = out
            .ops
            .iter()
            .map(|&op| [Op::Unmixed, Op::Mixup, Op::CutMix][op as usize])
            .collect();
        let shape = ImageShape {
            channels: C,
            height: H,
            width: W,
            layout: ChannelOrder::Hwc,
        };
        let plan = Plan::new(&out.partners, &out.lambdas)
            .with_ops(&ops)
            .with_cuts(Cuts {
                image: shape,
                boxes: &out.boxes,
            });
        let layout = mixup::FusedImage {
            channels: C,
            pixels: H * W,
            input: ChannelOrder::Hwc,
            output: ChannelOrder::Chw,
        };
        let mut want = vec![0.0f32; N * LEN];
        Mixer::new()
            .mix_u8_to_f32(&mut want, &batch, layout, plan, None)
            .unwrap();
        assert_eq!(f, want);
        // pixels that are not height * width: refused
        image.pixels = H * W - 1;
        image.channels = C;
        let mut config = config;
        config.width = W;
        let len = C * (H * W - 1);
        let mut f2 = vec![5.0f32; N * len];
        let before = rng;
        let status = mixup_batch_u8_f32(
            &mut rng,
            &config,
            batch.as_ptr(),
            N,
            &image,
            null(),
            0,
            null(),
            0,
            f2.as_mut_ptr(),
            f2.len(),
            null(),
            0,
            0,
            workspace.as_mut_ptr().cast(),
            bytes,
            &o,
        );
        assert_eq!(status, BAD);
        assert_eq!((rng.s, f2), (before.s, vec![5.0; N * len]));
    }
}

/// One change that makes a configuration hostile.
type Fault = Box<dyn Fn(&mut mixup_config)>;

#[test]
fn hostile_cutmix_configs_are_refused_and_nothing_written() {
    let faults: Vec<(&str, Fault, usize)> = vec![
        (
            "switch_prob NaN",
            Box::new(|c| c.switch_prob = f64::NAN),
            LEN,
        ),
        (
            "switch_prob above 1",
            Box::new(|c| c.switch_prob = 1.5),
            LEN,
        ),
        (
            "cutmix_alpha negative",
            Box::new(|c| c.cutmix_alpha = -1.0),
            LEN,
        ),
        (
            "cutmix_alpha NaN",
            Box::new(|c| c.cutmix_alpha = f64::NAN),
            LEN,
        ),
        (
            "minmax lo >= hi",
            Box::new(|c| (c.minmax_lo, c.minmax_hi) = (0.5, 0.5)),
            LEN,
        ),
        (
            "minmax hi above 1",
            Box::new(|c| (c.minmax_lo, c.minmax_hi) = (0.5, 1.5)),
            LEN,
        ),
        (
            "minmax lo 0",
            Box::new(|c| (c.minmax_lo, c.minmax_hi) = (0.0, 0.5)),
            LEN,
        ),
        (
            "minmax range empty for the image",
            Box::new(|c| (c.minmax_lo, c.minmax_hi) = (0.31, 0.35)),
            LEN,
        ),
        (
            "minmax with torchvision",
            Box::new(|c| (c.minmax_lo, c.minmax_hi, c.recipe) = (0.2, 0.5, 0)),
            LEN,
        ),
        ("recipe 3", Box::new(|c| c.recipe = 3), LEN),
        ("correct_lam 2", Box::new(|c| c.correct_lam = 2), LEN),
        ("granularity 4", Box::new(|c| c.granularity = 4), LEN),
        ("layout 2", Box::new(|c| c.layout = 2), LEN),
        ("reserved", Box::new(|c| c.reserved = 1), LEN),
        ("height 0", Box::new(|c| c.height = 0), LEN),
        ("width 0", Box::new(|c| c.width = 0), LEN),
        (
            "height above u32",
            Box::new(|c| (c.height, c.width) = (1 << 40, 3)),
            LEN,
        ),
        ("height above u32", Box::new(|c| c.height = 1 << 33), LEN),
        (
            "len not channels * height * width",
            Box::new(|_| {}),
            LEN + 1,
        ),
        ("len smaller than one image", Box::new(|_| {}), H * W - 1),
    ];
    for (what, fault, len) in faults {
        let mut config = timm_config();
        fault(&mut config);
        let (status, images, out, rng) = batch_f32(&config, len);
        assert_eq!(status, BAD, "{what}");
        let original: Vec<f32> = (0..N * len).map(|i| i as f32 * 0.25 - 3.0).collect();
        assert_eq!(images, original, "{what}");
        let untouched = Outputs::new();
        assert_eq!(
            (out.targets, out.lambdas, out.partners),
            (untouched.targets, untouched.lambdas, untouched.partners),
            "{what}"
        );
        assert_eq!(
            (out.applied, out.ops, out.boxes),
            (untouched.applied, untouched.ops, untouched.boxes),
            "{what}"
        );
        let mut fresh = mixup_rng { s: [0; 4] };
        // SAFETY: a valid generator.
        unsafe { mixup_rng_stream(&mut fresh, 12, 34) };
        assert_eq!(rng.s, fresh.s, "{what}");
    }
    // the same faults with CutMix off do not matter where CutMix alone reads them
    let mut config = timm_config();
    (config.cutmix_alpha, config.height) = (0.0, 0);
    assert_eq!(batch_f32(&config, LEN + 1).0, OK);
}

#[test]
fn an_older_config_and_outputs_mean_cutmix_off_and_ops_untouched() {
    let mut old = timm_config();
    old.struct_size = std::mem::offset_of!(mixup_config, cutmix_alpha);
    let mut mixup_only = timm_config();
    mixup_only.cutmix_alpha = 0.0;
    mixup_only.recipe = mixup_recipe::Torchvision as u32;
    let (a, images_a, out_a, _) = batch_f32(&old, LEN);
    let (b, images_b, out_b, _) = batch_f32(&mixup_only, LEN);
    assert_eq!((a, b), (OK, OK));
    assert_eq!((images_a, out_a.lambdas), (images_b, out_b.lambdas));
    assert!(out_a.ops.iter().all(|&op| op <= 1));
}

#[test]
fn workspace_sizes_hold_29_bytes_a_sample() {
    let mut bytes = 0;
    // SAFETY: a valid out-pointer.
    unsafe {
        assert_eq!(mixup_workspace_size_u8_f32(8, &mut bytes), OK);
        assert_eq!(bytes, 8 * 29);
        assert_eq!(mixup_workspace_size_u8_f32(3, &mut bytes), OK);
        assert_eq!(bytes, 88); // 87 rounded up to 8
    }
}

#[test]
fn the_fused_call_in_half_mode_writes_the_first_half_only() {
    let mut config = timm_config();
    config.granularity = mixup_granularity::Half as u32;
    let mut image = mixup_image_default();
    (
        image.channels,
        image.pixels,
        image.input_layout,
        image.output_layout,
    ) = (C, H * W, mixup_layout::Chw as u32, mixup_layout::Chw as u32);
    let batch: Vec<u8> = (0..N * LEN).map(|i| (i * 31 % 256) as u8).collect();
    let mut bytes = 0;
    let mut rng = mixup_rng { s: [0; 4] };
    // SAFETY: valid pointers and lengths throughout.
    unsafe {
        mixup_rng_stream(&mut rng, 4, 4);
        assert_eq!(mixup_workspace_size_u8_f32(N, &mut bytes), OK);
        let mut workspace = vec![0u64; bytes.div_ceil(8)];
        let mut out = vec![-5.0f32; N * LEN];
        let mut o = Outputs::new();
        let outputs = mixup_batch_outputs {
            targets: null_mut(),
            targets_len: 0,
            ..o.c()
        };
        // room for n / 2 samples is enough
        let status = mixup_batch_u8_f32(
            &mut rng,
            &config,
            batch.as_ptr(),
            N,
            &image,
            null(),
            0,
            null(),
            0,
            out.as_mut_ptr(),
            N / 2 * LEN,
            null(),
            0,
            0,
            workspace.as_mut_ptr().cast(),
            bytes,
            &outputs,
        );
        assert_eq!(status, OK);
        assert!(
            out[N / 2 * LEN..].iter().all(|&v| v == -5.0),
            "beyond the first half"
        );
        assert!(o.ops[N / 2..].iter().all(|&op| op == 0));
        let ops: Vec<Op> = o
            .ops
            .iter()
            .map(|&op| [Op::Unmixed, Op::Mixup, Op::CutMix][op as usize])
            .collect();
        let shape = ImageShape {
            channels: C,
            height: H,
            width: W,
            layout: ChannelOrder::Chw,
        };
        let plan = Plan::new(&o.partners, &o.lambdas)
            .with_ops(&ops)
            .with_cuts(Cuts {
                image: shape,
                boxes: &o.boxes,
            });
        let layout = mixup::FusedImage {
            channels: C,
            pixels: H * W,
            input: ChannelOrder::Chw,
            output: ChannelOrder::Chw,
        };
        let mut want = vec![0.0f32; N / 2 * LEN];
        Mixer::new()
            .mix_u8_to_f32(&mut want, &batch, layout, plan, None)
            .unwrap();
        assert_eq!(out[..N / 2 * LEN], want[..]);
        // one element fewer is too small
        let status = mixup_batch_u8_f32(
            &mut rng,
            &config,
            batch.as_ptr(),
            N,
            &image,
            null(),
            0,
            null(),
            0,
            out.as_mut_ptr(),
            N / 2 * LEN - 1,
            null(),
            0,
            0,
            workspace.as_mut_ptr().cast(),
            bytes,
            &outputs,
        );
        assert_eq!(status, mixup_status::BufferTooSmall);
    }
}
