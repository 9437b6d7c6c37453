//! Deriving a batch's generator, `MixRng::stream(seed, batch_index)`:
//! at most eight precomputed 256-step jumps, next to the 256-bit
//! exponentiation of `rand_xoshiro`'s `jump_n` that it replaced, and to
//! seeding alone.

use criterion::{Criterion, criterion_group, criterion_main};
use mixup::MixRng;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::hint::black_box;
use std::time::Duration;

fn streams(c: &mut Criterion) {
    let mut group = c.benchmark_group("stream");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    group.bench_function("seed_from_u64", |b| {
        b.iter(|| MixRng::seed_from_u64(black_box(42)))
    });
    for (name, id) in [
        ("id_7", 7u64),
        ("id_2^20+3", (1 << 20) + 3),
        ("id_u64_max", u64::MAX),
    ] {
        group.bench_function(format!("stream/{name}"), |b| {
            b.iter(|| MixRng::stream(black_box(42), black_box(id)))
        });
    }
    group.bench_function("rand_xoshiro_jump_n/id_2^20+3", |b| {
        b.iter(|| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(black_box(42));
            rng.jump_n(&[0, 0, black_box((1 << 20) + 3), 0]);
            rng
        })
    });
    group.finish();
}

criterion_group!(benches, streams);
criterion_main!(benches);
