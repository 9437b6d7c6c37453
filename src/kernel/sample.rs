//! The sample types a batch may hold, behind one sealed trait, so that the
//! batch walks are written once: f32 (the formula of docs/DESIGN.md §2)
//! and u8 (timm's `FastCollateMixup` rounding).

use super::{
    Backend, Weights, blend, blend_in_place, blend_stream, blend_u8, blend_u8_in_place,
    copy_stream, scale,
};

/// Zeros standing in for the part of a detection canvas an image does not
/// cover: the longest run [`Sample::canvas_run`] takes.
pub(crate) const CANVAS_RUN: usize = 1024;

pub(crate) mod sealed {
    /// Plain data: no padding, every byte pattern a valid value, so that a
    /// slice of it may be seen as bytes. Sealed: only this crate's types.
    ///
    /// # Safety
    /// Implement it only for such types.
    pub unsafe trait Plain: Copy {}
    // SAFETY: primitive numbers: no padding, every bit pattern valid.
    unsafe impl Plain for f32 {}
    // SAFETY: as above.
    unsafe impl Plain for u8 {}
    // SAFETY: as above.
    unsafe impl Plain for i32 {}
    // SAFETY: as above.
    unsafe impl Plain for i64 {}
}

/// A sample type of a batch: `f32` or `u8`. Sealed: its kernels are this
/// crate's, so that every backend gives the same bits.
pub trait Sample: Copy + Default + sealed::Plain + 'static {
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

    /// One run of a detection canvas row, at most `CANVAS_RUN` long, as
    /// GluonCV builds it: the canvas starts at zero, takes `w_self * a`
    /// where the first image covers it, then adds `w_partner * b` where
    /// the second does. So `a` alone gives `w_self * a` (a `-0` stays
    /// `-0`), `b` alone `0 + w_partner * b`, both the blend, neither zero.
    #[doc(hidden)]
    fn canvas_run(
        backend: Backend,
        w: Weights,
        out: &mut [Self],
        a: Option<&[Self]>,
        b: Option<&[Self]>,
    );
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

    fn canvas_run(
        backend: Backend,
        w: Weights,
        out: &mut [f32],
        a: Option<&[f32]>,
        b: Option<&[f32]>,
    ) {
        static ZEROS: [f32; CANVAS_RUN] = [0.0; CANVAS_RUN];
        match (a, b) {
            (Some(a), Some(b)) => blend(backend, w, out, a, b),
            (Some(a), None) => scale(w.w_self, out, a),
            // w_self * 0 is +0, so this is 0 + w_partner * b
            (None, Some(b)) => blend(backend, w, out, &ZEROS, b),
            (None, None) => out.fill(0.0),
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

    fn canvas_run(
        backend: Backend,
        w: Weights,
        out: &mut [u8],
        a: Option<&[u8]>,
        b: Option<&[u8]>,
    ) {
        static ZEROS: [u8; CANVAS_RUN] = [0; CANVAS_RUN];
        // a byte times a weight plus +0 is the product itself: one blend serves
        match (a, b) {
            (None, None) => out.fill(0),
            _ => blend_u8(backend, w, out, a.unwrap_or(&ZEROS), b.unwrap_or(&ZEROS)),
        }
    }
}
