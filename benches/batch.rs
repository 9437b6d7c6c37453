//! Batch mixing next to `memcpy` of the batch, the naive gather-then-blend
//! formulation (torchvision, mmpretrain) and a plain scalar loop.
//!
//! Every entry of a group is credited with the same bytes, twice the batch
//! (read once, written once), so GB/s compare directly: a ratio of GB/s is
//! the inverse ratio of times.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mixup::{MixRng, Mixer, Pairing, Plan, in_place_scratch_len};
use std::hint::black_box;
use std::time::Duration;

const LAM: f64 = 0.37;

fn partners(pairing: Pairing, n: usize) -> Vec<u32> {
    let mut p = vec![0u32; n];
    pairing.fill(&mut MixRng::seed_from_u64(1), &mut p).unwrap();
    p
}

/// What a user writes first: gather the partners into a second batch, then
/// blend, as `lam * x + (1 - lam) * x[perm]` does.
fn naive_gather_then_blend(batch: &mut [f32], gathered: &mut [f32], len: usize, perm: &[u32]) {
    for (i, &p) in perm.iter().enumerate() {
        gathered[i * len..][..len].copy_from_slice(&batch[p as usize * len..][..len]);
    }
    let (ws, wp) = (LAM as f32, (1.0 - LAM) as f32);
    for (x, &y) in batch.iter_mut().zip(gathered.iter()) {
        *x = ws * *x + wp * y;
    }
}

/// A plain loop over samples and elements, out of place.
fn plain_loop(out: &mut [f32], batch: &[f32], len: usize, perm: &[u32]) {
    let (ws, wp) = (LAM as f32, (1.0 - LAM) as f32);
    for (i, &p) in perm.iter().enumerate() {
        for k in 0..len {
            out[i * len + k] = ws * batch[i * len + k] + wp * batch[p as usize * len + k];
        }
    }
}

fn batch(c: &mut Criterion) {
    let mixer = Mixer::new();
    for (n, len, name) in [
        (128usize, 3 * 224 * 224, "128x3x224x224"),
        (256, 3 * 32 * 32, "256x3x32x32"),
    ] {
        let mut x: Vec<f32> = (0..n * len).map(|i| (i % 1000) as f32 * 0.001).collect();
        let mut out = vec![0.0f32; n * len];
        let mut gathered = vec![0.0f32; n * len];
        let mut scratch = vec![0.0f32; in_place_scratch_len(n, len).unwrap()];
        let roll = partners(Pairing::Roll(1), n);
        let perm = partners(Pairing::Permutation, n);

        let mut group = c.benchmark_group(format!("batch/{name}"));
        group.throughput(Throughput::Bytes(2 * 4 * (n * len) as u64));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        group.bench_function("memcpy", |b| b.iter(|| out.copy_from_slice(black_box(&x))));
        group.bench_function("in_place_roll", |b| {
            b.iter(|| {
                mixer
                    .mix_in_place(
                        black_box(&mut x),
                        len,
                        Plan::new(&roll, &[LAM]),
                        &mut scratch,
                    )
                    .unwrap()
            })
        });
        group.bench_function("in_place_permutation", |b| {
            b.iter(|| {
                mixer
                    .mix_in_place(
                        black_box(&mut x),
                        len,
                        Plan::new(&perm, &[LAM]),
                        &mut scratch,
                    )
                    .unwrap()
            })
        });
        group.bench_function("out_of_place_permutation", |b| {
            b.iter(|| {
                mixer
                    .mix_into(black_box(&mut out), &x, len, Plan::new(&perm, &[LAM]))
                    .unwrap()
            })
        });
        group.bench_function("naive_gather_then_blend", |b| {
            b.iter(|| naive_gather_then_blend(black_box(&mut x), &mut gathered, len, &perm))
        });
        group.bench_function("plain_loop", |b| {
            b.iter(|| plain_loop(black_box(&mut out), &x, len, &perm))
        });
        group.finish();
    }
}

criterion_group!(benches, batch);
criterion_main!(benches);
