//! Blend throughput per backend next to `memcpy` of the same bytes.
//!
//! Bytes counted are bytes read plus bytes written: a blend of `n` floats
//! moves `12 n` bytes (two inputs, one output), the memcpy ceiling of the
//! same group copies `6 n` floats, which moves `12 n` bytes too.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mixup::{Backend, Mixer};
use std::hint::black_box;

fn blend(c: &mut Criterion) {
    for kib in [4usize, 64, 1024, 64 * 1024] {
        let n = kib * 1024 / 4; // floats per operand
        let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
        let b: Vec<f32> = (0..n).map(|i| (n - i) as f32).collect();
        let mut out = vec![0.0f32; n];
        let mut group = c.benchmark_group(format!("blend/{kib}KiB"));
        group.throughput(Throughput::Bytes(12 * n as u64));
        if kib >= 1024 {
            group.sample_size(20);
        }
        for backend in Backend::ALL {
            let Some(mixer) = Mixer::with_backend(backend) else {
                continue;
            };
            group.bench_function(BenchmarkId::new("out_of_place", backend.name()), |bench| {
                bench.iter(|| mixer.blend(black_box(&mut out), black_box(&a), black_box(&b), 0.3))
            });
        }
        // memcpy of the same bytes: 1.5 n floats read, 1.5 n written
        let src = vec![1.0f32; 3 * n / 2];
        let mut dst = vec![0.0f32; 3 * n / 2];
        group.bench_function("memcpy", |bench| {
            bench.iter(|| black_box(&mut dst).copy_from_slice(black_box(&src)))
        });
        group.finish();
    }
}

criterion_group!(benches, blend);
criterion_main!(benches);
