//! The portable kernel: fixed-width chunks that LLVM turns into the target's
//! vectors (SSE2, AVX2 with `target-cpu`, NEON), without `core::arch`.

/// Elements per chunk: two 256-bit vectors, or four 128-bit ones.
const CHUNK: usize = 16;

/// `out[i] = ws * a[i] + wp * b[i]`.
pub(super) fn blend(out: &mut [f32], a: &[f32], b: &[f32], ws: f32, wp: f32) {
    let mut out_chunks = out.chunks_exact_mut(CHUNK);
    let mut a_chunks = a.chunks_exact(CHUNK);
    let mut b_chunks = b.chunks_exact(CHUNK);
    for ((o, x), y) in (&mut out_chunks).zip(&mut a_chunks).zip(&mut b_chunks) {
        for k in 0..CHUNK {
            o[k] = ws * x[k] + wp * y[k];
        }
    }
    let tail = out_chunks.into_remainder();
    for ((o, &x), &y) in tail
        .iter_mut()
        .zip(a_chunks.remainder())
        .zip(b_chunks.remainder())
    {
        *o = ws * x + wp * y;
    }
}

/// `x[i] = ws * x[i] + wp * b[i]`.
pub(super) fn blend_in_place(x: &mut [f32], b: &[f32], ws: f32, wp: f32) {
    let mut x_chunks = x.chunks_exact_mut(CHUNK);
    let mut b_chunks = b.chunks_exact(CHUNK);
    for (v, y) in (&mut x_chunks).zip(&mut b_chunks) {
        for k in 0..CHUNK {
            v[k] = ws * v[k] + wp * y[k];
        }
    }
    let tail = x_chunks.into_remainder();
    for (v, &y) in tail.iter_mut().zip(b_chunks.remainder()) {
        *v = ws * *v + wp * y;
    }
}

/// `out[i] = sat(rint(f32(a[i]) * ws + f32(b[i]) * wp))`, in chunks.
pub(super) fn blend_u8(out: &mut [u8], a: &[u8], b: &[u8], ws: f32, wp: f32) {
    let mut out_chunks = out.chunks_exact_mut(CHUNK);
    let mut a_chunks = a.chunks_exact(CHUNK);
    let mut b_chunks = b.chunks_exact(CHUNK);
    for ((o, x), y) in (&mut out_chunks).zip(&mut a_chunks).zip(&mut b_chunks) {
        for k in 0..CHUNK {
            o[k] = super::scalar::blend_u8_one(x[k], y[k], ws, wp);
        }
    }
    let tail = out_chunks.into_remainder();
    super::scalar::blend_u8(tail, a_chunks.remainder(), b_chunks.remainder(), ws, wp);
}

/// `x[i] = sat(rint(f32(x[i]) * ws + f32(b[i]) * wp))`, in chunks.
pub(super) fn blend_u8_in_place(x: &mut [u8], b: &[u8], ws: f32, wp: f32) {
    let mut x_chunks = x.chunks_exact_mut(CHUNK);
    let mut b_chunks = b.chunks_exact(CHUNK);
    for (v, y) in (&mut x_chunks).zip(&mut b_chunks) {
        for k in 0..CHUNK {
            v[k] = super::scalar::blend_u8_one(v[k], y[k], ws, wp);
        }
    }
    let tail = x_chunks.into_remainder();
    super::scalar::blend_u8_in_place(tail, b_chunks.remainder(), ws, wp);
}
