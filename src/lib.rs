//! # mixup
//!
//! The mixup data augmentation (Zhang et al., *mixup: Beyond Empirical Risk
//! Minimization*) over caller-owned buffers: `x' = lam * x_i + (1 - lam) * x_j`
//! and the same for labels, with `lam ~ Beta(alpha, alpha)`.
//!
//! - `#![no_std]`, no allocation: the caller owns every buffer, including
//!   the one-sample scratch of in-place mixing.
//! - Bit-exact: every backend (scalar, portable, SSE2, AVX2, AVX-512), in place or
//!   out of place, at every lambda (0 and 1 too), gives the bits of NumPy's
//!   `lam * x + (1 - lam) * x[perm]` on float32 with a Python-float `lam`:
//!   two rounded f32 multiplies and one rounded add, no FMA.
//! - Every pairing: torchvision's roll, timm's flip, random permutations,
//!   random cycles, or the caller's own.
//! - CutMix (Yun et al.) and timm's whole recipe: torchvision's and timm's
//!   boxes exact to the integer ([`torchvision_box`], [`timm_box`],
//!   [`timm_minmax_box`]), switching between mixup and CutMix per batch or
//!   per sample ([`MixConfig::draw_with_boxes`]), timm's float32 lambdas
//!   ([`Recipe`]); boxes are copied, in place or out of place, f32, u8 and
//!   fused u8 to f32.
//! - Reproducible: a seed gives the same lambdas and partners forever.
//!
//! # Features
//!
//! - `std` (default): links std; the crate itself never needs it, and
//!   `default-features = false` gives a dependency for bare-metal firmware,
//!   which brings its own panic handler.
//! - `capi`: the C ABI in `mixup::ffi` (`include/mixup.h`), which `cargo cbuild`
//!   and `cargo cinstall` build into `libmixup.so` and `libmixup.a`.
//! - `panic-handler`: a panic handler that traps, for a freestanding static
//!   library without std or libc.
//!
//! One call mixes a batch, as C's `mixup_batch_f32` and the Python classes
//! do: the plan drawn, the images mixed in place, the soft targets written.
//!
//! ```
//! use mixup::{Batch, ImageShape, ChannelOrder, MixConfig, MixRng, OwnedPlan, Targets, TargetsOut};
//!
//! let (n, classes) = (4, 10);
//! let image = ImageShape { channels: 3, height: 8, width: 8, layout: ChannelOrder::Chw };
//! let len = 3 * 8 * 8;
//! let mut images = vec![0.5f32; n * len];
//! let mut scratch = vec![0.0f32; mixup::in_place_scratch_len(n, len)?];
//! let mut targets = vec![0.0f32; n * classes];
//!
//! // timm's Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, label_smoothing=0.1)
//! let config = MixConfig::timm(0.8, 1.0);
//! let mut rng = MixRng::stream(1234, 0); // seed, batch index
//! let mut plan = OwnedPlan::new(n);
//! let plan = config.mix_batch(
//!     &mut rng,
//!     plan.bufs(),
//!     Some(image),
//!     Batch::InPlace { batch: &mut images, len, scratch: &mut scratch },
//!     Some(TargetsOut {
//!         targets: Targets::Classes { labels: &[3, 1, 4, 1], num_classes: classes, smoothing: 0.1 },
//!         out: &mut targets,
//!     }),
//! )?;
//! assert_eq!(plan.len(), n);
//! # Ok::<(), mixup::Error>(())
//! ```
//!
//! The steps are public too, for callers that draw once and mix many
//! times, or in parts on many threads: [`MixConfig::draw_with_boxes`],
//! [`Plan`], [`Mixer`], [`one_hot_targets`], [`InPlaceParts`].
#![no_std]
#![deny(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

#[cfg(any(test, feature = "std"))]
extern crate std;

mod batch;
mod beta;
mod config;
mod cutmix;
mod detection;
mod error;
#[cfg(feature = "capi")]
pub mod ffi;
mod image;
mod kernel;
mod labels;
mod masks;
mod mixer;
mod pairing;
mod parts;
mod plan;
mod rng;
mod walk;
mod ziggurat;
mod ziggurat_tables;

pub use batch::{Batch, FusedBatch, Mixable, TargetsOut};
pub use beta::Beta;
pub use config::{Granularity, MixConfig};
pub use cutmix::{CutBox, Cuts, Op, Recipe, TimmRule, timm_box, timm_minmax_box, torchvision_box};
pub use detection::{
    DetectionBatch, DetectionOutput, ImageSize, WeightedBox, detection_output_sizes, mix_boxes,
};
pub use error::{Error, Result};
#[allow(deprecated)]
pub use image::{ChannelOrder, FusedImage, ImageLayout, ImageShape, Layout, Normalize};
pub use kernel::{Backend, Sample, Weights};
pub use labels::{SparseTarget, Targets, one_hot_targets, sparse_targets};
pub use masks::{ClassId, Masks, PixelTargets, mask_scratch_len};
pub use mixer::{
    Mixer, STREAMING_THRESHOLD_BYTES, Stores, in_place_scratch_len, in_place_scratch_len_of,
    in_place_scratch_len_u8,
};
pub use pairing::Pairing;
pub use parts::{InPlaceParts, MAX_PARTS, Part};
#[cfg(feature = "std")]
pub use plan::OwnedPlan;
pub use plan::{Plan, PlanBufs};
pub use rng::MixRng;

/// The README's examples, compiled and run as doc-tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The examples of `docs/RUST.md`, compiled and run as doc-tests.
#[cfg(doctest)]
#[doc = include_str!("../docs/RUST.md")]
pub struct RustGuideDoctests;

/// Freestanding builds (no std, no libc) need a panic handler. The C ABI
/// never panics, which the hostile-argument tests show, so this never
/// runs; if a bug made it run, it traps at once rather than hang a loader.
#[cfg(feature = "panic-handler")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    trap()
}

/// Stops the program with an undefined instruction: SIGILL on a hosted
/// system, the fault handler on a microcontroller.
#[cfg(feature = "panic-handler")]
fn trap() -> ! {
    // SAFETY: each instruction is architecturally undefined and raises an
    // exception; control never comes back, as `noreturn` says.
    unsafe {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        core::arch::asm!("ud2", options(noreturn));
        #[cfg(any(target_arch = "arm", target_arch = "aarch64"))]
        core::arch::asm!("udf #0", options(noreturn));
        #[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
        core::arch::asm!("unimp", options(noreturn));
    }
    #[allow(unreachable_code)]
    loop {}
}

/// The precompiled `core` refers to the unwinding personality in its
/// unwind tables. Freestanding builds abort on panic and never unwind, so
/// the personality is never called; this definition satisfies the linker.
#[cfg(feature = "panic-handler")]
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}
