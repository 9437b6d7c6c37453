//! The blend kernels `out = w_self * a + w_partner * b`, one file per
//! backend, and the run-time choice between them.
//!
//! Every backend computes two f32 multiplies, each rounded, and one f32 add,
//! rounded, with no FMA, so all of them give the same bits as the scalar
//! reference. (FMA appears only in `fused::avx2`, to replace a division
//! where a check shows the bits are the division's.) The f32 kernels
//! compute the formula for every pair of weights, `(1, 0)` and `(0, 1)`
//! included, as NumPy and torch do: `1 * x + 0 * inf` is NaN and
//! `1 * -0 + 0 * y` is `+0`. The u8 kernels copy at those weights, which
//! gives the formula's bits, since every byte is finite and not `-0`.

pub(crate) mod fused;
mod portable;
pub(crate) mod sample;
mod scalar;

pub(crate) use sample::CANVAS_RUN;
pub use sample::Sample;

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
#[cfg(target_arch = "x86_64")]
mod sse2;

#[cfg(test)]
mod tests;

use crate::error::{Error, Result};

#[cfg(target_arch = "x86_64")]
cpufeatures::new!(cpuid_avx2, "avx2");
#[cfg(target_arch = "x86_64")]
cpufeatures::new!(cpuid_avx512, "avx512f");

/// An implementation of the blend kernel.
///
/// [`Backend::detect`] picks the fastest one this CPU has, once; tests and
/// benchmarks can force any available one through
/// [`Mixer::with_backend`](crate::Mixer::with_backend).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// The reference: one element at a time, obviously correct.
    Scalar,
    /// Fixed-width chunks that LLVM vectorizes on any target (NEON on aarch64).
    Portable,
    /// x86_64 SSE2 through `core::arch`, 4 lanes.
    Sse2,
    /// x86_64 AVX2 through `core::arch`, 8 lanes, detected at run time.
    Avx2,
    /// x86_64 AVX-512F through `core::arch`, 16 lanes, masked heads and
    /// tails, detected at run time.
    Avx512,
}

impl Backend {
    /// Every backend, from the reference to the widest.
    pub const ALL: [Backend; 5] = [
        Backend::Scalar,
        Backend::Portable,
        Backend::Sse2,
        Backend::Avx2,
        Backend::Avx512,
    ];

    /// The fastest backend this CPU supports. CPUID runs once, without std.
    pub fn detect() -> Backend {
        if Backend::Avx512.is_available() {
            Backend::Avx512
        } else if Backend::Avx2.is_available() {
            Backend::Avx2
        } else if Backend::Sse2.is_available() {
            Backend::Sse2
        } else {
            Backend::Portable
        }
    }

    /// Whether this CPU can run the backend.
    pub fn is_available(self) -> bool {
        match self {
            Backend::Scalar | Backend::Portable => true,
            Backend::Sse2 => cfg!(target_arch = "x86_64"),
            Backend::Avx2 => avx2_available(),
            Backend::Avx512 => avx512_available(),
        }
    }

    /// A lower-case name: `scalar`, `portable`, `sse2`, `avx2` or `avx512`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Scalar => "scalar",
            Backend::Portable => "portable",
            Backend::Sse2 => "sse2",
            Backend::Avx2 => "avx2",
            Backend::Avx512 => "avx512",
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn avx2_available() -> bool {
    cpuid_avx2::get()
}

#[cfg(target_arch = "x86_64")]
fn avx512_available() -> bool {
    cpuid_avx512::get()
}

#[cfg(not(target_arch = "x86_64"))]
fn avx512_available() -> bool {
    false
}

#[cfg(not(target_arch = "x86_64"))]
fn avx2_available() -> bool {
    false
}

/// The two f32 weights of a blend, derived from `lam` as docs/DESIGN.md §2 fixes:
/// `w_self = (f32) lam` and `w_partner = (f32) (1 - lam)`, the subtraction
/// made in f64.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    /// The weight of the sample itself.
    pub w_self: f32,
    /// The weight of its partner.
    pub w_partner: f32,
}

impl Weights {
    /// The weights for `lam`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] unless `0 <= lam <= 1`.
    pub fn from_lambda(lam: f64) -> Result<Weights> {
        if !(0.0..=1.0).contains(&lam) {
            return Err(Error::InvalidArgument);
        }
        Ok(Weights::from_valid_lambda(lam))
    }

    /// The weights for a `lam` already known to lie in `[0, 1]`.
    #[inline]
    pub(crate) fn from_valid_lambda(lam: f64) -> Weights {
        Weights {
            w_self: lam as f32,
            w_partner: (1.0 - lam) as f32,
        }
    }

    /// `(1, 0)`: for bytes, the blend is the sample itself.
    fn is_identity(self) -> bool {
        self.w_self == 1.0 && self.w_partner == 0.0
    }

    /// `(0, 1)`: for bytes, the blend is the partner.
    fn is_copy(self) -> bool {
        self.w_self == 0.0 && self.w_partner == 1.0
    }
}

/// `out = w_self * a + w_partner * b` over the common length.
pub(crate) fn blend(backend: Backend, w: Weights, out: &mut [f32], a: &[f32], b: &[f32]) {
    let n = out.len().min(a.len()).min(b.len());
    let (out, a, b) = (&mut out[..n], &a[..n], &b[..n]);
    let (ws, wp) = (w.w_self, w.w_partner);
    match backend {
        Backend::Scalar => scalar::blend(out, a, b, ws, wp),
        Backend::Portable => portable::blend(out, a, b, ws, wp),
        #[cfg(target_arch = "x86_64")]
        Backend::Sse2 => sse2::blend(out, a, b, ws, wp),
        #[cfg(target_arch = "x86_64")]
        Backend::Avx512 if avx512_available() => {
            // SAFETY: CPUID reports AVX-512F.
            unsafe { avx512::blend(out, a, b, ws, wp) }
        }
        #[cfg(target_arch = "x86_64")]
        Backend::Avx2 if avx2_available() => {
            // SAFETY: CPUID reports AVX2.
            unsafe { avx2::blend(out, a, b, ws, wp) }
        }
        _ => portable::blend(out, a, b, ws, wp),
    }
}

/// As [`blend`], with non-temporal stores where the backend has them
/// (SSE2, AVX2, AVX-512): for outputs too large to stay in cache.
pub(crate) fn blend_stream(backend: Backend, w: Weights, out: &mut [f32], a: &[f32], b: &[f32]) {
    let n = out.len().min(a.len()).min(b.len());
    let (out, a, b) = (&mut out[..n], &a[..n], &b[..n]);
    match backend {
        #[cfg(target_arch = "x86_64")]
        Backend::Sse2 => sse2::blend_stream(out, a, b, w.w_self, w.w_partner),
        #[cfg(target_arch = "x86_64")]
        Backend::Avx512 if avx512_available() => {
            // SAFETY: CPUID reports AVX-512F.
            unsafe { avx512::blend_stream(out, a, b, w.w_self, w.w_partner) }
        }
        #[cfg(target_arch = "x86_64")]
        Backend::Avx2 if avx2_available() => {
            // SAFETY: CPUID reports AVX2.
            unsafe { avx2::blend_stream(out, a, b, w.w_self, w.w_partner) }
        }
        _ => blend(backend, w, out, a, b),
    }
}

/// `x = w_self * x + w_partner * b` over the common length.
pub(crate) fn blend_in_place(backend: Backend, w: Weights, x: &mut [f32], b: &[f32]) {
    let n = x.len().min(b.len());
    let (x, b) = (&mut x[..n], &b[..n]);
    let (ws, wp) = (w.w_self, w.w_partner);
    match backend {
        Backend::Scalar => scalar::blend_in_place(x, b, ws, wp),
        Backend::Portable => portable::blend_in_place(x, b, ws, wp),
        #[cfg(target_arch = "x86_64")]
        Backend::Sse2 => sse2::blend_in_place(x, b, ws, wp),
        #[cfg(target_arch = "x86_64")]
        Backend::Avx512 if avx512_available() => {
            // SAFETY: CPUID reports AVX-512F.
            unsafe { avx512::blend_in_place(x, b, ws, wp) }
        }
        #[cfg(target_arch = "x86_64")]
        Backend::Avx2 if avx2_available() => {
            // SAFETY: CPUID reports AVX2.
            unsafe { avx2::blend_in_place(x, b, ws, wp) }
        }
        _ => portable::blend_in_place(x, b, ws, wp),
    }
}

/// `out = w_self * a`, one rounded product per element: the part of a
/// detection canvas that only the first image covers (GluonCV assigns
/// `im1 * lam` there, keeping the sign of a zero). Every lane order gives
/// the same bits, so a plain loop, which LLVM vectorizes, serves every
/// backend.
pub(crate) fn scale(w_self: f32, out: &mut [f32], a: &[f32]) {
    for (o, &x) in out.iter_mut().zip(a) {
        *o = w_self * x;
    }
}

/// `out = sat(rint(f32(a) * w_self + f32(b) * w_partner))` over u8.
pub(crate) fn blend_u8(backend: Backend, w: Weights, out: &mut [u8], a: &[u8], b: &[u8]) {
    let n = out.len().min(a.len()).min(b.len());
    let (out, a, b) = (&mut out[..n], &a[..n], &b[..n]);
    if w.is_identity() {
        out.copy_from_slice(a);
    } else if w.is_copy() {
        out.copy_from_slice(b);
    } else {
        let (ws, wp) = (w.w_self, w.w_partner);
        match backend {
            Backend::Scalar => scalar::blend_u8(out, a, b, ws, wp),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 if avx512_available() => {
                // SAFETY: CPUID reports AVX-512F.
                unsafe { avx512::blend_u8(out, a, b, ws, wp) }
            }
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 if avx2_available() => {
                // SAFETY: CPUID reports AVX2.
                unsafe { avx2::blend_u8(out, a, b, ws, wp) }
            }
            _ => portable::blend_u8(out, a, b, ws, wp),
        }
    }
}

/// `x = sat(rint(f32(x) * w_self + f32(b) * w_partner))` over u8.
pub(crate) fn blend_u8_in_place(backend: Backend, w: Weights, x: &mut [u8], b: &[u8]) {
    let n = x.len().min(b.len());
    let (x, b) = (&mut x[..n], &b[..n]);
    if w.is_identity() {
        // the sample stays as it is
    } else if w.is_copy() {
        x.copy_from_slice(b);
    } else {
        let (ws, wp) = (w.w_self, w.w_partner);
        match backend {
            Backend::Scalar => scalar::blend_u8_in_place(x, b, ws, wp),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 if avx512_available() => {
                // SAFETY: CPUID reports AVX-512F.
                unsafe { avx512::blend_u8_in_place(x, b, ws, wp) }
            }
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 if avx2_available() => {
                // SAFETY: CPUID reports AVX2.
                unsafe { avx2::blend_u8_in_place(x, b, ws, wp) }
            }
            _ => portable::blend_u8_in_place(x, b, ws, wp),
        }
    }
}

/// `dst = src` with non-temporal stores where the backend has them; call
/// [`stream_fence`] after the last one.
pub(crate) fn copy_stream(backend: Backend, dst: &mut [f32], src: &[f32]) {
    match backend {
        #[cfg(target_arch = "x86_64")]
        Backend::Avx512 if avx512_available() => {
            // SAFETY: CPUID reports AVX-512F.
            unsafe { avx512::copy_stream(dst, src) }
        }
        #[cfg(target_arch = "x86_64")]
        Backend::Avx2 if avx2_available() => {
            // SAFETY: CPUID reports AVX2.
            unsafe { avx2::copy_stream(dst, src) }
        }
        _ => {
            let n = dst.len().min(src.len());
            dst[..n].copy_from_slice(&src[..n]);
        }
    }
}

/// Orders the non-temporal stores of [`copy_stream`] before later stores.
pub(crate) fn stream_fence() {
    #[cfg(target_arch = "x86_64")]
    avx2::stream_fence();
}
