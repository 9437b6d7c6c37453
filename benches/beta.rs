//! Nanoseconds per lambda: our log-space Beta sampler next to `rand_distr::Beta`,
//! both on the same Xoshiro256++ generator.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mixup::{Beta, MixRng};
use rand_distr::Distribution;
use std::hint::black_box;

fn beta(c: &mut Criterion) {
    for alpha in [0.2f64, 1.0, 10.0] {
        let mut group = c.benchmark_group(format!("beta/alpha={alpha}"));
        let ours = Beta::symmetric(alpha).unwrap();
        let theirs = rand_distr::Beta::new(alpha, alpha).unwrap();
        let mut rng = MixRng::seed_from_u64(1);
        group.bench_function(BenchmarkId::new("mixup", alpha), |b| {
            b.iter(|| ours.sample(black_box(&mut rng)))
        });
        group.bench_function(BenchmarkId::new("rand_distr", alpha), |b| {
            b.iter(|| theirs.sample(black_box(&mut rng)))
        });
        group.finish();
    }
}

criterion_group!(benches, beta);
criterion_main!(benches);
