//! The C ABI. `include/mixup.h` is generated from this file by cbindgen.
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

use crate::detection::{
    DetectionBatch, DetectionOutput, ImageSize, WeightedBox, detection_output_sizes, mix_boxes,
};
use crate::error::{Error, Result};
use crate::image::{ImageLayout, Layout, Normalize};
use crate::kernel::Weights;
use crate::labels::{SparseTarget, one_hot_targets, sparse_targets};
use crate::mixer::{Mixer, in_place_scratch_len, in_place_scratch_len_u8};
use crate::pairing::Pairing;
use crate::plan::{Granularity, MixConfig, Plan};
use crate::rng::MixRng;

/// The result of every call. The numbers are fixed and never reused.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mixup_status {
    /// Success.
    Ok = 0,
    /// A pointer is NULL while its length is not 0.
    NullPointer = 1,
    /// A parameter is NaN, infinite, negative or otherwise out of its
    /// domain, an enum value is unknown, or a pointer is misaligned.
    InvalidArgument = 2,
    /// A size computation overflows, or a buffer exceeds `PTRDIFF_MAX` bytes.
    SizeOverflow = 3,
    /// In-place mixing was given partners that are not a permutation.
    BadPermutation = 4,
    /// A partner index is not below `n`.
    IndexOutOfRange = 5,
    /// A class id is negative or not below `num_classes`.
    LabelOutOfRange = 6,
    /// An output buffer overlaps another buffer of the call.
    Overlap = 7,
    /// A buffer is shorter than the call needs.
    BufferTooSmall = 8,
}

impl From<Error> for mixup_status {
    fn from(e: Error) -> Self {
        match e {
            Error::NullPointer => mixup_status::NullPointer,
            Error::InvalidArgument => mixup_status::InvalidArgument,
            Error::SizeOverflow => mixup_status::SizeOverflow,
            Error::BadPermutation => mixup_status::BadPermutation,
            Error::IndexOutOfRange => mixup_status::IndexOutOfRange,
            Error::LabelOutOfRange => mixup_status::LabelOutOfRange,
            Error::Overlap => mixup_status::Overlap,
            Error::BufferTooSmall => mixup_status::BufferTooSmall,
        }
    }
}

fn status(result: Result<()>) -> mixup_status {
    match result {
        Ok(()) => mixup_status::Ok,
        Err(e) => e.into(),
    }
}

/// Xoshiro256++ state, owned by the caller. Seed it with `mixup_rng_seed`
/// or `mixup_rng_stream`; an all-zero state acts as seed 0.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct mixup_rng {
    /// The four state words.
    pub s: [u64; 4],
}

/// Pairings, for `mixup_pairing_fill` and `mixup_config.pairing`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mixup_pairing {
    /// Partner of `i` is `(i - shift) mod n`; shift 1 is torchvision's `roll(1, 0)`.
    Roll = 0,
    /// Partner of `i` is `n - 1 - i` (timm).
    Flip = 1,
    /// A uniform random permutation, by Fisher-Yates (mmpretrain).
    Permutation = 2,
    /// A uniform random n-cycle, by Sattolo: nobody is their own partner,
    /// except the one sample of a batch of 1.
    Cycle = 3,
}

/// How many lambdas a batch gets, for `mixup_config.granularity`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mixup_granularity {
    /// One lambda for the batch (torchvision, mmpretrain).
    Batch = 0,
    /// One lambda per sample (timm `elem`).
    Elem = 1,
    /// Samples `i` and `n-1-i` share one lambda (timm `pair`).
    Pair = 2,
}

/// One sample's target in sparse form: loss = lam * CE(y_a) + (1 - lam) * CE(y_b).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct mixup_sparse_target {
    /// The sample's class.
    pub y_a: i64,
    /// The partner's class.
    pub y_b: i64,
    /// The weight of `y_a`.
    pub lam: f64,
}

/// Everything `mixup_batch_f32` needs to know; start from `mixup_config_default()`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct mixup_config {
    /// First Beta shape; 0 with `beta` 0 switches mixing off.
    pub alpha: f64,
    /// Second Beta shape; equal to `alpha` for mixup.
    pub beta: f64,
    /// Probability of mixing, in [0, 1].
    pub prob: f64,
    /// timm's label smoothing, in [0, 1].
    pub label_smoothing: f64,
    /// The shift of `MIXUP_PAIRING_ROLL`; ignored by other pairings.
    pub roll_shift: i64,
    /// A `mixup_pairing` value.
    pub pairing: u32,
    /// A `mixup_granularity` value.
    pub granularity: u32,
}

/// Where the channels of an image sample are, for `mixup_image`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mixup_layout {
    /// Interleaved `[height, width, channels]`, as decoders produce it.
    Hwc = 0,
    /// Planar `[channels, height, width]`, as tensors hold it.
    Chw = 1,
}

/// The shape of one u8 image sample and the layout of its f32 result.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct mixup_image {
    /// Channels per pixel, at least 1.
    pub channels: usize,
    /// Pixels per image, height times width.
    pub pixels: usize,
    /// A `mixup_layout` value: the layout of the u8 input.
    pub input_layout: u32,
    /// A `mixup_layout` value: the layout of the f32 output.
    pub output_layout: u32,
}

fn layout_of(value: u32) -> Result<Layout> {
    match value {
        0 => Ok(Layout::Hwc),
        1 => Ok(Layout::Chw),
        _ => Err(Error::InvalidArgument),
    }
}

/// The checked image shape behind a `mixup_image` pointer, and its region.
fn image_of(image: *const mixup_image) -> Result<(ImageLayout, (usize, usize))> {
    let buf = Buf::one(image)?;
    // SAFETY: checked non-NULL and aligned; plain numbers, only read.
    let raw = unsafe { buf.slice() }[0];
    let layout = ImageLayout {
        channels: raw.channels,
        pixels: raw.pixels,
        input: layout_of(raw.input_layout)?,
        output: layout_of(raw.output_layout)?,
    };
    layout.len()?;
    Ok((layout, buf.region()))
}

/// A caller buffer that passed the checks: non-NULL unless empty, aligned,
/// at most `isize::MAX` bytes, not wrapping around the address space.
struct Buf<T> {
    ptr: *mut T,
    len: usize,
}

impl<T> Clone for Buf<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Buf<T> {}

impl<T> Buf<T> {
    fn new(ptr: *const T, len: usize) -> Result<Buf<T>> {
        if len == 0 {
            return Ok(Buf {
                ptr: NonNull::dangling().as_ptr(),
                len: 0,
            });
        }
        if ptr.is_null() {
            return Err(Error::NullPointer);
        }
        let bytes = len
            .checked_mul(size_of::<T>())
            .filter(|&b| b <= isize::MAX as usize)
            .ok_or(Error::SizeOverflow)?;
        let addr = ptr as usize;
        if addr.checked_add(bytes).is_none() {
            return Err(Error::SizeOverflow);
        }
        if !addr.is_multiple_of(align_of::<T>()) {
            return Err(Error::InvalidArgument);
        }
        Ok(Buf {
            ptr: ptr.cast_mut(),
            len,
        })
    }

    /// A required single object (`rng`, `config`, an out-value).
    fn one(ptr: *const T) -> Result<Buf<T>> {
        if ptr.is_null() {
            return Err(Error::NullPointer);
        }
        Buf::new(ptr, 1)
    }

    /// The first `needed` elements, or `BufferTooSmall`.
    fn first(self, needed: usize) -> Result<Buf<T>> {
        if self.len < needed {
            return Err(Error::BufferTooSmall);
        }
        Ok(Buf {
            ptr: self.ptr,
            len: needed,
        })
    }

    /// `len` elements of type `U` at byte `offset`, dangling when empty.
    ///
    /// # Safety
    /// `offset` plus the part's bytes must lie within the buffer, and the
    /// address at `offset` must be aligned for `U` when `len > 0`.
    unsafe fn part<U>(self, offset: usize, len: usize) -> Buf<U> {
        let ptr = if len == 0 {
            NonNull::dangling().as_ptr()
        } else {
            // SAFETY: within the buffer, by the caller's promise.
            unsafe { self.ptr.cast::<u8>().add(offset).cast::<U>() }
        };
        Buf { ptr, len }
    }

    /// The bytes it spans, as `(address, size)`.
    fn region(self) -> (usize, usize) {
        (self.ptr as usize, self.len * size_of::<T>())
    }

    /// # Safety
    /// The caller's memory must be valid for reads of `len` elements and not
    /// written through another reference while the slice lives.
    unsafe fn slice<'a>(self) -> &'a [T] {
        // SAFETY: non-NULL and aligned (checked in `new`, or dangling when
        // empty), within isize::MAX bytes; validity is the caller's promise.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// # Safety
    /// As [`Buf::slice`], for writes too, and no other live reference may
    /// cover these bytes: [`disjoint`] must have accepted the call's buffers.
    unsafe fn slice_mut<'a>(self) -> &'a mut [T] {
        // SAFETY: as in `slice`; uniqueness is the caller's promise.
        unsafe { core::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

/// Checks that no two of the regions share a byte.
fn disjoint(regions: &[(usize, usize)]) -> Result<()> {
    for (k, &(a, a_len)) in regions.iter().enumerate() {
        for &(b, b_len) in regions.iter().skip(k + 1) {
            if a_len != 0 && b_len != 0 && a < b + b_len && b < a + a_len {
                return Err(Error::Overlap);
            }
        }
    }
    Ok(())
}

/// `lam` array of a batch call: 1 value for the batch, or `n`.
fn lambdas(lam: *const f64, lam_len: usize, n: usize) -> Result<Buf<f64>> {
    let buf = Buf::new(lam, lam_len)?;
    if lam_len == 1 || lam_len == n {
        Ok(buf)
    } else {
        Err(Error::InvalidArgument)
    }
}

/// `n * len` floats of a batch.
fn batch_buf<T>(ptr: *const T, n: usize, len: usize) -> Result<Buf<T>> {
    Buf::new(ptr, n.checked_mul(len).ok_or(Error::SizeOverflow)?)
}

/// The major version of the library this header belongs to.
pub const MIXUP_VERSION_MAJOR: u32 = 0;
/// The minor version: a new minor version only adds to the ABI.
pub const MIXUP_VERSION_MINOR: u32 = 1;
/// The patch version.
pub const MIXUP_VERSION_PATCH: u32 = 0;

/// The decimal number `digits`, at compile time. (Used only by the const
/// assertion below, which older compilers do not count as a use.)
#[allow(dead_code)]
const fn parse_version(digits: &str) -> u32 {
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

/// A static, NUL-terminated message for a status; any int is accepted.
#[unsafe(no_mangle)]
pub extern "C" fn mixup_status_str(status: c_int) -> *const c_char {
    let message: &CStr = match status {
        0 => c"success",
        1 => c"a pointer is NULL while its length is not 0",
        2 => c"a parameter is out of its domain, or a pointer is misaligned",
        3 => c"a size computation overflows",
        4 => c"the partners are not a permutation of 0..n",
        5 => c"a partner index is not below n",
        6 => c"a class id is negative or not below num_classes",
        7 => c"an output buffer overlaps another buffer",
        8 => c"a buffer is shorter than required",
        _ => c"unknown status",
    };
    message.as_ptr()
}

/// Seeds `rng` from `seed` (SplitMix64, as `rand_xoshiro` does).
///
/// # Safety
/// `rng` must be NULL or point to a writable `mixup_rng`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_rng_seed(seed: u64, rng: *mut mixup_rng) -> mixup_status {
    // SAFETY: the caller's promise on `rng`.
    unsafe { write_rng(rng, MixRng::seed_from_u64(seed)) }
}

/// Seeds `rng` as stream `stream_id` of `seed`: the generator of `seed`
/// jumped `stream_id` times. A batch's draws then depend only on the seed
/// and the batch index, never on the number of workers.
///
/// # Safety
/// `rng` must be NULL or point to a writable `mixup_rng`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_rng_stream(
    seed: u64,
    stream_id: u64,
    rng: *mut mixup_rng,
) -> mixup_status {
    // SAFETY: the caller's promise on `rng`.
    unsafe { write_rng(rng, MixRng::stream(seed, stream_id)) }
}

/// Advances `rng` by 2^128 draws: a new independent stream.
///
/// # Safety
/// `rng` must be NULL or point to a readable and writable `mixup_rng`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_rng_jump(rng: *mut mixup_rng) -> mixup_status {
    status((|| {
        let buf = Buf::one(rng)?;
        // SAFETY: checked non-NULL and aligned; valid by the caller's promise.
        let state = unsafe { buf.slice_mut() };
        let mut r = MixRng::from_state(state[0].s);
        r.jump();
        state[0].s = r.state();
        Ok(())
    })())
}

/// # Safety
/// `rng` must be NULL or point to a writable `mixup_rng`.
unsafe fn write_rng(rng: *mut mixup_rng, value: MixRng) -> mixup_status {
    status((|| {
        let buf = Buf::one(rng)?;
        // SAFETY: checked non-NULL and aligned; writable by the caller's promise.
        let state = unsafe { buf.slice_mut() };
        state[0].s = value.state();
        Ok(())
    })())
}

/// One draw of `lam ~ Beta(alpha, beta)` into `*lam_out`.
///
/// Shapes must be finite and not negative; `alpha = beta = 0` gives 1.
///
/// # Safety
/// `rng` and `lam_out` must be NULL or point to valid, writable objects.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_beta(
    rng: *mut mixup_rng,
    alpha: f64,
    beta: f64,
    lam_out: *mut f64,
) -> mixup_status {
    status((|| {
        let dist = crate::Beta::new(alpha, beta)?;
        let (rng, out) = (Buf::one(rng)?, Buf::one(lam_out)?);
        disjoint(&[rng.region(), out.region()])?;
        // SAFETY: both checked and disjoint; valid by the caller's promise.
        let (state, out) = unsafe { (rng.slice_mut(), out.slice_mut()) };
        let mut r = MixRng::from_state(state[0].s);
        out[0] = dist.sample(&mut r);
        state[0].s = r.state();
        Ok(())
    })())
}

fn pairing_of(pairing: u32, shift: i64) -> Result<Pairing> {
    match pairing {
        0 => Ok(Pairing::Roll(shift)),
        1 => Ok(Pairing::Flip),
        2 => Ok(Pairing::Permutation),
        3 => Ok(Pairing::Cycle),
        _ => Err(Error::InvalidArgument),
    }
}

/// Writes the partner of each of `n` samples into `partners`.
///
/// `pairing` is a `mixup_pairing`; `shift` is used by `MIXUP_PAIRING_ROLL`
/// only. `rng` may be NULL for the pairings that draw nothing (roll, flip).
/// `n` may be at most 2^32.
///
/// # Safety
/// `rng` must be NULL or valid and writable; `partners` must be NULL (with
/// `n` 0) or valid for `n` writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_pairing_fill(
    rng: *mut mixup_rng,
    pairing: u32,
    shift: i64,
    partners: *mut u32,
    n: usize,
) -> mixup_status {
    status((|| {
        let pairing = pairing_of(pairing, shift)?;
        let rng = if pairing.is_random() {
            Some(Buf::one(rng)?)
        } else {
            None
        };
        let out = Buf::new(partners, n)?;
        if n as u64 > u64::from(u32::MAX) + 1 {
            return Err(Error::SizeOverflow);
        }
        if let Some(rng) = rng {
            disjoint(&[rng.region(), out.region()])?;
        }
        // SAFETY: checked and disjoint; valid by the caller's promise.
        let (out, state) = unsafe { (out.slice_mut(), rng.map(|r| r.slice_mut())) };
        let mut r = state
            .as_ref()
            .map_or(MixRng::seed_from_u64(0), |s| MixRng::from_state(s[0].s));
        pairing.fill(&mut r, out)?;
        if let Some(state) = state {
            state[0].s = r.state();
        }
        Ok(())
    })())
}

/// One pair: `out = (float) lam * a + (float) (1 - lam) * b`.
///
/// `a_len` must equal `b_len`; `out` needs `a_len` elements. `out` may be
/// exactly `a` or exactly `b` (same address), but not both, and must not
/// otherwise overlap them. `lam` must be in [0, 1].
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_blend_f32(
    a: *const f32,
    a_len: usize,
    b: *const f32,
    b_len: usize,
    lam: f64,
    out: *mut f32,
    out_len: usize,
) -> mixup_status {
    status((|| {
        let w = Weights::from_lambda(lam)?;
        let (a, b) = (Buf::new(a, a_len)?, Buf::new(b, b_len)?);
        if a_len != b_len {
            return Err(Error::InvalidArgument);
        }
        let out = Buf::new(out, out_len)?.first(a_len)?;
        let mixer = Mixer::new();
        let (same_a, same_b) = (out.ptr.cast_const() == a.ptr.cast_const(), out.ptr == b.ptr);
        if a_len == 0 {
            return Ok(());
        }
        if same_a && same_b {
            return Err(Error::Overlap);
        }
        if same_a {
            disjoint(&[out.region(), b.region()])?;
            // SAFETY: `out` is `a` itself and disjoint from `b`; valid by the caller's promise.
            let (x, b) = unsafe { (out.slice_mut(), b.slice()) };
            mixer.blend_in_place_weighted(x, b, w)
        } else if same_b {
            disjoint(&[out.region(), a.region()])?;
            let swapped = Weights {
                w_self: w.w_partner,
                w_partner: w.w_self,
            };
            // SAFETY: `out` is `b` itself and disjoint from `a`; valid by the caller's promise.
            let (x, a) = unsafe { (out.slice_mut(), a.slice()) };
            // w_partner * b + w_self * a: the same bits, the add commutes
            mixer.blend_in_place_weighted(x, a, swapped)
        } else {
            disjoint(&[out.region(), a.region()])?;
            disjoint(&[out.region(), b.region()])?;
            // SAFETY: `out` is disjoint from both inputs; valid by the caller's promise.
            let (o, a, b) = unsafe { (out.slice_mut(), a.slice(), b.slice()) };
            mixer.blend(o, a, b, lam)
        }
    })())
}

/// The checks and the call of an in-place batch function, for any sample type.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[allow(clippy::too_many_arguments)]
unsafe fn apply_in_place<T>(
    batch: *mut T,
    n: usize,
    len: usize,
    perm: *const u32,
    perm_len: usize,
    lam: *const f64,
    lam_len: usize,
    scratch: *mut T,
    scratch_len: usize,
    scratch_needed: usize,
    mix: impl FnOnce(&mut [T], &[u32], &[f64], &mut [T]) -> Result<()>,
) -> Result<()> {
    let batch = batch_buf(batch, n, len)?;
    let perm = Buf::new(perm, perm_len)?.first(n)?;
    let lam = lambdas(lam, lam_len, n)?;
    let scratch = Buf::new(scratch, scratch_len)?.first(scratch_needed)?;
    disjoint(&[
        batch.region(),
        perm.region(),
        lam.region(),
        scratch.region(),
    ])?;
    // SAFETY: all checked and pairwise disjoint; valid by the caller's promise.
    let (x, p, l, s) = unsafe {
        (
            batch.slice_mut(),
            perm.slice(),
            lam.slice(),
            scratch.slice_mut(),
        )
    };
    mix(x, p, l, s)
}

/// The checks and the call of an out-of-place batch function: `out` gets
/// `out_needed` elements and must not overlap an input.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[allow(clippy::too_many_arguments)]
unsafe fn apply_into<T, U>(
    batch: *const T,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    out: *mut U,
    out_len: usize,
    more_inputs: &[(usize, usize)],
    mix: impl FnOnce(&mut [U], &[T], &[u32], &[f64]) -> Result<()>,
) -> Result<()> {
    let batch = batch_buf(batch, n, len)?;
    let partners = Buf::new(partners, partners_len)?.first(n)?;
    let lam = lambdas(lam, lam_len, n)?;
    let out = Buf::new(out, out_len)?.first(batch.len)?;
    for &input in [batch.region(), partners.region(), lam.region()]
        .iter()
        .chain(more_inputs)
    {
        disjoint(&[out.region(), input])?;
    }
    // SAFETY: checked; `out` is disjoint from every input; valid by the caller's promise.
    let (o, x, p, l) = unsafe {
        (
            out.slice_mut(),
            batch.slice(),
            partners.slice(),
            lam.slice(),
        )
    };
    mix(o, x, p, l)
}

/// Mixes a batch of `n` samples of `len` floats in place:
/// `x[i] = lam_i * x[i] + (1 - lam_i) * x[perm[i]]`.
///
/// `perm` (at least `n` entries) must be a permutation of `0..n`. `lam` has
/// 1 value (the batch) or `n` (per sample), each in [0, 1]. `scratch` needs
/// `len + ceil(n / 32)` floats (one sample plus one bit per sample), the
/// library's to clobber on every return. No buffer may overlap another.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_f32(
    batch: *mut f32,
    n: usize,
    len: usize,
    perm: *const u32,
    perm_len: usize,
    lam: *const f64,
    lam_len: usize,
    scratch: *mut f32,
    scratch_len: usize,
) -> mixup_status {
    status((|| {
        let needed = in_place_scratch_len(n, len)?;
        // SAFETY: the caller's promises, passed on.
        unsafe {
            apply_in_place(
                batch,
                n,
                len,
                perm,
                perm_len,
                lam,
                lam_len,
                scratch,
                scratch_len,
                needed,
                |x, p, l, s| Mixer::new().mix_in_place(x, len, Plan::new(p, l), s),
            )
        }
    })())
}

/// Mixes a batch of `n` samples of `len` floats into `out`:
/// `out[i] = lam_i * batch[i] + (1 - lam_i) * batch[partners[i]]`.
///
/// `partners` (at least `n` entries) may be any map into `0..n`. `lam` has
/// 1 or `n` values in [0, 1]. `out` needs `n * len` floats and must not
/// overlap any input.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_into_f32(
    batch: *const f32,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    out: *mut f32,
    out_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status(unsafe {
        apply_into(
            batch,
            n,
            len,
            partners,
            partners_len,
            lam,
            lam_len,
            out,
            out_len,
            &[],
            |o, x, p, l| Mixer::new().mix_into(o, x, len, Plan::new(p, l)),
        )
    })
}

/// Dense mixed targets `[n, num_classes]` from class ids, with timm's label
/// smoothing `s`: `off = s / K`, `on = 1 - s + off`, then
/// `target_i = lam_i * onehot(labels[i]) + (1 - lam_i) * onehot(labels[partners[i]])`.
///
/// `targets` needs `n * num_classes` floats and must not overlap an input.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_labels_f32(
    labels: *const i64,
    n: usize,
    num_classes: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    smoothing: f64,
    targets: *mut f32,
    targets_len: usize,
) -> mixup_status {
    status((|| {
        let labels = Buf::new(labels, n)?;
        let partners = Buf::new(partners, partners_len)?.first(n)?;
        let lam = lambdas(lam, lam_len, n)?;
        let size = n.checked_mul(num_classes).ok_or(Error::SizeOverflow)?;
        let targets = Buf::new(targets, targets_len)?.first(size)?;
        for input in [labels.region(), partners.region(), lam.region()] {
            disjoint(&[targets.region(), input])?;
        }
        // SAFETY: checked; `targets` is disjoint from every input; valid by the caller's promise.
        let (t, y, p, l) = unsafe {
            (
                targets.slice_mut(),
                labels.slice(),
                partners.slice(),
                lam.slice(),
            )
        };
        one_hot_targets(y, num_classes, p, l, smoothing, t)
    })())
}

/// Sparse targets `(labels[i], labels[partners[i]], lam_i)` for each of `n`
/// samples; every class id must be in `[0, num_classes)`.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_labels_sparse(
    labels: *const i64,
    n: usize,
    num_classes: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    out: *mut mixup_sparse_target,
    out_len: usize,
) -> mixup_status {
    status((|| {
        let labels = Buf::new(labels, n)?;
        let partners = Buf::new(partners, partners_len)?.first(n)?;
        let lam = lambdas(lam, lam_len, n)?;
        let out = Buf::new(out.cast::<SparseTarget>(), out_len)?.first(n)?;
        for input in [labels.region(), partners.region(), lam.region()] {
            disjoint(&[out.region(), input])?;
        }
        // SAFETY: checked; `out` is disjoint from every input;
        // mixup_sparse_target and SparseTarget are the same repr(C) layout.
        let (o, y, p, l) = unsafe {
            (
                out.slice_mut(),
                labels.slice(),
                partners.slice(),
                lam.slice(),
            )
        };
        sparse_targets(y, num_classes, p, l, o)
    })())
}

/// The defaults, the same as Rust's `MixConfig::default()`: alpha = beta = 1,
/// prob = 1, random permutation, one lambda per batch, no label smoothing.
/// For torchvision's `RandomMixup`, set `pairing = MIXUP_PAIRING_ROLL`,
/// `roll_shift = 1` and `prob = 0.5`.
#[unsafe(no_mangle)]
pub extern "C" fn mixup_config_default() -> mixup_config {
    mixup_config {
        alpha: 1.0,
        beta: 1.0,
        prob: 1.0,
        label_smoothing: 0.0,
        roll_shift: 1,
        pairing: mixup_pairing::Permutation as u32,
        granularity: mixup_granularity::Batch as u32,
    }
}

/// Where the parts of a one-call batch workspace lie: `n` lambdas (f64),
/// `n` partners (u32), `n` flags of whether each sample mixes (bool), then,
/// 8-byte aligned, the scratch.
struct WorkspaceLayout {
    partners_at: usize,
    flags_at: usize,
    scratch_at: usize,
    total: usize,
}

impl WorkspaceLayout {
    fn new(n: usize, scratch_bytes: usize) -> Result<WorkspaceLayout> {
        // 13 bytes per sample and the scratch, plus at most 7 of padding
        let per_sample = n.checked_mul(13).ok_or(Error::SizeOverflow)?;
        let scratch_at = per_sample
            .checked_next_multiple_of(8)
            .ok_or(Error::SizeOverflow)?;
        let total = scratch_at
            .checked_add(scratch_bytes)
            .filter(|&t| t <= isize::MAX as usize)
            .ok_or(Error::SizeOverflow)?;
        Ok(WorkspaceLayout {
            partners_at: 8 * n,
            flags_at: 12 * n,
            scratch_at,
            total,
        })
    }
}

/// The workspace `mixup_batch_f32` needs for `n` samples of `len` floats,
/// in bytes, into `*bytes_out`. Allocate it once (8-byte aligned, as
/// `malloc` gives) and reuse it for every batch.
///
/// # Safety
/// `bytes_out` must be NULL or valid and writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_workspace_size(
    n: usize,
    len: usize,
    bytes_out: *mut usize,
) -> mixup_status {
    status((|| {
        let out = Buf::one(bytes_out)?;
        let scratch = in_place_scratch_len(n, len)?
            .checked_mul(4)
            .ok_or(Error::SizeOverflow)?;
        let total = WorkspaceLayout::new(n, scratch)?.total;
        // SAFETY: checked non-NULL and aligned; writable by the caller's promise.
        let out = unsafe { out.slice_mut() };
        out[0] = total;
        Ok(())
    })())
}

fn config_of(c: &mixup_config) -> Result<MixConfig> {
    let granularity = match c.granularity {
        0 => Granularity::Batch,
        1 => Granularity::Elem,
        2 => Granularity::Pair,
        _ => return Err(Error::InvalidArgument),
    };
    if !(0.0..=1.0).contains(&c.label_smoothing) {
        return Err(Error::InvalidArgument);
    }
    let config = MixConfig {
        alpha: c.alpha,
        beta: c.beta,
        prob: c.prob,
        pairing: pairing_of(c.pairing, c.roll_shift)?,
        granularity,
    };
    config.validate()?;
    Ok(config)
}

/// An optional output: absent (length 0) or at least `needed` long.
fn optional<T>(ptr: *mut T, len: usize, needed: usize) -> Result<Buf<T>> {
    let buf = Buf::new(ptr, len)?;
    if len == 0 { Ok(buf) } else { buf.first(needed) }
}

/// The arguments every one-call batch function shares.
struct BatchCall {
    rng: *mut mixup_rng,
    config: *const mixup_config,
    n: usize,
    labels: *const i64,
    labels_len: usize,
    num_classes: usize,
    targets: *mut f32,
    targets_len: usize,
    workspace: *mut u8,
    workspace_len: usize,
    lam_out: *mut f64,
    lam_out_len: usize,
    partners_out: *mut u32,
    partners_out_len: usize,
    applied_out: *mut u8,
    applied_out_len: usize,
}

impl BatchCall {
    /// Checks everything, then draws the plan into the workspace, calls
    /// `mix(plan, scratch)`, writes the targets and
    /// the optional outputs, and advances the generator. `data` are the
    /// regions of the caller's images (already checked), which must not
    /// overlap anything else; `scratch_bytes` is the scratch `mix` needs.
    /// Nothing but the workspace is written before every check has passed.
    ///
    /// # Safety
    /// Every pointer must be NULL (with length 0) or valid for its length;
    /// `rng` and `config` must be valid.
    unsafe fn run(
        self,
        data: &[(usize, usize)],
        scratch_bytes: usize,
        mix: impl FnOnce(Plan<'_>, Buf<u8>) -> Result<()>,
    ) -> Result<()> {
        let n = self.n;
        let rng = Buf::one(self.rng)?;
        let config_buf = Buf::one(self.config)?;
        // SAFETY: checked non-NULL and aligned; every bit pattern of the
        // plain-number fields is a valid value, and the struct is only read.
        let raw_config = unsafe { config_buf.slice() }[0];
        let config = config_of(&raw_config)?;
        if config.pairing == Pairing::Given {
            return Err(Error::InvalidArgument);
        }
        if n as u64 > u64::from(u32::MAX) + 1 {
            // partners are u32
            return Err(Error::SizeOverflow);
        }
        let with_labels = self.labels_len != 0 || self.targets_len != 0;
        let labels =
            Buf::new(self.labels, self.labels_len)?.first(if with_labels { n } else { 0 })?;
        let target_size = if with_labels {
            n.checked_mul(self.num_classes).ok_or(Error::SizeOverflow)?
        } else {
            0
        };
        let targets = Buf::new(self.targets, self.targets_len)?.first(target_size)?;
        let parts = WorkspaceLayout::new(n, scratch_bytes)?;
        let workspace = Buf::new(self.workspace, self.workspace_len)?.first(parts.total)?;
        if workspace.len != 0 && !(workspace.ptr as usize).is_multiple_of(8) {
            return Err(Error::InvalidArgument);
        }
        // n lambdas, or just the batch's one at batch granularity
        let lam_wanted = if config.granularity == Granularity::Batch && self.lam_out_len < n {
            n.min(1)
        } else {
            n
        };
        let lam_out = optional(self.lam_out, self.lam_out_len, lam_wanted)?;
        let partners_out = optional(self.partners_out, self.partners_out_len, n)?;
        let applied_out = optional(self.applied_out, self.applied_out_len, n)?;
        let mut regions = [(0, 0); 16];
        let ours = [
            rng.region(),
            config_buf.region(),
            labels.region(),
            targets.region(),
            workspace.region(),
            lam_out.region(),
            partners_out.region(),
            applied_out.region(),
        ];
        if data.len() > regions.len() - ours.len() {
            return Err(Error::InvalidArgument);
        }
        regions[..ours.len()].copy_from_slice(&ours);
        regions[ours.len()..ours.len() + data.len()].copy_from_slice(data);
        disjoint(&regions[..ours.len() + data.len()])?;
        // SAFETY: every buffer is checked and pairwise disjoint; valid by
        // the caller's promise. The labels are only read.
        let y = unsafe { labels.slice() };
        if with_labels
            && !y
                .iter()
                .all(|&c| c >= 0 && (c as u64) < self.num_classes as u64)
        {
            return Err(Error::LabelOutOfRange);
        }

        // Every argument has been checked: nothing below can fail.
        // SAFETY: the workspace holds `parts.total` bytes, 8-byte aligned,
        // split into four disjoint parts that `WorkspaceLayout` placed: n
        // f64 at 0, n u32 at 8n, n flags at 12n, the scratch at a multiple
        // of 8. Every bit pattern is valid for f64, u32 and u8; the flag
        // bytes are set to 0, a valid bool, before they are seen as bools.
        let (lams, partners, flags, scratch) = unsafe {
            let flag_bytes = workspace.part::<u8>(parts.flags_at, n);
            flag_bytes.slice_mut().fill(0);
            (
                workspace.part::<f64>(0, n).slice_mut(),
                workspace.part::<u32>(parts.partners_at, n).slice_mut(),
                flag_bytes.part::<bool>(0, n).slice_mut(),
                workspace.part::<u8>(parts.scratch_at, scratch_bytes),
            )
        };
        // SAFETY: checked and disjoint from everything else.
        let state = unsafe { rng.slice_mut() };
        let mut r = MixRng::from_state(state[0].s);
        config.draw(&mut r, partners, lams, Some(&mut *flags))?;
        let plan = Plan {
            partners,
            lambdas: lams,
            mixed: Some(flags),
        };
        mix(plan, scratch)?;
        if with_labels {
            // SAFETY: checked and disjoint from everything else.
            let t = unsafe { targets.slice_mut() };
            let smoothing = raw_config.label_smoothing;
            one_hot_targets(y, self.num_classes, partners, lams, smoothing, t)?;
        }
        // SAFETY: checked and disjoint from everything else.
        let (l, p, a) = unsafe {
            (
                lam_out.slice_mut(),
                partners_out.slice_mut(),
                applied_out.slice_mut(),
            )
        };
        l.iter_mut().zip(&*lams).for_each(|(d, s)| *d = *s);
        p.iter_mut().zip(&*partners).for_each(|(d, s)| *d = *s);
        a.iter_mut()
            .zip(&*flags)
            .for_each(|(d, &s)| *d = u8::from(s));
        state[0].s = r.state();
        Ok(())
    }
}

/// Mixup for one batch in one call, as torchvision's `RandomMixup` does it:
/// draws the plan from `rng` and `config`, mixes `images` (`n` samples of
/// `len` floats) in place and writes the soft targets.
///
/// - `labels` (`n` class ids) and `targets` (`n * num_classes` floats) may
///   both be absent (NULL, length 0) to mix images only.
/// - `workspace` needs `mixup_workspace_size(n, len)` bytes, 8-byte aligned.
/// - Optional outputs (NULL with length 0 when not wanted): `lam_out` gets
///   the lambda of each sample (`n` values; 1 is enough at batch
///   granularity), `partners_out` the partner of each sample (`n`),
///   `applied_out` 1 where the sample mixed, 0 where it did not: its `prob`
///   test failed, or mixing is off (`alpha = beta = 0`) (`n`). A sample
///   that does not mix is left as it is, bit for bit.
/// - `lam` 0 and 1 are the formula, as NumPy and torch compute it.
/// - For partners of your own, use `mixup_apply_f32` instead.
///
/// `rng` advances only on success. No buffer may overlap another.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `rng` and `config` must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_batch_f32(
    rng: *mut mixup_rng,
    config: *const mixup_config,
    images: *mut f32,
    n: usize,
    len: usize,
    labels: *const i64,
    labels_len: usize,
    num_classes: usize,
    targets: *mut f32,
    targets_len: usize,
    workspace: *mut u8,
    workspace_len: usize,
    lam_out: *mut f64,
    lam_out_len: usize,
    partners_out: *mut u32,
    partners_out_len: usize,
    applied_out: *mut u8,
    applied_out_len: usize,
) -> mixup_status {
    status((|| {
        let images = batch_buf(images, n, len)?;
        let scratch_floats = in_place_scratch_len(n, len)?;
        let scratch_bytes = scratch_floats.checked_mul(4).ok_or(Error::SizeOverflow)?;
        let common = BatchCall {
            rng,
            config,
            n,
            labels,
            labels_len,
            num_classes,
            targets,
            targets_len,
            workspace,
            workspace_len,
            lam_out,
            lam_out_len,
            partners_out,
            partners_out_len,
            applied_out,
            applied_out_len,
        };
        // SAFETY: the caller's promises, passed on.
        unsafe {
            common.run(&[images.region()], scratch_bytes, |plan, scratch| {
                // SAFETY: checked, disjoint from every other buffer of the
                // call; the scratch part of the workspace starts 8-aligned.
                let (x, s) = (
                    images.slice_mut(),
                    scratch.part::<f32>(0, scratch_floats).slice_mut(),
                );
                Mixer::new().mix_in_place(x, len, plan, s)
            })
        }
    })())
}

/// Mixes a batch of `n` u8 samples of `len` bytes in place, as timm's
/// `FastCollateMixup`: `x[i] = sat(rint(f32(x[i]) * lam_i + f32(x[perm[i]]) * (1 - lam_i)))`,
/// rounding half to even. As `mixup_apply_f32` otherwise; `scratch` needs
/// `len + ceil(n / 8)` bytes.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_u8(
    batch: *mut u8,
    n: usize,
    len: usize,
    perm: *const u32,
    perm_len: usize,
    lam: *const f64,
    lam_len: usize,
    scratch: *mut u8,
    scratch_len: usize,
) -> mixup_status {
    status((|| {
        let needed = in_place_scratch_len_u8(n, len)?;
        // SAFETY: the caller's promises, passed on.
        unsafe {
            apply_in_place(
                batch,
                n,
                len,
                perm,
                perm_len,
                lam,
                lam_len,
                scratch,
                scratch_len,
                needed,
                |x, p, l, s| Mixer::new().mix_u8_in_place(x, len, Plan::new(p, l), s),
            )
        }
    })())
}

/// Mixes a batch of `n` u8 samples of `len` bytes into `out`, with the
/// arithmetic of `mixup_apply_u8`; `partners` may be any map into `0..n`.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_into_u8(
    batch: *const u8,
    n: usize,
    len: usize,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    out: *mut u8,
    out_len: usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status(unsafe {
        apply_into(
            batch,
            n,
            len,
            partners,
            partners_len,
            lam,
            lam_len,
            out,
            out_len,
            &[],
            |o, x, p, l| Mixer::new().mix_u8_into(o, x, len, Plan::new(p, l)),
        )
    })
}

/// `mean` and `std` of a call: both absent (plain `/ 255`) or one value per
/// channel each.
fn normalize_bufs(
    mean: *const f32,
    mean_len: usize,
    std: *const f32,
    std_len: usize,
) -> Result<(Buf<f32>, Buf<f32>)> {
    Ok((Buf::new(mean, mean_len)?, Buf::new(std, std_len)?))
}

/// # Safety
/// `mean` and `std` must be checked buffers, valid for reads.
unsafe fn normalize_from<'a>(mean: Buf<f32>, std: Buf<f32>) -> Option<Normalize<'a>> {
    if mean.len == 0 && std.len == 0 {
        None
    } else {
        // SAFETY: the caller's promise.
        Some(unsafe {
            Normalize {
                mean: mean.slice(),
                std: std.slice(),
            }
        })
    }
}

/// Decodes, normalizes and mixes `n` u8 images into f32 in one pass:
/// per channel `v = ((f32(u) / 255) - mean[c]) / std[c]` (plain
/// `f32(u) / 255` when `mean` and `std` are both absent), then the f32
/// blend. The bits equal torchvision's `ToTensor()`, `Normalize(mean, std)`,
/// then mixup. `image` gives the channels, pixels and both layouts (HWC in,
/// CHW out fuses the transpose). `out` needs `n * channels * pixels` floats.
/// A zero, NaN or infinite `std` is an error.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `image` must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_apply_into_u8_f32(
    batch: *const u8,
    n: usize,
    image: *const mixup_image,
    partners: *const u32,
    partners_len: usize,
    lam: *const f64,
    lam_len: usize,
    mean: *const f32,
    mean_len: usize,
    std: *const f32,
    std_len: usize,
    out: *mut f32,
    out_len: usize,
) -> mixup_status {
    status((|| {
        let (layout, image_region) = image_of(image)?;
        let len = layout.len()?;
        let (mean, std) = normalize_bufs(mean, mean_len, std, std_len)?;
        let inputs = [mean.region(), std.region(), image_region];
        // SAFETY: the caller's promises, passed on; `mean` and `std` are
        // checked and only read.
        unsafe {
            let norm = normalize_from(mean, std);
            apply_into(
                batch,
                n,
                len,
                partners,
                partners_len,
                lam,
                lam_len,
                out,
                out_len,
                &inputs,
                |o, x, p, l| Mixer::new().mix_u8_to_f32(o, x, layout, Plan::new(p, l), norm),
            )
        }
    })())
}

/// The workspace `mixup_batch_u8` needs for `n` samples of `len` bytes, in
/// bytes, into `*bytes_out`: `n` lambdas, `n` partners, one sample and one
/// bit per sample.
///
/// # Safety
/// `bytes_out` must be NULL or valid and writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_workspace_size_u8(
    n: usize,
    len: usize,
    bytes_out: *mut usize,
) -> mixup_status {
    status((|| {
        let out = Buf::one(bytes_out)?;
        let total = WorkspaceLayout::new(n, in_place_scratch_len_u8(n, len)?)?.total;
        // SAFETY: checked non-NULL and aligned; writable by the caller's promise.
        let out = unsafe { out.slice_mut() };
        out[0] = total;
        Ok(())
    })())
}

/// The workspace `mixup_batch_u8_f32` needs for `n` samples, in bytes, into
/// `*bytes_out`: `n` lambdas and `n` partners (no scratch: it is out of place).
///
/// # Safety
/// `bytes_out` must be NULL or valid and writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_workspace_size_u8_f32(
    n: usize,
    bytes_out: *mut usize,
) -> mixup_status {
    status((|| {
        let out = Buf::one(bytes_out)?;
        let total = WorkspaceLayout::new(n, 0)?.total;
        // SAFETY: checked non-NULL and aligned; writable by the caller's promise.
        let out = unsafe { out.slice_mut() };
        out[0] = total;
        Ok(())
    })())
}

/// `mixup_batch_f32` for u8 images mixed in place with the arithmetic of
/// `mixup_apply_u8` (timm's `FastCollateMixup`). `workspace` needs
/// `mixup_workspace_size_u8(n, len)` bytes, 8-byte aligned; everything
/// else is as `mixup_batch_f32`.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `rng` and `config` must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_batch_u8(
    rng: *mut mixup_rng,
    config: *const mixup_config,
    images: *mut u8,
    n: usize,
    len: usize,
    labels: *const i64,
    labels_len: usize,
    num_classes: usize,
    targets: *mut f32,
    targets_len: usize,
    workspace: *mut u8,
    workspace_len: usize,
    lam_out: *mut f64,
    lam_out_len: usize,
    partners_out: *mut u32,
    partners_out_len: usize,
    applied_out: *mut u8,
    applied_out_len: usize,
) -> mixup_status {
    status((|| {
        let images = batch_buf(images, n, len)?;
        let scratch_bytes = in_place_scratch_len_u8(n, len)?;
        let common = BatchCall {
            rng,
            config,
            n,
            labels,
            labels_len,
            num_classes,
            targets,
            targets_len,
            workspace,
            workspace_len,
            lam_out,
            lam_out_len,
            partners_out,
            partners_out_len,
            applied_out,
            applied_out_len,
        };
        // SAFETY: the caller's promises, passed on.
        unsafe {
            common.run(&[images.region()], scratch_bytes, |plan, scratch| {
                // SAFETY: checked and disjoint from every other buffer of the call.
                let (x, s) = (images.slice_mut(), scratch.slice_mut());
                Mixer::new().mix_u8_in_place(x, len, plan, s)
            })
        }
    })())
}

/// `mixup_batch_f32` from u8 images to f32, fused with ToTensor and
/// Normalize as `mixup_apply_into_u8_f32` does: `images` (`n` samples of
/// `image`) are read, `out` gets the mixed f32 batch. `workspace` needs
/// `mixup_workspace_size_u8_f32(n)` bytes, 8-byte aligned; everything else
/// is as `mixup_batch_f32`.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `rng`, `config` and `image` must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_batch_u8_f32(
    rng: *mut mixup_rng,
    config: *const mixup_config,
    images: *const u8,
    n: usize,
    image: *const mixup_image,
    mean: *const f32,
    mean_len: usize,
    std: *const f32,
    std_len: usize,
    out: *mut f32,
    out_len: usize,
    labels: *const i64,
    labels_len: usize,
    num_classes: usize,
    targets: *mut f32,
    targets_len: usize,
    workspace: *mut u8,
    workspace_len: usize,
    lam_out: *mut f64,
    lam_out_len: usize,
    partners_out: *mut u32,
    partners_out_len: usize,
    applied_out: *mut u8,
    applied_out_len: usize,
) -> mixup_status {
    status((|| {
        let (layout, image_region) = image_of(image)?;
        let len = layout.len()?;
        let images = batch_buf(images, n, len)?;
        let (mean, std) = normalize_bufs(mean, mean_len, std, std_len)?;
        // SAFETY: checked; only read.
        let norm = unsafe { normalize_from(mean, std) };
        if let Some(norm) = norm {
            norm.check(layout.channels)?;
        }
        let out = Buf::new(out, out_len)?.first(images.len)?;
        let data = [
            images.region(),
            image_region,
            mean.region(),
            std.region(),
            out.region(),
        ];
        let common = BatchCall {
            rng,
            config,
            n,
            labels,
            labels_len,
            num_classes,
            targets,
            targets_len,
            workspace,
            workspace_len,
            lam_out,
            lam_out_len,
            partners_out,
            partners_out_len,
            applied_out,
            applied_out_len,
        };
        // SAFETY: the caller's promises, passed on.
        unsafe {
            common.run(&data, 0, |plan, _| {
                // SAFETY: checked and disjoint from every other buffer of the call.
                let (o, x) = (out.slice_mut(), images.slice());
                Mixer::new().mix_u8_to_f32(o, x, layout, plan, norm)
            })
        }
    })())
}

/// One box of a detection mixup: corners, class and loss weight.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct mixup_weighted_box {
    /// Left.
    pub x1: f32,
    /// Top.
    pub y1: f32,
    /// Right.
    pub x2: f32,
    /// Bottom.
    pub y2: f32,
    /// The class id.
    pub class_id: i64,
    /// `(float) lam` for the first image's boxes, `(float) (1 - lam)` for the second's.
    pub weight: f32,
}

/// The canvas of a detection mixup, `(max(h1, h2), max(w1, w2))`.
///
/// # Safety
/// `height_out` and `width_out` must be NULL or valid and writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_canvas_size(
    h1: usize,
    w1: usize,
    h2: usize,
    w2: usize,
    height_out: *mut usize,
    width_out: *mut usize,
) -> mixup_status {
    status((|| {
        let (h, w) = (Buf::one(height_out)?, Buf::one(width_out)?);
        disjoint(&[h.region(), w.region()])?;
        let canvas = ImageSize::canvas(
            ImageSize {
                height: h1,
                width: w1,
            },
            ImageSize {
                height: h2,
                width: w2,
            },
        );
        // SAFETY: checked, disjoint; writable by the caller's promise.
        let (h, w) = unsafe { (h.slice_mut(), w.slice_mut()) };
        (h[0], w[0]) = (canvas.height, canvas.width);
        Ok(())
    })())
}

/// The checks and the call of a canvas blend, for any sample type.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[allow(clippy::too_many_arguments)]
unsafe fn canvas_call<T>(
    a: *const T,
    size_a: ImageSize,
    b: *const T,
    size_b: ImageSize,
    channels: usize,
    layout: u32,
    out: *mut T,
    out_len: usize,
    blend: impl FnOnce(&mut [T], &[T], &[T], Layout) -> Result<ImageSize>,
) -> Result<()> {
    let layout = layout_of(layout)?;
    if channels == 0 {
        return Err(Error::InvalidArgument);
    }
    let a = Buf::new(a, size_a.elements(channels)?)?;
    let b = Buf::new(b, size_b.elements(channels)?)?;
    let needed = ImageSize::canvas(size_a, size_b).elements(channels)?;
    let out = Buf::new(out, out_len)?.first(needed)?;
    disjoint(&[out.region(), a.region()])?;
    disjoint(&[out.region(), b.region()])?;
    // SAFETY: checked; `out` is disjoint from both inputs; valid by the caller's promise.
    let (o, x, y) = unsafe { (out.slice_mut(), a.slice(), b.slice()) };
    blend(o, x, y, layout).map(|_| ())
}

/// Detection mixup of two f32 images (GluonCV's construction): `a` is
/// `h1 x w1`, `b` is `h2 x w2`, both with `channels` channels in `layout`
/// (a `mixup_layout`); `out` (the canvas, `mixup_canvas_size`, same
/// layout) gets `(float) lam * pad(a) + (float) (1 - lam) * pad(b)`, where
/// `pad` puts an image at the top left and zeros elsewhere.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_blend_canvas_f32(
    a: *const f32,
    h1: usize,
    w1: usize,
    b: *const f32,
    h2: usize,
    w2: usize,
    channels: usize,
    layout: u32,
    lam: f64,
    out: *mut f32,
    out_len: usize,
) -> mixup_status {
    let (sa, sb) = (
        ImageSize {
            height: h1,
            width: w1,
        },
        ImageSize {
            height: h2,
            width: w2,
        },
    );
    // SAFETY: the caller's promises, passed on.
    status(unsafe {
        canvas_call(
            a,
            sa,
            b,
            sb,
            channels,
            layout,
            out,
            out_len,
            |o, x, y, l| Mixer::new().blend_canvas(o, x, sa, y, sb, channels, l, lam),
        )
    })
}

/// `mixup_blend_canvas_f32` for u8 images, rounding half to even and
/// saturating (GluonCV and YOLOv5 truncate, so they can differ by one).
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_blend_canvas_u8(
    a: *const u8,
    h1: usize,
    w1: usize,
    b: *const u8,
    h2: usize,
    w2: usize,
    channels: usize,
    layout: u32,
    lam: f64,
    out: *mut u8,
    out_len: usize,
) -> mixup_status {
    let (sa, sb) = (
        ImageSize {
            height: h1,
            width: w1,
        },
        ImageSize {
            height: h2,
            width: w2,
        },
    );
    // SAFETY: the caller's promises, passed on.
    status(unsafe {
        canvas_call(
            a,
            sa,
            b,
            sb,
            channels,
            layout,
            out,
            out_len,
            |o, x, y, l| Mixer::new().blend_canvas_u8(o, x, sa, y, sb, channels, l, lam),
        )
    })
}

/// The boxes of both images of a detection mixup: `boxes_a` holds `n1`
/// boxes of 4 floats `(x1, y1, x2, y2)` with `classes_a`, likewise `b`.
/// `out` gets the first image's boxes with weight `(float) lam`, then the
/// second's with `(float) (1 - lam)`; with `drop_zero_weight` non-zero, the
/// boxes of an image whose weight is 0 are left out. `*count_out` gets the
/// number written. A non-finite coordinate, `x2 < x1` or `y2 < y1` is
/// `MIXUP_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length;
/// `count_out` must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_mix_boxes(
    boxes_a: *const f32,
    classes_a: *const i64,
    n1: usize,
    boxes_b: *const f32,
    classes_b: *const i64,
    n2: usize,
    lam: f64,
    drop_zero_weight: c_int,
    out: *mut mixup_weighted_box,
    out_len: usize,
    count_out: *mut usize,
) -> mixup_status {
    status((|| {
        let ba = Buf::new(boxes_a.cast::<[f32; 4]>(), n1)?;
        let ca = Buf::new(classes_a, n1)?;
        let bb = Buf::new(boxes_b.cast::<[f32; 4]>(), n2)?;
        let cb = Buf::new(classes_b, n2)?;
        let out = Buf::new(out.cast::<WeightedBox>(), out_len)?;
        let count = Buf::one(count_out)?;
        for input in [ba.region(), ca.region(), bb.region(), cb.region()] {
            disjoint(&[out.region(), count.region(), input])?;
        }
        disjoint(&[out.region(), count.region()])?;
        // SAFETY: checked; the outputs are disjoint from every input and
        // each other; `[f32; 4]` has the layout of 4 floats, and
        // `mixup_weighted_box` and `WeightedBox` the same repr(C) layout.
        let (o, c, xa, ya, xb, yb) = unsafe {
            (
                out.slice_mut(),
                count.slice_mut(),
                ba.slice(),
                ca.slice(),
                bb.slice(),
                cb.slice(),
            )
        };
        c[0] = mix_boxes(xa, ya, xb, yb, lam, drop_zero_weight != 0, o)?;
        Ok(())
    })())
}

/// An image size in pixels, for the detection batch calls.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct mixup_size {
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
}

/// The output a detection batch needs: `*elements_out` canvas elements and
/// `*boxes_out` boxes in all, when image `i` (`sizes[i]`, with boxes
/// `box_offsets[i]..box_offsets[i + 1]`) is mixed with `partners[i]`.
/// `box_offsets` has `n + 1` non-decreasing entries.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length; the
/// two out-pointers must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_detection_sizes(
    sizes: *const mixup_size,
    n: usize,
    box_offsets: *const usize,
    box_offsets_len: usize,
    partners: *const u32,
    partners_len: usize,
    channels: usize,
    elements_out: *mut usize,
    boxes_out: *mut usize,
) -> mixup_status {
    status((|| {
        let sizes = Buf::new(sizes.cast::<ImageSize>(), n)?;
        let offsets = Buf::new(box_offsets, box_offsets_len)?;
        let partners = Buf::new(partners, partners_len)?;
        let (e, b) = (Buf::one(elements_out)?, Buf::one(boxes_out)?);
        for input in [sizes.region(), offsets.region(), partners.region()] {
            disjoint(&[e.region(), b.region(), input])?;
        }
        // SAFETY: checked and disjoint; `mixup_size` and `ImageSize` are the
        // same repr(C) layout; valid by the caller's promise.
        let (s, o, p) = unsafe { (sizes.slice(), offsets.slice(), partners.slice()) };
        let (elements, boxes) = detection_output_sizes(s, o, p, channels)?;
        // SAFETY: as above.
        let (e, b) = unsafe { (e.slice_mut(), b.slice_mut()) };
        (e[0], b[0]) = (elements, boxes);
        Ok(())
    })())
}

/// The caller buffers of a detection batch call, checked.
struct DetectionBufs<T> {
    images: Buf<T>,
    image_offsets: Buf<usize>,
    sizes: Buf<ImageSize>,
    boxes: Buf<[f32; 4]>,
    classes: Buf<i64>,
    box_offsets: Buf<usize>,
    partners: Buf<u32>,
    lam: Buf<f64>,
    canvases: Buf<T>,
    canvas_offsets: Buf<usize>,
    canvas_sizes: Buf<ImageSize>,
    out_boxes: Buf<WeightedBox>,
    out_box_offsets: Buf<usize>,
}

impl<T> DetectionBufs<T> {
    /// Checks that the outputs are pairwise disjoint and disjoint from the inputs.
    fn check_disjoint(&self) -> Result<()> {
        let outputs = [
            self.canvases.region(),
            self.canvas_offsets.region(),
            self.canvas_sizes.region(),
            self.out_boxes.region(),
            self.out_box_offsets.region(),
        ];
        disjoint(&outputs)?;
        let inputs = [
            self.images.region(),
            self.image_offsets.region(),
            self.sizes.region(),
            self.boxes.region(),
            self.classes.region(),
            self.box_offsets.region(),
            self.partners.region(),
            self.lam.region(),
        ];
        for output in outputs {
            for input in inputs {
                disjoint(&[output, input])?;
            }
        }
        Ok(())
    }

    /// The Rust views of the buffers.
    ///
    /// # Safety
    /// The buffers must be valid and [`check_disjoint`](Self::check_disjoint) must have passed.
    #[allow(clippy::type_complexity)]
    unsafe fn views<'a>(
        &self,
        channels: usize,
        layout: Layout,
    ) -> (
        DetectionBatch<'a, T>,
        &'a [u32],
        &'a [f64],
        DetectionOutput<'a, T>,
    ) {
        // SAFETY: the caller's promise.
        unsafe {
            (
                DetectionBatch {
                    images: self.images.slice(),
                    image_offsets: self.image_offsets.slice(),
                    sizes: self.sizes.slice(),
                    boxes: self.boxes.slice(),
                    box_offsets: self.box_offsets.slice(),
                    classes: self.classes.slice(),
                    channels,
                    layout,
                },
                self.partners.slice(),
                self.lam.slice(),
                DetectionOutput {
                    canvases: self.canvases.slice_mut(),
                    canvas_offsets: self.canvas_offsets.slice_mut(),
                    canvas_sizes: self.canvas_sizes.slice_mut(),
                    boxes: self.out_boxes.slice_mut(),
                    box_offsets: self.out_box_offsets.slice_mut(),
                },
            )
        }
    }
}

/// Checks the arguments of a detection batch call and runs `mix` on them.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length.
#[allow(clippy::too_many_arguments)]
unsafe fn detection_call<T>(
    images: *const T,
    images_len: usize,
    image_offsets: *const usize,
    sizes: *const mixup_size,
    n: usize,
    boxes: *const f32,
    classes: *const i64,
    num_boxes: usize,
    box_offsets: *const usize,
    channels: usize,
    layout: u32,
    partners: *const u32,
    lam: *const f64,
    lam_len: usize,
    canvases: *mut T,
    canvases_len: usize,
    canvas_offsets: *mut usize,
    canvas_sizes: *mut mixup_size,
    out_boxes: *mut mixup_weighted_box,
    out_boxes_len: usize,
    out_box_offsets: *mut usize,
    mix: impl FnOnce(&DetectionBatch<'_, T>, &[u32], &[f64], DetectionOutput<'_, T>) -> Result<()>,
) -> Result<()> {
    let layout = layout_of(layout)?;
    let n_plus_1 = n.checked_add(1).ok_or(Error::SizeOverflow)?;
    let bufs = DetectionBufs {
        images: Buf::new(images, images_len)?,
        image_offsets: Buf::new(image_offsets, n)?,
        sizes: Buf::new(sizes.cast::<ImageSize>(), n)?,
        boxes: Buf::new(boxes.cast::<[f32; 4]>(), num_boxes)?,
        classes: Buf::new(classes, num_boxes)?,
        box_offsets: Buf::new(box_offsets, n_plus_1)?,
        partners: Buf::new(partners, n)?,
        lam: lambdas(lam, lam_len, n)?,
        canvases: Buf::new(canvases, canvases_len)?,
        canvas_offsets: Buf::new(canvas_offsets, n)?,
        canvas_sizes: Buf::new(canvas_sizes.cast::<ImageSize>(), n)?,
        out_boxes: Buf::new(out_boxes.cast::<WeightedBox>(), out_boxes_len)?,
        out_box_offsets: Buf::new(out_box_offsets, n_plus_1)?,
    };
    bufs.check_disjoint()?;
    // SAFETY: every buffer checked, outputs disjoint from each other and
    // from the inputs; the C structs share the Rust types' repr(C) layouts.
    let (batch, p, l, out) = unsafe { bufs.views(channels, layout) };
    mix(&batch, p, l, out)
}

/// Detection mixup over a batch of f32 images of different sizes: image
/// `i` (`sizes[i]`, `channels` channels in `layout`, starting at element
/// `image_offsets[i]` of `images`; boxes `box_offsets[i]..box_offsets[i+1]`
/// of `boxes` (4 floats each) and `classes`) is mixed with image
/// `partners[i]` with weight `lam_i` (`lam` has 1 or `n` values). Canvas
/// `i` goes to `canvases` at `canvas_offsets[i]`, of size
/// `canvas_sizes[i]`; its boxes to `out_boxes`
/// `[out_box_offsets[i]..out_box_offsets[i+1]]`. Size the outputs with
/// `mixup_detection_sizes`. Draw lambdas with `mixup_beta(rng, 32, 32)` as
/// YOLOv5 does, or 1.5 as GluonCV.
///
/// # Safety
/// Each pointer must be NULL (with length 0) or valid for its length:
/// `image_offsets`, `sizes`, `partners`, `canvas_offsets` and
/// `canvas_sizes` for `n` entries, `box_offsets` and `out_box_offsets` for
/// `n + 1`, `boxes` for `4 * num_boxes` floats.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_mix_detection_f32(
    images: *const f32,
    images_len: usize,
    image_offsets: *const usize,
    sizes: *const mixup_size,
    n: usize,
    boxes: *const f32,
    classes: *const i64,
    num_boxes: usize,
    box_offsets: *const usize,
    channels: usize,
    layout: u32,
    partners: *const u32,
    lam: *const f64,
    lam_len: usize,
    canvases: *mut f32,
    canvases_len: usize,
    canvas_offsets: *mut usize,
    canvas_sizes: *mut mixup_size,
    out_boxes: *mut mixup_weighted_box,
    out_boxes_len: usize,
    out_box_offsets: *mut usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status(unsafe {
        detection_call(
            images,
            images_len,
            image_offsets,
            sizes,
            n,
            boxes,
            classes,
            num_boxes,
            box_offsets,
            channels,
            layout,
            partners,
            lam,
            lam_len,
            canvases,
            canvases_len,
            canvas_offsets,
            canvas_sizes,
            out_boxes,
            out_boxes_len,
            out_box_offsets,
            |batch, p, l, out| Mixer::new().mix_detection(batch, p, l, out),
        )
    })
}

/// `mixup_mix_detection_f32` for u8 images, rounding half to even and
/// saturating.
///
/// # Safety
/// As `mixup_mix_detection_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_mix_detection_u8(
    images: *const u8,
    images_len: usize,
    image_offsets: *const usize,
    sizes: *const mixup_size,
    n: usize,
    boxes: *const f32,
    classes: *const i64,
    num_boxes: usize,
    box_offsets: *const usize,
    channels: usize,
    layout: u32,
    partners: *const u32,
    lam: *const f64,
    lam_len: usize,
    canvases: *mut u8,
    canvases_len: usize,
    canvas_offsets: *mut usize,
    canvas_sizes: *mut mixup_size,
    out_boxes: *mut mixup_weighted_box,
    out_boxes_len: usize,
    out_box_offsets: *mut usize,
) -> mixup_status {
    // SAFETY: the caller's promises, passed on.
    status(unsafe {
        detection_call(
            images,
            images_len,
            image_offsets,
            sizes,
            n,
            boxes,
            classes,
            num_boxes,
            box_offsets,
            channels,
            layout,
            partners,
            lam,
            lam_len,
            canvases,
            canvases_len,
            canvas_offsets,
            canvas_sizes,
            out_boxes,
            out_boxes_len,
            out_box_offsets,
            |batch, p, l, out| Mixer::new().mix_detection_u8(batch, p, l, out),
        )
    })
}
