//! Mixing allocates nothing: a counting global allocator sees no
//! allocation during the calls, in place and out of place, f32 and u8.
//! The only extra memory is what the caller passes: one sample of scratch
//! plus one bit per sample, and the partners.

use mixup::{
    ChannelOrder, FusedImage, MixConfig, MixRng, Mixer, Plan, in_place_scratch_len,
    in_place_scratch_len_u8, one_hot_targets,
};
use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator and only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: AllocLayout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: AllocLayout) {
        // SAFETY: the pointer came from `alloc` above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn a_64x3x224x224_batch_is_mixed_without_allocating() {
    let (n, len) = (64usize, 3 * 224 * 224);
    let mut batch: Vec<f32> = (0..n * len).map(|i| (i % 255) as f32).collect();
    let mut scratch = vec![0.0f32; in_place_scratch_len(n, len).unwrap()];
    assert_eq!(scratch.len(), len + 2, "one sample plus 64 bits");
    let mut out = vec![0.0f32; n * len];
    let mut bytes: Vec<u8> = (0..n * len).map(|i| i as u8).collect();
    let mut scratch_u8 = vec![0u8; in_place_scratch_len_u8(n, len).unwrap()];
    let mut partners = vec![0u32; n];
    let mut lambdas = vec![0.0f64; n];
    let labels: Vec<i64> = (0..n as i64).collect();
    let mut targets = vec![0.0f32; n * n];
    let mut rng = MixRng::seed_from_u64(3);
    let image = FusedImage {
        channels: 3,
        pixels: 224 * 224,
        input: ChannelOrder::Hwc,
        output: ChannelOrder::Chw,
    };
    let mixer = Mixer::new();

    // the counter does count
    let probe_before = ALLOCATIONS.load(Ordering::SeqCst);
    drop(std::hint::black_box(vec![1u8; 10]));
    assert!(ALLOCATIONS.load(Ordering::SeqCst) > probe_before);

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    MixConfig::default()
        .draw(&mut rng, &mut partners, &mut lambdas, None)
        .unwrap();
    mixer
        .mix_in_place(
            &mut batch,
            len,
            Plan::new(&partners, &lambdas),
            &mut scratch,
        )
        .unwrap();
    mixer
        .mix_into(&mut out, &batch, len, Plan::new(&partners, &lambdas))
        .unwrap();
    mixer
        .mix_in_place(
            &mut bytes,
            len,
            Plan::new(&partners, &lambdas),
            &mut scratch_u8,
        )
        .unwrap();
    mixer
        .mix_u8_to_f32(
            &mut out,
            &bytes,
            image,
            Plan::new(&partners, &lambdas),
            None,
        )
        .unwrap();
    one_hot_targets(&labels, n, &partners, &lambdas, 0.1, &mut targets).unwrap();
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert_eq!(after, before, "mixing allocated");
}
