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

/// `rint(x)` for `0 <= x < 2^23`, ties to even: adding and subtracting
/// `2^23` leaves `x` rounded, in round-to-nearest-even arithmetic.
#[inline(always)]
pub(super) fn rint_small(x: f32) -> f32 {
    const TWO_23: f32 = 8_388_608.0;
    (x + TWO_23) - TWO_23
}

/// One u8 blend, as timm's `FastCollateMixup`:
/// `sat(rint(f32(a) * ws + f32(b) * wp))`, rounding half to even.
#[inline(always)]
pub(super) fn blend_u8_one(a: u8, b: u8, ws: f32, wp: f32) -> u8 {
    // ws, wp >= 0 and ws + wp <= 1 + 2^-23, so 0 <= v < 256
    let v = f32::from(a) * ws + f32::from(b) * wp;
    rint_small(v).clamp(0.0, 255.0) as u8
}

/// `out[i] = blend_u8_one(a[i], b[i])`.
pub(super) fn blend_u8(out: &mut [u8], a: &[u8], b: &[u8], ws: f32, wp: f32) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = blend_u8_one(x, y, ws, wp);
    }
}

/// `x[i] = blend_u8_one(x[i], b[i])`.
pub(super) fn blend_u8_in_place(x: &mut [u8], b: &[u8], ws: f32, wp: f32) {
    for (v, &y) in x.iter_mut().zip(b) {
        *v = blend_u8_one(*v, y, ws, wp);
    }
}
