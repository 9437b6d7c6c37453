//! The C ABI, one file per concern. `include/mixup.h` is generated from
//! these files by cbindgen.
//!
//! Every function returns a [`mixup_status`]. Every pointer, length and
//! parameter is checked before any byte of caller memory is written.
//! Scratch and workspace buffers are the library's to clobber on every
//! return, success or error; every other buffer, and the generator, is byte
//! for byte as it was after an error. A pointer may be NULL only when its
//! length is 0. Typed pointers must be aligned for their type. Results go
//! through out-pointers, written only on success. Functions share no state
//! and are reentrant; the generator belongs to the caller.
#![allow(non_camel_case_types)]

use core::ffi::{CStr, c_char, c_int};
use core::mem::{align_of, size_of};
use core::ptr::NonNull;

use crate::batch::{Batch, FusedBatch, Mixable, TargetsOut};
use crate::config::{Granularity, MixConfig};
use crate::cutmix::{
    CutBox, Cuts, Op, Recipe, TimmRule, timm_box, timm_minmax_box, torchvision_box,
};
use crate::detection::{
    DetectionBatch, DetectionOutput, ImageSize, WeightedBox, detection_output_sizes, mix_boxes,
};
use crate::error::{Error, Result};
use crate::image::{ChannelOrder, FusedImage, ImageShape, Normalize};
use crate::kernel::{Sample, Weights};
use crate::labels::{SparseTarget, Targets, one_hot_targets, sparse_targets};
use crate::mixer::{Mixer, in_place_scratch_len, in_place_scratch_len_of, in_place_scratch_len_u8};
use crate::pairing::Pairing;
use crate::plan::{Plan, PlanBufs};
use crate::rng::MixRng;

mod apply;
mod batch;
mod checks;
mod config;
mod cutmix;
mod detection;
mod image;
mod labels;
mod masks;
mod parts;
mod plan;
mod rng;
mod status;

pub use apply::*;
pub use batch::*;
use checks::*;
pub use config::*;
pub use cutmix::*;
pub use detection::*;
pub use image::*;
pub use labels::*;
pub use masks::*;
pub use parts::*;
pub use plan::*;
pub use rng::*;
pub use status::*;

/// The major version of the library this header belongs to.
pub const MIXUP_VERSION_MAJOR: u32 = 0;

/// The minor version: a new minor version only adds to the ABI.
pub const MIXUP_VERSION_MINOR: u32 = 1;

/// The patch version.
pub const MIXUP_VERSION_PATCH: u32 = 0;

/// The decimal number `digits`, at compile time. (Used only by the const
/// assertion below, which older compilers do not count as a use.)
#[allow(dead_code)]
pub(crate) const fn parse_version(digits: &str) -> u32 {
    let bytes = digits.as_bytes();
    let (mut value, mut i) = (0u32, 0);
    while i < bytes.len() {
        value = value * 10 + (bytes[i] - b'0') as u32;
        i += 1;
    }
    value
}

// The header's version macros are literals (cbindgen copies them), so the
// build fails when they drift from Cargo.toml's version.
const _: () = assert!(
    MIXUP_VERSION_MAJOR == parse_version(env!("CARGO_PKG_VERSION_MAJOR"))
        && MIXUP_VERSION_MINOR == parse_version(env!("CARGO_PKG_VERSION_MINOR"))
        && MIXUP_VERSION_PATCH == parse_version(env!("CARGO_PKG_VERSION_PATCH")),
    "MIXUP_VERSION_* differ from the version in Cargo.toml"
);

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => panic!("the version contains a NUL byte"),
    };

/// The library version, as "MAJOR.MINOR.PATCH". The string is static.
#[unsafe(no_mangle)]
pub extern "C" fn mixup_version() -> *const c_char {
    VERSION.as_ptr()
}
