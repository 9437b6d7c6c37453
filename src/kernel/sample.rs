//! The sample types a batch may hold, behind one sealed trait, so that the
//! batch walks are written once: f32 (the DESIGN 2 formula) and u8 (timm's
//! `FastCollateMixup` rounding).

use super::{
    Backend, Weights, blend, blend_in_place, blend_stream, blend_u8, blend_u8_in_place, copy_stream,
};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for u8 {}
}

/// A sample type of a batch: `f32` or `u8`. Sealed: its kernels are this
/// crate's, so that every backend gives the same bits.
pub trait Sample: Copy + Default + sealed::Sealed + 'static {
    /// `out = w_self * a + w_partner * b` over the common length, with this
    /// type's arithmetic; non-temporal stores when `stream` and the backend
    /// has them.
    #[doc(hidden)]
    fn blend(backend: Backend, w: Weights, out: &mut [Self], a: &[Self], b: &[Self], stream: bool);

    /// `x = w_self * x + w_partner * b` over the common length.
    #[doc(hidden)]
    fn blend_in_place(backend: Backend, w: Weights, x: &mut [Self], b: &[Self]);

    /// `dst = src`, with non-temporal stores when `stream` and the backend
    /// has them for this type.
    #[doc(hidden)]
    fn copy(backend: Backend, dst: &mut [Self], src: &[Self], stream: bool);
}

impl Sample for f32 {
    fn blend(backend: Backend, w: Weights, out: &mut [f32], a: &[f32], b: &[f32], stream: bool) {
        if stream {
            blend_stream(backend, w, out, a, b);
        } else {
            blend(backend, w, out, a, b);
        }
    }

    fn blend_in_place(backend: Backend, w: Weights, x: &mut [f32], b: &[f32]) {
        blend_in_place(backend, w, x, b);
    }

    fn copy(backend: Backend, dst: &mut [f32], src: &[f32], stream: bool) {
        if stream {
            copy_stream(backend, dst, src);
        } else {
            dst.copy_from_slice(src);
        }
    }
}

impl Sample for u8 {
    fn blend(backend: Backend, w: Weights, out: &mut [u8], a: &[u8], b: &[u8], _stream: bool) {
        blend_u8(backend, w, out, a, b);
    }

    fn blend_in_place(backend: Backend, w: Weights, x: &mut [u8], b: &[u8]) {
        blend_u8_in_place(backend, w, x, b);
    }

    fn copy(_backend: Backend, dst: &mut [u8], src: &[u8], _stream: bool) {
        dst.copy_from_slice(src);
    }
}
