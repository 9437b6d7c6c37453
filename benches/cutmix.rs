//! CutMix next to `memcpy` of the whole batch and next to the plain loop
//! that copies only the box bytes: 128x3x224x224 f32 (NCHW) and
//! 128x224x224x3 u8 (NHWC), `lam = 0.5` (a 158 x 158 box, half the image),
//! torchvision's roll pairing, one box for the batch.
//!
//! Every entry of a group is credited with the same bytes (the batch), so
//! a ratio of GB/s is the inverse ratio of times.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mixup::{
    ChannelOrder, CutBox, Cuts, ImageShape, MixRng, Mixer, Op, Pairing, Plan, Sample,
    torchvision_box,
};
use std::hint::black_box;
use std::time::Duration;

const N: usize = 128;
const SIDE: usize = 224;

/// What a competent programmer writes for CutMix out of place: each
/// sample's box rows copied from its partner, nothing else (the floor of
/// in-place CutMix, which must also save one box per cycle).
fn box_rows<T: Copy>(out: &mut [T], batch: &[T], image: ImageShape, partners: &[u32], cut: CutBox) {
    let len = image.elements().unwrap();
    let (c, w) = (image.channels, image.width);
    let (x1, x2) = (cut.x1 as usize, cut.x2 as usize);
    for (i, &p) in partners.iter().enumerate() {
        let (dst, src) = (
            &mut out[i * len..][..len],
            &batch[p as usize * len..][..len],
        );
        for y in cut.y1 as usize..cut.y2 as usize {
            match image.layout {
                ChannelOrder::Hwc => {
                    let r = (y * w + x1) * c..(y * w + x2) * c;
                    dst[r.clone()].copy_from_slice(&src[r]);
                }
                ChannelOrder::Chw => {
                    for plane in 0..c {
                        let r = (plane * SIDE + y) * w + x1..(plane * SIDE + y) * w + x2;
                        dst[r.clone()].copy_from_slice(&src[r]);
                    }
                }
            }
        }
    }
}

fn group<T: Sample + Default + From<u8>>(c: &mut Criterion, name: &str, layout: ChannelOrder) {
    let image = ImageShape {
        channels: 3,
        height: SIDE,
        width: SIDE,
        layout,
    };
    let len = image.elements().unwrap();
    let mut x: Vec<T> = (0..N * len).map(|i| T::from((i % 251) as u8)).collect();
    let mut out = vec![T::default(); N * len];
    let mut scratch = vec![T::default(); mixup::in_place_scratch_len_of::<T>(N, len).unwrap()];
    let mut partners = vec![0u32; N];
    Pairing::TORCHVISION
        .fill(&mut MixRng::seed_from_u64(1), &mut partners)
        .unwrap();
    let (cut, lam) = torchvision_box(SIDE, SIDE, 0.5, (SIDE / 2, SIDE / 2)).unwrap();
    let boxes = vec![cut; N];
    let ops = vec![Op::CutMix; N];
    let lambdas = [lam];
    let plan = Plan::new(&partners, &lambdas)
        .with_ops(&ops)
        .with_cuts(Cuts {
            image,
            boxes: &boxes,
        });
    let mixer = Mixer::new();

    let mut group = c.benchmark_group(format!("cutmix/{name}"));
    group.throughput(Throughput::Bytes((size_of::<T>() * N * len) as u64));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("memcpy_batch", |b| {
        b.iter(|| out.copy_from_slice(black_box(&x)))
    });
    group.bench_function("plain_box_copy", |b| {
        b.iter(|| box_rows(black_box(&mut out), &x, image, &partners, cut))
    });
    group.bench_function("in_place", |b| {
        b.iter(|| {
            mixer
                .mix_in_place(black_box(&mut x), len, plan, &mut scratch)
                .unwrap()
        })
    });
    group.bench_function("out_of_place", |b| {
        b.iter(|| mixer.mix_into(black_box(&mut out), &x, len, plan).unwrap())
    });
    group.finish();
}

fn cutmix(c: &mut Criterion) {
    group::<f32>(c, "f32_128x3x224x224", ChannelOrder::Chw);
    group::<u8>(c, "u8_128x224x224x3", ChannelOrder::Hwc);
}

criterion_group!(benches, cutmix);
criterion_main!(benches);
