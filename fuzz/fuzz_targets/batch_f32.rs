//! `mixup_batch_f32`: the plan drawn, the batch mixed in place, the targets.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixup::ffi::{
    mixup_batch_f32, mixup_batch_outputs, mixup_batch_outputs_default, mixup_config,
    mixup_config_default, mixup_rng, mixup_status, mixup_workspace_size,
};
use mixup::{Granularity, MixConfig, MixRng, Op, Pairing};
use mixup_fuzz::{Arena, Spec, Unstructured, blend, lambda, room, same, samples, side, weights};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let n: usize = u.int_in_range(0..=10).unwrap_or(0);
    let len = side(&mut u, 24);
    let k = side(&mut u, 6);
    let with_labels = u.arbitrary().unwrap_or(false);
    let mut config = mixup_config_default();
    config.alpha = match u.arbitrary::<u8>().unwrap_or(0) % 5 {
        0 => 0.0,
        1 => 0.2,
        2 => f64::from_bits(u.arbitrary().unwrap_or(0)),
        _ => 1.0,
    };
    config.beta = if u.arbitrary::<u8>().unwrap_or(0) % 8 == 0 {
        lambda(&mut u)
    } else {
        config.alpha
    };
    config.prob = lambda(&mut u);
    config.label_smoothing = if u.arbitrary().unwrap_or(false) {
        lambda(&mut u)
    } else {
        0.0
    };
    config.roll_shift = u.arbitrary().unwrap_or(1);
    config.pairing = u.int_in_range(0..=4).unwrap_or(0);
    config.granularity = u.int_in_range(0..=4).unwrap_or(0);
    let mut bytes = 0;
    // SAFETY: a valid out-pointer.
    unsafe { mixup_workspace_size(n, len, &mut bytes) };
    let labelled = if with_labels {
        (n, n.saturating_mul(k))
    } else {
        (0, 0)
    };
    let specs = [
        Spec::of::<mixup_rng>(1),
        Spec::of::<mixup_config>(1),
        Spec::of::<f32>(room(n.saturating_mul(len))),
        Spec::of::<i64>(labelled.0),
        Spec::of::<f32>(room(labelled.1)),
        Spec::of::<u64>(room(bytes.div_ceil(8))),
        Spec::of::<f64>(n),
        Spec::of::<u32>(n),
        Spec::of::<u8>(n),
    ];
    let mut arena = Arena::new(&mut u, &specs);
    for i in 0..labelled.0 {
        let raw: i64 = u.arbitrary().unwrap_or(0);
        arena.set(
            3,
            i,
            if raw % 32 == 0 {
                raw
            } else {
                raw.rem_euclid(k.max(1) as i64)
            },
        );
    }
    arena.set(1, 0, config);
    let before = arena.snapshot();
    let rng_before: mixup_rng = arena.get(0, 0);
    let ws_bytes = if arena.len(5) == bytes.div_ceil(8) {
        bytes
    } else {
        arena.len(5) * 8
    };
    let (rng, cfg, x, y, t) = (
        arena.ptr(0),
        arena.ptr(1),
        arena.ptr(2),
        arena.ptr(3),
        arena.ptr(4),
    );
    let (ws, lo, po, ao) = (arena.ptr(5), arena.ptr(6), arena.ptr(7), arena.ptr(8));
    // SAFETY: every pointer is NULL or valid for its stated length.
    let status = unsafe {
        let outputs = mixup_batch_outputs {
            targets: t,
            targets_len: arena.len(4),
            lambdas: lo,
            lambdas_len: arena.len(6),
            partners: po,
            partners_len: arena.len(7),
            applied: ao,
            applied_len: arena.len(8),
            ..mixup_batch_outputs_default()
        };
        mixup_batch_f32(
            rng,
            cfg,
            x,
            n,
            len,
            y,
            arena.len(3),
            k,
            ws,
            ws_bytes,
            &outputs,
        )
    };
    if status != mixup_status::Ok {
        return arena.assert_untouched(&before, &[5], status as i32);
    }
    // The plan, drawn again through the Rust API from the same state.
    let config: mixup_config = arena.get(1, 0);
    let rust = MixConfig {
        alpha: config.alpha,
        beta: config.beta,
        prob: config.prob,
        pairing: [
            Pairing::Roll(config.roll_shift),
            Pairing::Flip,
            Pairing::Permutation,
            Pairing::Cycle,
        ][config.pairing as usize],
        granularity: [
            Granularity::Batch,
            Granularity::Elem,
            Granularity::Pair,
            Granularity::Half,
        ][config.granularity as usize],
        ..MixConfig::default()
    };
    let mut r = MixRng::from_state(rng_before.s);
    let (mut partners, mut lams, mut ops) = (vec![0u32; n], vec![0.0; n], vec![Op::Unmixed; n]);
    rust.draw(&mut r, &mut partners, &mut lams, Some(&mut ops))
        .unwrap();
    let mixes: Vec<bool> = ops.iter().map(|&op| op == Op::Mixup).collect();
    assert_eq!(arena.get::<mixup_rng>(0, 0).s, r.state(), "generator");
    for i in 0..n {
        if arena.len(6) == n {
            assert_eq!(
                arena.get::<f64>(6, i).to_bits(),
                lams[i].to_bits(),
                "lambda {i}"
            );
        }
        if arena.len(7) == n {
            assert_eq!(arena.get::<u32>(7, i), partners[i], "partner {i}");
        }
        if arena.len(8) == n {
            assert_eq!(arena.get::<u8>(8, i), u8::from(mixes[i]), "applied {i}");
        }
    }
    let old = |s: usize, e: usize| -> f32 { arena.was(&before, 2, s * len + e) };
    for (i, e) in samples(n, len, arena.room(2)) {
        let want = if mixes[i] {
            blend(lams[i], old(i, e), old(partners[i] as usize, e))
        } else {
            old(i, e)
        };
        assert!(
            same(arena.get(2, i * len + e), want),
            "sample {i} element {e}"
        );
    }
    if with_labels {
        let s = config.label_smoothing;
        let (off, on) = ((s / k as f64) as f32, (1.0 - s + s / k as f64) as f32);
        for (i, c) in samples(n, k, arena.len(4)) {
            let (ws, wp) = weights(lams[i]);
            let (ya, yb): (i64, i64) = (arena.get(3, i), arena.get(3, partners[i] as usize));
            let hot = |y: i64| if y == c as i64 { on } else { off };
            let got: f32 = arena.get(4, i * k + c);
            assert_eq!(
                got.to_bits(),
                (ws * hot(ya) + wp * hot(yb)).to_bits(),
                "target {i} {c}"
            );
        }
    }
});
