//! u8 batches: the fused decode-to-tensor path (ToTensor + Normalize +
//! mixup in one pass) next to the three passes a loader makes today, and
//! u8 to u8 mixing (timm's FastCollateMixup) next to `memcpy`.
//!
//! Within a group every entry is credited with the same bytes, so GB/s
//! compare as inverse times.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mixup::{
    ChannelOrder, FusedImage, MixRng, Mixer, Normalize, Pairing, Plan, in_place_scratch_len,
    in_place_scratch_len_u8,
};
use std::hint::black_box;
use std::time::Duration;

const N: usize = 128;
const C: usize = 3;
const P: usize = 224 * 224;
const LEN: usize = C * P;
const LAM: f64 = 0.37;
const MEAN: [f32; C] = [0.485, 0.456, 0.406];
const STD: [f32; C] = [0.229, 0.224, 0.225];

/// ToTensor (HWC u8 to CHW f32 in [0, 1]), then Normalize, then mixup in place.
fn three_passes(images: &[u8], tensors: &mut [f32], perm: &[u32], scratch: &mut [f32]) {
    for (src, dst) in images.chunks_exact(LEN).zip(tensors.chunks_exact_mut(LEN)) {
        for (p, px) in src.chunks_exact(C).enumerate() {
            for c in 0..C {
                dst[c * P + p] = f32::from(px[c]) / 255.0;
            }
        }
    }
    for sample in tensors.chunks_exact_mut(LEN) {
        for (c, plane) in sample.chunks_exact_mut(P).enumerate() {
            for v in plane {
                *v = (*v - MEAN[c]) / STD[c];
            }
        }
    }
    Mixer::new()
        .mix_in_place(tensors, LEN, Plan::new(perm, &[LAM]), scratch)
        .unwrap();
}

fn u8_batches(c: &mut Criterion) {
    let images: Vec<u8> = (0..N * LEN).map(|i| (i * 131 % 251) as u8).collect();
    let mut out = vec![0.0f32; N * LEN];
    let mut tensors = vec![0.0f32; N * LEN];
    let mut scratch = vec![0.0f32; in_place_scratch_len(N, LEN).unwrap()];
    let mut perm = vec![0u32; N];
    Pairing::Permutation
        .fill(&mut MixRng::seed_from_u64(1), &mut perm)
        .unwrap();
    let image = FusedImage {
        channels: C,
        pixels: P,
        input: ChannelOrder::Hwc,
        output: ChannelOrder::Chw,
    };
    let norm = Normalize {
        mean: &MEAN,
        std: &STD,
    };
    let mixer = Mixer::new();

    let mut group = c.benchmark_group("u8_to_f32/128x224x224x3");
    group.throughput(Throughput::Bytes(2 * 4 * (N * LEN) as u64));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.bench_function("fused", |b| {
        b.iter(|| {
            mixer
                .mix_u8_to_f32(
                    black_box(&mut out),
                    &images,
                    image,
                    Plan::new(&perm, &[LAM]),
                    Some(norm),
                )
                .unwrap()
        })
    });
    group.bench_function("three_passes", |b| {
        b.iter(|| three_passes(black_box(&images), &mut tensors, &perm, &mut scratch))
    });
    group.bench_function("memcpy_of_output", |b| {
        b.iter(|| out.copy_from_slice(black_box(&tensors)))
    });
    group.finish();

    let mut x = images.clone();
    let mut copy = vec![0u8; N * LEN];
    let mut scratch_u8 = vec![0u8; in_place_scratch_len_u8(N, LEN).unwrap()];
    let mut group = c.benchmark_group("u8_to_u8/128x224x224x3");
    group.throughput(Throughput::Bytes(2 * (N * LEN) as u64));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("in_place_permutation", |b| {
        b.iter(|| {
            mixer
                .mix_in_place(
                    black_box(&mut x),
                    LEN,
                    Plan::new(&perm, &[LAM]),
                    &mut scratch_u8,
                )
                .unwrap()
        })
    });
    group.bench_function("out_of_place_permutation", |b| {
        b.iter(|| {
            mixer
                .mix_into(black_box(&mut copy), &images, LEN, Plan::new(&perm, &[LAM]))
                .unwrap()
        })
    });
    group.bench_function("memcpy", |b| {
        b.iter(|| copy.copy_from_slice(black_box(&images)))
    });
    group.finish();
}

criterion_group!(benches, u8_batches);
criterion_main!(benches);
