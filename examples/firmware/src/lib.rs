//! Firmware that mixes two sensor frames with mixup: `no_std`, no
//! allocator, its own panic handler. It shows that the `mixup` rlib builds
//! for a bare-metal target (`thumbv7em-none-eabihf`) and brings no panic
//! handler of its own.
#![no_std]

use mixup::{MixRng, Mixer, Op, Plan, in_place_scratch_len};

const N: usize = 4;
const LEN: usize = 64;

/// Mixes `N` frames of `LEN` samples in place with one lambda drawn from
/// `Beta(0.4, 0.4)` and a random cycle; returns 0 on success.
#[unsafe(no_mangle)]
pub extern "C" fn firmware_mix(frames: &mut [[f32; LEN]; N], seed: u64) -> i32 {
    let mut rng = MixRng::stream(seed, 0);
    let config = mixup::MixConfig {
        alpha: 0.4,
        beta: 0.4,
        pairing: mixup::Pairing::Cycle,
        ..mixup::MixConfig::default()
    };
    let (mut partners, mut lambdas, mut ops) = ([0u32; N], [0.0f64; N], [Op::Unmixed; N]);
    if config
        .draw(&mut rng, &mut partners, &mut lambdas, Some(&mut ops))
        .is_err()
    {
        return 1;
    }
    let mut scratch = [0.0f32; LEN + 1];
    debug_assert!(in_place_scratch_len(N, LEN).is_ok_and(|s| s <= scratch.len()));
    let plan = Plan::new(&partners, &lambdas).with_ops(&ops);
    match Mixer::new().mix_in_place(frames.as_flattened_mut(), LEN, plan, &mut scratch) {
        Ok(()) => 0,
        Err(_) => 2,
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
