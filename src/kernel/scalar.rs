//! The scalar reference kernel: the oracle every other backend must match.

/// `out[i] = ws * a[i] + wp * b[i]`.
pub(super) fn blend(out: &mut [f32], a: &[f32], b: &[f32], ws: f32, wp: f32) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = ws * x + wp * y;
    }
}

/// `x[i] = ws * x[i] + wp * b[i]`.
pub(super) fn blend_in_place(x: &mut [f32], b: &[f32], ws: f32, wp: f32) {
    for (v, &y) in x.iter_mut().zip(b) {
        *v = ws * *v + wp * y;
    }
}
