//! Hostile arguments through the `extern "C"` functions: NULL and
//! dangling-but-empty pointers, huge and overflowing sizes, NaN and infinite
//! parameters, invalid permutations and labels, misaligned and overlapping
//! buffers. Each call injects one fault into an otherwise valid call, so
//! exactly one status is right. A panic would abort the test process (it
//! cannot unwind through `extern "C"`), so passing also shows none happens.

mod common;

use common::{OK, bad_lambda, bits, dangling, outs};
use mixup::ffi::*;
use mixup::{Backend, Mixer, Plan, one_hot_targets};
use proptest::prelude::*;
use std::ptr::{null, null_mut};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn bad_shape() -> impl Strategy<Value = f64> {
    prop::sample::select(vec![
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.5,
        -1e-300,
    ])
}

proptest! {
    #![proptest_config(config())]

    /// `mixup_apply_f32` with one fault, or none.
    #[test]
    fn apply_in_place(
        n in 0usize..9,
        len in 0usize..40,
        fault in 0u8..15,
        per_sample in any::<bool>(),
        bad in bad_lambda(),
        seed in any::<u64>(),
    ) {
        let mut rng = mixup_rng { s: [0; 4] };
        unsafe { mixup_rng_seed(&mut rng, seed) };
        let mut perm = vec![0u32; n];
        unsafe { mixup_pairing_fill(&mut rng, mixup_pairing::Permutation as u32, 0, perm.as_mut_ptr(), n) };
        let mut lam: Vec<f64> = (0..if per_sample { n.max(1) } else { 1 }).map(|i| (i as f64 * 0.37) % 1.0).collect();
        let scratch_len = len + n.div_ceil(32);
        // one arena: the batch, then the scratch
        let mut arena: Vec<f32> = (0..n * len + scratch_len + 8).map(|i| i as f32 * 0.5 - 7.0).collect();
        let base = arena.as_mut_ptr();
        let (mut batch, mut n_arg, mut len_arg) = (base, n, len);
        let (mut perm_ptr, mut perm_len) = (perm.as_ptr(), n);
        let mut scratch = unsafe { base.add(n * len) };
        let mut scratch_arg = scratch_len;
        let mut expected = OK;
        let empty_batch = n * len == 0;
        match fault {
            1 if !empty_batch => { batch = null_mut(); expected = mixup_status::NullPointer; }
            2 if n > 0 => { perm_ptr = null(); expected = mixup_status::NullPointer; }
            3 => { lam[0] = bad; expected = mixup_status::InvalidArgument; }
            4 if n >= 3 => { lam = vec![0.5; 2]; expected = mixup_status::InvalidArgument; }
            5 if n >= 2 => { perm[1] = perm[0]; expected = mixup_status::BadPermutation; }
            6 if n >= 1 => { perm[n - 1] = n as u32 + 3; expected = mixup_status::IndexOutOfRange; }
            7 if scratch_len > 0 => { scratch_arg -= 1; expected = mixup_status::BufferTooSmall; }
            8 if n > 0 => { perm_len -= 1; expected = mixup_status::BufferTooSmall; }
            9 => { n_arg = usize::MAX / 2 + 1; len_arg = 2; expected = mixup_status::SizeOverflow; }
            10 => { n_arg = 1; len_arg = isize::MAX as usize / 2; perm_len = 1; expected = mixup_status::SizeOverflow; }
            11 if !empty_batch && scratch_len > 0 => { scratch = base; expected = mixup_status::Overlap; }
            12 if !empty_batch => { batch = unsafe { base.cast::<u8>().add(1).cast() }; expected = mixup_status::InvalidArgument; }
            13 if empty_batch => { batch = dangling(); }
            14 if n == 0 => { perm_ptr = dangling(); }
            _ => {}
        }
        if fault == 10 && n == 0 { perm_ptr = perm.as_ptr(); perm.push(0); }
        let before = arena.clone();
        let mut want = arena[..n * len].to_vec();
        if expected == OK {
            let mut s = vec![0.0f32; scratch_len];
            Mixer::with_backend(Backend::Scalar).unwrap().mix_in_place(&mut want, len, Plan::new(&perm, &lam), &mut s).unwrap();
        }
        let got = unsafe {
            mixup_apply_f32(batch, n_arg, len_arg, perm_ptr, perm_len, lam.as_ptr(), lam.len(), scratch, scratch_arg)
        };
        prop_assert_eq!(got, expected, "fault {}", fault);
        if expected == OK {
            prop_assert_eq!(bits(&arena[..n * len]), bits(&want));
        } else if expected == mixup_status::BadPermutation {
            // the permutation check marks bits in the scratch; the batch is untouched
            prop_assert_eq!(bits(&arena[..n * len]), bits(&before[..n * len]));
        } else {
            prop_assert_eq!(bits(&arena), bits(&before));
        }
    }

    /// `mixup_apply_into_f32`: any index map; the output must not overlap.
    #[test]
    fn apply_out_of_place(
        n in 0usize..9,
        len in 0usize..40,
        fault in 0u8..10,
        map in prop::collection::vec(any::<u32>(), 9),
        bad in bad_lambda(),
    ) {
        let partners: Vec<u32> = map[..n].iter().map(|&p| p % n.max(1) as u32).collect();
        let mut partners = partners;
        let mut lam = vec![0.25f64];
        let mut arena: Vec<f32> = (0..2 * n * len + 4).map(|i| (i as f32).sin()).collect();
        let base = arena.as_mut_ptr();
        let batch = base.cast_const();
        let mut out = unsafe { base.add(n * len) };
        let (mut n_arg, mut len_arg, mut out_len) = (n, len, n * len);
        let mut expected = OK;
        let empty = n * len == 0;
        match fault {
            1 if !empty => { out = null_mut(); expected = mixup_status::NullPointer; }
            2 => { lam[0] = bad; expected = mixup_status::InvalidArgument; }
            3 if n >= 1 => { partners[0] = n as u32; expected = mixup_status::IndexOutOfRange; }
            4 if !empty => { out_len -= 1; expected = mixup_status::BufferTooSmall; }
            5 if !empty => { out = unsafe { base.add(n * len / 2) }; expected = mixup_status::Overlap; }
            6 => { n_arg = usize::MAX; len_arg = 3; expected = mixup_status::SizeOverflow; }
            7 if !empty => { out = unsafe { base.add(n * len).cast::<u8>().add(2).cast() }; expected = mixup_status::InvalidArgument; }
            8 if empty => { out = dangling(); }
            _ => {}
        }
        let before = arena.clone();
        let mut want = vec![0.0f32; n * len];
        if expected == OK {
            Mixer::with_backend(Backend::Scalar).unwrap().mix_into(&mut want, &before[..n * len], len, Plan::new(&partners, &lam)).unwrap();
        }
        let got = unsafe {
            mixup_apply_into_f32(batch, n_arg, len_arg, partners.as_ptr(), partners.len(), lam.as_ptr(), 1, out, out_len)
        };
        prop_assert_eq!(got, expected, "fault {}", fault);
        if expected == OK {
            prop_assert_eq!(bits(&arena[n * len..2 * n * len]), bits(&want));
            prop_assert_eq!(bits(&arena[..n * len]), bits(&before[..n * len]));
        } else {
            prop_assert_eq!(bits(&arena), bits(&before));
        }
    }

    /// `mixup_blend_f32`: `out` may be exactly `a` or `b`, nothing else.
    #[test]
    fn blend_pair(
        len in 0usize..50,
        fault in 0u8..11,
        lam in 0.0f64..=1.0,
        bad in bad_lambda(),
        shift in 1usize..4,
    ) {
        let mut arena: Vec<f32> = (0..3 * len + 8).map(|i| i as f32 * 1.25 - 3.0).collect();
        let base = arena.as_mut_ptr();
        let a = base.cast_const();
        let mut b = unsafe { base.add(len) }.cast_const();
        let mut out = unsafe { base.add(2 * len) };
        let (mut lam_arg, mut b_len, mut out_len) = (lam, len, len);
        let mut expected = OK;
        match fault {
            1 if len > 0 => { b = null(); expected = mixup_status::NullPointer; }
            2 => { lam_arg = bad; expected = mixup_status::InvalidArgument; }
            3 => { b_len = len + 1; expected = mixup_status::InvalidArgument; }
            4 if len > 0 => { out_len -= 1; expected = mixup_status::BufferTooSmall; }
            5 if len > shift => { out = unsafe { base.add(shift) }; expected = mixup_status::Overlap; }
            6 if len > 0 => { out = base; b = base; expected = mixup_status::Overlap; }
            7 => { b_len = isize::MAX as usize; expected = mixup_status::SizeOverflow; }
            8 => { out = base; } // exactly a
            9 => { out = unsafe { base.add(len) }; } // exactly b
            10 if len == 0 => { out = dangling(); b = dangling(); }
            _ => {}
        }
        if fault == 7 && len == 0 { b_len = isize::MAX as usize; }
        let before = arena.clone();
        let got = unsafe { mixup_blend_f32(a, len, b, b_len, lam_arg, out, out_len) };
        prop_assert_eq!(got, expected, "fault {}", fault);
        if expected == OK {
            let (off_a, off_b) = (0, if fault == 10 && len == 0 { 0 } else { len });
            let off_out = if fault == 10 && len == 0 { 0 } else { (out as usize - base as usize) / 4 };
            for i in 0..len {
                let w = mixup::Weights::from_lambda(lam).unwrap();
                let (x, y) = (before[off_a + i], before[off_b + i]);
                let want = w.w_self * x + w.w_partner * y;
                prop_assert_eq!(arena[off_out + i].to_bits(), want.to_bits());
            }
        } else {
            prop_assert_eq!(bits(&arena), bits(&before));
        }
    }

    /// `mixup_labels_f32` and `mixup_labels_sparse`.
    #[test]
    fn labels(
        n in 0usize..8,
        k in 1usize..7,
        fault in 0u8..9,
        raw in prop::collection::vec(any::<i64>(), 8),
        smoothing in 0.0f64..=1.0,
        bad in bad_lambda(),
    ) {
        let mut labels: Vec<i64> = raw[..n].iter().map(|&y| y.rem_euclid(k as i64)).collect();
        let partners: Vec<u32> = (0..n as u32).rev().collect();
        let mut lam = vec![0.3f64];
        let mut s = smoothing;
        let mut targets = vec![-1.0f32; n * k + 2];
        let mut sparse = vec![mixup_sparse_target { y_a: -9, y_b: -9, lam: -9.0 }; n + 1];
        let (mut k_arg, mut t_len, mut sp_len) = (k, n * k, n);
        let mut labels_ptr = labels.as_ptr();
        let mut expected = OK;
        match fault {
            1 if n > 0 => { labels[n - 1] = k as i64; expected = mixup_status::LabelOutOfRange; }
            2 if n > 0 => { labels[0] = -1; expected = mixup_status::LabelOutOfRange; }
            3 => { lam[0] = bad; expected = mixup_status::InvalidArgument; }
            4 if n > 0 => { t_len -= 1; sp_len -= 1; expected = mixup_status::BufferTooSmall; }
            5 if n > 0 => { labels_ptr = null(); expected = mixup_status::NullPointer; }
            6 if n > 1 => { k_arg = usize::MAX; expected = mixup_status::SizeOverflow; }
            7 => { s = bad; expected = mixup_status::InvalidArgument; }
            8 if n == 0 => { labels_ptr = dangling(); }
            _ => {}
        }
        let got = unsafe {
            mixup_labels_f32(labels_ptr, n, k_arg, partners.as_ptr(), n, lam.as_ptr(), 1, s, targets.as_mut_ptr(), t_len)
        };
        prop_assert_eq!(got, expected, "dense, fault {}", fault);
        if expected == OK {
            let mut want = vec![0.0f32; n * k];
            one_hot_targets(&labels, k, &partners, &lam, s, &mut want).unwrap();
            prop_assert_eq!(bits(&targets[..n * k]), bits(&want));
        } else {
            prop_assert!(targets.iter().all(|&v| v == -1.0));
        }
        // the sparse form has no smoothing and no size product
        let sparse_expected = if fault == 7 || fault == 6 { OK } else { expected };
        let got = unsafe {
            mixup_labels_sparse(labels_ptr, n, k_arg, partners.as_ptr(), n, lam.as_ptr(), 1, sparse.as_mut_ptr(), sp_len)
        };
        let sparse_expected = if fault == 6 && n > 1 { OK } else { sparse_expected };
        prop_assert_eq!(got, sparse_expected, "sparse, fault {}", fault);
        if sparse_expected != OK {
            prop_assert!(sparse.iter().all(|t| t.y_a == -9 && t.lam == -9.0));
        }
    }

    /// `mixup_batch_f32`: the one-call form.
    #[test]
    fn batch(
        n in 0usize..7,
        len in 0usize..30,
        fault in 0u8..14,
        bad in bad_lambda(),
        bad_alpha in bad_shape(),
        seed in any::<u64>(),
        pairing in 0u32..4,
        granularity in 0u32..3,
    ) {
        let k = 3usize;
        let mut config = mixup_config_default();
        config.pairing = pairing;
        config.granularity = granularity;
        config.prob = 0.7;
        let mut labels: Vec<i64> = (0..n as i64).map(|i| i % 3).collect();
        let mut images: Vec<f32> = (0..n * len).map(|i| i as f32 / 7.0).collect();
        let mut targets = vec![-1.0f32; n * k];
        let mut rng = mixup_rng { s: [0; 4] };
        unsafe { mixup_rng_seed(&mut rng, seed) };
        let mut bytes = 0usize;
        prop_assert_eq!(unsafe { mixup_workspace_size(n, len, &mut bytes) }, OK);
        let mut workspace = vec![0u64; bytes.div_ceil(8) + 2];
        let mut ws_ptr = workspace.as_mut_ptr().cast::<u8>();
        let mut ws_len = bytes;
        let mut lam_out = vec![-1.0f64; n];
        let mut lam_ptr = lam_out.as_mut_ptr();
        let mut images_ptr = images.as_mut_ptr();
        let mut targets_ptr = targets.as_mut_ptr();
        let mut rng_ptr: *mut mixup_rng = &mut rng;
        let mut expected = OK;
        match fault {
            1 => { config.alpha = bad_alpha; expected = mixup_status::InvalidArgument; }
            2 => { config.prob = bad; expected = mixup_status::InvalidArgument; }
            3 => { config.pairing = 4 + pairing; expected = mixup_status::InvalidArgument; }
            4 => { config.label_smoothing = bad; expected = mixup_status::InvalidArgument; }
            5 if n > 0 => { labels[0] = 3; expected = mixup_status::LabelOutOfRange; }
            6 if bytes > 0 => { ws_len -= 1; expected = mixup_status::BufferTooSmall; }
            7 if bytes > 0 => { ws_ptr = unsafe { ws_ptr.add(4) }; expected = mixup_status::InvalidArgument; }
            8 => { rng_ptr = null_mut(); expected = mixup_status::NullPointer; }
            9 if n * len > 0 => { images_ptr = null_mut(); expected = mixup_status::NullPointer; }
            10 if n > 0 => { lam_ptr = ws_ptr.cast(); expected = mixup_status::Overlap; }
            11 if n > 0 => { targets_ptr = unsafe { ws_ptr.cast::<f32>().add(1) }; expected = mixup_status::Overlap; }
            12 if n * len == 0 => { images_ptr = dangling(); }
            13 if n > 0 => { config.granularity = 4 + granularity; expected = mixup_status::InvalidArgument; }
            _ => {}
        }
        let images_before = bits(&images);
        let rng_before = rng;
        let lam_out_len = n;
        let got = unsafe {
            mixup_batch_f32(rng_ptr, &config, images_ptr, n, len, labels.as_ptr(), n, k, ws_ptr, ws_len, &outs(targets_ptr, n * k, lam_ptr, lam_out_len, null_mut(), 0, null_mut(), 0))
        };
        prop_assert_eq!(got, expected, "fault {}", fault);
        if expected != OK {
            prop_assert_eq!(bits(&images), images_before);
            prop_assert!(targets.iter().all(|&v| v == -1.0));
            prop_assert!(lam_out.iter().all(|&v| v == -1.0));
            prop_assert_eq!(rng, rng_before);
        } else if n > 0 {
            prop_assert!(lam_out[..lam_out_len].iter().all(|&v| (0.0..=1.0).contains(&v)));
            for row in targets.chunks(k) {
                prop_assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
            }
        }
    }

    /// Generator, Beta, pairing and the small calls, with any arguments.
    #[test]
    fn small_calls(
        status in prop_oneof![any::<i32>(), -1i32..12],
        alpha in prop_oneof![0.0f64..100.0, bad_lambda()],
        beta in prop_oneof![0.0f64..100.0, bad_lambda()],
        pairing in any::<u32>(),
        n in prop_oneof![0usize..20, Just(usize::MAX), Just(1usize << 33)],
        len in any::<usize>(),
    ) {
        // SAFETY: mixup_status_str returns a static NUL-terminated string for any int.
        let message = unsafe { std::ffi::CStr::from_ptr(mixup_status_str(status)) }.to_str().unwrap();
        let want = match status {
            0 => "success",
            1..=8 => [
                mixup::Error::NullPointer, mixup::Error::InvalidArgument, mixup::Error::SizeOverflow,
                mixup::Error::BadPermutation, mixup::Error::IndexOutOfRange, mixup::Error::LabelOutOfRange,
                mixup::Error::Overlap, mixup::Error::BufferTooSmall,
            ][status as usize - 1].message(),
            _ => "unknown status",
        };
        prop_assert_eq!(message, want);
        prop_assert_eq!(unsafe { mixup_rng_seed(null_mut(), 1) }, mixup_status::NullPointer);
        prop_assert_eq!(unsafe { mixup_rng_stream(null_mut(), 1, 2) }, mixup_status::NullPointer);
        prop_assert_eq!(unsafe { mixup_rng_jump(null_mut()) }, mixup_status::NullPointer);

        let mut rng = mixup_rng { s: [1, 2, 3, 4] };
        let before = rng;
        let mut lam = -1.0f64;
        let valid = alpha.is_finite() && alpha >= 0.0 && beta.is_finite() && beta >= 0.0;
        let got = unsafe { mixup_beta(&mut rng, alpha, beta, &mut lam) };
        if valid {
            prop_assert_eq!(got, OK);
            prop_assert!((0.0..=1.0).contains(&lam));
        } else {
            prop_assert_eq!(got, mixup_status::InvalidArgument);
            prop_assert_eq!(lam, -1.0);
            prop_assert_eq!(rng, before);
        }

        let mut partners = vec![u32::MAX; 20];
        let got = unsafe { mixup_pairing_fill(&mut rng, pairing, -3, partners.as_mut_ptr(), n.min(20)) };
        if pairing < 4 {
            prop_assert_eq!(got, OK);
            prop_assert!(partners[..n.min(20)].iter().all(|&p| (p as usize) < n.min(20)));
        } else {
            prop_assert_eq!(got, mixup_status::InvalidArgument);
            prop_assert!(partners.iter().all(|&p| p == u32::MAX));
        }
        if n > 20 {
            // a huge n with a real pointer is refused before anything is written
            let got = unsafe { mixup_pairing_fill(&mut rng, pairing % 4, 0, partners.as_mut_ptr(), n) };
            prop_assert_eq!(got, mixup_status::SizeOverflow);
        }

        let mut bytes = 7usize;
        let got = unsafe { mixup_workspace_size(n, len, &mut bytes) };
        // 8 + 16 + 4 + 1 bytes per sample (lambda, box, partner, op),
        // padded to 8, then the scratch
        let fits = n.checked_mul(29)
            .and_then(|b| b.checked_next_multiple_of(8))
            .and_then(|b| b.checked_add(len.checked_add(n.div_ceil(32))?.checked_mul(4)?))
            .filter(|&b| b <= isize::MAX as usize);
        match fits {
            Some(b) => { prop_assert_eq!(got, OK); prop_assert_eq!(bytes, b); }
            None => { prop_assert_eq!(got, mixup_status::SizeOverflow); prop_assert_eq!(bytes, 7); }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// `mixup_apply_into_u8`: out of place, any index map.
    #[test]
    fn apply_into_u8(n in 0usize..8, len in 0usize..40, fault in 0u8..9, seed in any::<u32>()) {
        let batch: Vec<u8> = (0..n * len).map(|i| (i as u32 * 37 + seed) as u8).collect();
        let mut partners: Vec<u32> = (0..n as u32).map(|i| (i * 7 + seed) % n.max(1) as u32).collect();
        let mut lam = [0.3f64];
        let mut out = vec![9u8; n * len + 4];
        let (mut out_len, mut n_arg, mut batch_ptr) = (n * len, n, batch.as_ptr());
        let mut out_ptr = out.as_mut_ptr();
        let mut expected = OK;
        match fault {
            1 if n * len > 0 => { batch_ptr = null(); expected = mixup_status::NullPointer; }
            2 if n > 0 => { partners[0] = n as u32; expected = mixup_status::IndexOutOfRange; }
            3 => { lam[0] = f64::NAN; expected = mixup_status::InvalidArgument; }
            4 if n * len > 0 => { out_len -= 1; expected = mixup_status::BufferTooSmall; }
            5 if n * len > 0 => { out_ptr = batch.as_ptr().cast_mut(); expected = mixup_status::Overlap; }
            6 => { n_arg = usize::MAX; expected = if len > 0 { mixup_status::SizeOverflow } else { mixup_status::BufferTooSmall }; }
            7 if n * len == 0 => { batch_ptr = dangling(); }
            _ => {}
        }
        let before = out.clone();
        // SAFETY: every pointer is NULL or valid for its stated length.
        let got = unsafe {
            mixup_apply_into_u8(batch_ptr, n_arg, len, partners.as_ptr(), partners.len(), lam.as_ptr(), 1, out_ptr, out_len)
        };
        prop_assert_eq!(got, expected, "fault {}", fault);
        if expected == OK {
            for i in 0..n {
                for e in 0..len {
                    let (a, b) = (batch[i * len + e], batch[partners[i] as usize * len + e]);
                    let v = (f32::from(a) * 0.3f32 + f32::from(b) * 0.7f32).round_ties_even();
                    prop_assert_eq!(out[i * len + e], v as u8);
                }
            }
            prop_assert_eq!(&out[n * len..], &before[n * len..]);
        } else {
            prop_assert_eq!(&out, &before);
        }
    }
}
