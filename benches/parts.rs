//! One batch on two threads against one thread, in cache and in memory,
//! in place (groups of cycles) and out of place (ranges of samples). Two
//! ways to get the second thread: spawned per call (the spawn is part of
//! the time), or a live worker woken per call, as a loader's pool is; the
//! calling thread runs the other part.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mixup::{MixRng, Mixer, Pairing, Part, Plan, in_place_scratch_len};
use std::hint::black_box;
use std::sync::mpsc;
use std::time::Duration;

fn parts(c: &mut Criterion) {
    let mixer = Mixer::new();
    for (n, len, name) in [
        (256usize, 3 * 32 * 32, "256x3x32x32"),
        (128, 3 * 224 * 224, "128x3x224x224"),
    ] {
        let mut x: Vec<f32> = (0..n * len).map(|i| (i % 1000) as f32 * 0.001).collect();
        let mut out = vec![0.0f32; n * len];
        let mut partners = vec![0u32; n];
        Pairing::Permutation
            .fill(&mut MixRng::seed_from_u64(1), &mut partners)
            .unwrap();
        let plan = Plan::new(&partners, &[0.37]);
        let scratch_len = in_place_scratch_len(n, len).unwrap();
        let (mut s0, mut s1) = (vec![0.0f32; scratch_len], vec![0.0f32; scratch_len]);

        let mut group = c.benchmark_group(format!("parts/{name}"));
        group.throughput(Throughput::Bytes(2 * 4 * (n * len) as u64));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        group.bench_function("spawn_and_join_only", |b| {
            b.iter(|| std::thread::scope(|s| s.spawn(|| black_box(1)).join().unwrap()))
        });
        group.bench_function("in_place_1_thread", |b| {
            b.iter(|| {
                mixer
                    .mix_in_place(black_box(&mut x), len, plan, &mut s0)
                    .unwrap()
            })
        });
        group.bench_function("in_place_2_threads", |b| {
            b.iter(|| {
                let parts = mixer.in_place_parts(black_box(&mut x), len, plan).unwrap();
                std::thread::scope(|s| {
                    s.spawn(|| parts.run(Part { index: 1, count: 2 }, &mut s1).unwrap());
                    parts.run(Part { index: 0, count: 2 }, &mut s0).unwrap();
                });
            })
        });
        group.bench_function("out_of_place_1_thread", |b| {
            b.iter(|| mixer.mix_into(black_box(&mut out), &x, len, plan).unwrap())
        });
        group.bench_function("out_of_place_2_threads", |b| {
            b.iter(|| {
                let half = Part { index: 0, count: 2 }.samples(n).unwrap().len() * len;
                let (first, second) = out.split_at_mut(half);
                let x = &x;
                std::thread::scope(|s| {
                    s.spawn(|| {
                        mixer
                            .mix_into_part(second, x, len, plan, Part { index: 1, count: 2 })
                            .unwrap()
                    });
                    mixer
                        .mix_into_part(first, x, len, plan, Part { index: 0, count: 2 })
                        .unwrap();
                });
            })
        });
        group.finish();
    }
}

/// A job for the live worker: a closure behind a pointer, valid until the
/// worker answers.
struct Job(*const (dyn Fn() + Sync));
// SAFETY: the caller keeps the closure alive, and it is `Sync`, until the
// worker has answered that it ran it.
unsafe impl Send for Job {}

/// Runs `second` on the live worker and `first` here, and returns when both are done.
fn both(
    jobs: &mpsc::Sender<Job>,
    done: &mpsc::Receiver<()>,
    first: impl FnOnce(),
    second: &(dyn Fn() + Sync),
) {
    // SAFETY (for the worker's use): `second` outlives the wait below.
    let job = Job(unsafe {
        std::mem::transmute::<&(dyn Fn() + Sync), &'static (dyn Fn() + Sync)>(second)
    });
    jobs.send(job).unwrap();
    first();
    done.recv().unwrap();
}

fn live_worker(c: &mut Criterion) {
    let mixer = Mixer::new();
    let (jobs, inbox) = mpsc::channel::<Job>();
    let (finished, done) = mpsc::channel::<()>();
    let worker = std::thread::spawn(move || {
        for Job(f) in inbox {
            // SAFETY: `both` keeps the closure alive until it hears back.
            unsafe { (*f)() };
            finished.send(()).unwrap();
        }
    });
    for (n, len, name) in [
        (256usize, 3 * 32 * 32, "256x3x32x32"),
        (128, 3 * 224 * 224, "128x3x224x224"),
    ] {
        let mut x: Vec<f32> = (0..n * len).map(|i| (i % 1000) as f32 * 0.001).collect();
        let mut out = vec![0.0f32; n * len];
        let mut partners = vec![0u32; n];
        Pairing::Permutation
            .fill(&mut MixRng::seed_from_u64(1), &mut partners)
            .unwrap();
        let plan = Plan::new(&partners, &[0.37]);
        let scratch_len = in_place_scratch_len(n, len).unwrap();
        let (mut s0, s1) = (
            vec![0.0f32; scratch_len],
            std::sync::Mutex::new(vec![0.0f32; scratch_len]),
        );

        let mut group = c.benchmark_group(format!("parts/{name}"));
        group.throughput(Throughput::Bytes(2 * 4 * (n * len) as u64));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        group.bench_function("in_place_2_threads_live_worker", |b| {
            b.iter(|| {
                let parts = mixer.in_place_parts(black_box(&mut x), len, plan).unwrap();
                let second = || {
                    parts
                        .run(Part { index: 1, count: 2 }, &mut s1.lock().unwrap())
                        .unwrap()
                };
                both(
                    &jobs,
                    &done,
                    || parts.run(Part { index: 0, count: 2 }, &mut s0).unwrap(),
                    &second,
                );
            })
        });
        group.bench_function("out_of_place_2_threads_live_worker", |b| {
            b.iter(|| {
                let half = Part { index: 0, count: 2 }.samples(n).unwrap().len() * len;
                let (first, second_half) = out.split_at_mut(half);
                let second_half = std::sync::Mutex::new(second_half);
                let x = &x;
                let second = || {
                    let mut o = second_half.lock().unwrap();
                    mixer
                        .mix_into_part(&mut o, x, len, plan, Part { index: 1, count: 2 })
                        .unwrap()
                };
                both(
                    &jobs,
                    &done,
                    || {
                        mixer
                            .mix_into_part(first, x, len, plan, Part { index: 0, count: 2 })
                            .unwrap()
                    },
                    &second,
                );
            })
        });
        group.finish();
    }
    drop(jobs);
    worker.join().unwrap();
}

criterion_group!(benches, parts, live_worker);
criterion_main!(benches);
