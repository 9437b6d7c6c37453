//! One batch on many threads: parts run on `std::thread`s give the bits of
//! the one-thread call, in place (groups of whole cycles) and out of place
//! (ranges of output samples), for mixup and CutMix plans.

mod common;

use common::{any_f32, any_lambda, assert_same};
use mixup::{
    ChannelOrder, CutBox, Cuts, Error, ImageShape, MAX_PARTS, MixRng, Mixer, Op, Pairing, Part,
    Plan, in_place_scratch_len,
};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn parts_on_threads_give_the_one_thread_bits(
        n in 0usize..40,
        side in 1usize..5,
        count in 1usize..7,
        pairing in prop::sample::select(vec![Pairing::Roll(1), Pairing::Flip, Pairing::Permutation, Pairing::Cycle]),
        seed in any::<u64>(),
        values in prop::collection::vec(any_f32(), 64),
        lambdas in prop::collection::vec(any_lambda(), 40),
        ops in prop::collection::vec(prop::sample::select(vec![Op::Unmixed, Op::Mixup, Op::CutMix]), 40),
    ) {
        let image = ImageShape { channels: 2, height: side, width: side, layout: ChannelOrder::Chw };
        let len = image.elements().unwrap();
        let mut partners = vec![0u32; n];
        pairing.fill(&mut MixRng::seed_from_u64(seed), &mut partners).unwrap();
        let boxes: Vec<CutBox> = (0..n as u32).map(|i| CutBox { y1: 0, y2: (i % side as u32) + 1, x1: i % 2, x2: side as u32 }).collect();
        let plan = Plan::new(&partners, &lambdas[..n])
            .with_ops(&ops[..n])
            .with_cuts(Cuts { image, boxes: &boxes });
        let batch: Vec<f32> = (0..n * len).map(|i| values[(i * 7 + i / 5) % 64]).collect();
        let mixer = Mixer::new();

        // in place: one thread, then `count` threads
        let mut want = batch.clone();
        let mut scratch = vec![0.0; in_place_scratch_len(n, len).unwrap()];
        mixer.mix_in_place(&mut want, len, plan, &mut scratch).unwrap();
        let mut got = batch.clone();
        let parts = mixer.in_place_parts(&mut got, len, plan).unwrap();
        std::thread::scope(|s| {
            for index in 0..count {
                let parts = &parts;
                s.spawn(move || {
                    let mut scratch = vec![0.0; in_place_scratch_len(n, len).unwrap()];
                    parts.run(Part { index, count }, &mut scratch).unwrap();
                });
            }
        });
        assert_same(&got, &want, "in place");

        // out of place: each thread writes its range of samples
        let mut want = vec![0.0f32; n * len];
        mixer.mix_into(&mut want, &batch, len, plan).unwrap();
        let mut got = vec![f32::NAN; n * len];
        let mut rest: &mut [f32] = &mut got;
        let mut chunks = Vec::new();
        for index in 0..count {
            let range = Part { index, count }.samples(n).unwrap();
            let (mine, later) = rest.split_at_mut(range.len() * len);
            chunks.push((index, mine));
            rest = later;
        }
        std::thread::scope(|s| {
            for (index, out) in chunks {
                let batch = &batch;
                s.spawn(move || mixer.mix_into_part(out, batch, len, plan, Part { index, count }).unwrap());
            }
        });
        assert_same(&got, &want, "out of place");
    }
}

#[test]
fn shares_cover_every_sample_once() {
    for n in [0usize, 1, 7, 100, 1 << 40] {
        for count in [1usize, 2, 3, 7, MAX_PARTS] {
            let mut next = 0;
            for index in 0..count {
                let r = Part { index, count }.samples(n).unwrap();
                assert_eq!(r.start, next);
                assert!(r.len() <= n / count + 1);
                next = r.end;
            }
            assert_eq!(next, n);
        }
    }
}

#[test]
fn bad_parts_and_second_runs_are_refused_and_change_nothing() {
    let bad_range = Err(Error::InvalidArgument);
    assert_eq!(Part { index: 2, count: 2 }.samples(10), bad_range);
    assert_eq!(Part { index: 0, count: 0 }.samples(10), bad_range);
    assert_eq!(
        Part {
            index: 0,
            count: MAX_PARTS + 1
        }
        .samples(10),
        bad_range
    );
    let bad = Err(Error::InvalidArgument);
    let mut batch: Vec<f32> = (0..12).map(|i| i as f32).collect();
    let original = batch.clone();
    let mut scratch = vec![0.0; in_place_scratch_len(4, 3).unwrap()];
    {
        let plan = Plan::new(&[1, 0, 0, 2], &[0.5]); // not a permutation
        let parts = Mixer::new().in_place_parts(&mut batch, 3, plan).unwrap();
        assert_eq!(
            parts.run(Part::WHOLE, &mut scratch),
            Err(Error::BadPermutation)
        );
        assert_eq!(
            parts.run(Part::WHOLE, &mut scratch[..3]),
            Err(Error::BufferTooSmall)
        );
        assert_eq!(parts.run(Part { index: 1, count: 1 }, &mut scratch), bad);
    }
    assert_eq!(batch, original);
    let plan = Plan::new(&[1, 0, 3, 2], &[0.5]);
    let parts = Mixer::new().in_place_parts(&mut batch, 3, plan).unwrap();
    assert_eq!(parts.run(Part { index: 0, count: 2 }, &mut scratch), Ok(()));
    // a part runs once: a second run would mix its samples twice
    assert_eq!(parts.run(Part { index: 0, count: 2 }, &mut scratch), bad);
    assert_eq!(batch[..6], [1.5, 2.5, 3.5, 1.5, 2.5, 3.5]);
    assert_eq!(batch[6..], original[6..]);
    // out of place: the part's samples exactly
    let mut out = vec![0.0f32; 5];
    assert_eq!(
        Mixer::new().mix_into_part(&mut out, &original, 3, plan, Part { index: 0, count: 2 }),
        bad
    );
    assert_eq!(
        Mixer::new().mix_in_place(&mut batch, 4, plan, &mut scratch),
        bad
    );
}
